import { alignFace, templatePointsPx, type AlignmentTemplate, type FivePoints } from '../align/align-face.js';
import type { InferenceBackend, ModelSession } from '../backend/inference-backend.js';
import type { RgbImage } from '../frame/rgb-image.js';
import { ManifestError, type ResolvedModel } from '../models/manifest.js';

/**
 * A face estimated younger than this, years, counts as a young child's. Measured with `lintel eval age` on
 * FairFace (models/README.md, "Young children"): most infants and a third of 3–9-year-olds fall under it, under 1 %
 * of adults.
 */
export const YOUNG_CHILD_UNDER_YEARS = 6;

/**
 * An age estimator of the manifest, loaded: the face is cut on the model's own alignment template (whatever the
 * recogniser's), and the estimated age in years comes out. Enrollment uses it to tell a young child's face, which
 * recognisers confuse with other children's (models/README.md, "Young children").
 */
export class AgeEstimator {
  private constructor(
    private readonly session: ModelSession,
    private readonly template: AlignmentTemplate,
    readonly modelId: string,
  ) {}

  /** Loads `model`; a model that is not an age estimator, or has no alignment template, is a ManifestError. */
  static async load(model: ResolvedModel, backend: InferenceBackend): Promise<AgeEstimator> {
    const { id, entry } = model;
    if (entry.role !== 'age' || entry.decoding.kind !== 'age') throw new ManifestError(`model ${id} is a ${entry.role}, not an age estimator`);
    if (!entry.alignment || entry.alignment.sizePx !== entry.input.widthPx || entry.input.widthPx !== entry.input.heightPx) {
      throw new ManifestError(`age estimator ${id} needs an alignment template of its input size`);
    }
    return new AgeEstimator(await backend.load(model), entry.alignment, id);
  }

  /** The estimated age, years, of the face whose five points (image pixels) are given. */
  async estimateYears(image: RgbImage, fivePointsPx: FivePoints): Promise<number> {
    const { crop } = alignFace(image, fivePointsPx, this.template);
    const [output] = await this.session.run(crop);
    const years = output?.data[0];
    if (years === undefined || !Number.isFinite(years)) throw new Error(`age estimator ${this.modelId} gave no age`);
    return Math.max(0, years);
  }

  /** The estimated age, years, of a stored aligned crop cut with `cropTemplate` (e.g. a recogniser's). */
  async estimateYearsFromCrop(crop: RgbImage, cropTemplate: AlignmentTemplate): Promise<number> {
    return this.estimateYears(crop, templatePointsPx(cropTemplate));
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}
