import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';

import type { z } from 'zod';

import { FakeGpioChip } from '../../../native-bridge/gpio/fake-gpio-chip.js';
import { GpioInputLines } from '../../../native-bridge/gpio/gpio-input.js';
import { FakeSyscalls } from '../../../native-bridge/libc/fake-syscalls.js';
import { doorInputsConfigSchema, type DoorInputsConfig } from '../../shared/shapes/door-inputs.js';
import { DoorInputs, type DoorInputEvent } from './door-inputs.js';
import type { DoorLogger } from './door-output.js';
import { ManualTimers } from './test/manual-timers.js';

const CHIP = '/dev/gpiochip3';
const CONTACT = 5;
const BUTTON = 6;

/** Lets the lines' watch loop read what the fake chip queued. */
const delivered = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 30));

/** Door inputs on a fake chip, closed when the test ends (a failed assertion must not leave the lines polled). */
function door(t: TestContext, config: Partial<z.input<typeof doorInputsConfigSchema>> = {}, chipOptions: ConstructorParameters<typeof FakeGpioChip>[0] = {}) {
  const sys = new FakeSyscalls();
  const chip = new FakeGpioChip({ name: 'gpiochip3', label: 'gpio3', ...chipOptions }).install(sys, CHIP);
  const timers = new ManualTimers();
  timers.nowMs = 1_000_000;
  const events: DoorInputEvent[] = [];
  const logged: string[] = [];
  const logger: DoorLogger = { info: (message) => void logged.push(message), warn: (message) => void logged.push(message) };
  const parsed: DoorInputsConfig = doorInputsConfigSchema.parse({
    contact: { chipPath: CHIP, line: CONTACT },
    exitButton: { chipPath: CHIP, line: BUTTON },
    ...config,
  });
  const inputs = new DoorInputs(parsed, {
    logger,
    onEvent: (event) => void events.push(event),
    openLines: (options) => GpioInputLines.open(options, { sys, pollSliceMs: 20 }),
    timers,
    nowMs: () => timers.nowMs,
    retryMs: 5000,
  });
  t.after(() => inputs.close());
  return { sys, chip, timers, events, logged, inputs };
}

describe('door inputs', () => {
  test('both inputs on one request, pulled up; the contact opens high and the button presses low, as the kernel inverts', async (t) => {
    const { chip, inputs } = door(t);
    await inputs.start();
    const [request] = chip.requests;
    assert.deepEqual(request?.offsets, [CONTACT, BUTTON]);
    // Contact: open = high, so active high; button: pressed = low, so active low. Both pulled up.
    assert.deepEqual(request?.lineFlags, [0x4 | 0x10 | 0x20 | 0x100, 0x4 | 0x10 | 0x20 | 0x100 | 0x2]);
    assert.equal(request?.consumer, 'lintel-door-inputs');
    // Pulled up, nothing wired: the contact reads open.
    assert.equal(inputs.health().state, 'open');
    await inputs.close();
    assert.equal(chip.isHeld(CONTACT), false);
  });

  test('a closed door that opens within the window is an opening; without one it is forced, and both can be held open', async (t) => {
    const { chip, timers, events, inputs } = door(t, { heldOpenMs: 10_000 });
    chip.drive(CONTACT, false);
    await inputs.start();
    assert.deepEqual({ state: inputs.health().state, sinceMs: inputs.health().sinceMs }, { state: 'closed', sinceMs: 1_000_000 });

    inputs.authorise(3000);
    timers.advance(1000);
    chip.drive(CONTACT, true);
    await delivered();
    assert.equal(inputs.health().state, 'closed', 'not before the level has held for debounceMs');
    timers.advance(50);
    assert.equal(inputs.health().state, 'open');
    assert.deepEqual(events, [{ kind: 'opened', atMs: 1_001_000, authorised: true }]);
    timers.advance(10_000);
    assert.equal(inputs.health().state, 'held-open');
    assert.deepEqual(events.at(-1), { kind: 'held-open', atMs: 1_011_000 });
    chip.drive(CONTACT, false);
    await delivered();
    timers.advance(50);
    assert.deepEqual(events.at(-1), { kind: 'closed', atMs: 1_011_050, openForMs: 10_050 });
    assert.equal(inputs.health().state, 'closed');

    // Long after the window: forced.
    chip.drive(CONTACT, true);
    await delivered();
    timers.advance(50);
    assert.equal(inputs.health().state, 'forced-open');
    assert.match(inputs.health().message, /door forced open since .* \(contact on \/dev\/gpiochip3 line 5\)/);
    assert.deepEqual(events.slice(-2), [
      { kind: 'opened', atMs: 1_011_100, authorised: false },
      { kind: 'forced-open', atMs: 1_011_100 },
    ]);
    timers.advance(10_000);
    assert.equal(inputs.health().state, 'forced-open', 'a forced door stays forced on screen');
    assert.deepEqual(events.at(-1), { kind: 'held-open', atMs: 1_021_100 });
    await inputs.close();
  });

  test('bounces shorter than debounceMs are not edges; a press of the exit button is one exit request', async (t) => {
    const { chip, timers, events, inputs } = door(t, { debounceMs: 50 });
    chip.drive(CONTACT, false);
    chip.drive(BUTTON, true);
    await inputs.start();
    // The contact chatters open for 20 ms at a time: never for 50 ms, so it stays closed.
    for (let i = 0; i < 5; i++) {
      chip.drive(CONTACT, true);
      await delivered();
      timers.advance(20);
      chip.drive(CONTACT, false);
      await delivered();
      timers.advance(20);
    }
    timers.advance(100);
    assert.equal(inputs.health().state, 'closed');
    // A press that bounces, then holds.
    chip.drive(BUTTON, false);
    await delivered();
    timers.advance(10);
    chip.drive(BUTTON, true);
    await delivered();
    timers.advance(10);
    chip.drive(BUTTON, false);
    await delivered();
    timers.advance(50);
    chip.drive(BUTTON, true);
    await delivered();
    timers.advance(50);
    assert.deepEqual(events, [{ kind: 'exit-request', atMs: timers.nowMs - 100 }]);
    await inputs.close();
  });

  test('lines that cannot be had are an unavailable state, retried until they can', async (t) => {
    const { chip, timers, logged, inputs } = door(t, { exitButton: null });
    chip.holdElsewhere(CONTACT, 'gpio-keys');
    await inputs.start();
    const health = inputs.health();
    assert.equal(health.status, 'unavailable');
    assert.equal(health.state, 'unknown');
    assert.match(health.message, /door inputs unavailable: .*EBUSY.*another consumer/);
    assert.deepEqual(logged, ['door.inputs.unavailable']);
    // Still busy at the first retry: not logged again.
    timers.advance(5000);
    await delivered();
    assert.deepEqual(logged, ['door.inputs.unavailable']);
    chip.releaseElsewhere(CONTACT);
    chip.drive(CONTACT, false);
    timers.advance(5000);
    await delivered();
    assert.equal(inputs.health().status, 'ok');
    assert.equal(inputs.health().state, 'closed');
    assert.deepEqual(logged, ['door.inputs.unavailable', 'door.inputs.available']);
    await inputs.close();
  });

  test('without inputs nothing is requested; the configuration names bad fields', async (t) => {
    const { chip, inputs } = door(t, { contact: null, exitButton: null });
    await inputs.start();
    assert.equal(inputs.configured, false);
    assert.deepEqual(chip.requests, []);
    await inputs.close();
    assert.deepEqual(doorInputsConfigSchema.parse({}), { contact: null, exitButton: null, cardReader: null, debounceMs: 50, heldOpenMs: 30_000, consumer: 'lintel-door-inputs' });
    const issues = (value: unknown): string[] => {
      const result = doorInputsConfigSchema.safeParse(value);
      return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    };
    assert.deepEqual(issues({ contact: { chipPath: CHIP, line: 5 }, exitButton: { chipPath: CHIP, line: 5 } }), ['exitButton.line: /dev/gpiochip3 line 5 is already the door contact']);
    assert.deepEqual(issues({ contact: { chipPath: 'gpiochip3', line: -1, openLevel: 'up' } }), [
      'contact.chipPath: must be a device path such as /dev/gpiochip3',
      'contact.line: must be from 0 to 1023',
      'contact.openLevel: Invalid option: expected one of "high"|"low"',
    ]);
    assert.deepEqual(issues({ debounceMs: 5000, heldOpenMs: 10 }), ['debounceMs: must be from 0 to 1000 ms, got 5000', 'heldOpenMs: must be from 5000 to 3600000 ms, got 10']);
  });
});
