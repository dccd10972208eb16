import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyAffine, invertAffine } from '../geometry/affine.js';
import { letterbox, resizeBilinear } from './resize.js';
import { createRgbImage, type RgbImage } from './rgb-image.js';

function channel(img: RgbImage, c: number): number[][] {
  const rows: number[][] = [];
  for (let y = 0; y < img.heightPx; y++) {
    rows.push(Array.from({ length: img.widthPx }, (_, x) => img.data[(y * img.widthPx + x) * 3 + c]!));
  }
  return rows;
}

function solid(widthPx: number, heightPx: number, rgb: readonly [number, number, number]): RgbImage {
  const img = createRgbImage(widthPx, heightPx);
  for (let i = 0; i < img.data.length; i += 3) img.data.set(rgb, i);
  return img;
}

/** Horizontal ramp: every channel of pixel x is 4x. */
function ramp(widthPx: number, heightPx: number): RgbImage {
  const img = createRgbImage(widthPx, heightPx);
  for (let i = 0; i < img.data.length; i++) img.data[i] = 4 * Math.floor((i % (widthPx * 3)) / 3);
  return img;
}

describe('resizeBilinear', () => {
  it('keeps a constant image constant at any scale (bilinear and area paths)', () => {
    for (const [w, h] of [[1, 1], [7, 5], [30, 41], [3, 200], [200, 3]] as const) {
      const out = resizeBilinear(solid(23, 17, [12, 200, 99]), w, h);
      assert.deepEqual(out, solid(w, h, [12, 200, 99]), `${w}x${h}`);
    }
  });

  it('upscales 2x2 to 4x4 with half-pixel centres (hand-computed)', () => {
    const src = createRgbImage(2, 2);
    src.data.set([0, 7, 255, 100, 7, 255, 200, 7, 255, 40, 7, 255]);
    // Sample positions (j + 0.5)/2 - 0.5 = -0.25, 0.25, 0.75, 1.25, clamped to 0..1.
    assert.deepEqual(channel(resizeBilinear(src, 4, 4), 0), [
      [0, 25, 75, 100],
      [50, 59, 76, 85], // 25 + 0.25·(160 - 25) = 58.75
      [150, 126, 79, 55],
      [200, 160, 80, 40],
    ]);
    assert.ok(channel(resizeBilinear(src, 4, 4), 1).flat().every((v) => v === 7));
  });

  it('resizes a gradient to a gradient (up, 2x down, 4x down by area averaging)', () => {
    const src = ramp(64, 3);
    const half = channel(resizeBilinear(src, 32, 2), 0)[1]!;
    assert.deepEqual(half, Array.from({ length: 32 }, (_, j) => 8 * j + 2)); // mean of 4·2j and 4·(2j+1)
    const quarter = channel(resizeBilinear(src, 16, 2), 1)[0]!;
    assert.deepEqual(quarter, Array.from({ length: 16 }, (_, j) => 16 * j + 6)); // mean of 4 pixels
    const up = channel(resizeBilinear(src, 128, 3), 2)[2]!;
    up.forEach((v, j) => assert.ok(Math.abs(v - 4 * Math.min(Math.max((j + 0.5) / 2 - 0.5, 0), 63)) <= 0.5, `up[${j}] = ${v}`));
  });

  it('area-averages strong downscales instead of aliasing a fine pattern', () => {
    const stripes = createRgbImage(100, 100);
    for (let i = 0; i < stripes.data.length; i += 3) stripes.data.fill((i / 3) % 2 === 0 ? 255 : 0, i, i + 3);
    const out = resizeBilinear(stripes, 10, 10);
    assert.ok(out.data.every((v) => Math.abs(v - 127.5) <= 1), 'a 1-px stripe pattern shrunk 10x should be flat mid grey');
  });
});

describe('letterbox', () => {
  it('scales the longest side to sizePx, centres the image and pads with black', () => {
    const { image, transform } = letterbox(solid(640, 480, [90, 90, 90]), 256);
    assert.deepEqual([image.widthPx, image.heightPx], [256, 256]);
    const rows = channel(image, 0);
    assert.ok(rows.slice(0, 32).flat().every((v) => v === 0), 'top band black');
    assert.ok(rows.slice(32, 224).flat().every((v) => v === 90), 'content');
    assert.ok(rows.slice(224).flat().every((v) => v === 0), 'bottom band black');
    assert.deepEqual(applyAffine(transform, { x: 0, y: 32 }), { x: 0, y: 0 });
    assert.deepEqual(applyAffine(transform, { x: 256, y: 224 }), { x: 640, y: 480 });
  });

  it('its transform round-trips points and lands on the right source pixels (portrait)', () => {
    const src = createRgbImage(300, 600);
    // A bright 30x30 block at source (120..150, 400..430).
    for (let y = 400; y < 430; y++) src.data.fill(255, (y * 300 + 120) * 3, (y * 300 + 150) * 3);
    const { image, transform } = letterbox(src, 200);
    const toLetterbox = invertAffine(transform);
    for (const p of [{ x: 0, y: 0 }, { x: 123.4, y: 567.8 }, { x: 300, y: 600 }]) {
      const back = applyAffine(transform, applyAffine(toLetterbox, p));
      assert.ok(Math.abs(back.x - p.x) < 1e-9 && Math.abs(back.y - p.y) < 1e-9);
    }
    const centre = applyAffine(toLetterbox, { x: 135, y: 415 });
    // Content is 100x200 at x offset 50; source (135, 415) scales by 1/3.
    assert.ok(Math.abs(centre.x - 95) < 1e-9 && Math.abs(centre.y - 415 / 3) < 1e-9, `${centre.x}, ${centre.y}`);
    const i = (Math.floor(centre.y) * 200 + Math.floor(centre.x)) * 3;
    assert.deepEqual([...image.data.subarray(i, i + 3)], [255, 255, 255]);
    assert.equal(image.data[(100 * 200 + 20) * 3], 0, 'left padding stays black');
  });
});
