import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertRgbImage, createRgbImage, cropRgb, flipHorizontal, type RgbImage } from './rgb-image.js';

/** 3x2 image whose pixel (x, y) is [10x + y, 100 + 10x + y, 200]. */
function labelled(): RgbImage {
  const img = createRgbImage(3, 2);
  for (let y = 0; y < 2; y++) {
    for (let x = 0; x < 3; x++) img.data.set([10 * x + y, 100 + 10 * x + y, 200], (y * 3 + x) * 3);
  }
  return img;
}

describe('rgb-image', () => {
  it('createRgbImage allocates black packed RGB and rejects bad sizes', () => {
    const img = createRgbImage(4, 3);
    assert.equal(img.data.length, 36);
    assert.ok(img.data.every((v) => v === 0));
    assert.throws(() => createRgbImage(0, 3), /positive integers/);
    assert.throws(() => createRgbImage(2.5, 3), /positive integers/);
  });

  it('assertRgbImage checks shape and data length', () => {
    assertRgbImage(labelled());
    assert.throws(() => assertRgbImage({ widthPx: 2, heightPx: 2, data: new Uint8Array(11) }), /needs 12 bytes of data, got 11/);
    assert.throws(() => assertRgbImage({ widthPx: 2, heightPx: 2, data: [1, 2, 3] }), TypeError);
    assert.throws(() => assertRgbImage(null), TypeError);
  });

  it('flipHorizontal mirrors each row and keeps channel order', () => {
    const flipped = flipHorizontal(labelled());
    assert.deepEqual([...flipped.data.subarray(0, 9)], [20, 120, 200, 10, 110, 200, 0, 100, 200]);
    assert.deepEqual([...flipped.data.subarray(9, 12)], [21, 121, 200]);
    assert.deepEqual(flipHorizontal(flipped), labelled());
  });

  it('cropRgb copies whole pixels, growing fractional edges outwards and clamping to the image', () => {
    const crop = cropRgb(labelled(), { x: 1.5, y: 0.2, width: 0.4, height: 0.5 });
    assert.deepEqual([crop.widthPx, crop.heightPx], [1, 1]);
    assert.deepEqual([...crop.data], [10, 110, 200]);
    const clamped = cropRgb(labelled(), { x: 1, y: -5, width: 10, height: 6 });
    assert.deepEqual([clamped.widthPx, clamped.heightPx], [2, 1]);
    assert.deepEqual([...clamped.data], [10, 110, 200, 20, 120, 200]);
    assert.throws(() => cropRgb(labelled(), { x: 5, y: 0, width: 2, height: 2 }), /outside the 3x2 image/);
  });
});
