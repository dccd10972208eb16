import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { generateAnchors, type Anchor } from './anchors.js';

const EPS = 1e-12;

function anchorAt(anchors: readonly Anchor[], index: number): Anchor {
  const anchor = anchors[index];
  assert.ok(anchor, `no anchor ${index} (there are ${anchors.length})`);
  return anchor;
}

function assertNear(actual: number, expected: number, message?: string): void {
  assert.ok(Math.abs(actual - expected) <= EPS, `${message ?? ''} expected ${expected}, got ${actual}`);
}

describe('generateAnchors', () => {
  it('gives BlazeFace its 896 anchors on a 256-px input with strides [16, 32, 32, 32]', () => {
    assert.equal(generateAnchors(256, [16, 32, 32, 32]).length, 896);
  });

  it('gives 896 anchors on the 128-px front-camera layout with strides [8, 16, 16, 16]', () => {
    assert.equal(generateAnchors(128, [8, 16, 16, 16]).length, 896);
  });

  it('places the first anchor at the centre of the top-left cell of the first grid', () => {
    const first = anchorAt(generateAnchors(256, [16, 32, 32, 32]), 0);
    assertNear(first.xCenter, 0.5 / 16);
    assertNear(first.yCenter, 0.5 / 16);
  });

  it('puts two anchors per cell on the 16×16 grid, row-major, with a cell’s anchors consecutive', () => {
    const anchors = generateAnchors(256, [16, 32, 32, 32]);
    for (let row = 0; row < 16; row++) {
      for (let col = 0; col < 16; col++) {
        for (let a = 0; a < 2; a++) {
          const anchor = anchorAt(anchors, (row * 16 + col) * 2 + a);
          assertNear(anchor.xCenter, (col + 0.5) / 16, `cell (${col}, ${row}) x`);
          assertNear(anchor.yCenter, (row + 0.5) / 16, `cell (${col}, ${row}) y`);
        }
      }
    }
  });

  it('merges the three stride-32 layers into one 8×8 grid with 6 anchors per cell, after the first grid', () => {
    const anchors = generateAnchors(256, [16, 32, 32, 32]);
    const secondGridStart = 16 * 16 * 2;
    for (let row = 0; row < 8; row++) {
      for (let col = 0; col < 8; col++) {
        for (let a = 0; a < 6; a++) {
          const anchor = anchorAt(anchors, secondGridStart + (row * 8 + col) * 6 + a);
          assertNear(anchor.xCenter, (col + 0.5) / 8, `cell (${col}, ${row}) x`);
          assertNear(anchor.yCenter, (row + 0.5) / 8, `cell (${col}, ${row}) y`);
        }
      }
    }
  });

  it('walks x fastest: the anchor after the last of a row starts the next row', () => {
    const anchors = generateAnchors(256, [16, 32, 32, 32]);
    const lastOfFirstRow = anchorAt(anchors, 15 * 2 + 1);
    const firstOfSecondRow = anchorAt(anchors, 16 * 2);
    assertNear(lastOfFirstRow.xCenter, 15.5 / 16);
    assertNear(lastOfFirstRow.yCenter, 0.5 / 16);
    assertNear(firstOfSecondRow.xCenter, 0.5 / 16);
    assertNear(firstOfSecondRow.yCenter, 1.5 / 16);
  });

  it('does not merge equal strides that are not consecutive', () => {
    // 16 → 32 → 16: three grids of 2 anchors per cell, not one 16-px grid with 4.
    const anchors = generateAnchors(64, [16, 32, 16]);
    assert.equal(anchors.length, 4 * 4 * 2 + 2 * 2 * 2 + 4 * 4 * 2);
    const thirdGridFirst = anchorAt(anchors, 4 * 4 * 2 + 2 * 2 * 2);
    assertNear(thirdGridFirst.xCenter, 0.5 / 4);
  });

  it('rounds a grid up when the stride does not divide the input, and honours anchorOffset', () => {
    // ceil(100 / 32) = 4 cells a side, MediaPipe's feature-map size for a 100-px input.
    const anchors = generateAnchors(100, [32], 0);
    assert.equal(anchors.length, 4 * 4 * 2);
    assertNear(anchorAt(anchors, 0).xCenter, 0);
    assertNear(anchorAt(anchors, 2).xCenter, 1 / 4);
  });
});
