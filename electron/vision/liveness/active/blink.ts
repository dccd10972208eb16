import type { Point } from '../../geometry/point.js';
import { landmarkPx, type MeshObservation } from './mesh-observation.js';

/**
 * FaceMesh indices of the six eye-aspect-ratio points per eye (Soukupová & Čech 2016): p1 and p4 the corners,
 * p2/p6 and p3/p5 upper/lower lid pairs. "left"/"right" are as seen in the image (the image-left eye is the
 * person's right eye).
 */
export const EAR_INDICES = {
  left: [33, 160, 158, 133, 153, 144],
  right: [362, 385, 387, 263, 373, 380],
} as const;

const distance = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);

function earOf(observation: MeshObservation, indices: readonly number[]): number {
  const [p1, p2, p3, p4, p5, p6] = indices.map((index) => landmarkPx(observation, index)) as [Point, Point, Point, Point, Point, Point];
  const width = distance(p1, p4);
  return width > 0 ? (distance(p2, p6) + distance(p3, p5)) / (2 * width) : 0;
}

/** Eye aspect ratio of each eye (lid opening over eye width, pixels over pixels): ~0.25–0.35 open, → 0 closed. */
export function eyeAspectRatio(observation: MeshObservation): { left: number; right: number } {
  return { left: earOf(observation, EAR_INDICES.left), right: earOf(observation, EAR_INDICES.right) };
}

/** Options of BlinkDetector. */
export interface BlinkOptions {
  /** Frames whose median EAR is the open-eye baseline; default 2. */
  readonly baselineFrames?: number;
  /** A closure is a mean EAR below this fraction of the baseline; default 0.6. */
  readonly closedFraction?: number;
  /** A reopening is a mean EAR back above this fraction of the baseline; default 0.85. */
  readonly reopenedFraction?: number;
  /** Longest closure that still counts as a blink, ms; default 1000 (a blink lasts 100–400 ms). */
  readonly maxClosedMs?: number;
}

/**
 * Detects one blink: the mean EAR of both eyes falls below a fraction of the open-eye baseline (the first
 * frames) and comes back within maxClosedMs. Relative thresholds, because FaceMesh's open EAR varies with the
 * person and the pose far more than between open and closed.
 */
export class BlinkDetector {
  private readonly baselineFrames: number;
  private readonly closedFraction: number;
  private readonly reopenedFraction: number;
  private readonly maxClosedMs: number;
  private readonly baselineEars: number[] = [];
  private baseline: number | undefined;
  private closedAtMs: number | undefined;
  private lowestEar = Infinity;
  private done = false;

  constructor(options: BlinkOptions = {}) {
    this.baselineFrames = Math.max(1, options.baselineFrames ?? 2);
    this.closedFraction = options.closedFraction ?? 0.6;
    this.reopenedFraction = options.reopenedFraction ?? 0.85;
    this.maxClosedMs = options.maxClosedMs ?? 1000;
  }

  /** Adds one frame of the face. */
  push(observation: MeshObservation): void {
    if (this.done) return;
    const { left, right } = eyeAspectRatio(observation);
    const ear = (left + right) / 2;
    this.lowestEar = Math.min(this.lowestEar, ear);
    if (this.baseline === undefined) {
      this.baselineEars.push(ear);
      if (this.baselineEars.length >= this.baselineFrames) {
        const sorted = [...this.baselineEars].sort((a, b) => a - b);
        this.baseline = sorted[sorted.length >> 1];
      }
      return;
    }
    if (this.closedAtMs === undefined) {
      if (ear < this.baseline * this.closedFraction) this.closedAtMs = observation.timestampMs;
      // A closure seen in the baseline frames would lower the baseline: the next open frame raises it.
      else if (ear > this.baseline) this.baseline = ear;
      return;
    }
    if (ear > this.baseline * this.reopenedFraction) {
      if (observation.timestampMs - this.closedAtMs <= this.maxClosedMs) this.done = true;
      else this.closedAtMs = undefined;
    }
  }

  /** True once a closure followed by a reopening has been seen. */
  get blinked(): boolean {
    return this.done;
  }

  /** The open-eye baseline EAR, or undefined before the baseline frames. */
  get baselineEar(): number | undefined {
    return this.baseline;
  }

  /** The lowest mean EAR seen so far (Infinity before any frame). */
  get minEar(): number {
    return this.lowestEar;
  }
}
