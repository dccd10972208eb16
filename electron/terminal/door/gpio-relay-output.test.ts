import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';

import { FakeGpioChip } from '../../../native-bridge/gpio/fake-gpio-chip.js';
import type { FakeGpioChipOptions } from '../../../native-bridge/gpio/fake-gpio-chip.js';
import { GpioOutputLine } from '../../../native-bridge/gpio/gpio-line.js';
import { FakeSyscalls } from '../../../native-bridge/libc/fake-syscalls.js';
import { gpioOutputConfigSchema, type GpioOutputConfig } from '../../shared/shapes/door-outputs.js';
import type { DoorEvent, DoorLogger } from './door-output.js';
import { GpioRelayOutput } from './gpio-relay-output.js';
import type { GpioLineFactory } from './gpio-relay-output.js';
import { ManualTimers } from './test/manual-timers.js';
import { waitFor } from './test/local-http-server.js';

const CHIP = '/dev/gpiochip3';
const LINE = 17;
const GPIO_V2_LINE_FLAG_ACTIVE_LOW = 0x2;
const GPIO_V2_LINE_FLAG_OUTPUT = 0x8;

const granted = (id = 1): DoorEvent => ({ id, atMs: Date.UTC(2025, 0, 6, 8, 0), decision: 'granted', reason: 'match', personId: 'p-1', personName: 'Ada', similarity: 0.71 });
const denied = (id = 2): DoorEvent => ({ id, atMs: Date.UTC(2025, 0, 6, 8, 1), decision: 'denied', reason: 'unknown-face' });

function recordingLogger(): DoorLogger & { lines: Array<{ level: string; message: string; fields: Readonly<Record<string, unknown>> }> } {
  const lines: Array<{ level: string; message: string; fields: Readonly<Record<string, unknown>> }> = [];
  return { lines, info: (message, fields) => lines.push({ level: 'info', message, fields }), warn: (message, fields) => lines.push({ level: 'warn', message, fields }) };
}

function config(overrides: Partial<GpioOutputConfig> = {}): GpioOutputConfig {
  return gpioOutputConfigSchema.parse({ kind: 'gpio', chipPath: CHIP, line: LINE, ...overrides });
}

/** A relay on a fake chip with manual timers; `chip: false` leaves the chip out (ENOENT) until installed. */
function relay(options: { chip?: FakeGpioChipOptions | false; config?: Partial<GpioOutputConfig> } = {}) {
  const sys = new FakeSyscalls();
  const chip = new FakeGpioChip({ name: 'gpiochip3', label: 'gpio3', ...(options.chip || {}) });
  if (options.chip !== false) chip.install(sys, CHIP);
  const timers = new ManualTimers();
  const logger = recordingLogger();
  let opens = 0;
  const openLine: GpioLineFactory = (lineOptions) => {
    opens += 1;
    return GpioOutputLine.open(lineOptions, { sys });
  };
  const output = new GpioRelayOutput(config(options.config), { logger, openLine, timers });
  return { sys, chip, timers, logger, output, opens: () => opens };
}

describe('GpioRelayOutput', () => {
  it('opens the line on the first grant, not before, and energises it for pulseMs', async () => {
    const { chip, timers, output } = relay({ config: { pulseMs: 3000 } });
    assert.equal(chip.requests.length, 0);
    assert.equal(output.health().status, 'unknown');

    const result = await output.open(granted());
    assert.deepEqual(result, { status: 'done', detail: 'relay energised for 3000 ms' });
    assert.equal(chip.requests[0]?.consumer, 'lintel-door');
    assert.equal(chip.requests[0]?.flags, GPIO_V2_LINE_FLAG_OUTPUT);
    assert.deepEqual(chip.requests[0]?.defaultValues, [0], 'requested inactive');
    assert.equal(chip.level(LINE), true);
    assert.deepEqual(output.health(), {
      kind: 'gpio',
      name: 'relay',
      chipPath: CHIP,
      line: LINE,
      uapi: 'v2',
      active: true,
      status: 'ok',
      message: `door relay ready on ${CHIP} line ${LINE} (uAPI v2)`,
    });

    timers.advance(2999);
    assert.equal(chip.level(LINE), true);
    timers.advance(1);
    assert.equal(chip.level(LINE), false);
    assert.deepEqual(chip.timeline, ['request v2 17', 'set 17 active', 'set 17 inactive']);
    assert.ok(chip.isHeld(LINE), 'the line stays requested (inactive) between grants');
    await output.close();
    assert.ok(!chip.isHeld(LINE));
  });

  it('times a real pulse with node timers', async () => {
    const sys = new FakeSyscalls();
    const chip = new FakeGpioChip().install(sys, CHIP);
    const output = new GpioRelayOutput(config({ pulseMs: 100 }), { logger: recordingLogger(), openLine: (options) => GpioOutputLine.open(options, { sys }) });
    const startedMs = performance.now();
    await output.open(granted());
    assert.equal(chip.level(LINE), true);
    await waitFor('the relay to switch off', () => chip.level(LINE) === false, 2000);
    const elapsedMs = performance.now() - startedMs;
    assert.ok(elapsedMs >= 95 && elapsedMs < 1000, `pulse took ${elapsedMs.toFixed(1)} ms`);
    await output.close();
  });

  it('requests an active-low line with ACTIVE_LOW and drives the logical level (the kernel inverts)', async () => {
    const { chip, timers, output } = relay({ config: { activeLow: true, pulseMs: 500 } });
    await output.open(granted());
    assert.equal(chip.requests[0]?.flags, GPIO_V2_LINE_FLAG_OUTPUT | GPIO_V2_LINE_FLAG_ACTIVE_LOW);
    assert.deepEqual(chip.writes, [{ uapi: 'v2', offset: LINE, active: true, high: false }]);
    assert.match(output.health().message, /active low/);
    timers.advance(500);
    assert.deepEqual(chip.writes.at(-1), { uapi: 'v2', offset: LINE, active: false, high: true });
    await output.close();
  });

  it('falls back to uAPI v1 on a 4.19 kernel and reports it', async () => {
    const { chip, timers, output } = relay({ chip: { uapi: 'v1' } });
    await output.open(granted());
    assert.equal(chip.requests[0]?.uapi, 'v1');
    assert.equal(output.health().uapi, 'v1');
    timers.advance(3000);
    assert.deepEqual(chip.writes, [
      { uapi: 'v1', offset: LINE, active: true, high: true },
      { uapi: 'v1', offset: LINE, active: false, high: false },
    ]);
    await output.close();
  });

  it('does nothing for a denied event, not even opening the line', async () => {
    const { chip, timers, output } = relay();
    assert.deepEqual(await output.open(denied()), { status: 'skipped', detail: 'denied: the relay stays closed' });
    assert.deepEqual(chip.requests, []);
    assert.equal(timers.armed, 0);
    await output.close();
  });

  it('a second grant during a pulse extends it with one timer: off pulseMs after the last grant', async () => {
    const { chip, timers, output } = relay({ config: { pulseMs: 3000 } });
    await output.open(granted(1));
    timers.advance(2000);
    assert.deepEqual(await output.open(granted(2)), { status: 'done', detail: 'relay held: 3000 ms from now' });
    assert.equal(timers.armed, 1, 'the first release timer was replaced, not stacked');
    timers.advance(1000); // t = 3000: the first pulse would have ended here
    assert.equal(chip.level(LINE), true);
    await output.open(granted(3)); // t = 3000
    timers.advance(2999);
    assert.equal(chip.level(LINE), true);
    timers.advance(1); // t = 6000
    assert.equal(chip.level(LINE), false);
    assert.equal(timers.armed, 0);
    assert.deepEqual(chip.timeline, ['request v2 17', 'set 17 active', 'set 17 inactive'], 'one on, one off, one request');

    // After the pulse, the next grant starts a new one on the same line.
    await output.open(granted(4));
    assert.equal(chip.level(LINE), true);
    assert.equal(chip.requests.length, 1);
    await output.close();
  });

  it('grants arriving together before the line is open share one request', async () => {
    const { chip, output, opens } = relay();
    const results = await Promise.all([output.open(granted(1)), output.open(granted(2)), output.open(granted(3))]);
    assert.deepEqual(
      results.map((result) => result.status),
      ['done', 'done', 'done'],
    );
    assert.equal(opens(), 1);
    assert.equal(chip.requests.length, 1);
    await output.close();
  });

  it('a missing chip is an unavailable state, retried on the next grant, and recovers', async () => {
    const { sys, chip, timers, output, logger } = relay({ chip: false });
    const result = await output.open(granted(1));
    assert.equal(result.status, 'failed');
    assert.match(result.status === 'failed' ? result.error : '', /^door relay unavailable: cannot open \/dev\/gpiochip3 line 17: .*ENOENT/);
    const health = output.health();
    assert.equal(health.status, 'unavailable');
    assert.match(health.message, /^door relay unavailable: .*ENOENT/);
    assert.equal(logger.lines.filter((line) => line.message === 'door.relay.unavailable').length, 1);

    // Denied events do not retry (they would not pulse anyway) and leave the state alone.
    await output.open(denied());
    assert.equal(output.health().status, 'unavailable');

    chip.install(sys, CHIP);
    assert.equal((await output.open(granted(2))).status, 'done');
    assert.equal(chip.level(LINE), true);
    assert.equal(output.health().status, 'ok');
    timers.advance(3000);
    assert.equal(chip.level(LINE), false);
    await output.close();
  });

  it('a line held by another consumer is unavailable (EBUSY)', async () => {
    const sys = new FakeSyscalls();
    const busyChip = new FakeGpioChip().install(sys, CHIP);
    busyChip.holdElsewhere(LINE, 'gpio-leds');
    const output = new GpioRelayOutput(config(), { logger: recordingLogger(), timers: new ManualTimers(), openLine: (options) => GpioOutputLine.open(options, { sys }) });
    const result = await output.open(granted());
    assert.equal(result.status, 'failed');
    assert.match(output.health().message, /^door relay unavailable: .*EBUSY.*already requested/);
    await output.close();
  });

  it('a failed write releases the line and reports; the next grant requests it afresh', async () => {
    const { chip, timers, output } = relay();
    chip.failNextSets('EIO');
    const result = await output.open(granted(1));
    assert.equal(result.status, 'failed');
    assert.match(output.health().message, /^door relay unavailable: cannot energise .*EIO/);
    assert.ok(!chip.isHeld(LINE), 'released');
    assert.equal(chip.level(LINE), undefined);

    assert.equal((await output.open(granted(2))).status, 'done');
    assert.equal(chip.requests.length, 2);
    assert.equal(output.health().status, 'ok');
    timers.advance(3000);
    assert.equal(chip.level(LINE), false);
    await output.close();
  });

  it('a relay that cannot be switched off is released and reported, not left held energised', async () => {
    const { chip, timers, output } = relay();
    await output.open(granted());
    chip.failNextSets('EIO');
    timers.advance(3000);
    assert.ok(!chip.isHeld(LINE));
    assert.equal(output.health().status, 'unavailable');
    assert.match(output.health().message, /cannot switch .* off .*EIO.*released/);
    // close() drove it inactive on its way out.
    assert.deepEqual(chip.timeline.slice(-3), ['set failed EIO', 'set 17 inactive', 'release 17']);
    await output.close();
  });

  it('close during a pulse drives the relay off and releases the line; later events fail without throwing', async () => {
    const { chip, timers, output } = relay();
    await output.open(granted());
    await output.close();
    assert.deepEqual(chip.timeline, ['request v2 17', 'set 17 active', 'set 17 inactive', 'release 17']);
    assert.equal(timers.armed, 0);
    assert.deepEqual(await output.open(granted(2)), { status: 'failed', error: 'relay is closed' });
    await output.close();
  });

  it('with the real system calls, a chip that does not exist is unavailable, not a crash', async (t) => {
    if (process.platform !== 'linux') return t.skip('needs Linux (the GPIO character device)');
    let number = 99;
    while (existsSync(`/dev/gpiochip${number}`)) number += 1;
    const output = new GpioRelayOutput(config({ chipPath: `/dev/gpiochip${number}` }), { logger: recordingLogger() });
    const result = await output.open(granted());
    assert.equal(result.status, 'failed');
    assert.match(output.health().message, /^door relay unavailable: .*ENOENT/);
    await output.close();
  });
});
