import assert from 'node:assert/strict';
import { test } from 'node:test';

import { LiveMetrics, OVERLAY_LAG_SAMPLES } from './live-metrics.js';

test('records the first overlay with a face and the capture-to-paint lag of each', () => {
  const metrics = new LiveMetrics();
  const view = metrics.view(() => 7);
  metrics.framePainted();
  metrics.overlayPainted(0, 1_000, 1_050, 20);
  assert.equal(view.firstOverlayAtMs, null);
  assert.deepEqual(view.overlayLagMs, []);
  metrics.overlayPainted(2, 2_000, 2_120, 35);
  metrics.overlayPainted(1, 3_000, 3_080, 50);
  assert.equal(view.firstOverlayAtMs, 35);
  assert.deepEqual(view.overlayLagMs, [120, 80]);
  assert.equal(view.framesPainted, 1);
  assert.equal(view.droppedStale, 7);
});

test(`keeps the last ${OVERLAY_LAG_SAMPLES} lags`, () => {
  const metrics = new LiveMetrics();
  for (let i = 0; i < OVERLAY_LAG_SAMPLES + 5; i++) metrics.overlayPainted(1, 0, i, i);
  const lags = metrics.view(() => 0).overlayLagMs;
  assert.equal(lags.length, OVERLAY_LAG_SAMPLES);
  assert.equal(lags[0], 5);
  assert.equal(lags.at(-1), OVERLAY_LAG_SAMPLES + 4);
});

test('gives out copies, so a reader cannot change the figures', () => {
  const metrics = new LiveMetrics();
  metrics.overlayPainted(1, 0, 10, 1);
  const view = metrics.view(() => 0);
  (view.overlayLagMs as number[]).push(99);
  assert.deepEqual(view.overlayLagMs, [10]);
});
