import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { FakeGpioChip } from '../../../native-bridge/gpio/fake-gpio-chip.js';
import { GPIO_V2_LINE_FLAG_ACTIVE_LOW, GPIO_V2_LINE_FLAG_OUTPUT } from '../../../native-bridge/gpio/bindings.js';
import { GpioOutputLine } from '../../../native-bridge/gpio/gpio-line.js';
import { FakeSyscalls } from '../../../native-bridge/libc/fake-syscalls.js';
import { bitString, encodeCard, resolveCardFormat } from './card-format.js';
import { DoorConfigError, parseDoorOutputsConfig, type DoorEvent, type DoorLogger } from './door-output.js';
import { DriverWiegandTransmitter, WiegandOutput, wiegandOutputConfigSchema, type WiegandLineFactory } from './wiegand-output.js';

const logger: DoorLogger = { info: () => undefined, warn: () => undefined };

function fakeLines(chipOptions: ConstructorParameters<typeof FakeGpioChip>[0] = {}): { chip: FakeGpioChip; openLine: WiegandLineFactory } {
  const sys = new FakeSyscalls();
  const chip = new FakeGpioChip({ clockNs: process.hrtime.bigint, ...chipOptions }).install(sys, '/dev/gpiochip3');
  return { chip, openLine: (options) => GpioOutputLine.open(options, { sys }) };
}

const granted = (credential?: DoorEvent['credential']): DoorEvent => ({ id: 7, atMs: 1, decision: 'granted', reason: 'granted', personId: 'p', ...(credential ? { credential } : {}) });

/** The bits the fake chip saw: each pulse is an active write on D0 (a 0) or D1 (a 1). */
function bitsOnTheWire(chip: FakeGpioChip, d0: number, d1: number): string {
  return chip.writes
    .filter((write) => write.active)
    .map((write) => (write.offset === d0 ? '0' : write.offset === d1 ? '1' : '?'))
    .join('');
}

describe('Wiegand output', () => {
  test('a grant sends the credential as pulses on D0/D1, idle lines requested inactive at the high level', async () => {
    const { chip, openLine } = fakeLines();
    const config = wiegandOutputConfigSchema.parse({ kind: 'wiegand', chipPath: '/dev/gpiochip3', d0Line: 4, d1Line: 5, intervalUs: 400 });
    const output = new WiegandOutput(config, { logger, openLine });
    const result = await output.open(granted({ facilityCode: 13, cardNumber: 13067, format: 'wiegand26' }));
    assert.equal(result.status, 'done', JSON.stringify(result));
    // Facility 13, card 13067: the published frame 0x21A6616.
    assert.equal(bitsOnTheWire(chip, 4, 5), '10000110100110011000010110');
    // Every pulse is released before the next starts, and each lasts at least the configured width.
    const writes = chip.writes;
    for (let i = 0; i < writes.length; i += 2) {
      const [on, off] = [writes[i], writes[i + 1]];
      assert.ok(on?.active && off && !off.active && on.offset === off.offset, `write ${i}`);
      assert.ok((off.atNs ?? 0n) - (on.atNs ?? 0n) >= 50_000n, `pulse ${i / 2} lasted ${(off.atNs ?? 0n) - (on.atNs ?? 0n)} ns`);
    }
    // Requested as outputs, active low (the pulse pulls the line low), starting inactive: idle high.
    assert.deepEqual(
      chip.requests.map((request) => ({ offsets: request.offsets, flags: request.flags, defaultValues: request.defaultValues, consumer: request.consumer })),
      [4, 5].map((line) => ({ offsets: [line], flags: GPIO_V2_LINE_FLAG_OUTPUT | GPIO_V2_LINE_FLAG_ACTIVE_LOW, defaultValues: [0], consumer: 'lintel-wiegand' })),
    );
    assert.equal(chip.level(4), false);
    assert.equal(output.health().status, 'ok');
    assert.equal(output.health().framesSent, 1);
    await output.close();
    assert.equal(chip.isHeld(4), false);
    assert.equal(chip.isHeld(5), false);
  });

  test("the output's own format re-frames the numbers; denied faces and people without a card send nothing", async () => {
    const { chip, openLine } = fakeLines();
    const output = new WiegandOutput(wiegandOutputConfigSchema.parse({ kind: 'wiegand', format: 'wiegand34', chipPath: '/dev/gpiochip3', d0Line: 0, d1Line: 1, pulseLevel: 'high', intervalUs: 300 }), { logger, openLine });
    assert.equal((await output.open({ ...granted({ facilityCode: 1, cardNumber: 2, format: 'wiegand26' }), decision: 'denied' })).status, 'skipped');
    assert.equal((await output.open(granted())).status, 'skipped');
    assert.equal(chip.writes.length, 0);
    assert.equal((await output.open(granted({ facilityCode: 0x89d4, cardNumber: 0x1b81, format: 'wiegand26' }))).status, 'done');
    assert.equal(bitsOnTheWire(chip, 0, 1), `1${'10001001110101000001101110000001'}1`);
    assert.equal(chip.requests[0]?.flags, GPIO_V2_LINE_FLAG_OUTPUT);
    await output.close();
  });

  test('a credential that does not fit, or a line that cannot be had, is a failed result and a health state', async () => {
    const { chip, openLine } = fakeLines();
    chip.holdElsewhere(5, 'someone');
    const output = new WiegandOutput(wiegandOutputConfigSchema.parse({ kind: 'wiegand', chipPath: '/dev/gpiochip3', d0Line: 4, d1Line: 5, intervalUs: 300 }), { logger, openLine });
    const misfit = await output.open(granted({ facilityCode: 300, cardNumber: 1, format: 'wiegand26' }));
    assert.equal(misfit.status, 'failed');
    assert.match(misfit.status === 'failed' ? misfit.error : '', /facilityCode must be a whole number from 0 to 255/);
    const busy = await output.open(granted({ facilityCode: 1, cardNumber: 1, format: 'wiegand26' }));
    assert.match(busy.status === 'failed' ? busy.error : '', /cannot send on \/dev\/gpiochip3 .*EBUSY/);
    assert.equal(output.health().status, 'unavailable');
    // D0 was given back when D1 could not be had.
    assert.equal(chip.isHeld(4), false);
    await output.close();
  });

  test('the kernel driver gets the frame as a line of 0/1', async () => {
    const written: [string, string][] = [];
    const transmitter = new DriverWiegandTransmitter('/sys/class/wiegand/wiegand0/send', async (path, text) => void written.push([path, text]));
    const output = new WiegandOutput(wiegandOutputConfigSchema.parse({ kind: 'wiegand', driverPath: '/sys/class/wiegand/wiegand0/send' }), { logger, transmitter });
    assert.equal((await output.open(granted({ facilityCode: 13, cardNumber: 13067, format: 'wiegand26' }))).status, 'done');
    assert.deepEqual(written, [['/sys/class/wiegand/wiegand0/send', `${bitString(encodeCard(resolveCardFormat('wiegand26'), { facilityCode: 13, cardNumber: 13067 }))}\n`]]);
    assert.equal(output.health().transport, 'driver');
  });

  test('configuration: lines or a driver, distinct lines, no line shared with the relay, timing in range', () => {
    const problems = (outputs: unknown): string => {
      try {
        parseDoorOutputsConfig(outputs);
      } catch (error) {
        assert.ok(error instanceof DoorConfigError);
        return error.message;
      }
      return '';
    };
    assert.equal(problems([{ kind: 'wiegand', chipPath: '/dev/gpiochip3', d0Line: 1, d1Line: 2 }]), '');
    assert.equal(problems([{ kind: 'wiegand', driverPath: '/sys/class/wiegand/wiegand0/send' }]), '');
    assert.match(problems([{ kind: 'wiegand', chipPath: '/dev/gpiochip3', d0Line: 1 }]), /outputs\[0\] \(wiegand\) d1Line: is required for GPIO lines/);
    assert.match(problems([{ kind: 'wiegand', chipPath: '/dev/gpiochip3', d0Line: 1, d1Line: 1 }]), /d1Line: must differ from d0Line/);
    assert.match(problems([{ kind: 'wiegand', driverPath: '/sys/x', chipPath: '/dev/gpiochip3', d0Line: 1, d1Line: 2 }]), /driverPath: give either driverPath or chipPath/);
    assert.match(problems([{ kind: 'wiegand', chipPath: '/dev/gpiochip3', d0Line: 1, d1Line: 2, pulseWidthUs: 10 }]), /pulseWidthUs: must be from 20 to 1000 µs/);
    assert.match(problems([{ kind: 'wiegand', chipPath: '/dev/gpiochip3', d0Line: 1, d1Line: 2, pulseWidthUs: 200, intervalUs: 300 }]), /intervalUs: must be at least twice the pulse width \(400 µs\)/);
    assert.match(
      problems([{ kind: 'gpio', chipPath: '/dev/gpiochip3', line: 2 }, { kind: 'wiegand', chipPath: '/dev/gpiochip3', d0Line: 1, d1Line: 2 }]),
      /outputs\[1\] \(wiegand\) d1Line: \/dev\/gpiochip3 line 2 is already driven by output 0/,
    );
  });
});
