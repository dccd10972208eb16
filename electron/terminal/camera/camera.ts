import type { z } from 'zod';

import type { DeepReadonly } from '../../shared/contract/handler.js';
import type { cameraStateSchema } from '../../shared/contract/schemas.js';
import type { RawFrame } from '../../vision/frame/raw-frame.js';
import type { RgbImage } from '../../vision/frame/rgb-image.js';

/**
 * One camera frame, its pixels as the camera delivered them (NV12 or YUYV from a V4L2 node, RGB from a file):
 * they are converted where they are used, in the inference worker, never on the main thread.
 *
 * The pixels are lent to the `onFrame` listeners while they run: a listener may read or copy them then. Afterwards
 * one consumer may take them (`takePixels`) and move their buffer to a worker without copying it; from then on the
 * frame's `pixels` are empty.
 */
export interface CameraFrame {
  /** Increases by one per frame the source delivered, including frames nobody consumed. */
  readonly seq: number;
  /** When the frame was captured (or, for a file source, shown), ms since the epoch. */
  readonly timestampMs: number;
  readonly pixels: RawFrame;
  /**
   * The pixels, with a buffer of their own that may be transferred to a worker; undefined once taken. A frame
   * whose pixels are shared (a file camera's clip, shown again on every loop) gives a copy and stays whole.
   */
  takePixels(): RawFrame | undefined;
}

/**
 * A frame of `pixels`. `owned`: the frame's buffer is its own (a V4L2 frame copied out of the driver's), so
 * `takePixels` hands it over; otherwise (default) it hands over a copy.
 */
export function cameraFrame(seq: number, timestampMs: number, pixels: RawFrame, options: { readonly owned?: boolean } = {}): CameraFrame {
  let current: RawFrame | undefined = pixels;
  const { data } = pixels;
  // Only a view of its whole buffer can be moved without taking other bytes (or pool memory) with it.
  const movable = options.owned === true && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer;
  return {
    seq,
    timestampMs,
    get pixels(): RawFrame {
      return current ?? { ...pixels, data: new Uint8Array(0) };
    },
    takePixels(): RawFrame | undefined {
      if (!movable) return { ...pixels, data: copyOf(pixels.data) };
      const taken = current;
      current = undefined;
      return taken;
    },
  };
}

/** A copy of the bytes in a buffer of its own (a Buffer's `slice` would be a view of the same memory). */
export function copyOf(data: Uint8Array): Uint8Array {
  return new Uint8Array(data);
}

/** A frame of a packed RGB image (a file camera's, a test's); its pixels are shared unless `owned`. */
export function rgbCameraFrame(seq: number, timestampMs: number, image: RgbImage, options: { readonly owned?: boolean } = {}): CameraFrame {
  return cameraFrame(seq, timestampMs, { format: 'RGB24', widthPx: image.widthPx, heightPx: image.heightPx, data: image.data }, options);
}

/** What a camera is doing, for the health screen and the door screen's "camera offline". */
export type CameraState = DeepReadonly<z.output<typeof cameraStateSchema>>;

/**
 * A frame source. It keeps only the newest frame: a slow consumer gets the latest one and skips the rest,
 * so no queue grows. A source that fails goes `offline` with a reason and retries by itself; it never throws
 * out of its loop.
 */
export interface Camera {
  /** The URI the camera was configured with. */
  readonly uri: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly state: CameraState;
  /** The newest frame, or undefined before the first. */
  latest(): CameraFrame | undefined;
  /** Called on every new frame; returns a function that unsubscribes. */
  onFrame(listener: (frame: CameraFrame) => void): () => void;
  /** Called when the state changes; returns a function that unsubscribes. */
  onState(listener: (state: CameraState) => void): () => void;
}

/** Listener bookkeeping and state shared by camera implementations. */
export class CameraEvents {
  private readonly frameListeners = new Set<(frame: CameraFrame) => void>();
  private readonly stateListeners = new Set<(state: CameraState) => void>();
  private latestFrame: CameraFrame | undefined;
  private currentState: CameraState = { status: 'stopped' };

  get state(): CameraState {
    return this.currentState;
  }

  latest(): CameraFrame | undefined {
    return this.latestFrame;
  }

  onFrame(listener: (frame: CameraFrame) => void): () => void {
    this.frameListeners.add(listener);
    return () => this.frameListeners.delete(listener);
  }

  onState(listener: (state: CameraState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  emitFrame(frame: CameraFrame): void {
    this.latestFrame = frame;
    for (const listener of this.frameListeners) listener(frame);
  }

  setState(state: CameraState): void {
    this.currentState = state;
    for (const listener of this.stateListeners) listener(state);
  }
}

/** What every camera shares: its URI, its listeners, its state and its newest frame. */
export abstract class CameraBase implements Camera {
  protected readonly events = new CameraEvents();
  /** Between start() and stop(): a failed source keeps retrying while this holds. */
  protected running = false;

  constructor(readonly uri: string) {}

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.events.setState({ status: 'starting' });
    await this.open();
  }

  /** Opens the source and starts delivering frames; a failure goes offline and retries, it never throws. */
  protected abstract open(): Promise<void>;

  abstract stop(): Promise<void>;

  get state(): CameraState {
    return this.events.state;
  }

  latest(): CameraFrame | undefined {
    return this.events.latest();
  }

  onFrame(listener: (frame: CameraFrame) => void): () => void {
    return this.events.onFrame(listener);
  }

  onState(listener: (state: CameraState) => void): () => void {
    return this.events.onState(listener);
  }
}
