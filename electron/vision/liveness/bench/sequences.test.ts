import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createRgbImage } from '../../frame/rgb-image.js';
import { applyHomography } from '../../geometry/homography.js';
import { createSeededRandom } from '../../matcher/seeded-random.js';
import { chooseThreshold, turnEvents } from './active.bench.js';
import { planeHomography, randomPlaneMotion, renderPlanarSequence } from './sequences.js';

const SRC = { widthPx: 200, heightPx: 100 };
const OUT = { widthPx: 640, heightPx: 480 };
const still = { yawDeg: 0, pitchDeg: 0, rollDeg: 0, shiftPx: { x: 0, y: 0 }, scale: 1 };

describe('planar renderings', () => {
  it('a plane facing the camera is the picture scaled to fill 0.9 of the height, centred', () => {
    const h = planeHomography(SRC, OUT, still);
    const centre = applyHomography(h, { x: 100, y: 50 });
    assert.ok(Math.abs(centre.x - 320) < 1e-9 && Math.abs(centre.y - 240) < 1e-9);
    const top = applyHomography(h, { x: 100, y: 0 });
    assert.ok(Math.abs(240 - top.y - 0.45 * 480) < 1e-9, `top at ${top.y}`);
  });

  it('a positive yaw takes the picture\'s right edge away (shorter) and brings the left edge closer (taller)', () => {
    const h = planeHomography(SRC, OUT, { ...still, yawDeg: 30 });
    const height = (x: number): number => applyHomography(h, { x, y: 100 }).y - applyHomography(h, { x, y: 0 }).y;
    assert.ok(height(200) < height(0), `right ${height(200)} vs left ${height(0)}`);
  });

  it('renders the asked number of frames, the first ones still', () => {
    const random = createSeededRandom(2);
    const picture = createRgbImage(SRC.widthPx, SRC.heightPx);
    picture.data.fill(200);
    const motion = { ...randomPlaneMotion(random, 1), jitterDeg: 0, jitterPx: 0 };
    const sequence = renderPlanarSequence([picture], motion, { frames: 8, frameMs: 100, random });
    assert.equal(sequence.frames.length, 8);
    assert.deepEqual(sequence.timestampsMs, [0, 100, 200, 300, 400, 500, 600, 700]);
    assert.deepEqual(sequence.frames[0]!.data, sequence.frames[1]!.data);
    assert.notDeepEqual(sequence.frames[0]!.data, sequence.frames[7]!.data);
  });
});

describe('bench helpers', () => {
  it('turnEvents finds runs of ≥ 15° between reversals (on the 3-frame median: ties keep the first extreme)', () => {
    const yaws = [-44, -45, -47, -45, -44, -40, -34, -23, -9, 2, 14, 26, 31, 31, 31, 27, 24, 16, 6, -2, -10, -17, -22];
    assert.deepEqual(turnEvents(yaws), [{ from: 1, to: 12 }, { from: 12, to: 22 }]);
    assert.deepEqual(turnEvents([1, 2, 1, 2, 3, 2, 1]), []);
  });

  it('chooseThreshold sits between separated scores, or just above the attacks when they overlap', () => {
    assert.ok(Math.abs(chooseThreshold([0.01, 0.04], [0.16, 0.3]) - 0.08) < 1e-12);
    assert.ok(Math.abs(chooseThreshold([0.01, 0.2], [0.16, 0.3]) - 0.21) < 1e-12);
  });
});
