import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRgbImage, type RgbImage } from '../frame/rgb-image.js';
import { IDENTITY_AFFINE, type Affine2D } from './affine.js';
import { warpAffine } from './warp.js';

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
