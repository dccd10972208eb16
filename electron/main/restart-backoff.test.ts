import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { RestartBackoff } from './restart-backoff.js';

describe('restart back-off', () => {
  test('doubles per crash in a row up to the limit', () => {
    const backoff = new RestartBackoff({ firstDelayMs: 500, maxDelayMs: 4000, healthyAfterMs: 60_000 });
    const delays = [0, 1000, 2000, 3000, 4000, 5000].map((atMs) => backoff.nextDelayMs(atMs));
    assert.deepEqual(delays, [500, 1000, 2000, 4000, 4000, 4000]);
    assert.equal(backoff.crashCount, 6);
  });

  test('starts over once the renderer stayed up long enough', () => {
    const backoff = new RestartBackoff({ firstDelayMs: 500, healthyAfterMs: 60_000 });
    backoff.nextDelayMs(0);
    backoff.nextDelayMs(1000);
    assert.equal(backoff.nextDelayMs(2000), 2000);
    assert.equal(backoff.nextDelayMs(62_000), 500);
    assert.equal(backoff.crashCount, 1);
  });
});
