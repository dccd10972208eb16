import { performance } from 'node:perf_hooks';

import type { BackendName, InferenceBackend, ModelSession, OutputTensor } from '../backend/inference-backend.js';
import { letterbox } from '../frame/resize.js';
import type { RgbImage } from '../frame/rgb-image.js';
import { applyAffine } from '../geometry/affine.js';
import type { BoxPx, Point } from '../geometry/point.js';
import { ManifestError, type BlazefaceDecoding, type ResolvedModel } from '../models/manifest.js';
import { generateAnchors, type Anchor } from './anchors.js';
import { weightedNms, type RawDetection } from './nms.js';

/** BlazeFace key points, in the order the network emits them (subject's right eye is on the image's left). */
export const BLAZEFACE_KEYPOINTS = ['rightEye', 'leftEye', 'noseTip', 'mouthCenter', 'rightEarTragion', 'leftEarTragion'] as const;

/** A face found by the detector, in source-image pixels. */
export interface FaceDetection {
  /** Detector confidence, 0..1. */
  readonly score: number;
  readonly boxPx: BoxPx;
  /** Six key points in BLAZEFACE_KEYPOINTS order. */
  readonly keypointsPx: readonly Point[];
}

/** Options of `FaceDetector.create`. */
export interface FaceDetectorOptions {
  readonly model: ResolvedModel;
  readonly backend: InferenceBackend;
  /** Minimum score, 0..1; default from the manifest. */
  readonly minScore?: number;
  /** IoU above which detections merge; default from the manifest. */
  readonly iouThreshold?: number;
  /** Most faces returned, best first; default 10. */
  readonly maxFaces?: number;
}

/** The face detector stage: letterboxed frame → BlazeFace → anchor decoding → weighted NMS. */
export class FaceDetector {
  private constructor(
    private readonly session: ModelSession,
    private readonly decoding: BlazefaceDecoding,
    private readonly inputSizePx: number,
    private readonly anchors: readonly Anchor[],
    private readonly minScore: number,
    private readonly iouThreshold: number,
    private readonly maxFaces: number,
  ) {}

  static async create(options: FaceDetectorOptions): Promise<FaceDetector> {
    const { entry } = options.model;
    if (entry.decoding.kind !== 'blazeface') throw new ManifestError(`model ${options.model.id} is not a BlazeFace detector`);
    if (entry.input.widthPx !== entry.input.heightPx) throw new Error(`model ${options.model.id}: BlazeFace input must be square`);
    const anchors = generateAnchors(entry.input.widthPx, entry.decoding.strides);
    const session = await options.backend.load(options.model);
    return new FaceDetector(
      session,
      entry.decoding,
      entry.input.widthPx,
      anchors,
      options.minScore ?? entry.decoding.minScore,
      options.iouThreshold ?? entry.decoding.iouThreshold,
      options.maxFaces ?? 10,
    );
  }

  /** Finds faces in an image; `durationMs` covers resizing, inference and decoding. */
  async detect(image: RgbImage): Promise<{ detections: FaceDetection[]; durationMs: number }> {
    const startMs = performance.now();
    const { image: input, transform } = letterbox(image, this.inputSizePx);
    const outputs = await this.session.run(input);
    const raw = decodeBlazeface(outputs, this.decoding, this.anchors, this.inputSizePx, this.minScore);
    const detections = weightedNms(raw, this.iouThreshold)
      // A box of (nearly) no size cannot be cropped for the fitter; a real face is never under a pixel.
      .filter((detection) => detection.xMaxPx - detection.xMinPx >= 1 && detection.yMaxPx - detection.yMinPx >= 1)
      .slice(0, this.maxFaces)
      .map((detection) => {
        const topLeft = applyAffine(transform, { x: detection.xMinPx, y: detection.yMinPx });
        const bottomRight = applyAffine(transform, { x: detection.xMaxPx, y: detection.yMaxPx });
        return {
          score: detection.score,
          boxPx: { x: topLeft.x, y: topLeft.y, width: bottomRight.x - topLeft.x, height: bottomRight.y - topLeft.y },
          keypointsPx: detection.keypointsPx.map((point) => applyAffine(transform, point)),
        };
      });
    return { detections, durationMs: performance.now() - startMs };
  }

  /** The engine this stage's model runs on. */
  get engine(): BackendName {
    return this.session.backend;
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}

function concatOutputs(outputs: readonly OutputTensor[], names: readonly string[]): Float32Array {
  const parts = names.map((name) => {
    const output = outputs.find((candidate) => candidate.name === name);
    if (!output) throw new Error(`detector output ${name} is missing`);
    return output.data;
  });
  const joined = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

/**
 * Decodes BlazeFace outputs into detections in model-input pixels (MediaPipe TensorsToDetections with
 * x/y/w/h scale = input size): box centre and key points are offsets from the anchor centre.
 */
export function decodeBlazeface(
  outputs: readonly OutputTensor[],
  decoding: BlazefaceDecoding,
  anchors: readonly Anchor[],
  inputSizePx: number,
  minScore: number,
): RawDetection[] {
  const scores = concatOutputs(outputs, decoding.scoreOutputs);
  const boxes = concatOutputs(outputs, decoding.boxOutputs);
  const valuesPerAnchor = 4 + 2 * decoding.keypointCount;
  if (scores.length !== anchors.length || boxes.length !== anchors.length * valuesPerAnchor) {
    throw new Error(`detector outputs hold ${scores.length} scores and ${boxes.length} box values for ${anchors.length} anchors`);
  }
  const clip = decoding.scoreClippingThreshold;
  // Compare logits, not probabilities: one sigmoid per kept anchor instead of one per anchor.
  const minLogit = Math.log(minScore / (1 - minScore));
  const detections: RawDetection[] = [];
  for (let i = 0; i < anchors.length; i++) {
    const logit = Math.max(-clip, Math.min(clip, scores[i] as number));
    if (logit < minLogit) continue;
    const anchor = anchors[i] as Anchor;
    const base = i * valuesPerAnchor;
    const xCenterPx = (boxes[base] as number) + anchor.xCenter * inputSizePx;
    const yCenterPx = (boxes[base + 1] as number) + anchor.yCenter * inputSizePx;
    const halfWidthPx = (boxes[base + 2] as number) / 2;
    const halfHeightPx = (boxes[base + 3] as number) / 2;
    const keypointsPx: Point[] = [];
    for (let k = 0; k < decoding.keypointCount; k++) {
      keypointsPx.push({
        x: (boxes[base + 4 + 2 * k] as number) + anchor.xCenter * inputSizePx,
        y: (boxes[base + 5 + 2 * k] as number) + anchor.yCenter * inputSizePx,
      });
    }
    detections.push({
      score: 1 / (1 + Math.exp(-logit)),
      xMinPx: xCenterPx - halfWidthPx,
      yMinPx: yCenterPx - halfHeightPx,
      xMaxPx: xCenterPx + halfWidthPx,
      yMaxPx: yCenterPx + halfHeightPx,
      keypointsPx,
    });
  }
  return detections;
}
