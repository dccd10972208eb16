import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  IDENTITY_AFFINE, applyAffine, composeAffine, estimateSimilarity, invertAffine, similarityParams, type Affine2D,
} from './affine.js';
import type { Point } from './point.js';

/** The five ArcFace 112x112 template landmarks (eyes, nose, mouth corners). */
const TEMPLATE: readonly Point[] = [
  { x: 38.2946, y: 51.6963 }, { x: 73.5318, y: 51.5014 }, { x: 56.0252, y: 71.7366 },
  { x: 41.5493, y: 92.3655 }, { x: 70.7299, y: 92.2041 },
];

function similarity(scale: number, rotationRad: number, tx: number, ty: number): Affine2D {
  const c = scale * Math.cos(rotationRad), s = scale * Math.sin(rotationRad);
  return [c, -s, tx, s, c, ty];
}

function assertAffineClose(actual: Affine2D, expected: Affine2D, tolerance: number): void {
  actual.forEach((value, i) => assert.ok(Math.abs(value - expected[i]!) <= tolerance, `[${actual.join(', ')}] vs [${expected.join(', ')}]`));
}

describe('affine', () => {
  it('applyAffine follows x\' = a·x + b·y + c, y\' = d·x + e·y + f', () => {
    assert.deepEqual(applyAffine([1, 2, 3, 4, 5, 6], { x: 10, y: 100 }), { x: 213, y: 546 });
  });

  it('invertAffine undoes the transform and rejects singular ones', () => {
    const m: Affine2D = [2, 1, -3, 0.5, 4, 7];
    assertAffineClose(composeAffine(m, invertAffine(m)), IDENTITY_AFFINE, 1e-12);
    assert.throws(() => invertAffine([1, 2, 0, 2, 4, 0]), /not invertible/);
  });

  it('composeAffine applies first, then second', () => {
    const scale: Affine2D = [2, 0, 0, 0, 2, 0];
    const shift: Affine2D = [1, 0, 5, 0, 1, 0];
    assert.deepEqual(applyAffine(composeAffine(scale, shift), { x: 1, y: 1 }), { x: 7, y: 2 });
    assert.deepEqual(applyAffine(composeAffine(shift, scale), { x: 1, y: 1 }), { x: 12, y: 2 });
  });

  it('estimateSimilarity recovers a known rotation, scale and translation from 5 points', () => {
    const truth = similarity(1.7, 0.3, 12, -5);
    const dst = TEMPLATE.map((p) => applyAffine(truth, p));
    const m = estimateSimilarity(TEMPLATE, dst);
    assertAffineClose(m, truth, 1e-9);
    const { scale, rotationRad } = similarityParams(m);
    assert.ok(Math.abs(scale - 1.7) < 1e-12 && Math.abs(rotationRad - 0.3) < 1e-12);
  });

  it('estimateSimilarity stays close under ±0.5 px landmark noise', () => {
    const truth = similarity(2.4, -0.5, 300, 180);
    const noise = [0.31, -0.42, 0.12, 0.5, -0.27, -0.08, 0.44, -0.35, 0.05, 0.21];
    const dst = TEMPLATE.map((p, i) => {
      const q = applyAffine(truth, p);
      return { x: q.x + noise[2 * i]!, y: q.y + noise[2 * i + 1]! };
    });
    const { scale, rotationRad } = similarityParams(estimateSimilarity(TEMPLATE, dst));
    assert.ok(Math.abs(scale - 2.4) < 0.02, `scale ${scale}`);
    assert.ok(Math.abs(rotationRad + 0.5) < 0.01, `rotation ${rotationRad}`);
  });

  it('estimateSimilarity never returns a reflection, even for mirrored points', () => {
    const mirrored = TEMPLATE.map((p) => ({ x: -p.x, y: p.y }));
    const [a, b, , d, e] = estimateSimilarity(TEMPLATE, mirrored);
    assert.ok(a * e - b * d >= 0);
  });

  it('estimateSimilarity throws on degenerate input', () => {
    assert.throws(() => estimateSimilarity([{ x: 1, y: 1 }], [{ x: 2, y: 2 }]), /≥ 2 point pairs/);
    assert.throws(() => estimateSimilarity(TEMPLATE, TEMPLATE.slice(1)), /≥ 2 point pairs/);
    assert.throws(() => estimateSimilarity([{ x: 1, y: 1 }, { x: 1, y: 1 }], [{ x: 0, y: 0 }, { x: 1, y: 0 }]), /source points coincide/);
    assert.throws(() => estimateSimilarity(TEMPLATE, TEMPLATE.map(() => ({ x: 3, y: 3 }))), /destination points coincide/);
    assert.throws(() => estimateSimilarity([{ x: Number.NaN, y: 0 }, { x: 1, y: 0 }], [{ x: 0, y: 0 }, { x: 1, y: 0 }]), RangeError);
  });
});
