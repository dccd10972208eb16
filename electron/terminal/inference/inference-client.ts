import { Worker } from 'node:worker_threads';

import type { AlignmentTemplate } from '../../vision/align/align-face.js';
import type { RgbImage } from '../../vision/frame/rgb-image.js';
import type { BoxNorm } from '../../vision/geometry/point.js';
import type { AnalysedFace, AnalysisResult, Extraction } from '../../vision/pipeline/face-pipeline.js';
import type { CameraFrame } from '../camera/camera.js';
import type { InferenceConfig, ProcessResult, WorkerReply, WorkerReplyValues, WorkerRequest } from './protocol.js';

/** A request failed in the worker, or the worker died while it was pending. */
export class InferenceError extends Error {
  override readonly name = 'InferenceError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Options of `InferenceClient.start`. */
export interface InferenceClientOptions {
  readonly config: InferenceConfig;
  /** Worker entry; default the inference worker beside this module. Tests pass their own. */
  readonly workerUrl?: URL;
  /** Wait before starting a fresh worker after a crash, ms; default 500. */
  readonly restartDelayMs?: number;
}

/** Counters for the health screen. */
export interface InferenceStats {
  framesProcessed: number;
  /** Frames replaced by a newer one before the worker was free to take them. */
  framesDropped: number;
  workerRestarts: number;
}

type Pending = { resolve: (value: never) => void; reject: (error: Error) => void };

/** Background work waiting for the worker: it starts the request when its turn comes. */
type BackgroundJob = { readonly run: () => Promise<void>; readonly reject: (error: Error) => void };

/**
 * The main thread's side of the inference worker. Requests are numbered; a reply echoes its number. Frames go
 * through `submitLatest`: while the worker is busy only the newest frame waits, older ones are dropped, so no
 * queue grows behind a slow model. When the worker dies every pending request fails with `WORKER_EXITED`
 * and a fresh worker is started and initialised.
 *
 * The worker gets one request at a time, chosen here: the door's frames come before enrollment, import and
 * template-rebuild work (`analyse`, `extract`, `embedAligned`), which waits in its own queue. A frame waits for
 * at most the one request in progress, however much background work is queued; background work runs between
 * frames (one job after each frame while both wait), so it is slowed by the door but never stopped.
 */
export class InferenceClient {
  readonly stats: InferenceStats = { framesProcessed: 0, framesDropped: 0, workerRestarts: 0 };
  private worker!: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextSeq = 1;
  private closed = false;
  /** A request of `submitLatest` or the background queue is in the worker. */
  private busy = false;
  /** What was sent last, so a waiting frame and waiting background work take turns. */
  private lastSent: 'frame' | 'background' = 'background';
  private readonly background: BackgroundJob[] = [];
  /** The worker's id of the RGB it keeps of each frame given to analyseFrame. */
  private readonly heldFrames = new WeakMap<CameraFrame, number>();
  private waiting: { frame: CameraFrame; extractMinInterOcularPx: number | undefined; scorePassive: boolean; resolve: (result: ProcessResult | null) => void } | undefined;
  private readonly restartListeners = new Set<(reason: string) => void>();
  private ready: Promise<WorkerReplyValues['init']>;

  private constructor(private readonly options: InferenceClientOptions) {
    this.ready = this.spawn();
  }

  /** Starts the worker and loads the models; rejects if they cannot be loaded. */
  static async start(options: InferenceClientOptions): Promise<InferenceClient> {
    const client = new InferenceClient(options);
    try {
      await client.ready;
    } catch (error) {
      await client.close();
      throw error;
    }
    return client;
  }

  /** Models and backend the worker runs. */
  async info(): Promise<WorkerReplyValues['init']> {
    return this.ready;
  }

  /** Called after a crashed worker was replaced, with the reason. */
  onRestart(listener: (reason: string) => void): () => void {
    this.restartListeners.add(listener);
    return () => this.restartListeners.delete(listener);
  }

  /**
   * Processes a frame, unless a newer one arrives before the worker is free: then this one resolves null
   * (dropped). Templates are computed for faces at least `extractMinInterOcularPx` apart at the eyes, and with
   * them the passive liveness checks unless `scorePassive` is false (no decision can ask for them now).
   */
  submitLatest(frame: CameraFrame, extractMinInterOcularPx?: number, scorePassive = true): Promise<ProcessResult | null> {
    return new Promise((resolve) => {
      if (this.waiting) {
        this.stats.framesDropped++;
        this.waiting.resolve(null);
      }
      this.waiting = { frame, extractMinInterOcularPx, scorePassive, resolve };
      // After the frame's other listeners (the preview copies its pixels): a frame sent now is taken from them.
      queueMicrotask(() => this.pump());
    });
  }

  /**
   * Every face of an image, judged (enrollment: photos, live frames). Background work: queued, never dropped,
   * and a door frame goes first. The pixels are copied, so the caller keeps its image.
   */
  analyse(image: RgbImage): Promise<AnalysisResult> {
    const copy = copyImage(image);
    return this.schedule(() => this.call('analyse', { image: copy }));
  }

  /**
   * Every face of a camera frame, judged (live enrollment). The frame's pixels are taken now and transferred, not
   * copied; the worker converts them and keeps the RGB for `extractFrame`. Background work like `analyse`.
   */
  analyseFrame(frame: CameraFrame): Promise<AnalysisResult> {
    const pixels = frame.takePixels();
    if (!pixels) return Promise.reject(new InferenceError('FRAME_GONE', `the pixels of frame ${frame.seq} were already taken`));
    return this.schedule(async () => {
      const result = await this.call('analyse-frame', { pixels }, [pixels.data.buffer as ArrayBuffer]);
      this.heldFrames.set(frame, result.pixelsId);
      return result;
    });
  }

  /** The template, aligned crop and estimated age of one face of `analyseFrame(frame)`, from the RGB the worker kept; background work. */
  extractFrame(frame: CameraFrame, face: AnalysedFace): Promise<Extraction> {
    const pixelsId = this.heldFrames.get(frame);
    if (pixelsId === undefined) return Promise.reject(new InferenceError('FRAME_GONE', `frame ${frame.seq} was not analysed with analyseFrame`));
    return this.schedule(() => this.call('extract-held', { pixelsId, face }));
  }

  /**
   * A JPEG of a face, with `marginRatio` of its box on every side, cut from a processed frame the worker still holds
   * (`ProcessResult.pixelsId`) and encoded there; background work.
   */
  snapshot(pixelsId: number, boxNorm: BoxNorm, options: { readonly marginRatio: number; readonly jpegQuality: number }): Promise<Uint8Array> {
    return this.schedule(() => this.call('snapshot', { pixelsId, boxNorm, marginRatio: options.marginRatio, jpegQuality: options.jpegQuality }));
  }

  /** The template, aligned crop and estimated age of one face of `analyse(image)`; background work like `analyse`. */
  extract(image: RgbImage, face: AnalysedFace): Promise<Extraction> {
    const copy = copyImage(image);
    return this.schedule(() => this.call('extract', { image: copy, face }));
  }

  /** The template of a stored aligned crop, cut with `alignment`, by the worker's extractor (template rebuild); background work. */
  async embedAligned(alignedJpeg: Uint8Array, alignment: AlignmentTemplate): Promise<Float32Array> {
    return (await this.schedule(() => this.call('embed-aligned', { alignedJpeg, alignment }))).vector;
  }

  /** The estimated age, years, of a stored aligned crop cut with `alignment` (samples that have none yet); background work. */
  estimateAgeAligned(alignedJpeg: Uint8Array, alignment: AlignmentTemplate): Promise<number> {
    return this.schedule(() => this.call('age-aligned', { alignedJpeg, alignment }));
  }

  /** Background requests waiting for the worker (enrollment, import, template rebuild). */
  get backgroundQueued(): number {
    return this.background.length;
  }

  /** Queues background work; it starts when pump gives it its turn. */
  private schedule<T>(send: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new InferenceError('CLOSED', 'the inference client is closed'));
    return new Promise<T>((resolve, reject) => {
      this.background.push({ run: () => send().then(resolve, reject), reject });
      this.pump();
    });
  }

  /** Hands the worker its next request when it is free: a waiting frame, unless background work had no turn since the last frame. */
  private pump(): void {
    if (this.busy || this.closed) return;
    const job = this.background[0];
    if (job && (!this.waiting || this.lastSent === 'frame')) {
      this.background.shift();
      this.busy = true;
      this.lastSent = 'background';
      void job.run().finally(() => {
        this.busy = false;
        this.pump();
      });
      return;
    }
    if (!this.waiting) return;
    const { frame, extractMinInterOcularPx, scorePassive, resolve } = this.waiting;
    this.waiting = undefined;
    // The camera's buffer itself goes to the worker (transferred, not copied), which converts it there.
    const pixels = frame.takePixels();
    if (!pixels) {
      // Taken by someone else (a live enrollment): nothing to process.
      this.stats.framesDropped++;
      resolve(null);
      this.pump();
      return;
    }
    this.busy = true;
    this.lastSent = 'frame';
    this.call('process', { frame: { seq: frame.seq, timestampMs: frame.timestampMs, pixels }, extractMinInterOcularPx, ...(scorePassive ? {} : { scorePassive }) }, [pixels.data.buffer as ArrayBuffer])
      .then(
        (result) => {
          this.stats.framesProcessed++;
          resolve(result);
        },
        // A frame lost to a crash is a dropped frame: the camera loop goes on with the next one.
        () => {
          this.stats.framesDropped++;
          resolve(null);
        },
      )
      .finally(() => {
        this.busy = false;
        this.pump();
      });
  }

  /** Sends one request and waits for its reply. */
  private async call<T extends WorkerRequest['type']>(
    type: T,
    body: Omit<Extract<WorkerRequest, { type: T }>, 'type' | 'seq'>,
    transfer: ArrayBuffer[] = [],
  ): Promise<WorkerReplyValues[T]> {
    if (type !== 'init') await this.ready;
    if (this.closed && type !== 'close') throw new InferenceError('CLOSED', 'the inference client is closed');
    const seq = this.nextSeq++;
    return new Promise<WorkerReplyValues[T]>((resolve, reject) => {
      this.pending.set(seq, { resolve: resolve as (value: never) => void, reject });
      try {
        this.worker.postMessage({ type, seq, ...body }, transfer);
      } catch (error) {
        // E.g. a buffer to transfer that was already transferred: no reply will come.
        this.pending.delete(seq);
        reject(error as Error);
      }
    });
  }

  private spawn(): Promise<WorkerReplyValues['init']> {
    this.worker = createWorker(this.options.workerUrl ?? defaultWorkerUrl());
    const worker = this.worker;
    worker.on('message', (reply: WorkerReply) => {
      const pending = this.pending.get(reply.seq);
      if (!pending) return;
      this.pending.delete(reply.seq);
      if (reply.ok) pending.resolve(reply.value as never);
      else pending.reject(new InferenceError(reply.error.code, reply.error.message));
    });
    worker.on('error', () => undefined);
    worker.on('exit', (exitCode) => {
      if (worker !== this.worker) return;
      const reason = `the inference worker exited (code ${exitCode})`;
      for (const pending of this.pending.values()) pending.reject(new InferenceError('WORKER_EXITED', reason));
      this.pending.clear();
      if (this.closed) return;
      this.stats.workerRestarts++;
      setTimeout(() => {
        if (this.closed) return;
        this.ready = this.spawn();
        this.ready.then(
          () => {
            for (const listener of this.restartListeners) listener(reason);
            this.pump();
          },
          () => undefined,
        );
      }, this.options.restartDelayMs ?? 500);
    });
    return this.call('init', { config: this.options.config });
  }

  /** Closes the models and stops the worker; pending requests fail with `WORKER_EXITED`. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.waiting?.resolve(null);
    this.waiting = undefined;
    for (const job of this.background.splice(0)) job.reject(new InferenceError('CLOSED', 'the inference client is closed'));
    const worker = this.worker;
    await Promise.race([this.call('close', {}).catch(() => null), new Promise((resolve) => setTimeout(resolve, 2000))]);
    await worker.terminate();
  }
}

function copyImage(image: RgbImage): RgbImage {
  return { widthPx: image.widthPx, heightPx: image.heightPx, data: image.data.slice() };
}

function defaultWorkerUrl(): URL {
  // Sources run through tsx (tests, development) and compiled JavaScript (dist/) name the entry differently.
  return new URL(import.meta.url.endsWith('.ts') ? './inference.worker.ts' : './inference.worker.js', import.meta.url);
}

/**
 * Starts a worker thread on `url`. A TypeScript entry (development, tests) gets tsx's loader registered inside
 * the worker first: worker threads do not inherit the loader hooks of the thread that starts them.
 */
export function createWorker(url: URL): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(bootstrap, { eval: true });
}
