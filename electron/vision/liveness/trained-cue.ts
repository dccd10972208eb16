import { pushIntoWindow, spreadOverWindow } from './natural-motion.js';
import { padLinearClipFeatures, padLinearScore, usesMotion, type PadLinearFrame, type PadLinearWeights } from './pad-linear.js';

const frameTimeMs = (frame: PadLinearFrame): number => frame.mesh.timestampMs;

/** A trained passive cue as the door runs it: the weights and the logit at or above which a face passes. */
export type TrainedCueModel = PadLinearWeights & { readonly threshold: number };

/** Options of {@link TrainedCueFrames}. */
export interface TrainedCueFramesOptions {
  /** Span of frames a cue with natural-motion features is measured over, ms (the natural-motion cue's window). */
  readonly windowMs: number;
  /** Frames spread over that span; default 5, as the clips it is trained on. */
  readonly frames?: number;
  /** Frames kept at most for a cue without motion features (the frames seen until the identity agrees); default 60. */
  readonly maxFrames?: number;
}

/**
 * One track's frames for the trained cue. A cue with natural-motion features is measured, like the
 * natural-motion cue, on `frames` frames spread over the last `windowMs` (and waits until the frames span it);
 * the per-frame measures are averaged over those same frames. A cue without them averages every frame kept.
 */
export class TrainedCueFrames {
  private readonly kept: PadLinearFrame[] = [];
  private readonly windowMs: number;
  private readonly frames: number;
  private readonly maxFrames: number;
  /** Whether the cue reads natural motion, so waits for the window. */
  readonly needsWindow: boolean;

  constructor(
    private readonly cue: TrainedCueModel,
    options: TrainedCueFramesOptions,
  ) {
    if (!(options.windowMs > 0)) throw new RangeError(`windowMs must be positive, got ${options.windowMs}`);
    this.windowMs = options.windowMs;
    this.frames = options.frames ?? 5;
    this.maxFrames = options.maxFrames ?? 60;
    this.needsWindow = usesMotion(cue.features);
  }

  /** Adds a frame (its mesh's timestamps increasing). */
  push(frame: PadLinearFrame): void {
    if (this.needsWindow) pushIntoWindow(this.kept, frame, frameTimeMs, this.windowMs);
    else {
      this.kept.push(frame);
      if (this.kept.length > this.maxFrames) this.kept.shift();
    }
  }

  /** The frames the score is made of; undefined while a motion cue's frames span less than the window, or none is kept. */
  private chosen(): PadLinearFrame[] | undefined {
    if (this.kept.length === 0) return undefined;
    return this.needsWindow ? spreadOverWindow(this.kept, frameTimeMs, this.windowMs, this.frames) : [...this.kept];
  }

  /**
   * The cue's logit over the chosen frames: undefined while it must wait for its window, null when a feature
   * cannot be made (a frame without the measures), else the score (it refuses below `cue.threshold`).
   */
  score(): number | null | undefined {
    const frames = this.chosen();
    if (!frames) return undefined;
    return padLinearScore(this.cue, padLinearClipFeatures(frames, this.cue.features));
  }
}
