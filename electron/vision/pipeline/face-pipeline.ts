import { performance } from 'node:perf_hooks';

import { AgeEstimator } from '../age/age-estimator.js';
import type { AlignmentTemplate, FivePoints } from '../align/align-face.js';
import type { BackendName, InferenceBackend } from '../backend/inference-backend.js';
import { FaceDetector } from '../detector/face-detector.js';
import { FaceExtractor, type FaceTemplate } from '../extractor/face-extractor.js';
import { FaceFitter } from '../fitter/face-fitter.js';
import type { RgbImage } from '../frame/rgb-image.js';
import type { BoxNorm, Point } from '../geometry/point.js';
import { FaceMatcher } from '../matcher/face-matcher.js';
import { cosineSimilarity } from '../matcher/similarity.js';
import { ManifestError, preferredExtractorId, resolveModel, type LoadedManifest } from '../models/manifest.js';
import { assessFace, type FaceQuality } from '../quality/face-quality.js';

/** Options of `FacePipeline.create`; model ids default to the manifest's defaults. */
export interface FacePipelineOptions {
  readonly manifest: LoadedManifest;
  readonly backend: InferenceBackend;
  readonly detectorId?: string;
  readonly fitterId?: string;
  /** Default: the manifest's preferred extractor that is present, else its default (`preferredExtractorId`). */
  readonly extractorId?: string;
  /** Mesh passes per face; default 1 (see FaceFitterOptions). */
  readonly fitterPasses?: number;
  /** Average each template with its mirror image's; default the extractor's own (manifest `decoding.mirrorAverage`, else true). */
  readonly mirrorAverage?: boolean;
  /** Minimum detector score, 0..1; default from the manifest. */
  readonly minDetectorScore?: number;
  /** Most faces analysed per image, largest first; default 10. */
  readonly maxFaces?: number;
  /**
   * The age estimator `extract` runs when asked: for pipelines that enroll (the young-child check), the manifest's
   * `defaults.age`. Default none, so measurement and benchmark pipelines do not load it.
   */
  readonly ageEstimatorId?: string;
}

/** What `extract` gives for one face. */
export interface Extraction {
  readonly template: FaceTemplate;
  readonly alignedCrop: RgbImage;
  readonly alignment: AlignmentTemplate;
  readonly durationMs: number;
  /** Estimated age, years, when `extract` was asked for it and the pipeline has an age estimator. */
  readonly estimatedAgeYears?: number;
}

/** One analysed face. Coordinates are normalised to the image (0..1); see `toPx` for pixels. */
export interface AnalysedFace {
  readonly boxNorm: BoxNorm;
  /** Left eye, right eye, nose tip, left and right mouth corner, as seen in the image. */
  readonly fivePointsNorm: readonly Point[];
  /** The fitter's landmarks: (x, y) normalised to the image, z in units of the image width. */
  readonly meshNorm: Float32Array;
  readonly quality: FaceQuality;
}

/** Time of each stage of `analyse` for one image, ms (extraction reports its own time). */
export interface StageTimingsMs {
  detectMs: number;
  fitMs: number;
  qualityMs: number;
}

/** The result of `analyse`. */
export interface AnalysisResult {
  readonly widthPx: number;
  readonly heightPx: number;
  readonly faces: AnalysedFace[];
  readonly timingsMs: StageTimingsMs;
}

/** A normalised point in pixels of an image of the given size. */
export function toPx(point: Point, widthPx: number, heightPx: number): Point {
  return { x: point.x * widthPx, y: point.y * heightPx };
}

/** The five points of an analysed face in pixels of `image`, the one it was found in. */
export function fivePointsPx(face: AnalysedFace, image: RgbImage): FivePoints {
  return face.fivePointsNorm.map((point) => toPx(point, image.widthPx, image.heightPx)) as unknown as FivePoints;
}

/**
 * The vision pipeline: detector → fitter → quality, then on request alignment → extractor. Stages report
 * their times; nothing here knows which engine runs the networks.
 */
export class FacePipeline {
  private constructor(
    readonly detector: FaceDetector,
    readonly fitter: FaceFitter,
    readonly extractor: FaceExtractor,
    readonly backendName: InferenceBackend['name'],
    readonly minPresence: number,
    readonly modelIds: { detector: string; fitter: string; extractor: string },
    private readonly ageEstimator: AgeEstimator | null = null,
  ) {}

  static async create(options: FacePipelineOptions): Promise<FacePipeline> {
    const defaults = options.manifest.manifest.defaults;
    const detectorModel = resolveModel(options.manifest, options.detectorId ?? defaults.detector);
    const fitterModel = resolveModel(options.manifest, options.fitterId ?? defaults.fitter);
    const extractorModel = resolveModel(options.manifest, options.extractorId ?? preferredExtractorId(options.manifest));
    if (fitterModel.entry.decoding.kind !== 'facemesh') throw new ManifestError(`model ${fitterModel.id} is not a face fitter`);
    const minPresence = fitterModel.entry.decoding.minPresence;
    const { backend } = options;
    const stages = await Promise.allSettled([
      FaceDetector.create({ model: detectorModel, backend, minScore: options.minDetectorScore, maxFaces: options.maxFaces }),
      FaceFitter.create({ model: fitterModel, backend, passes: options.fitterPasses }),
      FaceExtractor.create({ model: extractorModel, backend, mirrorAverage: options.mirrorAverage }),
    ] as const);
    const [detectorStage, fitterStage, extractorStage] = stages;
    if (detectorStage.status === 'rejected' || fitterStage.status === 'rejected' || extractorStage.status === 'rejected') {
      // A long-running terminal retries after a failed start: sessions that did load must not leak.
      await Promise.all(stages.map(async (stage) => (stage.status === 'fulfilled' ? stage.value.close() : undefined)));
      const failure = stages.find((stage): stage is PromiseRejectedResult => stage.status === 'rejected');
      throw failure?.reason;
    }
    const [detector, fitter, extractor] = [detectorStage.value, fitterStage.value, extractorStage.value];
    let ageEstimator: AgeEstimator | null = null;
    if (options.ageEstimatorId) {
      try {
        ageEstimator = await AgeEstimator.load(resolveModel(options.manifest, options.ageEstimatorId), backend);
      } catch (error) {
        await Promise.all([detector.close(), fitter.close(), extractor.close()]);
        throw error;
      }
    }
    return new FacePipeline(
      detector,
      fitter,
      extractor,
      backend.name,
      minPresence,
      { detector: detectorModel.id, fitter: fitterModel.id, extractor: extractorModel.id },
      ageEstimator,
    );
  }

  /** Detects and fits every face, largest first; faces the fitter does not confirm are dropped. */
  async analyse(image: RgbImage): Promise<AnalysisResult> {
    const { widthPx, heightPx } = image;
    const timingsMs: StageTimingsMs = { detectMs: 0, fitMs: 0, qualityMs: 0 };
    const { detections, durationMs } = await this.detector.detect(image);
    timingsMs.detectMs = durationMs;
    const faces: AnalysedFace[] = [];
    for (const detection of detections) {
      const { landmarks, durationMs: fitMs } = await this.fitter.fit(image, detection);
      timingsMs.fitMs += fitMs;
      if (landmarks.presence < this.minPresence) continue;
      const qualityStartMs = performance.now();
      const quality = assessFace(image, { ...landmarks, detectorScore: detection.score });
      timingsMs.qualityMs += performance.now() - qualityStartMs;
      faces.push({
        boxNorm: meshBoxNorm(landmarks.meshPx, widthPx, heightPx),
        fivePointsNorm: landmarks.fivePointsPx.map((point) => ({ x: point.x / widthPx, y: point.y / heightPx })),
        meshNorm: normaliseMesh(landmarks.meshPx, widthPx, heightPx),
        quality,
      });
    }
    faces.sort((a, b) => b.quality.interOcularPx - a.quality.interOcularPx);
    return { widthPx, heightPx, faces, timingsMs };
  }

  /**
   * The template of one analysed face of `image`, with its aligned crop and the alignment that cut it; with
   * `estimateAge` (enrollment), also the face's estimated age where the pipeline has an age estimator.
   */
  async extract(image: RgbImage, face: AnalysedFace, options: { estimateAge?: boolean } = {}): Promise<Extraction> {
    const points = fivePointsPx(face, image);
    const extracted = await this.extractor.extract(image, points);
    if (!options.estimateAge || !this.ageEstimator) return extracted;
    return { ...extracted, estimatedAgeYears: await this.ageEstimator.estimateYears(image, points) };
  }

  /**
   * The estimated age, years, of a stored aligned crop cut with `alignment` (samples enrolled before estimates
   * were kept, or synced); a ManifestError where the pipeline has no age estimator.
   */
  async estimateAgeOfCrop(crop: RgbImage, alignment: AlignmentTemplate): Promise<number> {
    if (!this.ageEstimator) throw new ManifestError('this pipeline has no age estimator (the manifest names none in defaults.age)');
    return this.ageEstimator.estimateYearsFromCrop(crop, alignment);
  }

  /** The engine each stage's model runs on. */
  get engines(): { detector: BackendName; fitter: BackendName; extractor: BackendName } {
    return { detector: this.detector.engine, fitter: this.fitter.engine, extractor: this.extractor.engine };
  }

  /**
   * A matcher (1:1 and an empty 1:N gallery) for this pipeline's templates, with the extractor's thresholds and its
   * curve (match scores; mean templates compared as the door compares them).
   */
  createMatcher(): FaceMatcher {
    const curve = this.extractor.identification;
    return new FaceMatcher(this.extractor.modelId, this.extractor.dimension, this.extractor.thresholds, curve ? { curve } : {});
  }

  /** Cosine similarity of two templates of this pipeline's extractor, -1..1. */
  compare(a: FaceTemplate, b: FaceTemplate): number {
    if (a.modelId !== b.modelId) throw new Error(`templates from different models cannot be compared (${a.modelId} vs ${b.modelId})`);
    return cosineSimilarity(a.vector, b.vector);
  }

  async close(): Promise<void> {
    await Promise.all([this.detector.close(), this.fitter.close(), this.extractor.close(), this.ageEstimator?.close()]);
  }
}

/** The landmarks' bounding box, normalised and clamped to the image. */
function meshBoxNorm(meshPx: Float32Array, widthPx: number, heightPx: number): BoxNorm {
  let xMin = Infinity;
  let yMin = Infinity;
  let xMax = -Infinity;
  let yMax = -Infinity;
  for (let i = 0; i < meshPx.length; i += 3) {
    xMin = Math.min(xMin, meshPx[i] as number);
    xMax = Math.max(xMax, meshPx[i] as number);
    yMin = Math.min(yMin, meshPx[i + 1] as number);
    yMax = Math.max(yMax, meshPx[i + 1] as number);
  }
  const clamp = (value: number): number => Math.min(1, Math.max(0, value));
  const x = clamp(xMin / widthPx);
  const y = clamp(yMin / heightPx);
  return { x, y, width: clamp(xMax / widthPx) - x, height: clamp(yMax / heightPx) - y };
}

function normaliseMesh(meshPx: Float32Array, widthPx: number, heightPx: number): Float32Array {
  const meshNorm = new Float32Array(meshPx.length);
  for (let i = 0; i < meshPx.length; i += 3) {
    meshNorm[i] = (meshPx[i] as number) / widthPx;
    meshNorm[i + 1] = (meshPx[i + 1] as number) / heightPx;
    meshNorm[i + 2] = (meshPx[i + 2] as number) / widthPx;
  }
  return meshNorm;
}
