import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRgbImage, type RgbImage } from '../frame/rgb-image.js';
import { IDENTITY_AFFINE, type Affine2D } from './affine.js';
import { IDENTITY_HOMOGRAPHY, invertHomography, type Homography } from './homography.js';
import { warpAffine, warpPerspective } from './warp.js';

/** W×H image with distinct, position-coded pixels: [x·7 mod 256, y·11 mod 256, (x + y)·3 mod 256]. */
function coded(widthPx: number, heightPx: number): RgbImage {
  const img = createRgbImage(widthPx, heightPx);
  for (let y = 0; y < heightPx; y++) {
    for (let x = 0; x < widthPx; x++) img.data.set([(x * 7) % 256, (y * 11) % 256, ((x + y) * 3) % 256], (y * widthPx + x) * 3);
  }
  return img;
}

function pixel(img: RgbImage, x: number, y: number): number[] {
  const i = (y * img.widthPx + x) * 3;
  return [...img.data.subarray(i, i + 3)];
}

describe('warpAffine', () => {
  it('identity is an exact copy', () => {
    const src = coded(37, 23);
    assert.deepEqual(warpAffine(src, IDENTITY_AFFINE, 37, 23), src);
  });

  it('an integer translation shifts pixels exactly; uncovered pixels are black or replicated', () => {
    const src = coded(20, 10);
    const shift: Affine2D = [1, 0, 3, 0, 1, -2];
    const out = warpAffine(src, shift, 20, 10);
    for (let y = 0; y < 8; y++) {
      for (let x = 3; x < 20; x++) assert.deepEqual(pixel(out, x, y), pixel(src, x - 3, y + 2), `(${x},${y})`);
    }
    assert.deepEqual(pixel(out, 0, 0), [0, 0, 0]);
    assert.deepEqual(pixel(out, 5, 9), [0, 0, 0]);
    const replicated = warpAffine(src, shift, 20, 10, { border: 'replicate' });
    assert.deepEqual(pixel(replicated, 0, 0), pixel(src, 0, 2));
    assert.deepEqual(pixel(replicated, 5, 9), pixel(src, 2, 9));
  });

  it('a 90° rotation moves a known pixel where expected', () => {
    // x' = H - y, y' = x maps pixel (col, row) of a W×H image to pixel (H-1-row, col) of an H×W one.
    const src = coded(8, 5);
    const rotate: Affine2D = [0, -1, 5, 1, 0, 0];
    const out = warpAffine(src, rotate, 5, 8);
    assert.deepEqual(pixel(out, 5 - 1 - 1, 6), pixel(src, 6, 1));
    for (let row = 0; row < 5; row++) {
      for (let col = 0; col < 8; col++) assert.deepEqual(pixel(out, 4 - row, col), pixel(src, col, row));
    }
  });

  it('a half-pixel shift averages neighbours; a 2x upscale of a constant stays constant', () => {
    const src = createRgbImage(2, 1);
    src.data.set([0, 100, 200, 100, 200, 0]);
    const out = warpAffine(src, [1, 0, -0.5, 0, 1, 0], 1, 1);
    assert.deepEqual(pixel(out, 0, 0), [50, 150, 100]);
    const grey = createRgbImage(6, 6);
    grey.data.fill(77);
    const up = warpAffine(grey, [2, 0, 0, 0, 2, 0], 12, 12, { border: 'replicate' });
    assert.ok(up.data.every((v) => v === 77));
  });
});

describe('the constant border\'s fill colour', () => {
  const wall: [number, number, number] = [200, 200, 205];

  it('warpAffine: uncovered pixels take the fill, the picture is unchanged, a half-covered edge pixel blends the two', () => {
    const src = coded(20, 10);
    const shift: Affine2D = [1, 0, 3, 0, 1, -2];
    const out = warpAffine(src, shift, 20, 10, { fillRgb: wall });
    assert.deepEqual(pixel(out, 0, 0), wall);
    assert.deepEqual(pixel(out, 5, 9), wall);
    assert.deepEqual(pixel(out, 7, 3), pixel(src, 4, 5));
    const grey = createRgbImage(4, 4);
    grey.data.fill(100);
    // Half a pixel to the right: column 0 is half src (100), half fill.
    const half = warpAffine(grey, [1, 0, 0.5, 0, 1, 0], 4, 4, { fillRgb: wall });
    assert.deepEqual(pixel(half, 0, 1), [150, 150, 153]);
    assert.deepEqual(pixel(half, 2, 1), [100, 100, 100]);
  });

  it('warpPerspective: beyond the plane and behind the camera is the fill; inside, the same pixels as with black', () => {
    const src = coded(16, 12);
    const shrink: Homography = [0.5, 0, 4, 0, 0.5, 3, 0, 0, 1];
    const black = warpPerspective(src, shrink, 16, 12);
    const filled = warpPerspective(src, shrink, 16, 12, { fillRgb: wall });
    assert.deepEqual(pixel(filled, 0, 0), wall);
    assert.deepEqual(pixel(filled, 15, 11), wall);
    assert.deepEqual(pixel(black, 0, 0), [0, 0, 0]);
    assert.deepEqual(pixel(filled, 8, 6), pixel(black, 8, 6));
    // Output → src divides by w = 2 − x: from pixel column 2 on (centre 2.5), src lies behind the camera.
    const horizon = invertHomography([1, 0, 0, 0, 1, 0, -1, 0, 2]);
    const behind = warpPerspective(src, horizon, 8, 4, { fillRgb: wall });
    for (let y = 0; y < 4; y++) for (let x = 2; x < 8; x++) assert.deepEqual(pixel(behind, x, y), wall);
    assert.deepEqual(warpPerspective(src, IDENTITY_HOMOGRAPHY, 16, 12, { fillRgb: wall }), src);
  });

  it('replicate ignores it; a colour out of 0–255 is refused with what was wrong', () => {
    const src = coded(20, 10);
    const shift: Affine2D = [1, 0, 3, 0, 1, -2];
    assert.deepEqual(warpAffine(src, shift, 20, 10, { border: 'replicate', fillRgb: wall }), warpAffine(src, shift, 20, 10, { border: 'replicate' }));
    assert.throws(() => warpAffine(src, shift, 20, 10, { fillRgb: [0, 256, 0] }), /fillRgb must be three integers 0–255, got \[0, 256, 0\]/);
    assert.throws(() => warpPerspective(src, IDENTITY_HOMOGRAPHY, 20, 10, { fillRgb: [0.5, 0, 0] }), /fillRgb/);
  });
});
