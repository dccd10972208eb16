import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boxToNorm, boxToPx, iou } from './point.js';

describe('point', () => {
  it('boxToNorm and boxToPx are inverse', () => {
    const boxPx = { x: 64, y: 48, width: 320, height: 240 };
    const boxNorm = boxToNorm(boxPx, 640, 480);
    assert.deepEqual(boxNorm, { x: 0.1, y: 0.1, width: 0.5, height: 0.5 });
    assert.deepEqual(boxToPx(boxNorm, 640, 480), boxPx);
  });

  it('iou: identical 1, disjoint or touching 0, half overlap 1/3, empty 0', () => {
    const a = { x: 0, y: 0, width: 10, height: 10 };
    assert.equal(iou(a, a), 1);
    assert.equal(iou(a, { x: 10, y: 0, width: 10, height: 10 }), 0);
    assert.equal(iou(a, { x: 5, y: 0, width: 10, height: 10 }), 50 / 150);
    assert.equal(iou({ x: 0, y: 0, width: 0, height: 0 }, { x: 0, y: 0, width: 0, height: 0 }), 0);
  });
});
