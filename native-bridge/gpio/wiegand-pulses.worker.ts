// The Wiegand pulse train's own thread: it holds D0/D1 and busy-waits through each frame (about 52 ms for 26 bits
// at 2 ms), so the main thread — decisions, the screen, the door inputs — never stalls for a frame. One request at a
// time, in order; every reply echoes the request's seq and says how long it took.
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

import { FakeSyscalls } from '../libc/fake-syscalls.js';
import { FakeGpioChip } from './fake-gpio-chip.js';
import { GpioOutputLine } from './gpio-line.js';
import type { GpioSyscalls } from './list-chips.js';
import { sendWiegandPulses } from './wiegand-pulses.js';
import type { WiegandLinesSpec, WiegandPulseReply, WiegandPulseRequest, WiegandPulseWorkerData, WiegandSendResult } from './wiegand-pulse-worker.js';

if (!parentPort) throw new Error('wiegand-pulses.worker must run in a worker thread');
const port = parentPort;
const data = (workerData ?? {}) as WiegandPulseWorkerData;

/** The fake chips of a test or benchmark run, by path; none on a door. */
const fakeChips = new Map<string, FakeGpioChip>();
let sys: GpioSyscalls | undefined;
if (data.fakeChips !== undefined) {
  const fake = new FakeSyscalls();
  for (const [path, options] of Object.entries(data.fakeChips)) {
    const chip = new FakeGpioChip({ ...options, clockNs: process.hrtime.bigint }).install(fake, path);
    for (const offset of options.heldElsewhere ?? []) chip.holdElsewhere(offset, 'elsewhere');
    fakeChips.set(path, chip);
  }
  sys = fake;
}

let held: { spec: string; d0: GpioOutputLine; d1: GpioOutputLine } | undefined;

function release(): void {
  const lines = held;
  held = undefined;
  for (const line of [lines?.d0, lines?.d1]) {
    try {
      line?.close();
    } catch {
      // The kernel releases the line when its fd closes, whatever close reports.
    }
  }
}

/** The lines of `spec`, requested on first use and held; a different spec releases the old ones first. */
function linesFor(spec: WiegandLinesSpec): { d0: GpioOutputLine; d1: GpioOutputLine } {
  const key = JSON.stringify(spec);
  if (held?.spec === key) return held;
  release();
  const deps = sys === undefined ? {} : { sys };
  const options = { chipPath: spec.chipPath, activeLow: spec.activeLow, consumer: spec.consumer };
  const d0 = GpioOutputLine.open({ ...options, line: spec.d0Line }, deps);
  let d1: GpioOutputLine;
  try {
    d1 = GpioOutputLine.open({ ...options, line: spec.d1Line }, deps);
  } catch (error) {
    d0.close();
    throw error;
  }
  held = { spec: key, d0, d1 };
  return held;
}

function send(request: Extract<WiegandPulseRequest, { type: 'send' }>): WiegandSendResult {
  const chip = fakeChips.get(request.lines.chipPath);
  const writesBefore = chip?.writes.length ?? 0;
  try {
    const report = sendWiegandPulses(linesFor(request.lines), request.bits, request.timing);
    return { report, ...(chip === undefined ? {} : { fakeWrites: chip.writes.slice(writesBefore) }) };
  } catch (error) {
    // Released so the next frame requests the lines afresh (a line given back, a chip that came back).
    release();
    throw error;
  }
}

port.on('message', (request: WiegandPulseRequest) => {
  const startedMs = performance.now();
  let reply: WiegandPulseReply;
  try {
    let value: WiegandSendResult | null = null;
    if (request.type === 'send') value = send(request);
    else release();
    reply = { seq: request.seq, ok: true, durationMs: performance.now() - startedMs, value };
  } catch (error) {
    const { name, message, code } = error as { name?: string; message?: string; code?: unknown };
    reply = { seq: request.seq, ok: false, durationMs: performance.now() - startedMs, error: { name: name ?? 'Error', message: message ?? String(error), ...(typeof code === 'string' ? { code } : {}) } };
  }
  port.postMessage(reply);
  if (request.type === 'close') port.close();
});
