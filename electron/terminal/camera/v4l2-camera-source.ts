import type { Syscalls } from '../../../native-bridge/libc/syscalls.js';
import type { V4l2Camera, V4l2CameraOptions, V4l2Frame } from '../../../native-bridge/v4l2/v4l2-camera.js';
import { decodeImageBuffer } from '../../vision/frame/decode.js';
import type { RawFrame } from '../../vision/frame/raw-frame.js';
import { CameraBase, cameraFrame } from './camera.js';

/** Options of a V4L2 camera source. */
export interface V4l2CameraSourceOptions {
  readonly uri: string;
  readonly devicePath: string;
  readonly format: 'NV12' | 'YUYV' | 'MJPG';
  readonly widthPx: number;
  readonly heightPx: number;
  /** No frame for this long means the camera is offline, ms; default 2000. */
  readonly frameTimeoutMs?: number;
  /** Wait before reopening a camera that failed, ms; default 2000. */
  readonly retryDelayMs?: number;
  /** System calls; default the real ones (tests pass a fake device). */
  readonly sys?: Syscalls;
}

/**
 * A V4L2 camera (a UVC webcam, or an RK3568 ISP node) as a `Camera`: NV12 and YUYV frames are delivered as the
 * driver gave them (converted in the inference worker, not on this thread), MJPEG decoded to RGB; only the newest
 * is kept. An unplugged or stalled camera goes `offline` with the reason and is reopened until it works.
 */
export class V4l2CameraSource extends CameraBase {
  private camera: V4l2Camera | undefined;
  private loop: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private seq = 0;
  private readonly frameTimesMs: number[] = [];

  constructor(private readonly options: V4l2CameraSourceOptions) {
    super(options.uri);
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.retryTimer);
    this.camera?.close();
    await this.loop;
    this.camera = undefined;
    this.events.setState({ status: 'stopped' });
  }

  protected async open(): Promise<void> {
    if (!this.running) return;
    try {
      // koffi loads with this module: only a terminal configured for V4L2 pays for it.
      const { V4l2Camera } = await import('../../../native-bridge/v4l2/v4l2-camera.js');
      const options: V4l2CameraOptions = { devicePath: this.options.devicePath, widthPx: this.options.widthPx, heightPx: this.options.heightPx, fourcc: this.options.format };
      this.camera = V4l2Camera.open(options, this.options.sys ? { sys: this.options.sys } : {});
      this.loop = this.capture(this.camera);
    } catch (error) {
      this.goOffline(error as Error);
    }
  }

  private async capture(camera: V4l2Camera): Promise<void> {
    let live = false;
    while (this.running && this.camera === camera) {
      let frame: V4l2Frame;
      try {
        frame = await camera.nextFrame(this.options.frameTimeoutMs ?? 2000);
      } catch (error) {
        if (this.running) this.goOffline(error as Error);
        camera.close();
        return;
      }
      let pixels: RawFrame;
      try {
        pixels = await this.pixelsOf(frame);
      } catch {
        // A corrupt MJPEG frame happens on USB cameras: skip it, the next one is 33 ms away.
        continue;
      }
      const nowMs = Date.now();
      this.frameTimesMs.push(nowMs);
      if (this.frameTimesMs.length > 30) this.frameTimesMs.shift();
      if (!live || this.frameTimesMs.length % 30 === 0) {
        live = true;
        const spanMs = nowMs - (this.frameTimesMs[0] ?? nowMs);
        this.events.setState({ status: 'live', fps: spanMs > 0 ? ((this.frameTimesMs.length - 1) * 1000) / spanMs : 0 });
      }
      // The driver's timestamps count from boot (CLOCK_MONOTONIC); frames carry wall-clock time like every source.
      // The frame's buffer is its own (copied out of the driver's mmap buffer): it moves to the worker as it is.
      this.events.emitFrame(cameraFrame(this.seq++, nowMs, pixels, { owned: true }));
    }
  }

  private async pixelsOf(frame: V4l2Frame): Promise<RawFrame> {
    if (frame.fourcc === 'MJPG') {
      // Decoded by libvips on libuv's threads; the JS thread only waits.
      const image = await decodeImageBuffer(frame.data, `${this.options.devicePath} frame ${frame.sequence}`);
      return { format: 'RGB24', widthPx: image.widthPx, heightPx: image.heightPx, data: image.data };
    }
    if (frame.fourcc !== 'NV12' && frame.fourcc !== 'YUYV') throw new Error(`cannot convert ${frame.fourcc} frames`);
    return { format: frame.fourcc, widthPx: frame.widthPx, heightPx: frame.heightPx, strideBytes: frame.strideBytes, data: frame.data };
  }

  private goOffline(error: Error): void {
    this.camera = undefined;
    if (!this.running) return;
    const retryDelayMs = this.options.retryDelayMs ?? 2000;
    this.events.setState({ status: 'offline', reason: error.message, retryAtMs: Date.now() + retryDelayMs });
    this.retryTimer = setTimeout(() => void this.open(), retryDelayMs);
  }
}
