// The main thread's side of the Wiegand pulse worker (wiegand-pulses.worker.ts): frames go to a worker thread that
// holds D0/D1 and times the pulses by busy-waiting, so a frame never blocks the main thread. Requests are numbered;
// replies echo the number. A worker that exits fails every pending frame and the next frame starts a fresh one.
import { Worker } from 'node:worker_threads';

import type { FakeGpioChipOptions, FakeGpioWrite } from './fake-gpio-chip.js';
import type { WiegandTiming, WiegandTrainReport } from './wiegand-pulses.js';

/** The two data lines and how they are driven. */
export interface WiegandLinesSpec {
  /** Chip device of both lines, e.g. `/dev/gpiochip3`. */
  readonly chipPath: string;
  readonly d0Line: number;
  readonly d1Line: number;
  /** True when a pulse pulls the GPIO low (idle high). */
  readonly activeLow: boolean;
  /** Consumer label, at most 31 bytes. */
  readonly consumer: string;
}

/** A fake chip inside the worker, for tests and the benchmark: the worker's pulses reach it through the real code path. */
export type WiegandFakeChip = Pick<FakeGpioChipOptions, 'lines' | 'uapi' | 'name' | 'label'> & {
  /** Lines another consumer holds (requests get EBUSY). */
  readonly heldElsewhere?: readonly number[];
};

/** What the worker is started with. */
export interface WiegandPulseWorkerData {
  /** Fake chips by device path; when given, the worker makes no real system call. */
  readonly fakeChips?: Readonly<Record<string, WiegandFakeChip>>;
}

/** A request to the worker. `release` gives the lines back; `close` also ends the worker. */
export type WiegandPulseRequest =
  | { readonly seq: number; readonly type: 'send'; readonly lines: WiegandLinesSpec; readonly timing: WiegandTiming; readonly bits: Uint8Array }
  | { readonly seq: number; readonly type: 'release' }
  | { readonly seq: number; readonly type: 'close' };

/** What one frame did. */
export interface WiegandSendResult {
  /** When each pulse was asserted and released, on the worker's monotonic clock (the process's CLOCK_MONOTONIC). */
  readonly report: WiegandTrainReport;
  /** With a fake chip: every write as the fake kernel stamped it. */
  readonly fakeWrites?: readonly FakeGpioWrite[];
}

/** The worker's answer; `durationMs` is the time the worker spent on the request. */
export type WiegandPulseReply =
  | { readonly seq: number; readonly ok: true; readonly durationMs: number; readonly value: WiegandSendResult | null }
  | { readonly seq: number; readonly ok: false; readonly durationMs: number; readonly error: { readonly name: string; readonly message: string; readonly code?: string } };

/** A frame failed in the worker (the error's name, code and message are the worker's), or the worker exited. */
export class WiegandPulseError extends Error {
  override readonly name = 'WiegandPulseError';

  constructor(
    /** The worker's error name (`SystemCallError`, `GpioError`, `RangeError`) or `WORKER_EXITED` / `CLOSED`. */
    readonly kind: string,
    message: string,
    /** errno name or GpioError code, where the worker's error had one. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Options of the pulse worker. */
export interface WiegandPulseWorkerOptions {
  /** Fake chips inside the worker (tests, benchmark); default none: the real character device. */
  readonly fakeChips?: WiegandPulseWorkerData['fakeChips'];
  /** Worker entry; default wiegand-pulses.worker beside this module. */
  readonly workerUrl?: URL;
}

type Pending = { readonly resolve: (value: WiegandSendResult | null) => void; readonly reject: (error: Error) => void };

/** Sends Wiegand frames from a worker thread; one frame at a time, in the order asked. */
export class WiegandPulseWorker {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextSeq = 1;
  private isClosed = false;

  constructor(private readonly options: WiegandPulseWorkerOptions = {}) {}

  /**
   * Sends one frame (one 0/1 per bit, first sent first) on the lines of `lines`, requesting them on first use.
   * @throws WiegandPulseError with the worker's error (EBUSY, no such chip…) or WORKER_EXITED / CLOSED.
   */
  async send(lines: WiegandLinesSpec, timing: WiegandTiming, bits: Uint8Array): Promise<WiegandSendResult> {
    const value = await this.call({ type: 'send', lines, timing, bits: Uint8Array.from(bits) });
    if (value === null) throw new WiegandPulseError('Error', 'the pulse worker answered a frame without its report');
    return value;
  }

  /** Gives the lines back (the next frame requests them again). */
  async release(): Promise<void> {
    if (this.worker === undefined) return;
    await this.call({ type: 'release' });
  }

  /** Releases the lines and ends the worker; pending frames still complete first. Idempotent. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    const worker = this.worker;
    if (worker !== undefined) await this.call({ type: 'close' }).catch(() => null);
    this.isClosed = true;
    await worker?.terminate();
  }

  private call(request: { type: 'send'; lines: WiegandLinesSpec; timing: WiegandTiming; bits: Uint8Array } | { type: 'release' } | { type: 'close' }): Promise<WiegandSendResult | null> {
    if (this.isClosed) return Promise.reject(new WiegandPulseError('CLOSED', 'the Wiegand pulse worker is closed'));
    const worker = this.worker ?? this.spawn();
    const seq = this.nextSeq++;
    // Kept alive while it owes an answer; idle between grants it must not hold the process open.
    if (this.pending.size === 0) worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      worker.postMessage({ ...request, seq } satisfies WiegandPulseRequest);
    });
  }

  private spawn(): Worker {
    const worker = createWorker(this.options.workerUrl ?? defaultWorkerUrl(), { fakeChips: this.options.fakeChips } satisfies WiegandPulseWorkerData);
    worker.on('message', (reply: WiegandPulseReply) => {
      const pending = this.pending.get(reply.seq);
      this.pending.delete(reply.seq);
      if (this.pending.size === 0) worker.unref();
      if (reply.ok) pending?.resolve(reply.value);
      else pending?.reject(new WiegandPulseError(reply.error.name, reply.error.message, reply.error.code));
    });
    worker.on('error', (error) => this.exited(worker, `the Wiegand pulse worker failed: ${error.message}`));
    worker.on('exit', (code) => this.exited(worker, `the Wiegand pulse worker exited (code ${code})`));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  /** Fails what the worker had; the next call starts a fresh one. Lines it held stay held until the process exits. */
  private exited(worker: Worker, message: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    for (const pending of this.pending.values()) pending.reject(new WiegandPulseError('WORKER_EXITED', message));
    this.pending.clear();
  }
}

function defaultWorkerUrl(): URL {
  // Sources run through tsx (tests, development) and compiled JavaScript (dist/) name the entry differently.
  return new URL(import.meta.url.endsWith('.ts') ? './wiegand-pulses.worker.ts' : './wiegand-pulses.worker.js', import.meta.url);
}

/** A worker on `url`; a TypeScript entry gets tsx's loader registered inside the worker first (it is not inherited). */
function createWorker(url: URL, workerData: WiegandPulseWorkerData): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData });
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}
