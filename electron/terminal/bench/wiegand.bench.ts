/**
 * `npm run bench:wiegand`: the timing of Wiegand frames bit-banged on two GPIO lines, measured on the fake GPIO
 * chip. Each line write goes through the real code path (koffi struct encoding, the uAPI v2 ioctl, into the fake
 * "kernel"), which stamps it with the monotonic clock; pulse widths are release − assert, intervals the starts of
 * consecutive pulses. On the board the same figures come from `lintel doctor --wiegand-loopback`, with the
 * kernel's edge timestamps instead of the fake's.
 * Options: --frames N (default 40 per format), --pulse-us, --interval-us. Prints figures; it asserts nothing.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';

import { FakeGpioChip } from '../../../native-bridge/gpio/fake-gpio-chip.js';
import { GpioOutputLine } from '../../../native-bridge/gpio/gpio-line.js';
import { measureWiegandJitter, type WiegandTrainReport } from '../../../native-bridge/gpio/wiegand-pulses.js';
import { FakeSyscalls } from '../../../native-bridge/libc/fake-syscalls.js';
import { encodeCard, resolveCardFormat } from '../door/card-format.js';
import { GpioWiegandTransmitter } from '../door/wiegand-output.js';

const { values } = parseArgs({ options: { frames: { type: 'string', default: '40' }, 'pulse-us': { type: 'string', default: '50' }, 'interval-us': { type: 'string', default: '2000' } } });
const frames = Number(values.frames);
const timing = { pulseWidthUs: Number(values['pulse-us']), intervalUs: Number(values['interval-us']) };

const D0 = 4;
const D1 = 5;
const fmt = (us: number): string => us.toFixed(1).padStart(8);

console.log(`Wiegand timing on the fake GPIO chip — ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.versions.node}`);
console.log(`configured: pulse ${timing.pulseWidthUs} µs, interval ${timing.intervalUs} µs; ${frames} frames per format; load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores`);
console.log('');
console.log('format      pulses | pulse width µs: min   median      p99      max | interval µs: min   median      p99      max | worst error µs | out of SIA spec');

for (const formatName of ['wiegand26', 'wiegand34']) {
  const sys = new FakeSyscalls();
  const chip = new FakeGpioChip({ clockNs: process.hrtime.bigint }).install(sys, '/dev/gpiochip0');
  const transmitter = new GpioWiegandTransmitter({ chipPath: '/dev/gpiochip0', d0Line: D0, d1Line: D1, pulseLevel: 'low', consumer: 'bench', ...timing }, (options) => GpioOutputLine.open(options, { sys }));
  const format = resolveCardFormat(formatName);
  const reports: WiegandTrainReport[] = [];
  for (let i = 0; i < frames; i++) {
    const writesBefore = chip.writes.length;
    await transmitter.send(encodeCard(format, { facilityCode: (i * 37) % 256, cardNumber: (i * 7919) % 65536 }));
    // The fake kernel's stamps: when each ioctl reached the "driver", not when the code thought it wrote.
    const writes = chip.writes.slice(writesBefore);
    const edges = [];
    for (let w = 0; w + 1 < writes.length; w += 2) {
      const [on, off] = [writes[w], writes[w + 1]];
      if (!on?.atNs || !off?.atNs) throw new Error('the fake chip did not stamp a write');
      edges.push({ bit: w / 2, value: on.offset === D1 ? (1 as const) : (0 as const), assertedAtNs: on.atNs, releasedAtNs: off.atNs });
    }
    reports.push({ startedAtNs: edges[0]?.assertedAtNs ?? 0n, edges });
    // Frames are separate reads for a panel: leave a gap as a reader would.
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  await transmitter.close();
  const jitter = measureWiegandJitter(reports, timing);
  const { pulseWidthUs: w, intervalUs: iv } = jitter;
  console.log(
    `${formatName.padEnd(10)} ${String(jitter.pulses).padStart(7)} | ${fmt(w.min)} ${fmt(w.median)} ${fmt(w.p99)} ${fmt(w.max)} | ${fmt(iv.min)} ${fmt(iv.median)} ${fmt(iv.p99)} ${fmt(iv.max)} | ${fmt(jitter.worstErrorUs)} | ${jitter.outOfSpec} (${((100 * jitter.outOfSpec) / jitter.pulses).toFixed(1)} %)`,
  );
}
console.log('');
console.log('SIA tolerances: pulse 20–100 µs, interval 200 µs – 20 ms. A width past 100 µs means the thread was preempted mid-pulse.');
