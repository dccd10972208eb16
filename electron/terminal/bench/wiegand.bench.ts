/**
 * `npm run bench:wiegand`: the timing of Wiegand frames bit-banged on two GPIO lines, measured on the fake GPIO
 * chip. The frames go through the pulse worker, as on a door: each line write takes the real code path (koffi
 * struct encoding, the uAPI v2 ioctl) into a fake "kernel" inside the worker, which stamps it with the monotonic
 * clock; pulse widths are release − assert, intervals the starts of consecutive pulses. Meanwhile the main thread
 * counts how long its event loop was held, which is what the worker is for. On the board the same figures come
 * from `lintel doctor --wiegand-loopback`, with the kernel's edge timestamps instead of the fake's.
 * Options: --frames N (default 40 per format), --pulse-us, --interval-us. Prints figures; it asserts nothing.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';

import { FakeGpioChip } from '../../../native-bridge/gpio/fake-gpio-chip.js';
import { GpioOutputLine } from '../../../native-bridge/gpio/gpio-line.js';
import { measureWiegandJitter, sendWiegandPulses, type WiegandEdge, type WiegandTrainReport } from '../../../native-bridge/gpio/wiegand-pulses.js';
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
console.log('format      pulses | pulse width µs: min   median      p99      max | interval µs: min   median      p99      max | worst error µs | out of SIA spec | main thread held ms: median    max');

/** The longest the main thread's event loop went without a turn while `work` ran, ms. */
async function longestStallMs<T>(work: () => Promise<T>): Promise<{ value: T; stallMs: number }> {
  let last = performance.now();
  let longest = 0;
  let running = true;
  const tick = (): void => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const value = await work();
  running = false;
  return { value, stallMs: Math.max(longest, performance.now() - last) };
}

for (const formatName of ['wiegand26', 'wiegand34']) {
  const transmitter = new GpioWiegandTransmitter({ chipPath: '/dev/gpiochip0', d0Line: D0, d1Line: D1, pulseLevel: 'low', consumer: 'bench', ...timing }, { fakeChips: { '/dev/gpiochip0': {} } });
  const format = resolveCardFormat(formatName);
  const reports: WiegandTrainReport[] = [];
  const stallsMs: number[] = [];
  for (let i = 0; i < frames; i++) {
    const { value: sent, stallMs: frameStallMs } = await longestStallMs(() => transmitter.send(encodeCard(format, { facilityCode: (i * 37) % 256, cardNumber: (i * 7919) % 65536 })));
    // The first frame starts the worker and loads koffi in it: not a frame's cost.
    if (i > 0) stallsMs.push(frameStallMs);
    // The fake kernel's stamps: when each ioctl reached the "driver", not when the code thought it wrote.
    const writes = sent.fakeWrites ?? [];
    const edges: WiegandEdge[] = [];
    for (let w = 0; w + 1 < writes.length; w += 2) {
      const [on, off] = [writes[w], writes[w + 1]];
      if (!on?.atNs || !off?.atNs) throw new Error('the fake chip did not stamp a write');
      edges.push({ bit: w / 2, value: on.offset === D1 ? 1 : 0, assertedAtNs: on.atNs, releasedAtNs: off.atNs });
    }
    reports.push({ startedAtNs: edges[0]?.assertedAtNs ?? 0n, edges });
    // Frames are separate reads for a panel: leave a gap as a reader would.
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  await transmitter.close();
  const jitter = measureWiegandJitter(reports, timing);
  const { pulseWidthUs: w, intervalUs: iv } = jitter;
  const stalls = [...stallsMs].sort((a, b) => a - b);
  console.log(
    `${formatName.padEnd(10)} ${String(jitter.pulses).padStart(7)} | ${fmt(w.min)} ${fmt(w.median)} ${fmt(w.p99)} ${fmt(w.max)} | ${fmt(iv.min)} ${fmt(iv.median)} ${fmt(iv.p99)} ${fmt(iv.max)} | ${fmt(jitter.worstErrorUs)} | ${jitter.outOfSpec} (${((100 * jitter.outOfSpec) / jitter.pulses).toFixed(1)} %) | ${fmt(stalls[Math.floor(stalls.length / 2)] ?? Number.NaN)} ${fmt(stalls.at(-1) ?? Number.NaN)}`,
  );
}

// For comparison: the same frames pulsed on the main thread itself, as before the worker.
{
  const sys = new FakeSyscalls();
  new FakeGpioChip().install(sys, '/dev/gpiochip0');
  const lines = { d0: GpioOutputLine.open({ chipPath: '/dev/gpiochip0', line: D0, activeLow: true }, { sys }), d1: GpioOutputLine.open({ chipPath: '/dev/gpiochip0', line: D1, activeLow: true }, { sys }) };
  const format = resolveCardFormat('wiegand26');
  const stallsMs: number[] = [];
  for (let i = 0; i < Math.min(frames, 10); i++) {
    const { stallMs } = await longestStallMs(async () => sendWiegandPulses(lines, encodeCard(format, { facilityCode: i, cardNumber: i }), timing));
    stallsMs.push(stallMs);
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  lines.d0.close();
  lines.d1.close();
  const stalls = stallsMs.sort((a, b) => a - b);
  console.log(`wiegand26 pulsed on the main thread instead (${stalls.length} frames): main thread held ms median ${fmt(stalls[Math.floor(stalls.length / 2)] ?? Number.NaN)}, max ${fmt(stalls.at(-1) ?? Number.NaN)}`);
}
console.log('');
console.log('SIA tolerances: pulse 20–100 µs, interval 200 µs – 20 ms. A width past 100 µs means the thread was preempted mid-pulse.');
console.log('Main thread held: per frame, the longest gap between two turns of its event loop (the pulses run in the worker; a');
console.log('frame on the main thread would hold it for the whole frame, 52 ms for 26 bits at 2 ms). On a loaded machine the');
console.log('busy-waiting worker takes a core, and the main thread waits for the other one.');
