import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { FakeGpioWrite } from '../../../native-bridge/gpio/fake-gpio-chip.js';
import type { WiegandFakeChip } from '../../../native-bridge/gpio/wiegand-pulse-worker.js';
import { wiegandOutputConfigSchema, type WiegandOutputConfig } from '../../shared/shapes/door-outputs.js';
import { bitString, encodeCard, resolveCardFormat } from './card-format.js';
import { DoorConfigError, parseDoorOutputsConfig } from './create-door-outputs.js';
import type { DoorEvent, DoorLogger } from './door-output.js';
import { DriverWiegandTransmitter, GpioWiegandTransmitter, WiegandOutput, type WiegandTransmitter } from './wiegand-output.js';

const logger: DoorLogger = { info: () => undefined, warn: () => undefined };
const CHIP = '/dev/gpiochip3';

/** A transmitter whose pulse worker drives a fake chip, and every write its fake kernel stamped. */
function fakeTransmitter(config: WiegandOutputConfig, chip: WiegandFakeChip = {}): { writes: FakeGpioWrite[]; transmitter: WiegandTransmitter } {
  const writes: FakeGpioWrite[] = [];
  const inner = new GpioWiegandTransmitter(config, { fakeChips: { [CHIP]: chip } });
  return {
    writes,
    transmitter: {
      transport: 'gpio',
      send: async (bits) => {
        const sent = await inner.send(bits);
        writes.push(...(sent.fakeWrites ?? []));
        return sent;
      },
      close: () => inner.close(),
    },
  };
}

const granted = (credential?: DoorEvent['credential']): DoorEvent => ({ id: 7, atMs: 1, decision: 'granted', reason: 'granted', personId: 'p', ...(credential ? { credential } : {}) });

/** The bits on the wire: each pulse is an active write on D0 (a 0) or D1 (a 1). */
function bitsOnTheWire(writes: readonly FakeGpioWrite[], d0: number, d1: number): string {
  return writes
    .filter((write) => write.active)
    .map((write) => (write.offset === d0 ? '0' : write.offset === d1 ? '1' : '?'))
    .join('');
}

describe('Wiegand output', () => {
  test('a grant sends the credential as pulses on D0/D1 from the pulse worker, idle lines high', async () => {
    const config = wiegandOutputConfigSchema.parse({ kind: 'wiegand', chipPath: CHIP, d0Line: 4, d1Line: 5, intervalUs: 400 });
    const { writes, transmitter } = fakeTransmitter(config);
    const output = new WiegandOutput(config, { logger, transmitter });
    const result = await output.open(granted({ facilityCode: 13, cardNumber: 13067, format: 'wiegand26' }));
    assert.equal(result.status, 'done', JSON.stringify(result));
    assert.match(result.status === 'done' ? result.detail : '', /^wiegand26 frame of 26 bits sent \(longest pulse \d+ µs\)$/);
    // Facility 13, card 13067: the published frame 0x21A6616.
    assert.equal(bitsOnTheWire(writes, 4, 5), '10000110100110011000010110');
    // Every pulse pulls its line low and lets it go high again before the next starts, after at least the width.
    for (let i = 0; i < writes.length; i += 2) {
      const [on, off] = [writes[i], writes[i + 1]];
      assert.ok(on?.active && !on.high && off && !off.active && off.high && on.offset === off.offset, `write ${i}`);
      assert.ok((off.atNs ?? 0n) - (on.atNs ?? 0n) >= 50_000n, `pulse ${i / 2} lasted ${(off.atNs ?? 0n) - (on.atNs ?? 0n)} ns`);
    }
    assert.equal(output.health().status, 'ok');
    assert.equal(output.health().framesSent, 1);
    await output.close();
  });

  test('the main thread keeps running while a frame is pulsed', async () => {
    const config = wiegandOutputConfigSchema.parse({ kind: 'wiegand', chipPath: CHIP, d0Line: 4, d1Line: 5, intervalUs: 2000 });
    const { writes, transmitter } = fakeTransmitter(config);
    const output = new WiegandOutput(config, { logger, transmitter });
    await output.test('wiegand34');
    // A 34-bit frame at 2 ms busy-waits for about 66 ms; on this thread it would let no other work in meanwhile.
    let turns = 0;
    let sending = true;
    const spin = (): void => {
      turns += 1;
      if (sending) setImmediate(spin);
    };
    setImmediate(spin);
    const writesBefore = writes.length;
    await output.open(granted({ facilityCode: 1, cardNumber: 2, format: 'wiegand34' }));
    sending = false;
    assert.equal(writes.length - writesBefore, 68);
    assert.ok(turns >= 10, `the main thread ran ${turns} turns during the frame`);
    await output.close();
  });

  test("the output's own format re-frames the numbers; denied faces and people without a card send nothing", async () => {
    const config = wiegandOutputConfigSchema.parse({ kind: 'wiegand', format: 'wiegand34', chipPath: CHIP, d0Line: 0, d1Line: 1, pulseLevel: 'high', intervalUs: 300 });
    const { writes, transmitter } = fakeTransmitter(config);
    const output = new WiegandOutput(config, { logger, transmitter });
    assert.equal((await output.open({ ...granted({ facilityCode: 1, cardNumber: 2, format: 'wiegand26' }), decision: 'denied' })).status, 'skipped');
    assert.equal((await output.open(granted())).status, 'skipped');
    assert.equal(writes.length, 0);
    assert.equal((await output.open(granted({ facilityCode: 0x89d4, cardNumber: 0x1b81, format: 'wiegand26' }))).status, 'done');
    assert.equal(bitsOnTheWire(writes, 0, 1), `1${'10001001110101000001101110000001'}1`);
    // pulseLevel high: a pulse drives the line high.
    assert.equal(writes[0]?.high, true);
    await output.close();
  });

  test('a credential that does not fit, or a line that cannot be had, is a failed result and a health state', async () => {
    const output = new WiegandOutput(wiegandOutputConfigSchema.parse({ kind: 'wiegand', chipPath: CHIP, d0Line: 4, d1Line: 5, intervalUs: 300 }), {
      logger,
      pulseWorker: { fakeChips: { [CHIP]: { heldElsewhere: [5] } } },
    });
    const misfit = await output.open(granted({ facilityCode: 300, cardNumber: 1, format: 'wiegand26' }));
    assert.equal(misfit.status, 'failed');
    assert.match(misfit.status === 'failed' ? misfit.error : '', /facilityCode must be a whole number from 0 to 255/);
    const busy = await output.open(granted({ facilityCode: 1, cardNumber: 1, format: 'wiegand26' }));
    assert.match(busy.status === 'failed' ? busy.error : '', /cannot send on \/dev\/gpiochip3 .*EBUSY.*another consumer/);
    assert.equal(output.health().status, 'unavailable');
    await output.close();
    assert.equal((await output.open(granted({ facilityCode: 1, cardNumber: 1, format: 'wiegand26' }))).status, 'failed');
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
