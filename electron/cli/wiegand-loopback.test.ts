import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';

import { FakeGpioChip } from '../../native-bridge/gpio/fake-gpio-chip.js';
import { GpioInputLines } from '../../native-bridge/gpio/gpio-input.js';
import { GpioOutputLine } from '../../native-bridge/gpio/gpio-line.js';
import { sendWiegandPulses } from '../../native-bridge/gpio/wiegand-pulses.js';
import { FakeSyscalls } from '../../native-bridge/libc/fake-syscalls.js';
import { GpioWiegandTransmitter, type WiegandTransmitter } from '../terminal/door/wiegand-output.js';
import { runWiegandLoopback, type WiegandLoopbackOptions } from './wiegand-loopback.js';

const CHIP = '/dev/gpiochip3';
const [D0, D1, D0_IN, D1_IN] = [4, 5, 6, 7];
const timing = { pulseWidthUs: 50, intervalUs: 500 };
const options: WiegandLoopbackOptions = { chipPath: CHIP, d0Line: D0, d1Line: D1, d0InLine: D0_IN, d1InLine: D1_IN, timing, frames: 3 };

function fakeBoard(): { sys: FakeSyscalls; chip: FakeGpioChip; printed: string[]; print: (line: string) => void } {
  const sys = new FakeSyscalls();
  const chip = new FakeGpioChip({ name: 'gpiochip3', label: 'gpio3', clockNs: process.hrtime.bigint }).install(sys, CHIP);
  const printed: string[] = [];
  return { sys, chip, printed, print: (line) => void printed.push(line) };
}

/** Pulses D0/D1 on this thread, straight into the fake chip, whose wires carry them to the inputs. */
function wiredTransmitter(t: TestContext, sys: FakeSyscalls): WiegandTransmitter {
  const d0 = GpioOutputLine.open({ chipPath: CHIP, line: D0, activeLow: true }, { sys });
  const d1 = GpioOutputLine.open({ chipPath: CHIP, line: D1, activeLow: true }, { sys });
  t.after(() => (d0.close(), d1.close()));
  return { transport: 'gpio', send: async (bits) => ({ report: sendWiegandPulses({ d0, d1 }, bits, timing) }), close: async () => undefined };
}

describe('lintel doctor --wiegand-loopback on the fake chip', () => {
  test("frames from the pulse worker read back from the inputs' edge events, with their timing", async () => {
    const { sys, chip, printed, print } = fakeBoard();
    // The wires at rest carry the idle (high) level the worker's outputs hold; each write of the worker's fake
    // kernel is replayed onto the input it is wired to, with the write's own time stamp.
    chip.drive(D0_IN, true);
    chip.drive(D1_IN, true);
    const wires = new Map([
      [D0, D0_IN],
      [D1, D1_IN],
    ]);
    const worker = new GpioWiegandTransmitter({ chipPath: CHIP, d0Line: D0, d1Line: D1, pulseLevel: 'low', consumer: 'loopback', ...timing }, { fakeChips: { [CHIP]: {} } });
    const transmitter: WiegandTransmitter = {
      transport: 'gpio',
      send: async (bits) => {
        const sent = await worker.send(bits);
        for (const write of sent.fakeWrites ?? []) chip.drive(wires.get(write.offset) ?? -1, write.high, write.atNs);
        return sent;
      },
      close: () => worker.close(),
    };
    const result = await runWiegandLoopback(options, { print, transmitter, openInputs: (request) => GpioInputLines.open(request, { sys }) });
    assert.deepEqual(
      result.frames.map((frame) => frame.matches),
      [true, true, true],
      printed.join('\n'),
    );
    assert.equal(result.frames[0]?.sent, '10000110100110011000010110', 'facility 13, card 13067 first');
    assert.equal(result.jitter?.pulses, 3 * 26);
    assert.ok((result.jitter?.pulseWidthUs.min ?? 0) >= 50, `pulses last at least the width: ${result.jitter?.pulseWidthUs.min}`);
    assert.ok((result.jitter?.intervalUs.min ?? 0) >= 500, `and start an interval apart: ${result.jitter?.intervalUs.min}`);
    assert.equal(result.eventsLost, 0);
    assert.ok(printed.some((line) => /\[ok {2}\] 3 of 3 frames read back as sent/.test(line)));
    assert.ok(printed.some((line) => /pulse width µs: min \d+\.\d, median/.test(line)));
    assert.equal(chip.isHeld(D0_IN), false, 'the inputs are released');
  });

  test('crossed wires come back inverted and are named', async (t) => {
    const { sys, chip, printed, print } = fakeBoard();
    chip.loop(D0, { offset: D1_IN });
    chip.loop(D1, { offset: D0_IN });
    const result = await runWiegandLoopback(options, { print, transmitter: wiredTransmitter(t, sys), openInputs: (request) => GpioInputLines.open(request, { sys }) });
    assert.equal(result.ok, false);
    assert.equal(result.frames.filter((frame) => frame.matches).length, 0);
    assert.ok(printed.some((line) => /\[FAIL\] 0 of 3 frames read back as sent/.test(line)));
    assert.ok(printed.some((line) => /every bit inverted — D0 and D1 are crossed/.test(line)), printed.join('\n'));
  });

  test('a missing wire: its input reads a pulse at rest and nothing comes back on it', async (t) => {
    const { sys, chip, printed, print } = fakeBoard();
    chip.loop(D0, { offset: D0_IN });
    const result = await runWiegandLoopback({ ...options, frames: 1 }, { print, transmitter: wiredTransmitter(t, sys), openInputs: (request) => GpioInputLines.open(request, { sys }) });
    assert.equal(result.ok, false);
    assert.ok(printed.some((line) => /\[warn\] the D1 input \(line 7\) reads a pulse at rest/.test(line)), printed.join('\n'));
    assert.ok(printed.some((line) => /nothing on D1's input \(line 7\)/.test(line)), printed.join('\n'));
  });
});
