import type { InferenceBackend, ModelSession } from '../backend/inference-backend.js';
import type { RgbImage } from '../frame/rgb-image.js';
import { ManifestError, type LivenessDecoding, type ResolvedModel } from '../models/manifest.js';

/**
 * A liveness classifier of the manifest, loaded: a crop of the model's input size goes in, the probability of
 * the "real" class comes out (index and activation from the manifest). How the crop is cut is the caller's.
 */
export class LivenessModel {
  private constructor(
    private readonly session: ModelSession,
    /** The manifest's decoding: crop scale, real class, activation. */
    readonly decoding: LivenessDecoding,
    /** Input width of the model, px. */
    readonly widthPx: number,
    /** Input height of the model, px. */
    readonly heightPx: number,
    readonly modelId: string,
  ) {}

  /** Loads `model`; a model whose role is not liveness is a ManifestError. */
  static async load(model: ResolvedModel, backend: InferenceBackend): Promise<LivenessModel> {
    const { id, entry } = model;
    if (entry.role !== 'liveness' || entry.decoding.kind !== 'liveness') throw new ManifestError(`model ${id} is a ${entry.role}, not a liveness check`);
    const session = await backend.load(model);
    return new LivenessModel(session, entry.decoding, entry.input.widthPx, entry.input.heightPx, id);
  }

  /** The real-face probability of `crop` (widthPx × heightPx), clamped to 0..1. */
  async realProbability(crop: RgbImage): Promise<number> {
    const [output] = await this.session.run(crop);
    const { realIndex, activation } = this.decoding;
    if (output === undefined || realIndex >= output.data.length) throw new Error(`liveness model ${this.modelId} gave no value at index ${realIndex}`);
    const score = activation === 'softmax' ? softmaxAt(output.data, realIndex) : (output.data[realIndex] as number);
    return Math.min(1, Math.max(0, score));
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
