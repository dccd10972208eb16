import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { bpcerAtApcer, combineFrames, countClips, detCurve, equalErrorRate, padRatesAt, thresholdForApcer, thresholdForBpcer, type ScoredClip } from './pad-metrics.js';

const clips = (key: string, bonaFide: boolean, scores: readonly (number | null)[]): ScoredClip[] => scores.map((score) => ({ speciesKey: key, bonaFide, score }));

// Five bona-fide clips, two attack species of four clips each; a clip of each side with no face.
const CLIPS: ScoredClip[] = [
  ...clips('bona-fide', true, [0.9, 0.8, 0.7, 0.6, 0.2, null]),
  ...clips('print/hand', false, [0.1, 0.3, 0.65, 0.05]),
  ...clips('phone-video/fixed', false, [0.1, 0.2, 0.15, 0.85, null]),
];

describe('pad metrics (ISO/IEC 30107-3)', () => {
  it('gives APCER per species, the worst species, pooled APCER and BPCER at a threshold', () => {
    const rates = padRatesAt(CLIPS, 0.5);
    assert.equal(rates.bpcer, 1 / 5);
    assert.deepEqual(rates.apcerBySpecies, { 'phone-video/fixed': 1 / 4, 'print/hand': 1 / 4 });
    assert.equal(rates.apcerWorst, 1 / 4);
    assert.equal(rates.apcerPooled, 2 / 8);
    const higher = padRatesAt(CLIPS, 0.7);
    assert.equal(higher.bpcer, 2 / 5);
    assert.equal(higher.apcerBySpecies['print/hand'], 0);
    assert.equal(higher.apcerWorstSpecies, 'phone-video/fixed');
  });

  it('counts clips without a face as non-responses, in no denominator', () => {
    assert.deepEqual(countClips(CLIPS), { bonaFide: 5, attacks: 8, attacksBySpecies: { 'print/hand': 4, 'phone-video/fixed': 4 }, bonaFideNoResponse: 1, attackNoResponse: 1 });
  });

  it('chooses the lowest threshold meeting an APCER target for every species, between two scores', () => {
    // Four attacks per species: APCER 5 % allows none, so the best attack (0.85) must go: halfway to 0.9.
    assert.equal(thresholdForApcer(CLIPS, 0.05), 0.875);
    assert.deepEqual(bpcerAtApcer(CLIPS, 0.05), { bpcer: 4 / 5, threshold: 0.875 });
    // 25 % allows one per species: the second best of print (0.3) is the highest that must go; next score 0.6.
    const threshold = thresholdForApcer(CLIPS, 0.25);
    assert.ok(Math.abs(threshold - 0.45) < 1e-12);
    assert.equal(padRatesAt(CLIPS, threshold).apcerWorst, 1 / 4);
    assert.equal(padRatesAt(CLIPS, threshold).bpcer, 1 / 5);
  });

  it('chooses the lowest threshold meeting a BPCER target', () => {
    assert.equal(thresholdForBpcer(CLIPS, 0.2), 0.25);
    assert.equal(padRatesAt(CLIPS, 0.25).bpcer, 1 / 5);
    assert.equal(thresholdForBpcer(CLIPS, 0), 0.175);
    assert.equal(padRatesAt(CLIPS, 0.175).bpcer, 0);
  });

  it('finds the EER where pooled APCER and BPCER are closest', () => {
    assert.deepEqual(equalErrorRate(CLIPS), { eer: (0.25 + 0.2) / 2, threshold: 0.6 });
    const separable = [...clips('bona-fide', true, [0.8, 0.9]), ...clips('print/fixed', false, [0.1, 0.2])];
    assert.equal(equalErrorRate(separable).eer, 0);
  });

  it('traces a DET curve from accept-all to reject-all', () => {
    const curve = detCurve(CLIPS);
    assert.deepEqual(curve[0], { threshold: 0.05, apcerPooled: 1, apcerWorst: 1, bpcer: 0 });
    assert.deepEqual(curve.at(-1), { threshold: Number.POSITIVE_INFINITY, apcerPooled: 0, apcerWorst: 0, bpcer: 1 });
    for (let i = 1; i < curve.length; i++) {
      assert.ok(curve[i]!.apcerPooled <= curve[i - 1]!.apcerPooled && curve[i]!.bpcer >= curve[i - 1]!.bpcer);
    }
  });

  it('refuses data without both bona-fide and attack scores', () => {
    assert.throws(() => padRatesAt(clips('bona-fide', true, [0.5]), 0.5), /bona-fide clips and scored attack clips/);
  });

  it('combines frame scores per clip by mean, median, min or max, skipping frames without a face', () => {
    const frames = [0.2, null, 0.8, 0.5];
    assert.equal(combineFrames(frames, 'mean'), 0.5);
    assert.equal(combineFrames(frames, 'median'), 0.5);
    assert.equal(combineFrames(frames, 'min'), 0.2);
    assert.equal(combineFrames(frames, 'max'), 0.8);
    assert.equal(combineFrames([null, null], 'mean'), null);
  });
});
