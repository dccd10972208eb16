import { median } from '../statistics.js';
import { eyeAspectRatio } from './active/blink.js';
import type { MeshObservation } from './active/mesh-observation.js';
import { planarityFrames, PLANARITY_INDICES } from './active/planarity.js';

/**
 * What a face's own small motion over a few frames shows, asking nothing of the person: a photo (print, photo
 * on a screen) is one rigid plane, so its rigid landmarks in any two frames fit one homography up to the mesh's
 * noise and its eyes keep their shape; a live face adds parallax and non-rigid change (blinks, lids).
 */
export interface NaturalMotion {
  /** Frames measured (those given). */
  readonly frames: number;
  /** Pairs of frames fitted: every pair, frames·(frames − 1)/2. */
  readonly pairs: number;
  /**
   * Median over every pair of frames of the planarity residual (assessPlanarity's: RMS distance of the rigid
   * landmarks from the best homography earlier → later frame, in 3-D inter-ocular distances of the earlier frame).
   */
  readonly residualIod: number;
  /** Largest minus smallest mean eye aspect ratio over the frames, over the largest (0 = unchanged, 1 = a full blink). */
  readonly earRange: number;
  /** √(residualIod · earRange): higher = more like a live face; 0 when either is 0. */
  readonly score: number;
}

/** Options of {@link measureNaturalMotion}. */
export interface NaturalMotionOptions {
  /** Landmarks the homographies are fitted on; default PLANARITY_INDICES (rigid parts only). */
  readonly indices?: readonly number[];
}

/**
 * The natural-motion figures of one face's frames, in time order (at least two; fewer give undefined).
 *
 * Every pair is fitted, not each frame against the first, so no single frame decides; the median over pairs
 * keeps one frame where the mesh slipped (it spoils frames − 1 of the pairs, fewer than half from 4 frames on)
 * from passing a photo. The eye aspect ratio's range adds the non-rigid part: still real faces show a residual
 * near the mesh's noise floor, and a blink or a narrowing of the lids tells them from a photo.
 */
export function measureNaturalMotion(observations: readonly MeshObservation[], options: NaturalMotionOptions = {}): NaturalMotion | undefined {
  if (observations.length < 2) return undefined;
  const indices = options.indices ?? PLANARITY_INDICES;
  const residuals: number[] = [];
  for (let i = 0; i < observations.length; i++) {
    for (let j = i + 1; j < observations.length; j++) residuals.push(planarityFrames([observations[i]!, observations[j]!], indices)[1]!.residualIod);
  }
  const ears = observations.map((o) => {
    const { left, right } = eyeAspectRatio(o);
    return (left + right) / 2;
  });
  const largestEar = Math.max(...ears);
  const earRange = largestEar > 0 ? (largestEar - Math.min(...ears)) / largestEar : 0;
  const residualIod = median(residuals.sort((a, b) => a - b));
  return { frames: observations.length, pairs: residuals.length, residualIod, earRange, score: Math.sqrt(residualIod * earRange) };
}

/** Options of {@link NaturalMotionWindow}. */
export interface NaturalMotionWindowOptions {
  /** Time the measured frames span, ms. */
  readonly windowMs: number;
  /** Frames measured, spread evenly over the window; default 5 (as `lintel eval pad` measures a clip). */
  readonly frames?: number;
}

/**
 * Adds `item` to `kept` (times increasing) and lets go of what is older than the window ending at it, but the one
 * frame that starts the window.
 */
export function pushIntoWindow<T>(kept: T[], item: T, timeMs: (item: T) => number, windowMs: number): void {
  kept.push(item);
  const startMs = timeMs(item) - windowMs;
  while (kept.length > 2 && timeMs(kept[1]!) <= startMs) kept.shift();
}

/**
 * For each of `frames` instants spread evenly over the window ending at the latest of `kept`, the item nearest in
 * time (each item once). Undefined while the items span less than the window.
 */
export function spreadOverWindow<T>(kept: readonly T[], timeMs: (item: T) => number, windowMs: number, frames: number): T[] | undefined {
  const first = kept[0];
  const last = kept.at(-1);
  if (first === undefined || last === undefined || timeMs(last) - timeMs(first) < windowMs) return undefined;
  const chosen = new Set<T>();
  for (let k = 0; k < frames; k++) {
    const atMs = timeMs(last) - windowMs + (k * windowMs) / (frames - 1);
    let nearest: T = first;
    for (const item of kept) if (Math.abs(timeMs(item) - atMs) < Math.abs(timeMs(nearest) - atMs)) nearest = item;
    chosen.add(nearest);
  }
  return [...chosen];
}

const meshTimeMs = (observation: MeshObservation): number => observation.timestampMs;

/**
 * One face's frames at the door, for the natural-motion cue: it keeps the last `windowMs` of them and measures
 * `frames` spread evenly over that time, as `lintel eval pad` measured clips (5 frames over 2–3 s) — neighbouring
 * frames at the door's rate differ too little for a live face to show its motion.
 */
export class NaturalMotionWindow {
  private readonly observations: MeshObservation[] = [];
  private readonly windowMs: number;
  private readonly frames: number;

  constructor(options: NaturalMotionWindowOptions) {
    if (!(options.windowMs > 0)) throw new RangeError(`windowMs must be positive, got ${options.windowMs}`);
    const frames = options.frames ?? 5;
    if (!Number.isInteger(frames) || frames < 2) throw new RangeError(`frames must be a whole number ≥ 2, got ${frames}`);
    this.windowMs = options.windowMs;
    this.frames = frames;
  }

  /** Adds a frame (timestamps increasing); frames older than the window's start are let go, but one that starts it. */
  push(observation: MeshObservation): void {
    pushIntoWindow(this.observations, observation, meshTimeMs, this.windowMs);
  }

  /** Frames kept. */
  get size(): number {
    return this.observations.length;
  }

  /**
   * The natural motion over the window ending at the latest frame: for each of `frames` instants spread evenly
   * over it, the frame nearest in time (each frame once). Undefined while the frames span less than the window.
   */
  measure(): NaturalMotion | undefined {
    const chosen = spreadOverWindow(this.observations, meshTimeMs, this.windowMs, this.frames);
    return chosen && measureNaturalMotion(chosen);
  }
}
