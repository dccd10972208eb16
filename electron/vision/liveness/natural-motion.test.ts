import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createSeededRandom } from '../matcher/seeded-random.js';
import type { MeshObservation } from './active/mesh-observation.js';
import { syntheticObservation, type SyntheticView } from './active/synthetic-face.js';
import { measureNaturalMotion, NaturalMotionWindow } from './natural-motion.js';

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

describe('natural motion window', () => {
  it('measures nothing until its frames span the window, then the frames nearest to evenly spread instants, each once', () => {
    const window = new NaturalMotionWindow({ windowMs: 2400, frames: 5 });
    const frames = clip('photo', [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]).map((o, k) => ({ ...o, timestampMs: k * 400 }));
    for (const frame of frames.slice(0, 6)) {
      assert.equal(window.measure(), undefined);
      window.push(frame);
    }
    // 0 … 2000 ms: still short of 2.4 s.
    assert.equal(window.measure(), undefined);
    window.push(frames[6]!);
    assert.equal(window.measure()!.frames, 5);
    // Later frames let the oldest go: 3600 ms − 2400 = 1200 ms is the start; the frame at 1200 ms starts it.
    for (const frame of frames.slice(7)) window.push(frame);
    assert.equal(window.size, 7);
    assert.equal(window.measure()!.frames, 5);
  });

  it('at a slow frame rate measures the frames it has (4 frames 0.8 s apart over 2.4 s)', () => {
    const window = new NaturalMotionWindow({ windowMs: 2400 });
    for (const [k, frame] of clip('face', [0, 3, 6, 3, 0]).entries()) window.push({ ...frame, timestampMs: k * 800 });
    assert.equal(window.measure()!.frames, 4);
  });

  it('refuses a window that is not positive or fewer than two frames', () => {
    assert.throws(() => new NaturalMotionWindow({ windowMs: 0 }), /windowMs/);
    assert.throws(() => new NaturalMotionWindow({ windowMs: 1000, frames: 1 }), /frames/);
  });
});
