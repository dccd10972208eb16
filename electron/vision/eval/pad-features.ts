/**
 * The per-frame measurements `lintel eval pad` caches: each passive model's score and each cue's raw measure of
 * the largest face, with its time. Checks (pad-eval.ts) are computed from these, so a re-run with another
 * combination of checks measures nothing again.
 */
import { performance } from 'node:perf_hooks';

import type { InferenceBackend } from '../backend/inference-backend.js';
import type { RgbImage } from '../frame/rgb-image.js';
import { boxToNorm, iou, type BoxPx } from '../geometry/point.js';
import { measureDeviceEdges } from '../liveness/device-edges.js';
import { FACE_COLOUR_MEASURES, FACE_COLOUR_READERS, isFaceColourMeasure, measureFaceColour, type FaceColour } from '../liveness/face-colour.js';
import { measureGlare } from '../liveness/glare.js';
import { LivenessChecker } from '../liveness/liveness-checker.js';
import { scaleBox } from '../liveness/luma-region.js';
import { MiniFasNet } from '../liveness/minifasnet.js';
import { measureMoire } from '../liveness/moire.js';
import { resolveModel, type LoadedManifest } from '../models/manifest.js';
import type { FacePipeline } from '../pipeline/face-pipeline.js';

/** Version of the measurements below: bump it when one changes, so caches made before are measured again. */
export const PAD_FEATURES_VERSION = 1;

/** Every per-frame measurement, by id. */
export const PAD_FEATURES = [
  'antispoof-128',
  'liveness-32',
  'minifasnet-v2',
  'minifasnet-v1se',
  'minifasnet-v2@detector',
  'minifasnet-v1se@detector',
  'minifasnet-v2@mesh1.2',
  'edges',
  'glare-blob',
  'glare-fraction',
  'glare-blob-face',
  'glare-blob-1.2',
  'moire-peak',
  'moire-hf',
  ...FACE_COLOUR_MEASURES,
] as const;
export type PadFeature = (typeof PAD_FEATURES)[number];

/** The largest face's FaceMesh landmarks in one frame, as the clip checks (pad-clip-checks.ts) read them. */
export interface FrameLandmarks {
  /** 468 × (x, y normalised to the image, z in image widths). */
  readonly meshNorm: Float32Array;
  readonly widthPx: number;
  readonly heightPx: number;
}

/** The faces of one frame: the largest face's landmark box and the detector's box for it. */
export interface FrameFaces {
  /** Faces the pipeline confirmed. */
  readonly faceCount: number;
  /** The largest face's landmark (FaceMesh) bounding box, px; absent when no face. */
  readonly meshBoxPx?: BoxPx;
  /** The BlazeFace box that overlaps it most, px. */
  readonly detectorBoxPx?: BoxPx;
  /** The largest face's landmarks; absent when no face. */
  readonly landmarks?: FrameLandmarks;
}

/** Measures frames for `eval pad`: finds faces once, then any feature on request. */
export interface PadFrameMeasurer {
  faces(image: RgbImage): Promise<FrameFaces>;
  /** One feature of the largest face, and its time in ms. */
  measure(feature: PadFeature, image: RgbImage, faces: FrameFaces): Promise<{ value: number; durationMs: number }>;
  close(): Promise<void>;
}

/** Which model runs on which box (scaled by boxScale around its centre, default 1) for each model feature. */
const MODEL_FEATURES: Partial<Record<PadFeature, { modelId: string; box: 'mesh' | 'detector'; kind: 'checker' | 'minifasnet'; boxScale?: number }>> = {
  'antispoof-128': { modelId: 'antispoof-128', box: 'mesh', kind: 'checker' },
  'liveness-32': { modelId: 'liveness-32', box: 'mesh', kind: 'checker' },
  'minifasnet-v2': { modelId: 'minifasnet-v2', box: 'mesh', kind: 'minifasnet' },
  'minifasnet-v1se': { modelId: 'minifasnet-v1se', box: 'mesh', kind: 'minifasnet' },
  'minifasnet-v2@detector': { modelId: 'minifasnet-v2', box: 'detector', kind: 'minifasnet' },
  'minifasnet-v1se@detector': { modelId: 'minifasnet-v1se', box: 'detector', kind: 'minifasnet' },
  'minifasnet-v2@mesh1.2': { modelId: 'minifasnet-v2', box: 'mesh', kind: 'minifasnet', boxScale: 1.2 },
};

/**
 * A measurer over `pipeline` (faces) and the manifest's liveness models, each loaded on first use (a model the
 * administrator has not added fails only the checks that need it).
 */
export function createPadFrameMeasurer(pipeline: FacePipeline, manifest: LoadedManifest, backend: InferenceBackend): PadFrameMeasurer {
  const checkers = new Map<string, Promise<LivenessChecker | MiniFasNet>>();
  // The six colour features come from one measurement: made once per image.
  const colours = new WeakMap<RgbImage, FaceColour>();
  const colourOf = (image: RgbImage, boxPx: BoxPx): FaceColour => {
    let colour = colours.get(image);
    if (!colour) {
      colour = measureFaceColour(image, boxPx);
      colours.set(image, colour);
    }
    return colour;
  };
  const model = (modelId: string, kind: 'checker' | 'minifasnet'): Promise<LivenessChecker | MiniFasNet> => {
    let loading = checkers.get(`${kind}:${modelId}`);
    if (!loading) {
      const resolved = resolveModel(manifest, modelId);
      loading = kind === 'checker' ? LivenessChecker.create({ model: resolved, backend }) : MiniFasNet.create({ model: resolved, backend });
      checkers.set(`${kind}:${modelId}`, loading);
    }
    return loading;
  };
  return {
    async faces(image) {
      const [{ detections }, { faces }] = [await pipeline.detector.detect(image), await pipeline.analyse(image)];
      const face = faces[0];
      if (!face) return { faceCount: 0 };
      const meshBoxPx = {
        x: face.boxNorm.x * image.widthPx,
        y: face.boxNorm.y * image.heightPx,
        width: face.boxNorm.width * image.widthPx,
        height: face.boxNorm.height * image.heightPx,
      };
      let detectorBoxPx: BoxPx | undefined;
      let bestOverlap = 0;
      for (const detection of detections) {
        const overlap = iou(detection.boxPx, meshBoxPx);
        if (overlap > bestOverlap) {
          bestOverlap = overlap;
          detectorBoxPx = detection.boxPx;
        }
      }
      const landmarks = { meshNorm: face.meshNorm, widthPx: image.widthPx, heightPx: image.heightPx };
      return { faceCount: faces.length, meshBoxPx, ...(detectorBoxPx ? { detectorBoxPx } : {}), landmarks };
    },
    async measure(feature, image, faces) {
      const meshBoxPx = faces.meshBoxPx;
      if (!meshBoxPx) throw new Error(`no face to measure ${feature} on`);
      const modelFeature = MODEL_FEATURES[feature];
      if (modelFeature) {
        const checker = await model(modelFeature.modelId, modelFeature.kind);
        const boxPx = scaleBox(modelFeature.box === 'detector' ? (faces.detectorBoxPx ?? meshBoxPx) : meshBoxPx, modelFeature.boxScale ?? 1);
        if (checker instanceof LivenessChecker) {
          const { score, durationMs } = await checker.score(image, boxToNorm(boxPx, image.widthPx, image.heightPx));
          return { value: score, durationMs };
        }
        const { score, durationMs } = await checker.score(image, boxPx);
        return { value: score, durationMs };
      }
      const startMs = performance.now();
      let value: number;
      switch (feature) {
        case 'edges':
          value = measureDeviceEdges(image, meshBoxPx).longestLineRatio;
          break;
        case 'glare-blob':
          value = measureGlare(image, meshBoxPx).largestBlobFraction;
          break;
        case 'glare-blob-face':
          value = measureGlare(image, meshBoxPx, { regionScale: 1 }).largestBlobFraction;
          break;
        case 'glare-blob-1.2':
          value = measureGlare(image, meshBoxPx, { regionScale: 1.2 }).largestBlobFraction;
          break;
        case 'glare-fraction':
          value = measureGlare(image, meshBoxPx).highlightFraction;
          break;
        case 'moire-peak':
          value = measureMoire(image, meshBoxPx).peakToMedian;
          break;
        case 'moire-hf':
          value = measureMoire(image, meshBoxPx).highFrequencyRatio;
          break;
        default:
          if (!isFaceColourMeasure(feature)) throw new Error(`no measurement for ${feature}`);
          value = FACE_COLOUR_READERS[feature](colourOf(image, meshBoxPx));
      }
      return { value, durationMs: performance.now() - startMs };
    },
    async close() {
      const loaded = await Promise.allSettled(checkers.values());
      await Promise.all(loaded.map(async (result) => (result.status === 'fulfilled' ? result.value.close() : undefined)));
    },
  };
}
