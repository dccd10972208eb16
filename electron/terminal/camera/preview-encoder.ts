import type { Worker } from 'node:worker_threads';

import type { RawFrame } from '../../vision/frame/raw-frame.js';
import { createWorker } from '../inference/inference-client.js';

/** A frame to encode: its pixels travel by transfer. */
export interface PreviewRequest {
  readonly seq: number;
  readonly pixels: RawFrame;
  readonly targetWidthPx: number;
  readonly jpegQuality: number;
}

/** The preview worker's answer. */
export type PreviewReply =
  | { readonly seq: number; readonly ok: true; readonly widthPx: number; readonly heightPx: number; readonly jpegBase64: string }
  | { readonly seq: number; readonly ok: false; readonly message: string };

/** A preview JPEG, as base64, and its size. */
export interface Preview {
  readonly widthPx: number;
  readonly heightPx: number;
  readonly jpegBase64: string;
}

/**
 * The main thread's side of the preview worker (preview.worker.ts), which converts, scales and JPEG-encodes the
 * live view's frames. Started on the first frame; a worker that dies fails what it had and is started afresh on
 * the next frame. Unreferenced: it never keeps the process alive.
 */
export class PreviewEncoder {
  private worker: Worker | undefined;
  private nextSeq = 1;
  private readonly pending = new Map<number, { resolve: (preview: Preview) => void; reject: (error: Error) => void }>();

  constructor(private readonly workerUrl: URL = defaultWorkerUrl()) {}

  /** Encodes `pixels` (their buffer is transferred: the caller gives it up) at most `targetWidthPx` wide. */
  encode(pixels: RawFrame, options: { readonly targetWidthPx: number; readonly jpegQuality: number }): Promise<Preview> {
    const worker = this.worker ?? this.start();
    const seq = this.nextSeq++;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      const request: PreviewRequest = { seq, pixels, targetWidthPx: options.targetWidthPx, jpegQuality: options.jpegQuality };
      worker.postMessage(request, [pixels.data.buffer as ArrayBuffer]);
    });
  }

  /** Stops the worker; what it had fails. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.failAll('the preview encoder was closed');
    await worker?.terminate();
  }

  private start(): Worker {
    const worker = createWorker(this.workerUrl);
    worker.unref();
    worker.on('message', (reply: PreviewReply) => {
      const pending = this.pending.get(reply.seq);
      if (!pending) return;
      this.pending.delete(reply.seq);
      if (reply.ok) pending.resolve({ widthPx: reply.widthPx, heightPx: reply.heightPx, jpegBase64: reply.jpegBase64 });
      else pending.reject(new Error(`preview: ${reply.message}`));
    });
    worker.on('error', () => undefined);
    worker.on('exit', (exitCode) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failAll(`the preview worker exited (code ${exitCode})`);
    });
    this.worker = worker;
    return worker;
  }

  private failAll(reason: string): void {
    for (const pending of this.pending.values()) pending.reject(new Error(reason));
    this.pending.clear();
  }
}

function defaultWorkerUrl(): URL {
  // Sources run through tsx (tests, development) and compiled JavaScript (dist/) name the entry differently.
  return new URL(import.meta.url.endsWith('.ts') ? './preview.worker.ts' : './preview.worker.js', import.meta.url);
}
