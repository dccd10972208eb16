import assert from 'node:assert/strict';
import { test } from 'node:test';

import { SessionRegistry } from './sessions.js';

test('an admin session ends after its idle time without a call, and at its absolute end whatever the calls', () => {
  const clock = { nowMs: 1_000_000 };
  const registry = new SessionRegistry(() => clock.nowMs);
  let idleMs = 60_000;
  const { token, session } = registry.issue('admin', 'ann', 10 * 60_000, { idleMs: () => idleMs });
  assert.equal(session.expiresAtMs, clock.nowMs + 60_000, 'the nearer end is told');
  clock.nowMs += 59_000;
  assert.ok(registry.resolve(token), 'a look-up (the stream) is no use');
  clock.nowMs += 1_000;
  assert.equal(registry.resolve(token), undefined, 'idle for a minute: over, with no page to log it out');
  assert.equal(registry.resolve(token), undefined);

  const kept = registry.issue('admin', 'ann', 10 * 60_000, { idleMs: () => idleMs });
  for (let minute = 0; minute < 9; minute++) {
    clock.nowMs += 50_000;
    registry.touch(kept.token);
  }
  assert.ok(registry.resolve(kept.token), 'calls keep it alive');
  idleMs = 30_000;
  clock.nowMs += 31_000;
  assert.equal(registry.resolve(kept.token), undefined, 'a shorter idle setting applies to open sessions');

  const busy = registry.issue('admin', 'ann', 5 * 60_000, { idleMs: () => 60_000 });
  for (let step = 0; step < 10; step++) {
    clock.nowMs += 30_000;
    registry.touch(busy.token);
  }
  assert.equal(registry.resolve(busy.token), undefined, 'the absolute end holds however busy');
});

test('a device session has no idle limit; touching an ended session does not revive it', () => {
  const clock = { nowMs: 0 };
  const registry = new SessionRegistry(() => clock.nowMs);
  const device = registry.issue('token', 'browser', 60 * 60_000);
  clock.nowMs += 59 * 60_000;
  assert.ok(registry.resolve(device.token));
  clock.nowMs += 60_000;
  registry.touch(device.token);
  assert.equal(registry.resolve(device.token), undefined);
  const other = registry.issue('token', 'browser', 60 * 60_000);
  assert.equal(registry.revoke(other.token), true);
  registry.touch(other.token);
  assert.equal(registry.resolve(other.token), undefined);
});
