import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createRgbImage, type RgbImage } from '../frame/rgb-image.js';
import { headPoseDeg, lumaStatistics } from './face-quality.js';

function assertNear(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: expected ${expected} ± ${tolerance}, got ${actual}`);
}

function filledImage(widthPx: number, heightPx: number, pixel: (x: number, y: number) => readonly [number, number, number]): RgbImage {
  const image = createRgbImage(widthPx, heightPx);
  for (let y = 0; y < heightPx; y++) {
    for (let x = 0; x < widthPx; x++) image.data.set(pixel(x, y), (y * widthPx + x) * 3);
  }
  return image;
}

function checkerboard(sizePx: number, squarePx: number): RgbImage {
  return filledImage(sizePx, sizePx, (x, y) => ((Math.floor(x / squarePx) + Math.floor(y / squarePx)) % 2 === 0 ? [0, 0, 0] : [255, 255, 255]));
}

/** 3×3 box blur with edge pixels replicated: a defocused copy of the image. */
function boxBlur(image: RgbImage): RgbImage {
  const { widthPx, heightPx, data } = image;
  const clampX = (x: number): number => Math.min(widthPx - 1, Math.max(0, x));
  const clampY = (y: number): number => Math.min(heightPx - 1, Math.max(0, y));
  return filledImage(widthPx, heightPx, (x, y) => {
    const sum = [0, 0, 0];
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const s = (clampY(y + dy) * widthPx + clampX(x + dx)) * 3;
        for (let c = 0; c < 3; c++) sum[c] = (sum[c] ?? 0) + (data[s + c] ?? 0);
      }
    }
    return [Math.round((sum[0] ?? 0) / 9), Math.round((sum[1] ?? 0) / 9), Math.round((sum[2] ?? 0) / 9)];
  });
}

describe('lumaStatistics', () => {
  it('gives a flat grey image its grey level as brightness, no contrast and no sharpness', () => {
    const { brightness, contrast, sharpness } = lumaStatistics(filledImage(24, 16, () => [90, 90, 90]));
    assertNear(brightness, 90, 1e-4, 'brightness');
    assertNear(contrast, 0, 1e-3, 'contrast');
    assert.equal(sharpness, 0);
  });

  it('weighs the channels as BT.601 luma', () => {
    assertNear(lumaStatistics(filledImage(8, 8, () => [255, 0, 0])).brightness, 0.299 * 255, 1e-4, 'red');
    assertNear(lumaStatistics(filledImage(8, 8, () => [0, 255, 0])).brightness, 0.587 * 255, 1e-4, 'green');
    assertNear(lumaStatistics(filledImage(8, 8, () => [0, 0, 255])).brightness, 0.114 * 255, 1e-4, 'blue');
  });

  it('measures contrast as the standard deviation of luma', () => {
    // Half black, half white: mean 127.5, every pixel 127.5 away from it.
    const { brightness, contrast } = lumaStatistics(filledImage(10, 10, (x) => (x < 5 ? [0, 0, 0] : [255, 255, 255])));
    assertNear(brightness, 127.5, 1e-3, 'brightness');
    assertNear(contrast, 127.5, 1e-3, 'contrast');
  });

  it('rates a one-pixel checkerboard at the Laplacian variance worked out by hand', () => {
    // Every interior Laplacian is ±4·255 and the two signs are equally common: variance (4·255)².
    const { sharpness } = lumaStatistics(checkerboard(16, 1));
    assertNear(sharpness, (4 * 255) ** 2, 1, 'sharpness');
  });

  it('rates a blurred checkerboard less sharp than the original, and a double blur less still', () => {
    const sharp = checkerboard(48, 4);
    const blurred = boxBlur(sharp);
    const blurredTwice = boxBlur(blurred);
    const s0 = lumaStatistics(sharp).sharpness;
    const s1 = lumaStatistics(blurred).sharpness;
    const s2 = lumaStatistics(blurredTwice).sharpness;
    assert.ok(s1 < s0 / 2, `blur should at least halve sharpness: ${s0} → ${s1}`);
    assert.ok(s2 < s1, `a second blur should lower it again: ${s1} → ${s2}`);
    assert.ok(s2 > 0);
    // Blurring moves luma around but keeps its mean.
    assertNear(lumaStatistics(blurred).brightness, lumaStatistics(sharp).brightness, 1, 'brightness');
  });
});

describe('headPoseDeg', () => {
  const EYE_LEFT = 33;
  const EYE_RIGHT = 263;
  const FOREHEAD = 10;
  const CHIN = 152;
  const deg = (degrees: number): number => (degrees * Math.PI) / 180;

  /** A mesh with only the four pose landmarks set: eyes 60 px apart, forehead–chin 110 px. */
  function mesh(points: Partial<Record<number, readonly [number, number, number]>>): Float32Array {
    const all: Record<number, readonly [number, number, number]> = {
      [EYE_LEFT]: [70, 100, 0],
      [EYE_RIGHT]: [130, 100, 0],
      [FOREHEAD]: [100, 60, 0],
      [CHIN]: [100, 170, 0],
      ...points,
    };
    const data = new Float32Array(468 * 3);
    for (const [index, point] of Object.entries(all)) if (point) data.set(point, Number(index) * 3);
    return data;
  }

  it('is level for a frontal face', () => {
    const { yawDeg, pitchDeg, rollDeg } = headPoseDeg(mesh({}));
    assertNear(yawDeg, 0, 1e-6, 'yaw');
    assertNear(pitchDeg, 0, 1e-6, 'pitch');
    assertNear(rollDeg, 0, 1e-6, 'roll');
  });

  it('reads roll from the eye line: +10° when the image-right eye is 10° lower', () => {
    const rightEye = [70 + 60 * Math.cos(deg(10)), 100 + 60 * Math.sin(deg(10)), 0] as const;
    const { yawDeg, rollDeg } = headPoseDeg(mesh({ [EYE_RIGHT]: rightEye }));
    assertNear(rollDeg, 10, 1e-3, 'roll');
    assertNear(yawDeg, 0, 1e-6, 'yaw');
    const mirrored = [70 + 60 * Math.cos(deg(10)), 100 - 60 * Math.sin(deg(10)), 0] as const;
    assertNear(headPoseDeg(mesh({ [EYE_RIGHT]: mirrored })).rollDeg, -10, 1e-3, 'roll, right eye higher');
  });

  it('reads yaw as positive when the head turns toward the image’s right (the image-right eye recedes)', () => {
    // MediaPipe z grows away from the camera. Turning toward the image's right (the subject's left) moves
    // the image-right eye away and the image-left one closer: a larger z on 263 than on 33.
    const dz = 60 * Math.tan(deg(15));
    const turnedRight = headPoseDeg(mesh({ [EYE_LEFT]: [70, 100, -dz / 2], [EYE_RIGHT]: [130, 100, dz / 2] }));
    assertNear(turnedRight.yawDeg, 15, 1e-3, 'yaw toward the image right');
    assertNear(turnedRight.rollDeg, 0, 1e-6, 'roll');
    assertNear(turnedRight.pitchDeg, 0, 1e-6, 'pitch');
    const turnedLeft = headPoseDeg(mesh({ [EYE_LEFT]: [70, 100, dz / 2], [EYE_RIGHT]: [130, 100, -dz / 2] }));
    assertNear(turnedLeft.yawDeg, -15, 1e-3, 'yaw toward the image left');
  });

  it('reads pitch as positive when looking up (the chin comes closer than the forehead)', () => {
    const dz = 110 * Math.tan(deg(20));
    const up = headPoseDeg(mesh({ [FOREHEAD]: [100, 60, dz / 2], [CHIN]: [100, 170, -dz / 2] }));
    assertNear(up.pitchDeg, 20, 1e-3, 'pitch looking up');
    assertNear(up.yawDeg, 0, 1e-6, 'yaw');
    const down = headPoseDeg(mesh({ [FOREHEAD]: [100, 60, -dz / 2], [CHIN]: [100, 170, dz / 2] }));
    assertNear(down.pitchDeg, -20, 1e-3, 'pitch looking down');
  });

  it('does not let the face’s size in the image change the angles', () => {
    const dz = 60 * Math.tan(deg(15));
    const small = headPoseDeg(mesh({ [EYE_LEFT]: [70, 100, 0], [EYE_RIGHT]: [130, 100, dz] }));
    const large = headPoseDeg(mesh({ [EYE_LEFT]: [140, 200, 0], [EYE_RIGHT]: [260, 200, 2 * dz] }));
    assertNear(large.yawDeg, small.yawDeg, 1e-3, 'yaw at twice the size');
  });
});
