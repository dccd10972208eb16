import { performance } from 'node:perf_hooks';

import type { InferenceBackend, ModelSession } from '../backend/inference-backend.js';
import type { RgbImage } from '../frame/rgb-image.js';
import { warpAffine } from '../geometry/warp.js';
import type { BoxNorm } from '../geometry/point.js';
import { ManifestError, type LivenessDecoding, type ResolvedModel } from '../models/manifest.js';

/** Options of `LivenessChecker.create`. */
export interface LivenessCheckerOptions {
  readonly model: ResolvedModel;
  readonly backend: InferenceBackend;
}

/**
 * A passive liveness check: the face box (enlarged by the manifest's crop scale) → a small classifier → the
 * probability that the face is a live one, 0..1. The models npm packages offer are weak hints, not a security
 * control: a printed photo or a screen can pass them.
 */
export class LivenessChecker {
  private constructor(
    private readonly session: ModelSession,
    private readonly decoding: LivenessDecoding,
    private readonly widthPx: number,
    private readonly heightPx: number,
    readonly modelId: string,
  ) {}

  static async create(options: LivenessCheckerOptions): Promise<LivenessChecker> {
    const { id, entry } = options.model;
    if (entry.role !== 'liveness' || entry.decoding.kind !== 'liveness') throw new ManifestError(`model ${id} is a ${entry.role}, not a liveness check`);
    const session = await options.backend.load(options.model);
    return new LivenessChecker(session, entry.decoding, entry.input.widthPx, entry.input.heightPx, id);
  }

  /** The live-face probability of the face in `boxNorm`, 0..1, and how long it took. */
  async score(image: RgbImage, boxNorm: BoxNorm): Promise<{ score: number; durationMs: number }> {
    const startMs = performance.now();
    const { cropScale } = this.decoding;
    const sidePx = Math.max(boxNorm.width * image.widthPx, boxNorm.height * image.heightPx) * cropScale;
    const centerX = (boxNorm.x + boxNorm.width / 2) * image.widthPx;
    const centerY = (boxNorm.y + boxNorm.height / 2) * image.heightPx;
    const scaleX = this.widthPx / sidePx;
    const scaleY = this.heightPx / sidePx;
    // An axis-aligned square around the face, scaled to the model's input.
    const crop = warpAffine(image, [scaleX, 0, this.widthPx / 2 - centerX * scaleX, 0, scaleY, this.heightPx / 2 - centerY * scaleY], this.widthPx, this.heightPx, {
      border: 'replicate',
    });
    const [output] = await this.session.run(crop);
    const { realIndex, activation } = this.decoding;
    if (output === undefined || realIndex >= output.data.length) throw new Error(`liveness model ${this.modelId} gave no value at index ${realIndex}`);
    const score = activation === 'softmax' ? softmaxAt(output.data, realIndex) : (output.data[realIndex] as number);
    return { score: Math.min(1, Math.max(0, score)), durationMs: performance.now() - startMs };
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}

/** The softmax probability of class `index` among `logits`, computed stably (max subtracted first). */
export function softmaxAt(logits: ArrayLike<number>, index: number): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i] as number);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp((logits[i] as number) - max);
  return Math.exp((logits[index] as number) - max) / sum;
}
