import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { TrainedCueFrames, type TrainedCueModel } from './trained-cue.js';

/** A mesh of scattered points (the natural-motion fit needs points that do not coincide). */
const mesh = (timestampMs: number) => ({ timestampMs, meshNorm: Float32Array.from({ length: 468 * 3 }, (_, i) => 0.3 + 0.4 * ((Math.sin(i * 12.9898 + timestampMs) * 43758.5453) % 1 + 1) / 2), widthPx: 320, heightPx: 240 });

describe('the trained cue over a track’s frames', () => {
  const colour: TrainedCueModel = { features: ['colour-contrast'], mean: [4], std: [0.5], weights: [2], bias: 0, threshold: 0 };

  it('without motion features, averages the per-frame measures of every frame kept', () => {
    const frames = new TrainedCueFrames(colour, { windowMs: 2400 });
    assert.equal(frames.needsWindow, false);
    assert.equal(frames.score(), undefined);
    frames.push({ mesh: mesh(0), values: { 'colour-contrast': 3 } });
    frames.push({ mesh: mesh(100), values: { 'colour-contrast': 4 } });
    // mean 3.5: (3.5 − 4) / 0.5 × 2 = −2.
    assert.equal(frames.score(), -2);
    frames.push({ mesh: mesh(200), values: {} });
    assert.equal(frames.score(), null, 'a frame without the measure leaves nothing to judge');
  });

  it('keeps the last maxFrames frames', () => {
    const frames = new TrainedCueFrames(colour, { windowMs: 2400, maxFrames: 2 });
    for (const [k, value] of [10, 4, 4].entries()) frames.push({ mesh: mesh(k * 100), values: { 'colour-contrast': value } });
    assert.equal(frames.score(), 0);
  });

  it('with motion features, waits until the frames span the window', () => {
    const motion: TrainedCueModel = { ...colour, features: ['colour-contrast', 'motion'], mean: [4, -4], std: [0.5, 1], weights: [2, 1] };
    const frames = new TrainedCueFrames(motion, { windowMs: 2400, frames: 5 });
    assert.equal(frames.needsWindow, true);
    for (let t = 0; t < 2400; t += 400) {
      frames.push({ mesh: mesh(t), values: { 'colour-contrast': 4 } });
      assert.equal(frames.score(), undefined, `at ${t} ms`);
    }
    frames.push({ mesh: mesh(2400), values: { 'colour-contrast': 4 } });
    assert.notEqual(frames.score(), undefined, 'judged once the window is full');
  });
});
