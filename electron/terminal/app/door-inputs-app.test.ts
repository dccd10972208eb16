// The door contact and exit button in the whole terminal, on a fake GPIO chip: saved through the contract (the
// lines checked against the chip and against the outputs), a forced door and an exit request in the access log and
// in health, the relay driven by the exit button. The terminal runs without a camera: none of this needs one.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { FakeGpioChip } from '../../../native-bridge/gpio/fake-gpio-chip.js';
import { FakeSyscalls } from '../../../native-bridge/libc/fake-syscalls.js';
import { adminTestApp } from './test/open-test-app.js';

const CHIP = '/dev/gpiochip3';
const RELAY = 7;
const CONTACT = 5;
const BUTTON = 6;

/** Waits until `check` holds, polling; fails after `timeoutMs`. */
async function until(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('door inputs in the terminal', () => {
  const sys = new FakeSyscalls();
  const chip = new FakeGpioChip({ name: 'gpiochip3', label: 'gpio3' }).install(sys, CHIP);
  const terminal = adminTestApp('lintel-door-inputs-', { gpioSyscalls: sys });
  const { call } = terminal;
  const inputs = (values: Record<string, unknown>) => ({ contact: null, exitButton: null, debounceMs: 20, heldOpenMs: 30_000, consumer: 'lintel-door-inputs', ...values });
  const relay = { kind: 'gpio', name: 'relay', chipPath: CHIP, line: RELAY, activeLow: false, pulseMs: 300, consumer: 'lintel-door' };
  const contact = { chipPath: CHIP, line: CONTACT, openLevel: 'high', bias: 'pull-up' };
  const button = { chipPath: CHIP, line: BUTTON, pressedLevel: 'low', bias: 'pull-up' };
  const lastEvent = () => terminal.app.store.events.query({ limit: 1 }).events[0];

  test('saving refuses a chip that is not there, a line it lacks, and a line an output drives, naming the field', async () => {
    const refusal = async (values: Record<string, unknown>): Promise<string> => {
      const result = await call('settings:update', { values });
      assert.equal(result.ok ? '' : result.error.code, 'invalid-request', JSON.stringify(values));
      return result.ok ? '' : result.error.message;
    };
    assert.match(await refusal({ 'door.inputs': inputs({ contact: { ...contact, chipPath: '/dev/gpiochip9' } }) }), /setting door\.inputs: contact\.chipPath: \/dev\/gpiochip9: no such GPIO chip/);
    assert.match(await refusal({ 'door.inputs': inputs({ exitButton: { ...button, line: 40 } }) }), /setting door\.inputs: exitButton\.line: \/dev\/gpiochip3 \(gpio3\) has lines 0–31, not 40/);
    assert.match(await refusal({ 'door.outputs': [{ ...relay, line: 32 }] }), /setting door\.outputs: outputs\[0\] \(gpio\) line: \/dev\/gpiochip3 \(gpio3\) has lines 0–31, not 32/);
    assert.match(
      await refusal({ 'door.outputs': [relay], 'door.inputs': inputs({ contact: { ...contact, line: RELAY } }) }),
      /setting door\.outputs: outputs\[0\] \(gpio\) line: \/dev\/gpiochip3 line 7 is already the door contact \(door\.inputs contact\.line\)/,
    );
    // The contract checks the door inputs with the settings' own schema, so the refusal names the field.
    assert.match(await refusal({ 'door.inputs': inputs({ contact, exitButton: { ...button, line: CONTACT } }) }), /door\.inputs\.exitButton\.line: \/dev\/gpiochip3 line 5 is already the door contact/);
    assert.deepEqual(chip.requests, [], 'nothing refused was requested');
    assert.equal((await call<{ health: { door?: unknown } }>('system:get', {})).ok, true);
    assert.equal(terminal.app.health().door, undefined, 'no inputs, no door in health');
  });

  test('a door opened without a grant is forced: an access event and the health state', async () => {
    chip.drive(CONTACT, false);
    const saved = await call('settings:update', { values: { 'door.outputs': [relay], 'door.inputs': inputs({ contact, exitButton: button }) } });
    assert.ok(saved.ok, JSON.stringify(saved));
    assert.deepEqual(chip.requests.at(-1)?.offsets, [CONTACT, BUTTON]);
    assert.equal(terminal.app.health().door?.state, 'closed');
    assert.equal(terminal.app.health().door?.exitButton, true);
    chip.drive(CONTACT, true);
    await until(() => terminal.app.health().door?.state === 'forced-open', 'a forced door');
    const event = lastEvent();
    assert.deepEqual({ decision: event?.decision, reason: event?.reason }, { decision: 'denied', reason: 'door-forced-open' });
    const health = await call<{ door?: { state: string; sinceMs: number | null } }>('health:get', {});
    assert.ok(health.ok);
    assert.equal(health.value.door?.state, 'forced-open');
    chip.drive(CONTACT, false);
    await until(() => terminal.app.health().door?.state === 'closed', 'the door closed');
  });

  test('the exit button opens the relay, logged as exit-request, and the door may then open', async () => {
    const writesBefore = chip.writes.length;
    chip.drive(BUTTON, false);
    await until(() => lastEvent()?.reason === 'exit-request', 'the exit request in the access log');
    assert.equal(lastEvent()?.decision, 'granted');
    await until(() => chip.writes.length > writesBefore, 'the relay driven');
    assert.deepEqual(chip.writes.slice(writesBefore, writesBefore + 1).map(({ offset, active }) => ({ offset, active })), [{ offset: RELAY, active: true }]);
    chip.drive(BUTTON, true);
    chip.drive(CONTACT, true);
    await until(() => terminal.app.health().door?.state === 'open', 'the door open');
    assert.equal(lastEvent()?.reason, 'exit-request', 'no forced-open event');
    chip.drive(CONTACT, false);
    await until(() => terminal.app.health().door?.state === 'closed', 'the door closed');
  });

  test('open door now authorises the opening; removing the inputs releases their lines', async () => {
    assert.ok((await call('door:open', {})).ok);
    chip.drive(CONTACT, true);
    await until(() => terminal.app.health().door?.state === 'open', 'the door open');
    assert.equal(lastEvent()?.reason, 'remote-open');
    chip.drive(CONTACT, false);
    assert.ok((await call('settings:update', { values: { 'door.inputs': inputs({}) } })).ok);
    assert.equal(chip.isHeld(CONTACT), false);
    assert.equal(terminal.app.health().door, undefined);
  });
});
