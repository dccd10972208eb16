// What the door screen is told about faults, from the whole terminal on a fake GPIO chip: a relay whose line another
// program holds is a door controller fault in health (with the kernel's words, for the System screen), cleared once
// the line is free and the relay works again; a terminal whose recognition cannot start says why in health.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { FakeGpioChip } from '../../../native-bridge/gpio/fake-gpio-chip.js';
import { FakeSyscalls } from '../../../native-bridge/libc/fake-syscalls.js';
import type { Result } from '../../shared/contract/result.js';
import { adminTestApp, openTestApp } from './test/open-test-app.js';

const CHIP = '/dev/gpiochip3';
const RELAY = 7;

describe('door faults in health', () => {
  const sys = new FakeSyscalls();
  const chip = new FakeGpioChip({ name: 'gpiochip3', label: 'gpio3' }).install(sys, CHIP);
  const terminal = adminTestApp('lintel-door-faults-', { gpioSyscalls: sys });
  const { call } = terminal;

  test('recognition that cannot start is reported as such, apart from the camera', async () => {
    const broken = await openTestApp({ dataDir: join(terminal.dir, 'broken'), defaultCameraUri: `file:${join(terminal.dir, 'no-camera')}`, manifestPath: join(terminal.dir, 'no-manifest.json') });
    try {
      assert.match(broken.health().startFailure ?? '', /no-manifest\.json/);
    } finally {
      await broken.close();
    }
  });

  test('a relay that cannot drive its line is a door controller fault until it works again', async () => {
    const relay = { kind: 'gpio', name: 'relay', chipPath: CHIP, line: RELAY, activeLow: false, pulseMs: 100, consumer: 'lintel-door' };
    const saved = await call('settings:update', { values: { 'door.outputs': [relay] } });
    assert.ok(saved.ok, JSON.stringify(saved));
    assert.equal(terminal.app.health().doorController, undefined);

    chip.holdElsewhere(RELAY, 'other-program');
    const told: boolean[] = [];
    const stop = terminal.app.subscribe((message) => (message.kind === 'health' ? told.push(message.health.doorController !== undefined) : undefined));
    const opened = await call<{ outcomes: { status: string }[] }>('door:open', {});
    stop();
    // The door screen hears of it with the failed open, not at the next health tick.
    assert.equal(told.at(-1), true);
    assert.ok(opened.ok && opened.value.outcomes[0]?.status === 'failed', JSON.stringify(opened));
    const fault = terminal.app.health().doorController;
    assert.equal(fault?.status, 'fault');
    assert.match(fault?.message ?? '', /^relay: door relay unavailable: .*EBUSY/);

    // A paired device elsewhere learns what the fault is, not its cause; the terminal itself and admins get both.
    const device = terminal.app.sessions.issue('token', 'tablet', 60_000).session;
    const seenElsewhere = (await terminal.app.handle('health:get', {}, { senderOk: true, session: device })) as Result<{ doorController?: { message: string } }>;
    assert.ok(seenElsewhere.ok);
    assert.deepEqual(seenElsewhere.value.doorController, { status: 'fault', message: 'fault' });
    const seenHere = (await terminal.app.handle('health:get', {}, { senderOk: true, session: device, local: true })) as Result<{ doorController?: { message: string } }>;
    assert.ok(seenHere.ok);
    assert.match(seenHere.value.doorController?.message ?? '', /EBUSY/);

    chip.releaseElsewhere(RELAY);
    const again = await call<{ outcomes: { status: string }[] }>('door:open', {});
    assert.ok(again.ok && again.value.outcomes[0]?.status === 'done', JSON.stringify(again));
    assert.equal(terminal.app.health().doorController, undefined);
  });
});
