import { performance } from 'node:perf_hooks';

import type { InferenceBackend } from '../backend/inference-backend.js';
import type { RgbImage } from '../frame/rgb-image.js';
import { boxToPx, type BoxNorm } from '../geometry/point.js';
import { resolveModel, type LoadedManifest } from '../models/manifest.js';
import { MiniFasNetFusion } from './minifasnet.js';

/**
 * The checks "passive" liveness runs, as `lintel eval pad --checks` names them: the first scores, the others may
 * only veto. Chosen by `lintel eval pad` on Replay-Attack devel (README, "Presentation attacks").
 */
export const PASSIVE_CHECKS = ['minifasnet'] as const;

/** The MiniFASNet models fused, by manifest id. */
export const PASSIVE_MODEL_IDS = ['minifasnet-v2', 'minifasnet-v1se'] as const;

/** Options of `PassiveLivenessCheck.create`. */
export interface PassiveLivenessOptions {
  /** The manifest, with `addedModelsDir` where the administrator added MiniFASNet. */
  readonly manifest: LoadedManifest;
  readonly backend: InferenceBackend;
}

/** One face's passive liveness. */
export interface PassiveLivenessResult {
  /** Real-face score, 0..1 (mean of the MiniFASNet softmax "real" probabilities); 0 when a veto rejected the face. */
  readonly score: number;
  /** The check that decided the score: `minifasnet`, or the veto that rejected the face. */
  readonly cue: string;
  readonly durationMs: number;
}

/**
 * Passive presentation-attack detection for one face, the way the terminal runs it: MiniFASNet V2 + V1SE on the
 * face's landmark box, fused as upstream does. It may only reject: a score at or above the threshold is not a
 * pass on its own, the active challenge still has to be met (a print passes passive checks too often).
 */
export class PassiveLivenessCheck {
  private constructor(private readonly fusion: MiniFasNetFusion) {}

  /** Loads the MiniFASNet models; throws ModelNotAddedError where the administrator has not added them. */
  static async create(options: PassiveLivenessOptions): Promise<PassiveLivenessCheck> {
    const models = PASSIVE_MODEL_IDS.map((id) => resolveModel(options.manifest, id));
    return new PassiveLivenessCheck(await MiniFasNetFusion.create({ models, backend: options.backend }));
  }

  /** The model ids it runs. */
  get modelIds(): string[] {
    return this.fusion.modelIds;
  }

  /** Passive liveness of the face whose landmark box is `face.boxNorm` (normalised to `image`). */
  async score(image: RgbImage, face: { readonly boxNorm: BoxNorm }): Promise<PassiveLivenessResult> {
    const startMs = performance.now();
    const boxPx = boxToPx(face.boxNorm, image.widthPx, image.heightPx);
    const { score } = await this.fusion.score(image, boxPx);
    return { score, cue: 'minifasnet', durationMs: performance.now() - startMs };
  }

  async close(): Promise<void> {
    await this.fusion.close();
  }
}
