import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Readable } from 'node:stream';

import sharp from 'sharp';

import { decodeImageFile, MAX_DECODE_PIXELS } from '../../vision/frame/decode.js';
import type { RgbImage } from '../../vision/frame/rgb-image.js';
import { CameraBase, rgbCameraFrame } from './camera.js';

const STILL_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.bmp', '.tif', '.tiff']);
const ANIMATED_EXTENSIONS = new Set(['.gif', '.webp']);
const VIDEO_EXTENSIONS = new Set(['.mp4', '.mkv', '.avi', '.mov', '.webm', '.m4v']);

/** Options of a file camera. */
export interface FileCameraOptions {
  /** A folder of images, an animated GIF / WebP, or a video (played with ffmpeg where installed). */
  readonly path: string;
  /** Frames per second for a folder of images (default 10); animations and videos keep their own rate unless set. */
  readonly fps?: number;
  /** Start again at the end; default true. */
  readonly loop?: boolean;
  /** Wait before retrying a source that failed, ms; default 2000. */
  readonly retryDelayMs?: number;
  /** The URI to report; default `file:<path>`. */
  readonly uri?: string;
  /** How often a playing source is checked to be still there, ms; default 1000. */
  readonly watchIntervalMs?: number;
}

/** A decoded clip: frames with how long each is shown. */
interface Clip {
  readonly frames: readonly RgbImage[];
  readonly durationsMs: readonly number[];
}

/**
 * A camera that plays files: for demos, tests and machines without a camera. Frames come at the source's
 * real rate (a folder at `fps`), timestamped when shown. A missing or unreadable source is an `offline`
 * state with a reason, retried until it works or the camera stops; so is one that disappears while it plays
 * (a folder's frames are held in memory, so without the check a removed folder would play on as if live).
 */
export class FileCamera extends CameraBase {
  private timer: NodeJS.Timeout | undefined;
  private watcher: NodeJS.Timeout | undefined;
  private video: ChildProcessByStdio<null, Readable, Readable> | undefined;
  private seq = 0;

  constructor(private readonly options: FileCameraOptions) {
    super(options.uri ?? `file:${options.path}`);
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    clearInterval(this.watcher);
    this.video?.kill('SIGKILL');
    this.video = undefined;
    this.events.setState({ status: 'stopped' });
  }

  protected async open(): Promise<void> {
    if (!this.running) return;
    try {
      const info = await stat(this.options.path).catch((error: NodeJS.ErrnoException) => {
        throw new Error(error.code === 'ENOENT' ? `${this.options.path} does not exist` : `${this.options.path}: ${error.message}`);
      });
      const extension = extname(this.options.path).toLowerCase();
      if (info.isDirectory()) await this.playClip(await this.loadFolder());
      else if (ANIMATED_EXTENSIONS.has(extension)) await this.playClip(await this.loadAnimation());
      else if (VIDEO_EXTENSIONS.has(extension)) await this.playVideo();
      else if (STILL_EXTENSIONS.has(extension)) await this.playClip({ frames: [await decodeImageFile(this.options.path)], durationsMs: [1000 / (this.options.fps ?? 10)] });
      else throw new Error(`${this.options.path} is not a folder, image, animation or video this camera can play`);
    } catch (error) {
      this.goOffline((error as Error).message);
    }
  }

  private goOffline(reason: string): void {
    if (!this.running) return;
    const retryDelayMs = this.options.retryDelayMs ?? 2000;
    this.events.setState({ status: 'offline', reason, retryAtMs: Date.now() + retryDelayMs });
    this.timer = setTimeout(() => void this.open(), retryDelayMs);
  }

  private async loadFolder(): Promise<Clip> {
    const names = (await readdir(this.options.path)).filter((name) => STILL_EXTENSIONS.has(extname(name).toLowerCase())).sort();
    if (names.length === 0) throw new Error(`${this.options.path} holds no images (JPEG, PNG, WebP)`);
    const frames: RgbImage[] = [];
    // A bad file is skipped: one corrupt photo must not take the camera down.
    for (const name of names) frames.push(...(await decodeImageFile(join(this.options.path, name)).then((image) => [image], () => [])));
    if (frames.length === 0) throw new Error(`no image in ${this.options.path} could be decoded`);
    const frameMs = 1000 / (this.options.fps ?? 10);
    return { frames, durationsMs: frames.map(() => frameMs) };
  }

  private async loadAnimation(): Promise<Clip> {
    const source = sharp(this.options.path, { animated: true, failOn: 'error', limitInputPixels: MAX_DECODE_PIXELS });
    const metadata = await source.metadata();
    const pages = metadata.pages ?? 1;
    const widthPx = metadata.width ?? 0;
    const heightPx = metadata.pageHeight ?? metadata.height ?? 0;
    const { data } = await source.flatten({ background: '#000000' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const frameBytes = widthPx * heightPx * 3;
    if (widthPx === 0 || heightPx === 0 || data.length < frameBytes * pages) throw new Error(`${this.options.path}: cannot read its frames`);
    const frames = Array.from({ length: pages }, (_, page) => ({
      widthPx,
      heightPx,
      data: new Uint8Array(data.buffer, data.byteOffset + page * frameBytes, frameBytes),
    }));
    // GIF delays of 0 or 10 ms mean "as fast as possible" to browsers, which show them at 100 ms.
    const fallbackMs = 1000 / (this.options.fps ?? 10);
    const durationsMs = frames.map((_, page) => {
      if (this.options.fps) return 1000 / this.options.fps;
      const delayMs = metadata.delay?.[page] ?? 0;
      return delayMs > 10 ? delayMs : fallbackMs;
    });
    return { frames, durationsMs };
  }

  /** Checks the playing source is still there; when it is gone, playing stops and the camera goes offline. */
  private watchSource(): void {
    clearInterval(this.watcher);
    const watcher = setInterval(() => {
      stat(this.options.path).catch((error: NodeJS.ErrnoException) => {
        // A check that answers after the camera stopped or started over is about a source no longer played.
        if (!this.running || this.watcher !== watcher) return;
        clearInterval(watcher);
        clearTimeout(this.timer);
        const video = this.video;
        this.video = undefined;
        video?.kill('SIGKILL');
        this.goOffline(error.code === 'ENOENT' ? `${this.options.path} disappeared` : `${this.options.path}: ${error.message}`);
      });
    }, this.options.watchIntervalMs ?? 1000);
    watcher.unref();
    this.watcher = watcher;
  }

  private async playClip(clip: Clip): Promise<void> {
    const meanFrameMs = clip.durationsMs.reduce((sum, ms) => sum + ms, 0) / clip.durationsMs.length;
    this.events.setState({ status: 'live', fps: 1000 / meanFrameMs });
    this.watchSource();
    let index = 0;
    let dueMs = performance.now();
    const showNext = (): void => {
      if (!this.running) return;
      if (index >= clip.frames.length) {
        if (this.options.loop === false) {
          this.events.setState({ status: 'stopped' });
          return;
        }
        index = 0;
      }
      // Shared: the clip shows the same images on every loop, so whoever takes a frame's pixels gets a copy.
      this.events.emitFrame(rgbCameraFrame(this.seq++, Date.now(), clip.frames[index] as RgbImage));
      // Schedule against the clip's clock, not the previous timer, so the rate does not drift.
      dueMs += clip.durationsMs[index] as number;
      index++;
      this.timer = setTimeout(showNext, Math.max(0, dueMs - performance.now()));
    };
    showNext();
  }

  /** Plays a video through ffmpeg (`-re`: at its native rate) as raw RGB frames. */
  private async playVideo(): Promise<void> {
    const { widthPx, heightPx, fps } = await probeVideo(this.options.path);
    const rateArgs = this.options.fps ? ['-vf', `fps=${this.options.fps}`] : [];
    const child = spawn('ffmpeg', ['-v', 'error', '-re', '-i', this.options.path, ...rateArgs, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.video = child;
    this.events.setState({ status: 'live', fps: this.options.fps ?? fps });
    this.watchSource();
    const frameBytes = widthPx * heightPx * 3;
    let pending: Buffer = Buffer.alloc(0);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    child.stdout.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= frameBytes) {
        const data = new Uint8Array(frameBytes);
        data.set(pending.subarray(0, frameBytes));
        pending = pending.subarray(frameBytes);
        this.events.emitFrame(rgbCameraFrame(this.seq++, Date.now(), { widthPx, heightPx, data }, { owned: true }));
      }
    });
    child.on('close', (code) => {
      if (this.video !== child || !this.running) return;
      this.video = undefined;
      if (code === 0 && this.options.loop !== false) void this.playVideo().catch((error: Error) => this.goOffline(error.message));
      else if (code === 0) this.events.setState({ status: 'stopped' });
      else this.goOffline(`ffmpeg stopped playing ${this.options.path} (exit ${code}): ${stderr.trim() || 'no message'}`);
    });
  }
}

/** Width, height and frame rate of a video's first stream, from ffprobe. */
async function probeVideo(path: string): Promise<{ widthPx: number; heightPx: number; fps: number }> {
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,r_frame_rate', '-of', 'json', path]);
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(error.code === 'ENOENT' ? `ffmpeg is not installed: install it to play ${path}, or use a folder of images or a GIF` : error.message)),
    );
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`ffprobe cannot read ${path}`))));
  });
  const stream = (JSON.parse(output) as { streams?: { width?: number; height?: number; r_frame_rate?: string }[] }).streams?.[0];
  if (!stream?.width || !stream.height) throw new Error(`${path} has no video stream`);
  const [numerator, denominator] = (stream.r_frame_rate ?? '10/1').split('/').map(Number);
  return { widthPx: stream.width, heightPx: stream.height, fps: (numerator ?? 10) / (denominator || 1) };
}
