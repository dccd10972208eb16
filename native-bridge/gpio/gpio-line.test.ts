import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';

import koffi from 'koffi';

import { FakeSyscalls } from '../libc/fake-syscalls.js';
import { SystemCallError } from '../libc/system-call-error.js';
import { GpioHandleRequest, GpioV2LineConfig, GpioV2LineConfigAttribute, GpioV2LineRequest } from './bindings.js';
import { FakeGpioChip } from './fake-gpio-chip.js';
import type { FakeGpioChipOptions } from './fake-gpio-chip.js';
import { GpioError, GpioOutputLine } from './gpio-line.js';
import type { GpioErrorCode, Sleep } from './gpio-line.js';
import { listGpioChips } from './list-chips.js';

const CHIP = '/dev/gpiochip3';
const openFdCount = (): number => readdirSync('/proc/self/fd').length;

function fakeChip(options: FakeGpioChipOptions = {}): { sys: FakeSyscalls; chip: FakeGpioChip } {
  const sys = new FakeSyscalls();
  const chip = new FakeGpioChip({ name: 'gpiochip3', label: 'gpio3', ...options }).install(sys, CHIP);
  return { sys, chip };
}

function isGpioError(code: GpioErrorCode) {
  return (error: unknown): boolean => error instanceof GpioError && error.code === code;
}

/** A sleep that records itself in the chip's timeline and returns at once (or fails / waits for abort). */
function recordingSleep(chip: FakeGpioChip, behaviour: 'resolve' | 'reject' | 'until-abort' = 'resolve'): Sleep {
  return (ms, signal) => {
    chip.timeline.push(`sleep ${ms}`);
    if (behaviour === 'resolve') return Promise.resolve();
    if (behaviour === 'reject') return Promise.reject(new Error('timer broke'));
    return new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
  };
}

const cString = (bytes: Buffer, offset: number, size: number): string => {
  const field = bytes.subarray(offset, offset + size);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? size : end).toString('utf8');
};

describe('GpioOutputLine with real system calls', () => {
  it('a missing chip is a typed ENOENT from open', () => {
    let number = 99;
    while (existsSync(`/dev/gpiochip${number}`)) number += 1;
    const chipPath = `/dev/gpiochip${number}`;
    assert.throws(
      () => GpioOutputLine.open({ chipPath, line: 17 }),
      (error: unknown) => error instanceof SystemCallError && error.code === 'ENOENT' && error.syscall === 'open' && error.path === chipPath,
    );
  });

  it('/dev/null is not a GPIO chip: ENOTTY from GPIO_GET_CHIPINFO_IOCTL, and the fd is closed again', () => {
    const before = openFdCount();
    assert.throws(
      () => GpioOutputLine.open({ chipPath: '/dev/null', line: 17 }),
      (error: unknown) => {
        assert.ok(error instanceof SystemCallError);
        assert.equal(error.code, 'ENOTTY');
        assert.equal(error.request, 'GPIO_GET_CHIPINFO_IOCTL');
        assert.equal(error.path, '/dev/null');
        assert.match(error.message, /not a GPIO character device/);
        return true;
      },
    );
    assert.equal(openFdCount(), before);
  });
});

describe('GpioOutputLine.open', () => {
  it('requests through uAPI v2 with the line, OUTPUT flag, inactive initial value and consumer in the struct bytes', () => {
    const { sys, chip } = fakeChip();
    const line = GpioOutputLine.open({ chipPath: CHIP, line: 17, consumer: 'lintel-door' }, { sys });
    assert.equal(line.uapi, 'v2');
    assert.deepEqual(line.chip, { name: 'gpiochip3', label: 'gpio3', lines: 32 });

    const bytes = sys.ioctls('GPIO_V2_GET_LINE_IOCTL')[0]?.arg;
    assert.ok(bytes !== undefined);
    const config = koffi.offsetof(GpioV2LineRequest, 'config');
    const attr0 = config + koffi.offsetof(GpioV2LineConfig, 'attrs');
    assert.equal(bytes.readUInt32LE(0), 17, 'offsets[0]');
    assert.equal(cString(bytes, 256, 32), 'lintel-door', 'consumer');
    assert.equal(bytes.readBigUInt64LE(config), 0x8n, 'config.flags = OUTPUT');
    assert.equal(bytes.readUInt32LE(config + 8), 1, 'config.num_attrs');
    assert.equal(bytes.readUInt32LE(attr0), 2, 'attrs[0].attr.id = OUTPUT_VALUES');
    assert.equal(bytes.readBigUInt64LE(attr0 + 8), 0n, 'attrs[0].attr.values = inactive');
    assert.equal(bytes.readBigUInt64LE(attr0 + koffi.offsetof(GpioV2LineConfigAttribute, 'mask')), 1n, 'attrs[0].mask');
    assert.equal(bytes.readUInt32LE(560), 1, 'num_lines');
    assert.equal(bytes.readInt32LE(588), 0, 'fd (written by the kernel)');

    assert.deepEqual(chip.requests, [{ uapi: 'v2', offsets: [17], flags: 0x8, defaultValues: [0], consumer: 'lintel-door', fd: chip.requests[0]?.fd }]);
    assert.equal(chip.level(17), false);
    // Only the line fd stays open; the chip fd was closed after the request.
    assert.deepEqual(sys.openFds(), [chip.requests[0]?.fd]);
    line.close();
    assert.deepEqual(sys.openFds(), []);
  });

  it('sets ACTIVE_LOW and writes logical values with GPIO_V2_LINE_SET_VALUES_IOCTL', () => {
    const { sys, chip } = fakeChip();
    const line = GpioOutputLine.open({ chipPath: CHIP, line: 7, activeLow: true }, { sys });
    assert.equal(chip.requests[0]?.flags, 0x8 | 0x2);
    assert.equal(chip.requests[0]?.consumer, 'lintel');
    line.set(true);
    const values = sys.ioctls('GPIO_V2_LINE_SET_VALUES_IOCTL')[0]?.arg;
    assert.equal(values?.readBigUInt64LE(0), 1n, 'bits');
    assert.equal(values?.readBigUInt64LE(8), 1n, 'mask');
    assert.equal(chip.level(7), true);
    assert.ok(line.active);
    line.close();
  });

  for (const unknownIoctl of ['ENOTTY', 'EINVAL'] as const) {
    it(`falls back to uAPI v1 when v2 answers ${unknownIoctl}, with line, flags, default value and consumer in the v1 struct`, () => {
      const { sys, chip } = fakeChip({ uapi: 'v1', unknownIoctl });
      const line = GpioOutputLine.open({ chipPath: CHIP, line: 17, activeLow: true, consumer: 'lintel-door' }, { sys });
      assert.equal(line.uapi, 'v1');
      assert.equal(sys.ioctls('GPIO_V2_GET_LINE_IOCTL')[0]?.errno, unknownIoctl === 'ENOTTY' ? 25 : 22);

      const bytes = sys.ioctls('GPIO_GET_LINEHANDLE_IOCTL')[0]?.arg;
      assert.ok(bytes !== undefined);
      assert.equal(bytes.readUInt32LE(koffi.offsetof(GpioHandleRequest, 'lineoffsets')), 17, 'lineoffsets[0]');
      assert.equal(bytes.readUInt32LE(4), 0, 'lineoffsets[1] unused');
      assert.equal(bytes.readUInt32LE(256), 0x2 | 0x4, 'flags = OUTPUT | ACTIVE_LOW');
      assert.equal(bytes[260], 0, 'default_values[0] = inactive');
      assert.equal(cString(bytes, 324, 32), 'lintel-door', 'consumer_label');
      assert.equal(bytes.readUInt32LE(356), 1, 'lines');

      line.set(true);
      const data = sys.ioctls('GPIOHANDLE_SET_LINE_VALUES_IOCTL')[0]?.arg;
      assert.equal(data?.[0], 1);
      // Active low: the asserted line is electrically low.
      assert.deepEqual(chip.writes, [{ uapi: 'v1', offset: 17, active: true, high: false }]);
      line.close();
      assert.deepEqual(chip.writes.at(-1), { uapi: 'v1', offset: 17, active: false, high: true });
      assert.ok(!chip.isHeld(17));
    });
  }

  it('refuses a line the chip does not have before requesting anything', () => {
    const { sys } = fakeChip({ lines: 32 });
    assert.throws(() => GpioOutputLine.open({ chipPath: CHIP, line: 32 }, { sys }), (error: unknown) => isGpioError('LINE_OUT_OF_RANGE')(error) && /lines 0–31/.test((error as Error).message));
    assert.deepEqual(sys.ioctls('GPIO_V2_GET_LINE_IOCTL'), []);
    assert.deepEqual(sys.openFds(), []);
  });

  it('a line held by another consumer is EBUSY from the v2 request, without trying v1', () => {
    const { sys, chip } = fakeChip();
    chip.holdElsewhere(17, 'gpio-leds');
    assert.throws(
      () => GpioOutputLine.open({ chipPath: CHIP, line: 17 }, { sys }),
      (error: unknown) =>
        error instanceof SystemCallError && error.code === 'EBUSY' && error.request === 'GPIO_V2_GET_LINE_IOCTL' && /already requested/.test(error.message),
    );
    assert.deepEqual(sys.ioctls('GPIO_GET_LINEHANDLE_IOCTL'), []);
    assert.deepEqual(sys.openFds(), []);
  });

  it('checks options before touching the chip', () => {
    const sys = new FakeSyscalls();
    assert.throws(() => GpioOutputLine.open({ chipPath: CHIP, line: -1 }, { sys }), isGpioError('INVALID_OPTIONS'));
    assert.throws(() => GpioOutputLine.open({ chipPath: CHIP, line: 1.5 }, { sys }), isGpioError('INVALID_OPTIONS'));
    assert.throws(() => GpioOutputLine.open({ chipPath: CHIP, line: 1, consumer: 'x'.repeat(32) }, { sys }), isGpioError('INVALID_OPTIONS'));
    assert.deepEqual(sys.log, []);
  });
});

describe('GpioOutputLine.pulse', () => {
  it('sets active, waits, sets inactive, in that order', async () => {
    const { sys, chip } = fakeChip();
    const line = GpioOutputLine.open({ chipPath: CHIP, line: 17 }, { sys, sleep: recordingSleep(chip) });
    await line.pulse(250);
    assert.deepEqual(chip.timeline, ['request v2 17', 'set 17 active', 'sleep 250', 'set 17 inactive']);
    assert.equal(chip.level(17), false);
    line.close();
  });

  it('waits for real with the default timer', async () => {
    const { sys, chip } = fakeChip();
    const line = GpioOutputLine.open({ chipPath: CHIP, line: 17 }, { sys });
    const startedMs = performance.now();
    const pulse = line.pulse(40);
    assert.equal(chip.level(17), true);
    await pulse;
    assert.ok(performance.now() - startedMs >= 35);
    assert.equal(chip.level(17), false);
    line.close();
  });

  it('drives the line inactive when driving it active fails', async () => {
    const { sys, chip } = fakeChip();
    const line = GpioOutputLine.open({ chipPath: CHIP, line: 17 }, { sys, sleep: recordingSleep(chip) });
    chip.failNextSets('EIO');
    await assert.rejects(line.pulse(250), (error: unknown) => error instanceof SystemCallError && error.code === 'EIO' && error.request === 'GPIO_V2_LINE_SET_VALUES_IOCTL');
    assert.deepEqual(chip.timeline.slice(1), ['set failed EIO', 'set 17 inactive']);
    assert.equal(chip.level(17), false);
    assert.ok(!line.closed);
    line.close();
  });

  it('drives the line inactive when the wait fails', async () => {
    const { sys, chip } = fakeChip();
    const line = GpioOutputLine.open({ chipPath: CHIP, line: 17 }, { sys, sleep: recordingSleep(chip, 'reject') });
    await assert.rejects(line.pulse(250), /timer broke/);
    assert.deepEqual(chip.timeline.slice(1), ['set 17 active', 'sleep 250', 'set 17 inactive']);
    assert.equal(chip.level(17), false);
    line.close();
  });

  it('releases the line when it cannot be driven inactive, and says so', async () => {
    const { sys, chip } = fakeChip();
    // Activation succeeds; then the reset after the wait and close()'s retry both fail.
    const sleep: Sleep = async (ms) => {
      chip.timeline.push(`sleep ${ms}`);
      chip.failNextSets('EIO', 'EIO');
    };
    const line = GpioOutputLine.open({ chipPath: CHIP, line: 17 }, { sys, sleep });
    await assert.rejects(
      line.pulse(250),
      (error: unknown) => error instanceof SystemCallError && error.code === 'EIO' && /could not drive line 17 inactive.*released/.test(error.message),
    );
    assert.deepEqual(chip.timeline.slice(1), ['set 17 active', 'sleep 250', 'set failed EIO', 'set failed EIO', 'release 17']);
    assert.ok(line.closed);
    assert.ok(!chip.isHeld(17));
    assert.deepEqual(sys.openFds(), []);
  });

  it('close() during a pulse drives the line inactive, releases it and rejects the pulse with CLOSED', async () => {
    const { sys, chip } = fakeChip();
    const line = GpioOutputLine.open({ chipPath: CHIP, line: 17 }, { sys, sleep: recordingSleep(chip, 'until-abort') });
    const pulse = line.pulse(60_000);
    assert.equal(chip.level(17), true);
    line.close();
    await assert.rejects(pulse, isGpioError('CLOSED'));
    assert.deepEqual(chip.timeline.slice(1), ['set 17 active', 'sleep 60000', 'set 17 inactive', 'release 17']);
    assert.throws(() => line.set(true), isGpioError('CLOSED'));
    await assert.rejects(line.pulse(10), isGpioError('CLOSED'));
    line.close();
    assert.deepEqual(sys.openFds(), []);
  });

  it('overlapping pulses keep the line active until the last one ends', async () => {
    const { sys, chip } = fakeChip();
    const line = GpioOutputLine.open({ chipPath: CHIP, line: 17 }, { sys });
    const long = line.pulse(60);
    await line.pulse(10);
    assert.equal(chip.level(17), true, 'still active while the longer pulse runs');
    await long;
    assert.equal(chip.level(17), false);
    line.close();
  });

  it('refuses durations out of range', async () => {
    const { sys } = fakeChip();
    const line = GpioOutputLine.open({ chipPath: CHIP, line: 17 }, { sys });
    await assert.rejects(line.pulse(-1), RangeError);
    await assert.rejects(line.pulse(Number.NaN), RangeError);
    line.close();
  });
});

// Needs a board: LINTEL_GPIO_CHIP=/dev/gpiochipN LINTEL_GPIO_LINE=<offset> (the line will pulse for 100 ms).
const hardwareChip = process.env.LINTEL_GPIO_CHIP;
const hardwareLine = process.env.LINTEL_GPIO_LINE;
describe('GpioOutputLine on real hardware', () => {
  const skip = hardwareChip === undefined || hardwareLine === undefined ? 'needs a GPIO chip: set LINTEL_GPIO_CHIP=/dev/gpiochipN and LINTEL_GPIO_LINE=<offset> to run (the line pulses for 100 ms)' : false;
  it('lists the chip, requests the line, pulses it and releases it', { skip }, async () => {
    const chipPath = hardwareChip ?? '';
    const chips = await listGpioChips();
    console.log(chips.map((entry) => (entry.ok ? `${entry.path}: ${entry.info.name} [${entry.info.label}] (${entry.info.lines} lines)` : `${entry.path}: ${entry.error.message}`)).join('\n'));
    assert.ok(chips.some((entry) => entry.path === chipPath && entry.ok));
    const line = GpioOutputLine.open({ chipPath, line: Number(hardwareLine), consumer: 'lintel-test' });
    try {
      console.log(`${chipPath} line ${line.line}: requested through uAPI ${line.uapi}`);
      await line.pulse(100);
      assert.ok(!line.active);
    } finally {
      line.close();
    }
  });
});
