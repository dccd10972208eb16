import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { AnalysedFace } from '../../vision/pipeline/face-pipeline.js';
import type { FaceQuality } from '../../vision/quality/face-quality.js';
import { decisionSettingsSchema } from '../../shared/shapes/decision-settings.js';
import { describeHint, gateHint, LIVE_ENROLLMENT_GATES, PHOTO_ENROLLMENT_GATES, pickSubject, resolveGates } from './gates.js';

const GOOD: FaceQuality = { interOcularPx: 80, yawDeg: 2, pitchDeg: -4, rollDeg: 1, sharpness: 300, brightness: 120, contrast: 45, presence: 1, detectorScore: 0.95 };

function face(interOcularPx: number): AnalysedFace {
  return { boxNorm: { x: 0, y: 0, width: 0.1, height: 0.1 }, fivePointsNorm: [], meshNorm: new Float32Array(0), quality: { ...GOOD, interOcularPx } };
}

describe('enrollment gates', () => {
  it('start from the access policy defaults: photos allow smaller faces, the live camera wants a frontal head', () => {
    const access = decisionSettingsSchema.parse({});
    assert.equal(PHOTO_ENROLLMENT_GATES.minInterOcularPx, 32);
    assert.equal(PHOTO_ENROLLMENT_GATES.maxAbsYawDeg, access.maxAbsYawDeg);
    assert.equal(LIVE_ENROLLMENT_GATES.minInterOcularPx, access.minInterOcularPx);
    assert.equal(LIVE_ENROLLMENT_GATES.maxAbsYawDeg, 20);
    assert.equal(LIVE_ENROLLMENT_GATES.minSharpness, access.minSharpness);
  });

  it('give the access policy hint for the first gate failed, with the figure and the limit', () => {
    const gates = LIVE_ENROLLMENT_GATES;
    assert.equal(gateHint(GOOD, gates), null);
    assert.equal(gateHint({ ...GOOD, interOcularPx: 20, yawDeg: 50 }, gates), 'come-closer');
    assert.equal(gateHint({ ...GOOD, yawDeg: 25 }, gates), 'look-at-camera');
    assert.equal(gateHint({ ...GOOD, yawDeg: 25 }, PHOTO_ENROLLMENT_GATES), null);
    assert.equal(gateHint({ ...GOOD, brightness: 20 }, gates), 'too-dark');
    assert.equal(gateHint({ ...GOOD, brightness: 240 }, gates), 'too-bright');
    assert.equal(gateHint({ ...GOOD, sharpness: 5 }, gates), 'hold-still');
    assert.equal(describeHint('come-closer', { ...GOOD, interOcularPx: 20.4 }, gates), 'face too small: 20 px between the eyes, at least 40 needed');
  });

  it('validate overrides', () => {
    assert.equal(resolveGates(PHOTO_ENROLLMENT_GATES, { minInterOcularPx: 60 }).minInterOcularPx, 60);
    assert.throws(() => resolveGates(PHOTO_ENROLLMENT_GATES, { maxAbsYawDeg: 1 }));
  });
});

describe('pickSubject', () => {
  it('takes the only face, and of several the largest when it is clearly dominant', () => {
    assert.deepEqual(pickSubject([], 2), { kind: 'none' });
    const only = face(50);
    assert.deepEqual(pickSubject([only], 2), { kind: 'one', face: only, othersCount: 0 });
    const big = face(80);
    const choice = pickSubject([big, face(40), face(12)], 2);
    assert.ok(choice.kind === 'one' && choice.face === big && choice.othersCount === 2);
    assert.deepEqual(pickSubject([big, face(41)], 2), { kind: 'several', count: 2, largestPx: 80, nextPx: 41 });
  });

  it('refuses every image with more than one face when the ratio is Infinity', () => {
    assert.equal(pickSubject([face(200), face(10)], Infinity).kind, 'several');
    assert.equal(pickSubject([face(200)], Infinity).kind, 'one');
  });
});
