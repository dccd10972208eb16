import { performance } from 'node:perf_hooks';

import { alignFace, templatePointsPx, type AlignmentTemplate, type FivePoints } from '../align/align-face.js';
import type { BackendName, InferenceBackend, ModelSession } from '../backend/inference-backend.js';
import { flipHorizontal, type RgbImage } from '../frame/rgb-image.js';
import { l2Normalize } from '../matcher/similarity.js';
import { ManifestError, mirrorAverageOf, type IdentificationCurve, type ResolvedModel } from '../models/manifest.js';

/** Options of `FaceExtractor.create`. */
export interface FaceExtractorOptions {
  readonly model: ResolvedModel;
  readonly backend: InferenceBackend;
  /**
   * Average the template of the aligned face with that of its mirror image; default true. The alignment
   * templates are symmetric, so the mirrored crop is a well-aligned face too, and the mean is less sensitive
   * to lighting from one side and to small alignment errors (it costs a second inference).
   */
  readonly mirrorAverage?: boolean;
}

/** A face template: L2-normalised, compared by cosine similarity, tagged with the model that made it. */
export interface FaceTemplate {
  readonly modelId: string;
  readonly vector: Float32Array;
}

/** Thresholds for this extractor's similarities (cosine, -1..1), from the manifest. */
export interface ExtractorThresholds {
  readonly verifySimilarity: number;
  readonly identifySimilarity: number;
}

/** The extractor stage: five points → aligned crop → network → L2-normalised template. */
export class FaceExtractor {
  private constructor(
    private readonly session: ModelSession,
    readonly modelId: string,
    readonly template: AlignmentTemplate,
    readonly thresholds: ExtractorThresholds,
    readonly dimension: number,
    /** Whether each template is averaged with its mirror image's (the caller's choice, else the model's). */
    readonly mirrorAverage: boolean,
    /** The manifest's identification curve: match scores, the 1:N threshold by gallery size, how mean templates compare. */
    readonly identification: IdentificationCurve | undefined,
  ) {}

  static async create(options: FaceExtractorOptions): Promise<FaceExtractor> {
    const { id, entry } = options.model;
    if (entry.role !== 'extractor' || entry.decoding.kind !== 'embedding' || !entry.alignment || !entry.thresholds) {
      throw new ManifestError(`model ${id} is a ${entry.role}, not a face extractor`);
    }
    const session = await options.backend.load(options.model);
    // A caller's choice (eval's --no-mirror) wins over the model's own.
    return new FaceExtractor(session, id, entry.alignment, entry.thresholds, entry.decoding.size, options.mirrorAverage ?? mirrorAverageOf(entry), entry.identification);
  }

  /** Aligns the face given by its five points and computes its template; `alignment` is the template that cut the crop. */
  async extract(image: RgbImage, fivePointsPx: FivePoints): Promise<{ template: FaceTemplate; alignedCrop: RgbImage; alignment: AlignmentTemplate; durationMs: number }> {
    const startMs = performance.now();
    const { crop } = alignFace(image, fivePointsPx, this.template);
    const template = await this.extractAligned(crop);
    return { template, alignedCrop: crop, alignment: this.template, durationMs: performance.now() - startMs };
  }

  /**
   * The template of a crop stored by an extractor aligned to `cropTemplate` (a rebuild after the extractor
   * changed). The face's five points sit at that template's positions in the crop, so warping them onto this
   * extractor's template is exact; only a tighter source crop could cut off face this one needs.
   */
  async extractFromCrop(crop: RgbImage, cropTemplate: AlignmentTemplate): Promise<FaceTemplate> {
    const same = cropTemplate.sizePx === this.template.sizePx && cropTemplate.fivePointsPx.every(([x, y], i) => x === this.template.fivePointsPx[i]?.[0] && y === this.template.fivePointsPx[i]?.[1]);
    if (same) return this.extractAligned(crop);
    return (await this.extract(crop, templatePointsPx(cropTemplate))).template;
  }

  /** Computes the template of an already aligned crop (e.g. one stored at enrollment, to rebuild templates). */
  async extractAligned(crop: RgbImage): Promise<FaceTemplate> {
    const [output] = await this.session.run(crop);
    if (!output) throw new Error(`extractor ${this.modelId} returned no output`);
    const vector = Float32Array.from(output.data);
    if (this.mirrorAverage) {
      const [mirrored] = await this.session.run(flipHorizontal(crop));
      if (!mirrored) throw new Error(`extractor ${this.modelId} returned no output`);
      // Sum of the two unit vectors: normalising each first gives both views the same weight.
      const a = l2Normalize(vector);
      const b = l2Normalize(Float32Array.from(mirrored.data));
      for (let i = 0; i < vector.length; i++) vector[i] = (a[i] as number) + (b[i] as number);
    }
    return { modelId: this.modelId, vector: l2Normalize(vector) };
  }

  /** The engine this stage's model runs on. */
  get engine(): BackendName {
    return this.session.backend;
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}
