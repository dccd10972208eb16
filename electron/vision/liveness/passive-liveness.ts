import { performance } from 'node:perf_hooks';

import type { InferenceBackend } from '../backend/inference-backend.js';
import type { RgbImage } from '../frame/rgb-image.js';
import { boxToNorm, boxToPx, type BoxNorm } from '../geometry/point.js';
import { ManifestError, resolveModel, type LoadedManifest, type PassiveLivenessDefaults } from '../models/manifest.js';
import { measureGlare } from './glare.js';
import { LivenessChecker } from './liveness-checker.js';
import { MiniFasNet } from './minifasnet.js';

/** Options of `PassiveLivenessCheck.create`. */
export interface PassiveLivenessOptions {
  /** The manifest (with `addedModelsDir` where the administrator added the model); `defaults.passiveLiveness` says what runs. */
  readonly manifest: LoadedManifest;
  readonly backend: InferenceBackend;
}

/** What decided a passive result: the model's score, or the glare veto. */
export type PassiveCue = 'model' | 'glare';

/** One face's passive liveness. */
export interface PassiveLivenessResult {
  /** Real-face score, 0..1 (the model's); 0 when a veto rejected the face. */
  readonly score: number;
  /** What decided the score: `model`, or `glare` when the glare veto rejected the face. */
  readonly cue: PassiveCue;
  readonly durationMs: number;
}

/**
 * The `lintel eval pad --checks` combination that measures what the terminal runs: the model, then its vetoes.
 */
export function passiveChecks(defaults: PassiveLivenessDefaults): string[] {
  return [defaults.model, ...(defaults.maxGlareBlobFraction !== undefined ? ['glare'] : [])];
}

/**
 * Passive presentation-attack detection for one face, the way the terminal runs it (manifest
 * `defaults.passiveLiveness`): a liveness model's real-face score (MiniFASNetV2 as shipped, with upstream's crop)
 * and a glare veto (a screen's or glossy print's specular blob around the face). It may only reject: a score at or
 * above `minScore` is no pass on its own, the active challenge must still be met (prints pass it too often).
 */
export class PassiveLivenessCheck {
  private constructor(
    private readonly model: MiniFasNet | LivenessChecker,
    readonly settings: PassiveLivenessDefaults,
  ) {}

  /**
   * Loads the model `defaults.passiveLiveness` names. Throws ManifestError when the manifest has no passive
   * liveness, ModelNotAddedError when the administrator has not added the model.
   */
  static async create(options: PassiveLivenessOptions): Promise<PassiveLivenessCheck> {
    const settings = options.manifest.manifest.defaults.passiveLiveness;
    if (!settings) throw new ManifestError(`${options.manifest.manifestPath} has no defaults.passiveLiveness: no passive liveness check can run`);
    const model = resolveModel(options.manifest, settings.model);
    const decoding = model.entry.decoding;
    const checker =
      decoding.kind === 'liveness' && decoding.crop === 'shift-inside'
        ? await MiniFasNet.create({ model, backend: options.backend })
        : await LivenessChecker.create({ model, backend: options.backend });
    return new PassiveLivenessCheck(checker, settings);
  }

  /** The id of the model it runs. */
  get modelId(): string {
    return this.model.modelId;
  }

  /** The score (0..1) at or above which the passive check does not reject, from the manifest. */
  get minScore(): number {
    return this.settings.minScore;
  }

  /** Passive liveness of the face whose landmark box is `face.boxNorm` (normalised to `image`). */
  async score(image: RgbImage, face: { readonly boxNorm: BoxNorm }): Promise<PassiveLivenessResult> {
    const startMs = performance.now();
    const boxPx = boxToPx(face.boxNorm, image.widthPx, image.heightPx);
    const { maxGlareBlobFraction } = this.settings;
    if (maxGlareBlobFraction !== undefined && measureGlare(image, boxPx).largestBlobFraction > maxGlareBlobFraction) {
      return { score: 0, cue: 'glare', durationMs: performance.now() - startMs };
    }
    const { score } =
      this.model instanceof MiniFasNet ? await this.model.score(image, boxPx) : await this.model.score(image, boxToNorm(boxPx, image.widthPx, image.heightPx));
    return { score, cue: 'model', durationMs: performance.now() - startMs };
  }

  async close(): Promise<void> {
    await this.model.close();
  }
}
