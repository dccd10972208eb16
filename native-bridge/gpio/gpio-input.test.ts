import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';

import koffi from 'koffi';

import { FakeSyscalls } from '../libc/fake-syscalls.js';
import { SystemCallError } from '../libc/system-call-error.js';
import {
  GPIO_V2_LINE_ATTR_ID_FLAGS,
  GPIO_V2_LINE_FLAG_ACTIVE_LOW,
  GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN,
  GPIO_V2_LINE_FLAG_BIAS_PULL_UP,
  GPIO_V2_LINE_FLAG_EDGE_FALLING,
  GPIO_V2_LINE_FLAG_EDGE_RISING,
  GPIO_V2_LINE_FLAG_INPUT,
  GpioV2LineConfig,
  GpioV2LineConfigAttribute,
  GpioV2LineRequest,
} from './bindings.js';
import { FakeGpioChip, type FakeGpioChipOptions } from './fake-gpio-chip.js';
import { GpioInputLines } from './gpio-input.js';
import { GpioError, GpioOutputLine } from './gpio-line.js';

const CHIP = '/dev/gpiochip3';
const EDGES_IN = GPIO_V2_LINE_FLAG_INPUT | GPIO_V2_LINE_FLAG_EDGE_RISING | GPIO_V2_LINE_FLAG_EDGE_FALLING;

function fakeChip(options: FakeGpioChipOptions = {}): { sys: FakeSyscalls; chip: FakeGpioChip } {
  const sys = new FakeSyscalls();
  const chip = new FakeGpioChip({ name: 'gpiochip3', label: 'gpio3', ...options }).install(sys, CHIP);
  return { sys, chip };
}

describe('GpioInputLines on the fake chip', () => {
  it('requests inputs with both edges, per-line level and bias as FLAGS attributes, and reads the levels', async () => {
    const { sys, chip } = fakeChip();
    const inputs = GpioInputLines.open({ chipPath: CHIP, lines: [{ line: 5, activeLow: true, bias: 'pull-up' }, { line: 6, bias: 'pull-down' }, { line: 9, activeLow: true, bias: 'pull-up' }], consumer: 'lintel-door' }, { sys });
    const bytes = sys.ioctls('GPIO_V2_GET_LINE_IOCTL')[0]?.arg;
    assert.ok(bytes);
    const config = koffi.offsetof(GpioV2LineRequest, 'config');
    const contactFlags = EDGES_IN | GPIO_V2_LINE_FLAG_ACTIVE_LOW | GPIO_V2_LINE_FLAG_BIAS_PULL_UP;
    assert.equal(bytes.readBigUInt64LE(config), BigInt(contactFlags), 'config.flags: the first line');
    assert.equal(bytes.readUInt32LE(config + koffi.offsetof(GpioV2LineConfig, 'num_attrs')), 1);
    const attr = config + koffi.offsetof(GpioV2LineConfig, 'attrs');
    assert.equal(bytes.readUInt32LE(attr), GPIO_V2_LINE_ATTR_ID_FLAGS);
    assert.equal(bytes.readBigUInt64LE(attr + 8), BigInt(EDGES_IN | GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN));
    assert.equal(bytes.readBigUInt64LE(attr + koffi.offsetof(GpioV2LineConfigAttribute, 'mask')), 0b010n, 'the second line only');
    assert.equal(bytes.readUInt32LE(koffi.offsetof(GpioV2LineRequest, 'event_buffer_size')), 48, '16 per line');
    assert.deepEqual(chip.requests[0]?.lineFlags, [contactFlags, EDGES_IN | GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN, contactFlags]);
    assert.equal(chip.requests[0]?.consumer, 'lintel-door');
    // Pulled up and active low: inactive; pulled down and active high: inactive.
    assert.deepEqual([...inputs.values()], [[5, false], [6, false], [9, false]]);
    chip.drive(5, false);
    chip.drive(6, true);
    assert.deepEqual([...inputs.values()], [[5, true], [6, true], [9, false]]);
    await inputs.close();
    assert.equal(chip.isHeld(5), false);
    assert.deepEqual(sys.openFds(), []);
  });

  it('reports logical edges with the kernel timestamps, oldest first', async () => {
    const { sys, chip } = fakeChip();
    const inputs = GpioInputLines.open({ chipPath: CHIP, lines: [{ line: 5, activeLow: true, bias: 'pull-up' }, { line: 6 }] }, { sys });
    assert.deepEqual(await inputs.wait(5), [], 'nothing yet');
    chip.drive(5, false, 1_000n);
    chip.drive(6, true, 1_500n);
    chip.drive(6, true, 1_600n);
    chip.drive(5, true, 2_000n);
    assert.deepEqual(await inputs.wait(1000), [
      { line: 5, active: true, timestampNs: 1_000n, seqno: 1 },
      { line: 6, active: true, timestampNs: 1_500n, seqno: 2 },
      { line: 5, active: false, timestampNs: 2_000n, seqno: 3 },
    ]);
    assert.equal(inputs.eventsLost, 0);
    await inputs.close();
  });

  it('wakes a waiting poll when an edge comes, and a watch delivers edges until close, which releases the lines', async () => {
    const { sys, chip } = fakeChip();
    const inputs = GpioInputLines.open({ chipPath: CHIP, lines: [{ line: 2 }] }, { sys, pollSliceMs: 50 });
    const waiting = inputs.wait(5_000);
    setTimeout(() => chip.drive(2, true, 42n), 10);
    assert.deepEqual(await waiting, [{ line: 2, active: true, timestampNs: 42n, seqno: 1 }]);

    const seen: boolean[] = [];
    const errors: unknown[] = [];
    inputs.watch((events) => seen.push(...events.map((event) => event.active)), (error) => errors.push(error));
    assert.throws(() => inputs.watch(() => undefined, () => undefined), /already watched/);
    chip.drive(2, false);
    await new Promise((resolve) => setTimeout(resolve, 20));
    chip.drive(2, true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(seen, [false, true]);
    await inputs.close();
    assert.deepEqual(errors, []);
    // Released as close() returns: the same line can be requested again at once.
    const again = GpioInputLines.open({ chipPath: CHIP, lines: [{ line: 2 }] }, { sys });
    await again.close();
    await inputs.close();
    assert.throws(() => inputs.values(), (error: unknown) => error instanceof GpioError && error.code === 'CLOSED');
  });

  it('counts events the kernel dropped when its buffer overflowed', async () => {
    const { sys, chip } = fakeChip();
    const inputs = GpioInputLines.open({ chipPath: CHIP, lines: [{ line: 1 }], eventBufferSize: 4 }, { sys });
    for (let i = 0; i < 6; i++) chip.drive(1, i % 2 === 0, BigInt(i));
    const events = await inputs.wait(100);
    assert.deepEqual(events.map((event) => event.timestampNs), [2n, 3n, 4n, 5n], 'the oldest two were dropped');
    chip.drive(1, false, 6n);
    await inputs.wait(100);
    // seqno 1 and 2 never reached us; gaps are counted from the first event seen, so the loss shows from then on.
    chip.drive(1, true, 7n);
    chip.drive(1, false, 8n);
    chip.drive(1, true, 9n);
    chip.drive(1, false, 10n);
    chip.drive(1, true, 11n);
    assert.deepEqual((await inputs.wait(100)).map((event) => event.seqno), [8, 9, 10, 11]);
    assert.equal(inputs.eventsLost, 1);
    await inputs.close();
  });

  it('timestamps a looped-back output write as the edge of the input it is wired to', async () => {
    const { sys, chip } = fakeChip({ clockNs: process.hrtime.bigint });
    chip.loop(4, { offset: 20 });
    // Requested inactive and active low, the output drives the wire high from now on: the idle Wiegand level.
    const output = GpioOutputLine.open({ chipPath: CHIP, line: 4, activeLow: true }, { sys });
    assert.equal(chip.high(20), true);
    const inputs = GpioInputLines.open({ chipPath: CHIP, lines: [{ line: 20, activeLow: true }] }, { sys });
    output.set(true);
    output.set(false);
    const events = await inputs.wait(100);
    const writes = chip.writes.filter((write) => write.offset === 4);
    assert.deepEqual(
      events.map(({ active, timestampNs }) => ({ active, timestampNs })),
      writes.map(({ active, atNs }) => ({ active, timestampNs: atNs })),
    );
    output.close();
    await inputs.close();
  });

  it('refuses bad options, lines the chip lacks, busy lines and kernels without uAPI v2, with readable errors', () => {
    const { sys, chip } = fakeChip();
    assert.throws(() => GpioInputLines.open({ chipPath: CHIP, lines: [{ line: 1 }, { line: 1 }] }, { sys }), (error: unknown) => error instanceof GpioError && error.code === 'INVALID_OPTIONS' && /once/.test(error.message));
    assert.throws(() => GpioInputLines.open({ chipPath: CHIP, lines: [] }, { sys }), /1 to 64 lines/);
    assert.throws(() => GpioInputLines.open({ chipPath: CHIP, lines: [{ line: 40 }] }, { sys }), (error: unknown) => error instanceof GpioError && error.code === 'LINE_OUT_OF_RANGE' && /lines 0–31/.test(error.message));
    chip.holdElsewhere(7, 'gpio-keys');
    assert.throws(() => GpioInputLines.open({ chipPath: CHIP, lines: [{ line: 6 }, { line: 7 }] }, { sys }), (error: unknown) => error instanceof SystemCallError && error.code === 'EBUSY' && /another consumer/.test(error.message));
    assert.equal(chip.isHeld(6), false, 'nothing held after a failed request');
    const old = fakeChip({ uapi: 'v1' });
    assert.throws(() => GpioInputLines.open({ chipPath: CHIP, lines: [{ line: 1 }] }, { sys: old.sys }), (error: unknown) => error instanceof SystemCallError && /uAPI v2 \(Linux 5\.10 or later\)/.test(error.message));
    assert.deepEqual(old.sys.openFds(), [], 'the chip fd is closed again');
  });
});

describe('GpioInputLines with real system calls', () => {
  it('a missing chip is a typed ENOENT, /dev/null is not a GPIO chip', () => {
    let number = 99;
    while (existsSync(`/dev/gpiochip${number}`)) number += 1;
    assert.throws(() => GpioInputLines.open({ chipPath: `/dev/gpiochip${number}`, lines: [{ line: 1 }] }), (error: unknown) => error instanceof SystemCallError && error.code === 'ENOENT');
    assert.throws(() => GpioInputLines.open({ chipPath: '/dev/null', lines: [{ line: 1 }] }), (error: unknown) => error instanceof SystemCallError && error.code === 'ENOTTY' && /not a GPIO character device/.test(error.message));
  });
});
