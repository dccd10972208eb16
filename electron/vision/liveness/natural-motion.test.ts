import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createSeededRandom } from '../matcher/seeded-random.js';
import type { MeshObservation } from './active/mesh-observation.js';
import { syntheticObservation, type SyntheticView } from './active/synthetic-face.js';
import { measureNaturalMotion } from './natural-motion.js';

/** Five frames of a face or a photo at the given yaws (a photo's plane turns: its points obey one homography). */
function clip(kind: SyntheticView['kind'], yawsDeg: readonly number[], extra: (k: number) => Partial<SyntheticView> = () => ({})): MeshObservation[] {
  return yawsDeg.map((yawDeg, k) => syntheticObservation({ timestampMs: k * 800, yawDeg, kind, centrePx: { x: 320 + 6 * k, y: 240 - 4 * k }, iodPx: 60 + k, ...extra(k) }));
}

describe('natural motion', () => {
  it('a photo moved as a plane leaves no residual and no eye change; a 3-D face turned leaves a residual that grows with the turn', () => {
    const photo = measureNaturalMotion(clip('photo', [0, 6, -4, 12, 3]))!;
    assert.equal(photo.frames, 5);
    assert.equal(photo.pairs, 10);
    assert.ok(photo.residualIod < 1e-4, `photo residual ${photo.residualIod}`);
    // Turning the plane foreshortens the eyes' width but not their opening: a few per cent, no blink.
    assert.ok(photo.earRange < 0.05, `photo EAR range ${photo.earRange}`);
    let previous = 0;
    for (const spanDeg of [1, 3, 9]) {
      const face = measureNaturalMotion(clip('face', [0, spanDeg / 2, spanDeg, spanDeg / 4, (3 * spanDeg) / 4]))!;
      assert.ok(face.residualIod > previous, `span ${spanDeg}°: ${face.residualIod} after ${previous}`);
      previous = face.residualIod;
    }
    assert.ok(previous > 0.01, `a 9° turn leaves ${previous} eye distances`);
  });

  it('a blink in one frame raises the eye range and the score; a still face without it scores low', () => {
    const random = createSeededRandom(5);
    const noisy = { noisePx: 0.2, random };
    const still = measureNaturalMotion(clip('face', [0, 0.5, 1, 0.5, 0], () => noisy))!;
    const blinking = measureNaturalMotion(clip('face', [0, 0.5, 1, 0.5, 0], (k) => ({ ...noisy, eyeClosure: k === 2 ? 0.8 : 0 })))!;
    assert.ok(blinking.earRange > 0.6, `blink EAR range ${blinking.earRange}`);
    assert.ok(still.earRange < 0.15, `still EAR range ${still.earRange}`);
    assert.ok(blinking.score > 2 * still.score, `${blinking.score} vs ${still.score}`);
    assert.ok(Math.abs(blinking.score - Math.sqrt(blinking.residualIod * blinking.earRange)) < 1e-12);
  });

  it('one frame where the mesh slipped does not make a photo pass: the median over pairs ignores it', () => {
    const random = createSeededRandom(9);
    const frames = clip('photo', [0, 4, 8, 4, 0], (k) => (k === 3 ? { noisePx: 3, random } : {}));
    const slipped = measureNaturalMotion(frames)!;
    assert.ok(slipped.residualIod < 1e-4, `median residual ${slipped.residualIod}`);
    // Each frame against the first only would have given the slipped frame a say: its own pair is far off.
    const againstFirst = measureNaturalMotion([frames[0]!, frames[3]!])!;
    assert.ok(againstFirst.residualIod > 0.02, `slipped pair ${againstFirst.residualIod}`);
  });

  it('needs two frames', () => {
    assert.equal(measureNaturalMotion([]), undefined);
    assert.equal(measureNaturalMotion(clip('face', [0])), undefined);
    assert.equal(measureNaturalMotion(clip('face', [0, 5]))!.pairs, 1);
  });
});
