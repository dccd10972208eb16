import { performance } from 'node:perf_hooks';

import type { InferenceBackend } from '../backend/inference-backend.js';
import type { RgbImage } from '../frame/rgb-image.js';
import type { BoxPx } from '../geometry/point.js';
import { warpAffine } from '../geometry/warp.js';
import type { ResolvedModel } from '../models/manifest.js';
import { LivenessModel } from './liveness-model.js';

/** Options of `MiniFasNet.create`. */
export interface MiniFasNetOptions {
  /** A MiniFASNet entry of the manifest (`minifasnet-v2`, `minifasnet-v1se`): crop scale and class from there. */
  readonly model: ResolvedModel;
  readonly backend: InferenceBackend;
}

/** Inclusive pixel bounds of a crop, as upstream slices `img[top:bottom+1, left:right+1]`. */
export interface CropBoundsPx {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

/**
 * The crop Silent-Face-Anti-Spoofing (`CropImage._get_new_box`) cuts for a face box: the box scaled by `scale`
 * around its centre, keeping its aspect ratio, the scale first lowered until the box fits in the image, then
 * shifted (not shrunk) back inside it; bounds truncated to whole pixels, right/bottom inclusive.
 */
export function upstreamCropBounds(imageWidthPx: number, imageHeightPx: number, boxPx: BoxPx, scale: number): CropBoundsPx {
  const fitScale = Math.min((imageHeightPx - 1) / boxPx.height, (imageWidthPx - 1) / boxPx.width, scale);
  const newWidth = boxPx.width * fitScale;
  const newHeight = boxPx.height * fitScale;
  const centreX = boxPx.x + boxPx.width / 2;
  const centreY = boxPx.y + boxPx.height / 2;
  let left = centreX - newWidth / 2;
  let top = centreY - newHeight / 2;
  let right = centreX + newWidth / 2;
  let bottom = centreY + newHeight / 2;
  if (left < 0) {
    right -= left;
    left = 0;
  }
  if (top < 0) {
    bottom -= top;
    top = 0;
  }
  if (right > imageWidthPx - 1) {
    left -= right - imageWidthPx + 1;
    right = imageWidthPx - 1;
  }
  if (bottom > imageHeightPx - 1) {
    top -= bottom - imageHeightPx + 1;
    bottom = imageHeightPx - 1;
  }
  return { left: Math.trunc(left), top: Math.trunc(top), right: Math.trunc(right), bottom: Math.trunc(bottom) };
}

/**
 * The crop resized to widthPx × heightPx the way cv2.resize (INTER_LINEAR) maps pixels: half-pixel centres, the
 * crop's edge pixels replicated beyond it.
 */
export function cutUpstreamCrop(image: RgbImage, bounds: CropBoundsPx, widthPx: number, heightPx: number): RgbImage {
  const scaleX = widthPx / (bounds.right + 1 - bounds.left);
  const scaleY = heightPx / (bounds.bottom + 1 - bounds.top);
  return warpAffine(image, [scaleX, 0, -bounds.left * scaleX, 0, scaleY, -bounds.top * scaleY], widthPx, heightPx, { border: 'replicate' });
}

/**
 * One MiniFASNet (Silent-Face-Anti-Spoofing, minivision, Apache-2.0) run per face: the upstream crop of the face
 * box, 80×80, BGR 0..255 (all from the manifest), → 3 logits → softmax; the score is the "real" class.
 */
export class MiniFasNet {
  private constructor(private readonly model: LivenessModel) {}

  static async create(options: MiniFasNetOptions): Promise<MiniFasNet> {
    return new MiniFasNet(await LivenessModel.load(options.model, options.backend));
  }

  /** The manifest id of the model. */
  get modelId(): string {
    return this.model.modelId;
  }

  /** The crop scale around the face box (2.7 for V2, 4.0 for V1SE). */
  get cropScale(): number {
    return this.model.decoding.cropScale;
  }

  /** The real-face probability (0..1) of the face in `boxPx` (pixels of `image`), and how long it took. */
  async score(image: RgbImage, boxPx: BoxPx): Promise<{ score: number; durationMs: number }> {
    const startMs = performance.now();
    const bounds = upstreamCropBounds(image.widthPx, image.heightPx, boxPx, this.cropScale);
    const score = await this.model.realProbability(cutUpstreamCrop(image, bounds, this.model.widthPx, this.model.heightPx));
    return { score, durationMs: performance.now() - startMs };
  }

  async close(): Promise<void> {
    await this.model.close();
  }
}

/**
 * MiniFASNet V2 and V1SE together, as upstream fuses them: the mean of their softmax "real" probabilities, 0..1.
 */
export class MiniFasNetFusion {
  private constructor(private readonly nets: readonly MiniFasNet[]) {}

  /** Loads every model of `models` (V2 and V1SE); a model that fails to load releases those that did. */
  static async create(options: { readonly models: readonly ResolvedModel[]; readonly backend: InferenceBackend }): Promise<MiniFasNetFusion> {
    if (options.models.length === 0) throw new RangeError('MiniFasNetFusion needs at least one model');
    const loaded = await Promise.allSettled(options.models.map((model) => MiniFasNet.create({ model, backend: options.backend })));
    const failure = loaded.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    const nets = loaded.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    if (failure) {
      await Promise.all(nets.map((net) => net.close()));
      throw failure.reason;
    }
    return new MiniFasNetFusion(nets);
  }

  get modelIds(): string[] {
    return this.nets.map((net) => net.modelId);
  }

  /** The mean real-face probability (0..1), each model's, and the time of all. */
  async score(image: RgbImage, boxPx: BoxPx): Promise<{ score: number; byModel: Record<string, number>; durationMs: number }> {
    const startMs = performance.now();
    const byModel: Record<string, number> = {};
    let sum = 0;
    for (const net of this.nets) {
      const { score } = await net.score(image, boxPx);
      byModel[net.modelId] = score;
      sum += score;
    }
    return { score: sum / this.nets.length, byModel, durationMs: performance.now() - startMs };
  }

  async close(): Promise<void> {
    await Promise.all(this.nets.map((net) => net.close()));
  }
}
