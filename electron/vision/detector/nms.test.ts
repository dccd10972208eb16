import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Point } from '../geometry/point.js';
import { weightedNms, type RawDetection } from './nms.js';

const EPS = 1e-9;

function detection(score: number, box: [xMin: number, yMin: number, xMax: number, yMax: number], keypointsPx: Point[] = []): RawDetection {
  const [xMinPx, yMinPx, xMaxPx, yMaxPx] = box;
  return { score, xMinPx, yMinPx, xMaxPx, yMaxPx, keypointsPx };
}

function assertNear(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= EPS, `${what}: expected ${expected}, got ${actual}`);
}

function assertBox(actual: RawDetection | undefined, expected: [number, number, number, number], what: string): RawDetection {
  assert.ok(actual, `${what} is missing`);
  assertNear(actual.xMinPx, expected[0], `${what} xMin`);
  assertNear(actual.yMinPx, expected[1], `${what} yMin`);
  assertNear(actual.xMaxPx, expected[2], `${what} xMax`);
  assertNear(actual.yMaxPx, expected[3], `${what} yMax`);
  return actual;
}

describe('weightedNms', () => {
  // A and B overlap with IoU 324 / 476 ≈ 0.68; C is far from both.
  const a = detection(0.9, [10, 10, 30, 30], [{ x: 20, y: 20 }]);
  const b = detection(0.6, [12, 12, 32, 32], [{ x: 23, y: 26 }]);
  const c = detection(0.7, [100, 100, 120, 120], [{ x: 110, y: 110 }]);

  it('merges overlapping boxes into their score-weighted mean, keeping the best score', () => {
    const [merged] = weightedNms([a, b], 0.3);
    // Weights 0.9 and 0.6 (total 1.5): xMin = (0.9·10 + 0.6·12) / 1.5 = 10.8, xMax = (0.9·30 + 0.6·32) / 1.5 = 30.8.
    const kept = assertBox(merged, [10.8, 10.8, 30.8, 30.8], 'merged box');
    assert.equal(kept.score, 0.9);
  });

  it('averages key points with the same weights as the box', () => {
    const [merged] = weightedNms([a, b], 0.3);
    assert.ok(merged);
    assert.equal(merged.keypointsPx.length, 1);
    const [point] = merged.keypointsPx;
    assert.ok(point);
    // x = (0.9·20 + 0.6·23) / 1.5 = 21.2, y = (0.9·20 + 0.6·26) / 1.5 = 22.4.
    assertNear(point.x, 21.2, 'key point x');
    assertNear(point.y, 22.4, 'key point y');
  });

  it('keeps a distant box separate and returns detections best first, whatever the input order', () => {
    const result = weightedNms([b, c, a], 0.3);
    assert.equal(result.length, 2);
    assert.deepEqual(
      result.map((kept) => kept.score),
      [0.9, 0.7],
    );
    assertBox(result[0], [10.8, 10.8, 30.8, 30.8], 'merged box');
    assertBox(result[1], [100, 100, 120, 120], 'distant box');
    assert.deepEqual(result[1]?.keypointsPx, [{ x: 110, y: 110 }]);
  });

  it('clusters the boxes left after the first cluster around their own best', () => {
    // D overlaps C (IoU 0.6) but not A: it must merge into C's cluster, not stand alone.
    const d = detection(0.35, [105, 100, 125, 120], [{ x: 116, y: 110 }]);
    const result = weightedNms([d, a, c, b], 0.3);
    assert.equal(result.length, 2);
    // Weights 0.7 and 0.35 (total 1.05): xMin = (0.7·100 + 0.35·105) / 1.05 = 101⅔.
    const second = assertBox(result[1], [100 + 5 / 3, 100, 120 + 5 / 3, 120], 'second cluster');
    assert.equal(second.score, 0.7);
    assertNear(second.keypointsPx[0]?.x ?? Number.NaN, 112, 'second cluster key point x');
  });

  it('merges only above the threshold: an IoU equal to it stays separate', () => {
    // Intersection 1, union 2: IoU exactly 0.5.
    const wide = detection(0.8, [0, 0, 2, 1]);
    const narrow = detection(0.4, [0, 0, 1, 1]);
    assert.equal(weightedNms([wide, narrow], 0.5).length, 2);
    const merged = weightedNms([wide, narrow], 0.49);
    assert.equal(merged.length, 1);
    // xMax = (0.8·2 + 0.4·1) / 1.2 = 5/3.
    assertBox(merged[0], [0, 0, 5 / 3, 1], 'merged box');
  });

  it('leaves a single detection as it is and does not modify its input', () => {
    const input = [a];
    const [kept] = weightedNms(input, 0.3);
    assertBox(kept, [10, 10, 30, 30], 'single box');
    assert.deepEqual(kept?.keypointsPx, [{ x: 20, y: 20 }]);
    assert.equal(input[0], a);
    assert.deepEqual(a, detection(0.9, [10, 10, 30, 30], [{ x: 20, y: 20 }]));
  });

  it('returns nothing for no detections', () => {
    assert.deepEqual(weightedNms([], 0.3), []);
  });

  it('terminates on a zero-area box and on a threshold of 1, keeping each box as it is', () => {
    // Such a box overlaps itself by 0, so it never exceeds the threshold against itself.
    const flat = detection(0.9, [10, 10, 10, 30]);
    assertBox(weightedNms([flat], 0.3)[0], [10, 10, 10, 30], 'zero-width box');
    const result = weightedNms([a, b], 1);
    assert.equal(result.length, 2);
    assertBox(result[0], [10, 10, 30, 30], 'best box');
    assertBox(result[1], [12, 12, 32, 32], 'second box');
  });
});
