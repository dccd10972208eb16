import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { boxToCanvas, fitContain, pointToCanvas } from './overlay-geometry.js';

describe('fitContain', () => {
  test('letterboxes a landscape image on a portrait screen (bars above and below)', () => {
    assert.deepEqual(fitContain(640, 480, 800, 1280), { x: 0, y: 340, width: 800, height: 600 });
  });

  test('pillarboxes a 4:3 image on a landscape screen (bars left and right)', () => {
    const rect = fitContain(640, 480, 1280, 800);
    assert.equal(rect.y, 0);
    assert.equal(rect.height, 800);
    assert.ok(Math.abs(rect.width - 3200 / 3) < 1e-9);
    assert.ok(Math.abs(rect.x - (1280 - 3200 / 3) / 2) < 1e-9);
  });

  test('fills a canvas of the same aspect exactly', () => {
    assert.deepEqual(fitContain(320, 240, 640, 480), { x: 0, y: 0, width: 640, height: 480 });
  });

  test('gives an empty rectangle for an empty image or canvas', () => {
    assert.deepEqual(fitContain(0, 480, 800, 600), { x: 0, y: 0, width: 0, height: 0 });
    assert.deepEqual(fitContain(640, 480, 0, 600), { x: 0, y: 0, width: 0, height: 0 });
  });
});

describe('overlay coordinates', () => {
  const rect = { x: 0, y: 340, width: 800, height: 600 };

  test('map a point into the letterboxed image', () => {
    assert.deepEqual(pointToCanvas({ x: 0.25, y: 0.5 }, rect, false), { x: 200, y: 640 });
  });

  test('mirror a point left-right and leave its height', () => {
    assert.deepEqual(pointToCanvas({ x: 0.25, y: 0.5 }, rect, true), { x: 600, y: 640 });
  });

  test('mirror a box so that it still covers the mirrored face', () => {
    const box = { x: 0.1, y: 0.2, width: 0.3, height: 0.4 };
    assert.deepEqual(boxToCanvas(box, rect, false), { x: 80, y: 460, width: 240, height: 240 });
    const mirrored = boxToCanvas(box, rect, true);
    assert.ok(Math.abs(mirrored.x - 480) < 1e-9);
    assert.equal(mirrored.width, 240);
    // The mirrored box's right edge is where the image's left edge of the box lands when flipped.
    assert.ok(Math.abs(mirrored.x + mirrored.width - pointToCanvas({ x: box.x, y: 0 }, rect, true).x) < 1e-9);
  });

  test('keep landmarks inside their mirrored box', () => {
    const box = { x: 0.6, y: 0.3, width: 0.2, height: 0.3 };
    const eye = { x: 0.65, y: 0.4 };
    const boxPx = boxToCanvas(box, rect, true);
    const eyePx = pointToCanvas(eye, rect, true);
    assert.ok(eyePx.x > boxPx.x && eyePx.x < boxPx.x + boxPx.width);
    assert.ok(eyePx.y > boxPx.y && eyePx.y < boxPx.y + boxPx.height);
  });
});
