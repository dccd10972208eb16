import assert from 'node:assert/strict';
import { test } from 'node:test';

import { LoginThrottle } from './login-throttle.js';

test('a source gets its burst at once, then one attempt per refill; other sources are not affected', () => {
  const clock = { nowMs: 1_000_000 };
  const throttle = new LoginThrottle({ burst: 3, refillMs: 2000, nowMs: () => clock.nowMs });
  for (let i = 0; i < 3; i++) assert.deepEqual(throttle.take('ip:a'), { ok: true });
  assert.deepEqual(throttle.take('ip:a'), { ok: false, retryAtMs: clock.nowMs + 2000 });
  assert.deepEqual(throttle.take('kiosk'), { ok: true }, 'the kiosk keeps its own attempts');
  clock.nowMs += 1000;
  assert.deepEqual(throttle.take('ip:a'), { ok: false, retryAtMs: clock.nowMs + 1000 }, 'a refused attempt costs nothing');
  clock.nowMs += 1000;
  assert.deepEqual(throttle.take('ip:a'), { ok: true });
  assert.equal(throttle.take('ip:a').ok, false);
  clock.nowMs += 60_000;
  for (let i = 0; i < 3; i++) assert.deepEqual(throttle.take('ip:a'), { ok: true }, 'the burst refills, no further');
  assert.equal(throttle.take('ip:a').ok, false);
});

test('remembers at most maxSources, forgetting the least recently seen', () => {
  const throttle = new LoginThrottle({ burst: 1, refillMs: 60_000, maxSources: 2, nowMs: () => 0 });
  assert.equal(throttle.take('a').ok, true);
  assert.equal(throttle.take('b').ok, true);
  assert.equal(throttle.take('a').ok, false);
  assert.equal(throttle.take('c').ok, true);
  assert.equal(throttle.take('b').ok, true, 'b was forgotten');
  assert.equal(throttle.take('a').ok, true, 'a was forgotten in turn');
});
