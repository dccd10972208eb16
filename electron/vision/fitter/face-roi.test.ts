import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { applyAffine, invertAffine, similarityParams } from '../geometry/affine.js';
import type { Point } from '../geometry/point.js';
import { lineAngleRad, roiFromBox, roiToCropTransform, type FaceRoi } from './face-roi.js';

const EPS = 1e-9;

function assertPoint(actual: Point, expected: Point, what: string): void {
  assert.ok(
    Math.abs(actual.x - expected.x) <= EPS && Math.abs(actual.y - expected.y) <= EPS,
    `${what}: expected (${expected.x}, ${expected.y}), got (${actual.x}, ${actual.y})`,
  );
}

const deg = (degrees: number): number => (degrees * Math.PI) / 180;

describe('lineAngleRad', () => {
  it('measures angles in image coordinates, y down: turning +x toward +y is positive', () => {
    assert.equal(lineAngleRad({ x: 3, y: 5 }, { x: 7, y: 5 }), 0);
    assert.ok(Math.abs(lineAngleRad({ x: 0, y: 0 }, { x: 2, y: 2 }) - Math.PI / 4) <= EPS);
    assert.ok(Math.abs(lineAngleRad({ x: 0, y: 0 }, { x: 0, y: -1 }) + Math.PI / 2) <= EPS);
    assert.ok(Math.abs(lineAngleRad({ x: 1, y: 1 }, { x: 0, y: 1 }) - Math.PI) <= EPS);
  });
});

describe('roiFromBox', () => {
  it('centres the ROI on the box and sizes it by the longer side times the scale', () => {
    const tall = roiFromBox({ xMinPx: 10, yMinPx: 20, xMaxPx: 50, yMaxPx: 80 }, 0.25, 1.5);
    assertPoint(tall.centerPx, { x: 30, y: 50 }, 'centre');
    assert.equal(tall.sizePx, 90);
    assert.equal(tall.rotationRad, 0.25);
    const wide = roiFromBox({ xMinPx: 0, yMinPx: 0, xMaxPx: 80, yMaxPx: 20 }, 0, 2);
    assert.equal(wide.sizePx, 160);
  });
});

describe('roiToCropTransform', () => {
  const roi: FaceRoi = { centerPx: { x: 100, y: 80 }, sizePx: 50, rotationRad: deg(20) };
  const cropPx = 192;
  const transform = roiToCropTransform(roi, cropPx);
  const half = roi.sizePx / 2;
  const cos = Math.cos(roi.rotationRad);
  const sin = Math.sin(roi.rotationRad);

  it('maps the ROI centre to the crop centre', () => {
    assertPoint(applyAffine(transform, roi.centerPx), { x: cropPx / 2, y: cropPx / 2 }, 'centre');
  });

  it('maps half a side along the ROI’s rotated x-axis to the centre of the crop’s right edge', () => {
    const alongX = { x: roi.centerPx.x + half * cos, y: roi.centerPx.y + half * sin };
    assertPoint(applyAffine(transform, alongX), { x: cropPx, y: cropPx / 2 }, 'right edge');
  });

  it('maps half a side along the rotated y-axis to the centre of the crop’s bottom edge (no mirror)', () => {
    const alongY = { x: roi.centerPx.x - half * sin, y: roi.centerPx.y + half * cos };
    assertPoint(applyAffine(transform, alongY), { x: cropPx / 2, y: cropPx }, 'bottom edge');
  });

  it('scales by crop size over ROI size and rotates by minus the ROI rotation', () => {
    const { scale, rotationRad } = similarityParams(transform);
    assert.ok(Math.abs(scale - cropPx / roi.sizePx) <= EPS);
    assert.ok(Math.abs(rotationRad + roi.rotationRad) <= EPS);
  });

  it('levels a tilted eye line: both eyes land on one row, left eye still on the left', () => {
    // Image-right eye 12° lower than the image-left one (y grows downward).
    const leftEye = { x: 300, y: 200 };
    const rightEye = { x: 300 + 60 * Math.cos(deg(12)), y: 200 + 60 * Math.sin(deg(12)) };
    const rotationRad = lineAngleRad(leftEye, rightEye);
    assert.ok(rotationRad > 0, 'a lower right eye is a positive rotation');
    const center = { x: (leftEye.x + rightEye.x) / 2, y: (leftEye.y + rightEye.y) / 2 + 20 };
    const eyeTransform = roiToCropTransform({ centerPx: center, sizePx: 150, rotationRad }, 192);
    const left = applyAffine(eyeTransform, leftEye);
    const right = applyAffine(eyeTransform, rightEye);
    assert.ok(Math.abs(left.y - right.y) <= EPS, `eye rows differ: ${left.y} vs ${right.y}`);
    assert.ok(right.x > left.x);
    assert.ok(Math.abs(right.x - left.x - (60 * 192) / 150) <= EPS, 'eye distance scales with the crop');
    // The ROI centre lies below the eyes, so upright in the crop they sit above its centre.
    assert.ok(left.y < 96);
  });

  it('maps the crop corners back onto the rotated ROI corners', () => {
    const back = invertAffine(transform);
    const corner = applyAffine(back, { x: cropPx, y: cropPx });
    // Bottom-right corner of the ROI: centre + half·(x-axis) + half·(y-axis).
    const expected = { x: roi.centerPx.x + half * cos - half * sin, y: roi.centerPx.y + half * sin + half * cos };
    assertPoint(corner, expected, 'bottom-right corner');
  });
});
