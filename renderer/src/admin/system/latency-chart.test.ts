import assert from 'node:assert/strict';
import { test } from 'node:test';

import { chartTopMs, stackSegments } from './latency-chart.js';

test('rounds the chart top up to 1, 2, 2.5 or 5 times a power of ten', () => {
  assert.deepEqual([0, 9, 10, 11, 21, 26, 51, 99, 101, 480].map(chartTopMs), [10, 10, 10, 20, 25, 50, 100, 100, 200, 500]);
});

test('stacks the stages in order, as fractions of the top', () => {
  const segments = stackSegments({ detectMs: 10, fitMs: 5, qualityMs: 0, extractMs: 25 }, 50);
  assert.deepEqual(segments, [
    { stage: 'detectMs', bottom: 0, height: 0.2 },
    { stage: 'fitMs', bottom: 0.2, height: 0.1 },
    { stage: 'qualityMs', bottom: 0.30000000000000004, height: 0 },
    { stage: 'extractMs', bottom: 0.30000000000000004, height: 0.5 },
  ]);
});
