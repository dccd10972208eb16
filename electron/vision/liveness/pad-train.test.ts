import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { padLinearScore, parseSitePadCue } from './pad-linear.js';
import { fitPadLinear, heldOutRates, MIN_BONA_FIDE_CLIPS, outOfFoldScores, PadTrainingError, personOf, trainSitePadCue, type PadTrainingClip } from './pad-train.js';

/** A deterministic pseudo-random source, so the synthetic set is the same on every run. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * A separable set: bona fide score high on `minifasnet-v2` and on `colour-contrast`, attacks low; glare is
 * noise. 8 people, each with 4 genuine clips and one print and one phone photo.
 */
function syntheticClips(): PadTrainingClip[] {
  const random = lcg(7);
  const rows: PadTrainingClip[] = [];
  for (let p = 0; p < 8; p++) {
    const person = `person${p}`;
    for (let k = 0; k < 4; k++) rows.push({ speciesKey: 'bona-fide', bonaFide: true, person, features: { 'minifasnet-v2': 2 + random(), 'colour-contrast': 5 + random(), glare: random() } });
    for (const speciesKey of ['print/hand', 'phone-photo/fixed']) {
      rows.push({ speciesKey, bonaFide: false, person, features: { 'minifasnet-v2': -1 - random(), 'colour-contrast': 3 + random(), glare: random() } });
    }
  }
  return rows;
}

describe('training the site cue', () => {
  const features = ['minifasnet-v2', 'colour-contrast', 'glare'] as const;

  it('weighs the features that tell bona fide apart positively and separates the set', () => {
    const rows = syntheticClips();
    const model = fitPadLinear(rows, features, 1);
    assert.ok(model.weights[0]! > 0.5, `minifasnet-v2 weight ${model.weights[0]}`);
    assert.ok(model.weights[1]! > 0.5, `colour-contrast weight ${model.weights[1]}`);
    assert.ok(Math.abs(model.weights[2]!) < model.weights[0]!, 'the noise feature weighs less');
    const scores = rows.map((row) => padLinearScore(model, row.features)!);
    const lowestGenuine = Math.min(...scores.filter((_, i) => rows[i]!.bonaFide));
    const highestAttack = Math.max(...scores.filter((_, i) => !rows[i]!.bonaFide));
    assert.ok(lowestGenuine > highestAttack);
  });

  it('chooses the threshold on out-of-fold scores, between the classes, and records where it came from', () => {
    const rows = syntheticClips();
    const cue = trainSitePadCue(rows, [...features], { trainedAt: new Date('2026-12-01T10:00:00Z') });
    const { scores, folds } = outOfFoldScores(rows, [...features], 1);
    assert.equal(folds, 5);
    // BPCER ≤ 5 % of 32 genuine clips lets the lowest one be refused: the threshold sits just above it.
    const genuine = scores.filter((s) => s.bonaFide).map((s) => s.score!).sort((a, b) => a - b);
    const highestAttack = Math.max(...scores.filter((s) => !s.bonaFide).map((s) => s.score!));
    assert.ok(cue.threshold > highestAttack && cue.threshold > genuine[0]! && cue.threshold <= genuine[1]!, `threshold ${cue.threshold}, attacks up to ${highestAttack}, genuine from ${genuine.slice(0, 2).join(', ')}`);
    assert.equal(cue.provenance.outOfFold.bpcer, 1 / 32);
    assert.equal(cue.provenance.outOfFold.apcerWorst, 0);
    assert.deepEqual(cue.provenance.clips, { 'bona-fide': 32, 'print/hand': 8, 'phone-photo/fixed': 8 });
    assert.equal(cue.provenance.trainedAt, '2026-12-01T10:00:00.000Z');
    assert.match(cue.provenance.thresholdRule, /out-of-fold/);
    // What it writes is what install reads.
    assert.deepEqual(parseSitePadCue(JSON.parse(JSON.stringify(cue))), cue);
  });

  it('security first: at most the asked share of every species let through, the rule recorded', () => {
    const rows = syntheticClips();
    const cue = trainSitePadCue(rows, [...features], { operatingPoint: { maxApcer: 0 } });
    const { scores } = outOfFoldScores(rows, [...features], 1);
    const highestAttack = Math.max(...scores.filter((s) => !s.bonaFide).map((s) => s.score!));
    const lowestGenuine = Math.min(...scores.filter((s) => s.bonaFide).map((s) => s.score!));
    assert.ok(cue.threshold > highestAttack && cue.threshold < lowestGenuine, `threshold ${cue.threshold} between ${highestAttack} and ${lowestGenuine}`);
    assert.equal(cue.provenance.outOfFold.apcerWorst, 0);
    assert.equal(cue.provenance.outOfFold.bpcer, 0);
    assert.match(cue.provenance.thresholdRule, /every species' APCER ≤ 0 %/);
    assert.throws(() => trainSitePadCue(rows, [...features], { operatingPoint: { maxApcer: 1.5 } }), /rate must lie in \[0, 1\)/);
  });

  it('refuses too few bona-fide clips, no attack, one person, and a bad penalty', () => {
    const rows = syntheticClips();
    const genuine = rows.filter((row) => row.bonaFide);
    const attacks = rows.filter((row) => !row.bonaFide);
    assert.throws(() => trainSitePadCue([...genuine.slice(0, MIN_BONA_FIDE_CLIPS - 1), ...attacks], [...features]), (error: unknown) => error instanceof PadTrainingError && /19 bona-fide clips.*at least 20/.test(error.message));
    assert.throws(() => trainSitePadCue(genuine, [...features]), /no attack clip/);
    const onePerson = rows.map((row) => ({ ...row, person: 'same' }));
    assert.throws(() => trainSitePadCue(onePerson, [...features]), /at least 2 people/);
    assert.throws(() => trainSitePadCue(rows, [...features], { l2: -1 }), /l2 must be a number ≥ 0/);
    // Clips missing a feature (no face for it) do not count.
    const noColour = genuine.map((row) => ({ ...row, features: { 'minifasnet-v2': row.features['minifasnet-v2']! } }));
    assert.throws(() => trainSitePadCue([...noColour, ...attacks], [...features]), /0 bona-fide clips/);
  });

  it('estimates what people the recordings do not show meet: each decided by a cue trained and thresholded without them', () => {
    const rows = syntheticClips();
    const plain = trainSitePadCue(rows, [...features]);
    assert.equal(plain.provenance.heldOut?.folds, 5);
    assert.equal(plain.provenance.heldOut?.apcerWorst, 0);
    assert.equal(plain.provenance.heldOut?.people, 8);
    // One person whose genuine clips score below everyone else's: out of fold the threshold is chosen on scores
    // that include theirs and refuses one clip; held out, the others' threshold refuses all four of them.
    const odd = rows.map((row) => (row.person === 'person3' && row.bonaFide ? { ...row, features: { ...row.features, 'minifasnet-v2': 0.2 } } : row));
    const cue = trainSitePadCue(odd, [...features]);
    assert.equal(cue.provenance.outOfFold.bpcer, 1 / 32);
    assert.ok(cue.provenance.heldOut!.bpcer >= 4 / 32, `held-out BPCER ${cue.provenance.heldOut!.bpcer}`);
    assert.deepEqual(heldOutRates(odd, [...features], 1, { maxBpcer: 0.05 }), cue.provenance.heldOut);
    assert.deepEqual(parseSitePadCue(JSON.parse(JSON.stringify(cue))), cue);
    // Two people leave no folds on the training side: no estimate rather than a made-up one.
    const twoPeople = rows.filter((row) => row.person === 'person0' || row.person === 'person1');
    assert.equal(heldOutRates(twoPeople, [...features], 1, { maxBpcer: 0.05 }), undefined);
  });

  it('keeps a person in one fold: the person column, else the Replay-Attack client, else the clip', () => {
    assert.equal(personOf({ clip: 'x', person: 'ann' }), 'ann');
    assert.equal(personOf({ clip: 'train__attack__hand__attack_print_client007_session01_highdef_photo_adverse' }), 'client007');
    assert.equal(personOf({ clip: 'door-0042' }), 'door-0042');
  });
});
