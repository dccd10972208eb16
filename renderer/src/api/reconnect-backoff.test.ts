import assert from 'node:assert/strict';
import { test } from 'node:test';

import { reconnectDelayMs } from './reconnect-backoff.js';

test('reconnects after 0.5 s, doubling up to 5 s', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 100].map(reconnectDelayMs), [500, 1000, 2000, 4000, 5000, 5000, 5000]);
  assert.equal(reconnectDelayMs(-1), 500);
});
