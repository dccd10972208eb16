import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { IdleClock } from './idle-logout.js';

describe('IdleClock', () => {
  test('stays active until the warning, then warns, then goes idle at the timeout', () => {
    const clock = new IdleClock(120_000, 1_000);
    assert.deepEqual(clock.state(1_000), { phase: 'active', remainingMs: 120_000 });
    assert.deepEqual(clock.state(105_999), { phase: 'active', remainingMs: 15_001 });
    assert.deepEqual(clock.state(106_000), { phase: 'warning', remainingMs: 15_000 });
    assert.deepEqual(clock.state(120_999), { phase: 'warning', remainingMs: 1 });
    assert.deepEqual(clock.state(121_000), { phase: 'idle', remainingMs: 0 });
  });

  test('restarts the countdown on activity, also during the warning', () => {
    const clock = new IdleClock(60_000, 0);
    clock.touch(50_000);
    assert.deepEqual(clock.state(80_000), { phase: 'active', remainingMs: 30_000 });
    assert.equal(clock.state(100_000).phase, 'warning');
    clock.touch(100_000);
    assert.deepEqual(clock.state(100_000), { phase: 'active', remainingMs: 60_000 });
  });

  test('ignores activity reported out of order', () => {
    const clock = new IdleClock(60_000, 10_000);
    clock.touch(5_000);
    assert.deepEqual(clock.state(10_000), { phase: 'active', remainingMs: 60_000 });
  });

  test('stays idle once idle', () => {
    const clock = new IdleClock(30_000, 0);
    assert.equal(clock.state(30_000).phase, 'idle');
    clock.touch(30_001);
    assert.equal(clock.state(30_001).phase, 'idle');
  });

  test('warns for at most half of a short timeout', () => {
    const clock = new IdleClock(20_000, 0);
    assert.equal(clock.state(9_999).phase, 'active');
    assert.equal(clock.state(10_000).phase, 'warning');
  });

  test('takes a new timeout from the last activity', () => {
    const clock = new IdleClock(120_000, 0);
    clock.touch(10_000);
    clock.setTimeoutMs(30_000);
    assert.deepEqual(clock.state(20_000), { phase: 'active', remainingMs: 20_000 });
    assert.equal(clock.state(40_000).phase, 'idle');
  });
});
