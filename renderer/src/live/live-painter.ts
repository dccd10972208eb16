// The requestAnimationFrame loop of a live view: takes the newest frame and analysis from the feed, decodes the
// JPEG off the main thread (createImageBitmap on a Blob: no data: URL to fetch, nothing for the CSP to refuse)
// and paints when something changed. An analysis is drawn over the frame it describes while that frame is the
// newest, else over the newest frame, and not at all once it is a second older than the frame on screen.
import type { ChallengePrompt } from '../store/types.js';
import type { LiveFeed } from './live-feed.js';
import { drawAnalysis, drawEnrollmentBox, drawFrame } from './draw-overlay.js';
import type { AnalysisMessage, EnrollmentFeedbackMessage } from './live-feed.js';
import { fitContain } from './overlay-geometry.js';

/** An overlay this much older than the frame shown would be a ghost; it is not drawn, ms. */
const OVERLAY_MAX_AGE_MS = 1_000;

export interface LivePainterOptions {
  /** Show the image as a mirror would (and the overlay with it). */
  readonly mirrored: boolean;
  /** `door`: faces with names and hints; `enroll`: the box of the face being enrolled. */
  readonly mode: 'door' | 'enroll';
  /** The enrollment session whose face box to draw (mode `enroll`). */
  readonly enrollmentSessionId?: string | undefined;
  /** The running liveness challenges, read at each animation frame and drawn under their faces (mode `door`). */
  readonly challenges?: () => readonly ChallengePrompt[];
  /** Whether to draw what a technician needs (track numbers), read at each animation frame; default not. */
  readonly diagnostics?: () => boolean;
}

interface DecodedFrame {
  readonly seq: number;
  readonly timestampMs: number;
  readonly bitmap: ImageBitmap;
}

function base64ToBytes(base64: string): Uint8Array<ArrayBuffer> {
  const native = (Uint8Array as unknown as { fromBase64?: (text: string) => Uint8Array<ArrayBuffer> }).fromBase64;
  if (native) return native(base64);
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export class LivePainter {
  private readonly context: CanvasRenderingContext2D | null;
  private frame: DecodedFrame | null = null;
  private framePainted = false;
  private analysis: AnalysisMessage | null = null;
  private analysisPainted = false;
  private enrollment: EnrollmentFeedbackMessage | null = null;
  private challenges: readonly ChallengePrompt[] = [];
  private diagnostics = false;
  private decoding = false;
  private dirty = true;
  private stopped = false;
  private frameRequest = 0;
  private readonly resizeObserver: ResizeObserver;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly feed: LiveFeed,
    private readonly options: LivePainterOptions,
  ) {
    this.context = canvas.getContext('2d', { alpha: false });
    this.resizeObserver = new ResizeObserver(() => this.resize());
  }

  start(): void {
    this.resizeObserver.observe(this.canvas);
    this.resize();
    this.frameRequest = requestAnimationFrame(this.tick);
  }

  stop(): void {
    this.stopped = true;
    cancelAnimationFrame(this.frameRequest);
    this.resizeObserver.disconnect();
    this.frame?.bitmap.close();
    this.frame = null;
  }

  private resize(): void {
    const pixelRatio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(this.canvas.clientWidth * pixelRatio));
    const height = Math.max(1, Math.round(this.canvas.clientHeight * pixelRatio));
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
      this.dirty = true;
    }
  }

  private readonly tick = (): void => {
    if (this.stopped) return;
    this.pull();
    if (this.dirty) this.paint();
    this.frameRequest = requestAnimationFrame(this.tick);
  };

  private pull(): void {
    // One decode at a time: frames arriving meanwhile replace each other in the feed, so a slow decode skips
    // frames instead of queueing them.
    if (!this.decoding) {
      const message = this.feed.takeFrame();
      if (message) this.decode(message.seq, message.timestampMs, message.jpegBase64);
    }
    const analysis = this.feed.takeAnalysis();
    if (analysis) {
      this.analysis = analysis;
      this.analysisPainted = false;
      this.dirty = true;
    }
    const challenges = this.options.challenges?.() ?? this.challenges;
    if (challenges !== this.challenges) {
      this.challenges = challenges;
      this.dirty = true;
    }
    const diagnostics = this.options.diagnostics?.() ?? false;
    if (diagnostics !== this.diagnostics) {
      this.diagnostics = diagnostics;
      this.dirty = true;
    }
    if (this.options.mode === 'enroll') {
      const feedback = this.feed.enrollmentFeedback;
      if (feedback !== this.enrollment) {
        this.enrollment = feedback;
        this.dirty = true;
      }
    }
  }

  private decode(seq: number, timestampMs: number, jpegBase64: string): void {
    this.decoding = true;
    let blob: Blob;
    try {
      blob = new Blob([base64ToBytes(jpegBase64)], { type: 'image/jpeg' });
    } catch {
      this.decoding = false;
      return;
    }
    createImageBitmap(blob)
      .then((bitmap) => {
        if (this.stopped) {
          bitmap.close();
          return;
        }
        this.frame?.bitmap.close();
        this.frame = { seq, timestampMs, bitmap };
        this.framePainted = false;
        this.dirty = true;
      })
      // A frame that does not decode is skipped; the next one will do.
      .catch(() => undefined)
      .finally(() => {
        this.decoding = false;
      });
  }

  private paint(): void {
    this.dirty = false;
    const context = this.context;
    if (!context) return;
    const { width, height } = this.canvas;
    context.fillStyle = '#000';
    context.fillRect(0, 0, width, height);
    const frame = this.frame;
    if (!frame) return;
    const pixelRatio = window.devicePixelRatio || 1;
    const imageRect = fitContain(frame.bitmap.width, frame.bitmap.height, width, height);
    drawFrame(context, frame.bitmap, imageRect, this.options.mirrored);
    if (!this.framePainted) {
      this.framePainted = true;
      this.feed.metrics.framePainted();
    }

    if (this.options.mode === 'door') {
      const analysis = this.analysis;
      if (analysis && Math.abs(frame.timestampMs - analysis.timestampMs) <= OVERLAY_MAX_AGE_MS) {
        // Hints are read from a distance: at the decision text's size (5vmin), whatever the camera picture's size.
        const hintFontPx = Math.round(Math.min(window.innerWidth, window.innerHeight) * 0.05 * pixelRatio);
        drawAnalysis(context, analysis, imageRect, this.options.mirrored, pixelRatio, this.challenges, { diagnostics: this.diagnostics, hintFontPx });
        if (!this.analysisPainted) {
          this.analysisPainted = true;
          this.feed.metrics.overlayPainted(analysis.faces.length, analysis.timestampMs, Date.now(), performance.now());
        }
      }
    } else {
      const feedback = this.enrollment;
      if (
        feedback &&
        feedback.sessionId === this.options.enrollmentSessionId &&
        feedback.feedback.faceBoxNorm &&
        Math.abs(frame.timestampMs - feedback.timestampMs) <= OVERLAY_MAX_AGE_MS
      ) {
        drawEnrollmentBox(context, feedback.feedback.faceBoxNorm, feedback.feedback.hint === 'ok', imageRect, this.options.mirrored, pixelRatio);
      }
    }
  }
}
