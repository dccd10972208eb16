import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { centralFace } from './central-face.js';
import type { AnalysedFace } from './face-pipeline.js';

/** A face with only the box set: centralFace reads nothing else. */
function faceAt(x: number, y: number, size: number): AnalysedFace {
  return { boxNorm: { x, y, width: size, height: size } } as AnalysedFace;
}

describe('centralFace', () => {
  it('picks the face whose box centre is nearest the image centre, not the largest nor the first', () => {
    const large = faceAt(0, 0, 0.6); // centre (0.3, 0.3)
    const small = faceAt(0.45, 0.42, 0.1); // centre (0.5, 0.47)
    assert.equal(centralFace([large, small]), small);
  });

  it('the first of two equally central faces; none without faces', () => {
    const a = faceAt(0.4, 0.4, 0.2);
    const b = faceAt(0.45, 0.45, 0.1);
    assert.equal(centralFace([a, b]), a);
    assert.equal(centralFace([]), undefined);
  });
});
