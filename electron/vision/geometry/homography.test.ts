import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createSeededRandom } from '../matcher/seeded-random.js';
import { applyHomography, estimateHomography, invertHomography, multiplyHomography, reprojectionRms, symmetricEigen, type Homography } from './homography.js';
import type { Point } from './point.js';
import { warpAffine, warpPerspective } from './warp.js';
import { createRgbImage } from '../frame/rgb-image.js';

const H: Homography = [0.9, 0.12, 30, -0.08, 1.05, -12, 0.0004, -0.0003, 1];

function grid(n: number, sizePx: number): Point[] {
  const points: Point[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) points.push({ x: 100 + (i * sizePx) / (n - 1), y: 80 + (j * sizePx) / (n - 1) });
  return points;
}

describe('homography', () => {
  it('recovers a known homography exactly from 4 points and from many', () => {
    for (const src of [grid(2, 200), grid(6, 200)]) {
      const dst = src.map((p) => applyHomography(H, p));
      const estimated = estimateHomography(src, dst);
      estimated.forEach((v, i) => assert.ok(Math.abs(v - H[i]!) < 1e-9 * Math.max(1, Math.abs(H[i]!)), `entry ${i}: ${v} vs ${H[i]}`));
      assert.ok(reprojectionRms(estimated, src, dst) < 1e-8);
    }
  });

  it('with 1 px noise leaves a residual near the noise and maps points within a pixel or two', () => {
    const random = createSeededRandom(7);
    const gauss = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const src = grid(7, 200);
    const dst = src.map((p) => applyHomography(H, p)).map((p) => ({ x: p.x + gauss(), y: p.y + gauss() }));
    const estimated = estimateHomography(src, dst);
    const rms = reprojectionRms(estimated, src, dst);
    // 49 points, 8 parameters: the expected RMS is √2·σ·√(1 − 8/98) ≈ 1.36 px.
    assert.ok(rms > 0.9 && rms < 1.8, `rms ${rms}`);
    for (const p of src) {
      const a = applyHomography(estimated, p);
      const b = applyHomography(H, p);
      assert.ok(Math.hypot(a.x - b.x, a.y - b.y) < 2, `error at ${p.x},${p.y}`);
    }
  });

  it('inverts and composes', () => {
    const identity = multiplyHomography(H, invertHomography(H));
    identity.forEach((v, i) => assert.ok(Math.abs(v - [1, 0, 0, 0, 1, 0, 0, 0, 1][i]!) < 1e-12, `entry ${i}: ${v}`));
    const p = applyHomography(invertHomography(H), applyHomography(H, { x: 12, y: 34 }));
    assert.ok(Math.abs(p.x - 12) < 1e-9 && Math.abs(p.y - 34) < 1e-9);
    assert.throws(() => invertHomography([1, 2, 3, 2, 4, 6, 0, 0, 1]), RangeError);
  });

  it('rejects too few, coincident and collinear points', () => {
    const line = [0, 1, 2, 3, 4].map((k) => ({ x: k * 10, y: k * 5 }));
    assert.throws(() => estimateHomography(line.slice(0, 3), line.slice(0, 3)), RangeError);
    assert.throws(() => estimateHomography(line, line), RangeError);
    const same = Array.from({ length: 5 }, () => ({ x: 3, y: 3 }));
    assert.throws(() => estimateHomography(same, grid(2, 10).concat([{ x: 1, y: 2 }])), RangeError);
  });

  it('finds the eigenvalues of a symmetric matrix', () => {
    const m = Float64Array.from([4, 1, 2, 1, 3, 0, 2, 0, 5]);
    const { values, vectors } = symmetricEigen(m, 3);
    for (let k = 0; k < 3; k++) {
      // m·v = λ·v for each column.
      for (let r = 0; r < 3; r++) {
        let mv = 0;
        for (let c = 0; c < 3; c++) mv += m[r * 3 + c]! * vectors[c * 3 + k]!;
        assert.ok(Math.abs(mv - values[k]! * vectors[r * 3 + k]!) < 1e-10);
      }
    }
    assert.ok(Math.abs(values.reduce((s, v) => s + v, 0) - 12) < 1e-10);
  });

  it('warpPerspective: an affine homography renders as warpAffine does; a projective one moves a dot where h maps it', () => {
    const src = createRgbImage(40, 30);
    const random = createSeededRandom(1);
    for (let i = 0; i < src.data.length; i++) src.data[i] = Math.floor(random() * 256);
    const affine = [0.8, 0.2, 3, -0.1, 0.9, 5] as const;
    const a = warpAffine(src, affine, 36, 28, { border: 'replicate' });
    const p = warpPerspective(src, [...affine, 0, 0, 1], 36, 28, { border: 'replicate' });
    let worst = 0;
    for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i]! - p.data[i]!));
    assert.ok(worst <= 1, `largest difference ${worst}`);
    const dot = createRgbImage(100, 100);
    for (let y = 40; y < 44; y++) for (let x = 60; x < 64; x++) dot.data.fill(255, (y * 100 + x) * 3, (y * 100 + x) * 3 + 3);
    const out = warpPerspective(dot, H, 400, 400);
    const target = applyHomography(H, { x: 62, y: 42 });
    const at = (Math.floor(target.y) * 400 + Math.floor(target.x)) * 3;
    assert.ok(out.data[at]! > 200, `dot not at ${target.x}, ${target.y}`);
  });
});
