import { performance } from 'node:perf_hooks';

import type { InferenceBackend } from '../backend/inference-backend.js';
import type { RgbImage } from '../frame/rgb-image.js';
import { warpAffine } from '../geometry/warp.js';
import type { BoxNorm } from '../geometry/point.js';
import type { ResolvedModel } from '../models/manifest.js';
import { LivenessModel } from './liveness-model.js';

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
  private constructor(private readonly model: LivenessModel) {}

  static async create(options: LivenessCheckerOptions): Promise<LivenessChecker> {
    return new LivenessChecker(await LivenessModel.load(options.model, options.backend));
  }

  /** The manifest id of the model. */
  get modelId(): string {
    return this.model.modelId;
  }

  /** The live-face probability of the face in `boxNorm`, 0..1, and how long it took. */
  async score(image: RgbImage, boxNorm: BoxNorm): Promise<{ score: number; durationMs: number }> {
    const startMs = performance.now();
    const { decoding, widthPx, heightPx } = this.model;
    const sidePx = Math.max(boxNorm.width * image.widthPx, boxNorm.height * image.heightPx) * decoding.cropScale;
    const centerX = (boxNorm.x + boxNorm.width / 2) * image.widthPx;
    const centerY = (boxNorm.y + boxNorm.height / 2) * image.heightPx;
    const scaleX = widthPx / sidePx;
    const scaleY = heightPx / sidePx;
    // An axis-aligned square around the face, scaled to the model's input.
    const crop = warpAffine(image, [scaleX, 0, widthPx / 2 - centerX * scaleX, 0, scaleY, heightPx / 2 - centerY * scaleY], widthPx, heightPx, {
      border: 'replicate',
    });
    const score = await this.model.realProbability(crop);
    return { score, durationMs: performance.now() - startMs };
  }

  async close(): Promise<void> {
    await this.model.close();
  }
}
