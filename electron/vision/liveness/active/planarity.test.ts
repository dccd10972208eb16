import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createSeededRandom } from '../../matcher/seeded-random.js';
import type { MeshObservation } from './mesh-observation.js';
import { assessPlanarity, faceShapeRatio, pearson, planarityFrames } from './planarity.js';
import { syntheticObservation, type SyntheticView } from './synthetic-face.js';

/** A turn from 0 to `toDeg` in `frames` steps 100 ms apart. */
function sequence(kind: SyntheticView['kind'], toDeg: number, frames = 8, extra: Partial<SyntheticView> = {}) {
  return Array.from({ length: frames }, (_, k) => syntheticObservation({ timestampMs: k * 100, yawDeg: (toDeg * k) / (frames - 1), kind, ...extra }));
}

describe('planarity', () => {
  it('a turning 3-D face leaves a residual that grows with the yaw; a turning photo leaves none', () => {
    const face = planarityFrames(sequence('face', 20));
    for (let k = 2; k < face.length; k++) assert.ok(face[k]!.residualIod > face[k - 1]!.residualIod, `frame ${k}`);
    assert.ok(face.at(-1)!.residualIod > 0.08, `face residual ${face.at(-1)!.residualIod}`);
    const photo = planarityFrames(sequence('photo', 20));
    for (const frame of photo) assert.ok(frame.residualIod < 1e-4, `photo residual ${frame.residualIod}`);
    // The mesh reports the photo's tilt as a turn (worst case): the yaw test alone would pass it.
    assert.ok(photo.at(-1)!.yawChangeDeg > 15);
  });

  it('passes a 3-D turn and rejects a planar one as planar, with 0.5 px landmark noise', () => {
    const random = createSeededRandom(3);
    const noisy = { noisePx: 0.5, random };
    const face = assessPlanarity(sequence('face', 20, 8, noisy));
    assert.equal(face.planar, false, JSON.stringify(face));
    assert.ok(face.correlation > 0.8);
    const photo = assessPlanarity(sequence('photo', 20, 8, noisy));
    assert.equal(photo.planar, true);
    assert.equal(photo.cue, 'planar');
    assert.ok(photo.yawSpanDeg > 15);
  });

  it('does not judge a sequence with too little turn or too few frames', () => {
    const still = assessPlanarity(sequence('face', 3));
    assert.equal(still.planar, true);
    assert.equal(still.cue, 'no-parallax');
    assert.match(still.reason ?? '', /turned/);
    const short = assessPlanarity(sequence('face', 20, 3));
    assert.equal(short.planar, true);
    assert.match(short.reason ?? '', /frames/);
  });

  it('rejects a residual that does not follow the turn (noise, not parallax)', () => {
    const random = createSeededRandom(11);
    // A photo with heavy jitter: residual high everywhere but unrelated to the yaw.
    const verdict = assessPlanarity(sequence('photo', 20, 12, { noisePx: 4, random }), { minResidualIod: 0.02, minCorrelation: 0.5, minShapeRatio: 0 });
    assert.equal(verdict.planar, true, JSON.stringify(verdict));
    assert.ok(verdict.residualIod > 0.02, 'the residual alone would pass');
    assert.equal(verdict.cue, 'no-parallax');
  });

  it('the 3-D shape ratio ignores the pose of a rigid head and sees a print foreshortened without a matching turn', () => {
    const frontal = faceShapeRatio(syntheticObservation({ timestampMs: 0 }));
    for (const yawDeg of [-30, 15, 30]) {
      const turned = faceShapeRatio(syntheticObservation({ timestampMs: 0, yawDeg, iodPx: 40 }));
      // Perspective at 8 eye distances from the camera moves it by a few per cent.
      assert.ok(Math.abs(turned / frontal - 1) < 0.05, `yaw ${yawDeg}: ${turned / frontal}`);
    }
    // A print tilted by up to 40° that the mesh reads as hardly turned: x shrinks by cos, z stays.
    const squeezed = (o: MeshObservation, factor: number): MeshObservation => {
      const meshNorm = Float32Array.from(o.meshNorm);
      for (let i = 0; i < meshNorm.length; i += 3) meshNorm[i] = 0.5 + (meshNorm[i]! - 0.5) * factor;
      return { ...o, meshNorm };
    };
    const tilted = sequence('face', 12).map((o, k, all) => squeezed(o, Math.cos((40 * Math.PI / 180) * k / (all.length - 1))));
    const verdict = assessPlanarity(tilted, { minYawSpanDeg: 0 });
    assert.ok(verdict.shapeRatio < 0.8, `shape ${verdict.shapeRatio}`);
    assert.equal(verdict.planar, true);
    assert.match(verdict.reason ?? '', /narrowed/);
  });

  it('pearson: ±1 on lines, 0 when constant', () => {
    assert.ok(Math.abs(pearson([1, 2, 3, 4], [2, 4, 6, 8]) - 1) < 1e-12);
    assert.ok(Math.abs(pearson([1, 2, 3, 4], [8, 6, 4, 2]) + 1) < 1e-12);
    assert.equal(pearson([1, 1, 1], [1, 2, 3]), 0);
  });
});
