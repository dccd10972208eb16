import { performance } from 'node:perf_hooks';

import type { BackendName, InferenceBackend, ModelSession } from '../backend/inference-backend.js';
import type { RgbImage } from '../frame/rgb-image.js';
import { applyAffine, invertAffine } from '../geometry/affine.js';
import type { Point } from '../geometry/point.js';
import { warpAffine } from '../geometry/warp.js';
import { ManifestError, type FacemeshDecoding, type ResolvedModel } from '../models/manifest.js';
import type { FaceDetection } from '../detector/face-detector.js';
import { lineAngleRad, roiFromBox, roiToCropTransform, type FaceRoi } from './face-roi.js';

/** FaceMesh indices of the outer eye corners MediaPipe uses for the ROI rotation (image-left, image-right). */
const ROI_EYE_INDICES = [33, 263] as const;

/** The fitter's result for one face, in source-image pixels. */
export interface FaceLandmarks {
  /** Face-presence score of the mesh model, 0..1: low means the ROI holds no face. */
  readonly presence: number;
  /** landmarkCount × (x px, y px, z): z is depth relative to the face centre, in the same pixel scale. */
  readonly meshPx: Float32Array;
  /**
   * Five alignment points: left eye, right eye, nose tip, left mouth corner, right mouth corner, with left and
   * right as seen in the image.
   */
  readonly fivePointsPx: readonly [Point, Point, Point, Point, Point];
  /** The ROI the mesh was computed in. */
  readonly roi: FaceRoi;
}

/** Options of `FaceFitter.create`. */
export interface FaceFitterOptions {
  readonly model: ResolvedModel;
  readonly backend: InferenceBackend;
  /**
   * Mesh passes per face; default 1. A further pass runs on the ROI of the previous mesh, as MediaPipe's
   * tracking does. On LFW a second pass changed nothing measurable (99.23 vs 99.27 % with one) at twice the
   * cost, because BlazeFace's eye key points already rotate the first crop well.
   */
  readonly passes?: number;
}

/** The face fitter stage: ROI crop → FaceMesh → 468 landmarks, presence score and five alignment points. */
export class FaceFitter {
  private constructor(
    private readonly session: ModelSession,
    private readonly decoding: FacemeshDecoding,
    private readonly inputSizePx: number,
    private readonly passes: number,
  ) {}

  static async create(options: FaceFitterOptions): Promise<FaceFitter> {
    const { entry } = options.model;
    if (entry.decoding.kind !== 'facemesh') throw new ManifestError(`model ${options.model.id} is not a FaceMesh fitter`);
    if (entry.input.widthPx !== entry.input.heightPx) throw new Error(`model ${options.model.id}: FaceMesh input must be square`);
    const passes = options.passes ?? 1;
    if (!Number.isInteger(passes) || passes < 1) throw new Error(`fitter passes must be a whole number ≥ 1, got ${passes}`);
    const session = await options.backend.load(options.model);
    return new FaceFitter(session, entry.decoding, entry.input.widthPx, passes);
  }

  /** The ROI for a fresh detection: its box enlarged by the manifest's crop scale, rotated by the eye line. */
  roiFromDetection(detection: FaceDetection): FaceRoi {
    const [rightEye, leftEye] = detection.keypointsPx as [Point, Point];
    const { x, y, width, height } = detection.boxPx;
    return roiFromBox({ xMinPx: x, yMinPx: y, xMaxPx: x + width, yMaxPx: y + height }, lineAngleRad(rightEye, leftEye), this.decoding.cropScale);
  }

  /** The ROI around an existing mesh: used for the next pass, or to track a face into the next frame. */
  roiFromLandmarks(meshPx: Float32Array): FaceRoi {
    let xMinPx = Infinity;
    let yMinPx = Infinity;
    let xMaxPx = -Infinity;
    let yMaxPx = -Infinity;
    for (let i = 0; i < meshPx.length; i += 3) {
      const x = meshPx[i] as number;
      const y = meshPx[i + 1] as number;
      if (x < xMinPx) xMinPx = x;
      if (x > xMaxPx) xMaxPx = x;
      if (y < yMinPx) yMinPx = y;
      if (y > yMaxPx) yMaxPx = y;
    }
    const point = (index: number): Point => ({ x: meshPx[index * 3] as number, y: meshPx[index * 3 + 1] as number });
    const rotationRad = lineAngleRad(point(ROI_EYE_INDICES[0]), point(ROI_EYE_INDICES[1]));
    return roiFromBox({ xMinPx, yMinPx, xMaxPx, yMaxPx }, rotationRad, this.decoding.cropScale);
  }

  /** Fits the mesh starting from a detection, running the configured number of passes. */
  async fit(image: RgbImage, detection: FaceDetection): Promise<{ landmarks: FaceLandmarks; durationMs: number }> {
    return this.fitRoi(image, this.roiFromDetection(detection), this.passes);
  }

  /** Fits the mesh in a given ROI (e.g. tracked from the previous frame); `passes` defaults to 1. */
  async fitRoi(image: RgbImage, roi: FaceRoi, passes = 1): Promise<{ landmarks: FaceLandmarks; durationMs: number }> {
    const startMs = performance.now();
    let landmarks = await this.runMesh(image, roi);
    for (let pass = 1; pass < passes && landmarks.presence >= this.decoding.minPresence; pass++) {
      landmarks = await this.runMesh(image, this.roiFromLandmarks(landmarks.meshPx));
    }
    return { landmarks, durationMs: performance.now() - startMs };
  }

  private async runMesh(image: RgbImage, roi: FaceRoi): Promise<FaceLandmarks> {
    const toCrop = roiToCropTransform(roi, this.inputSizePx);
    const crop = warpAffine(image, toCrop, this.inputSizePx, this.inputSizePx, { border: 'replicate' });
    const outputs = await this.session.run(crop);
    const mesh = outputs.find((output) => output.name === this.decoding.meshOutput);
    const presenceOutput = outputs.find((output) => output.name === this.decoding.presenceOutput);
    if (!mesh || !presenceOutput) throw new Error('fitter outputs are missing the mesh or the presence score');
    const rawPresence = presenceOutput.data[0] as number;
    const presence = this.decoding.presenceIsLogit ? 1 / (1 + Math.exp(-rawPresence)) : rawPresence;

    const fromCrop = invertAffine(toCrop);
    const zScale = roi.sizePx / this.inputSizePx;
    const count = this.decoding.landmarkCount;
    const meshPx = new Float32Array(count * 3);
    for (let i = 0; i < count; i++) {
      const point = applyAffine(fromCrop, { x: mesh.data[i * 3] as number, y: mesh.data[i * 3 + 1] as number });
      meshPx[i * 3] = point.x;
      meshPx[i * 3 + 1] = point.y;
      meshPx[i * 3 + 2] = (mesh.data[i * 3 + 2] as number) * zScale;
    }
    const mean = (indices: readonly number[]): Point => {
      let x = 0;
      let y = 0;
      for (const index of indices) {
        x += meshPx[index * 3] as number;
        y += meshPx[index * 3 + 1] as number;
      }
      return { x: x / indices.length, y: y / indices.length };
    };
    const five = this.decoding.fivePoints;
    return {
      presence,
      meshPx,
      fivePointsPx: [mean(five.leftEye), mean(five.rightEye), mean(five.noseTip), mean(five.mouthLeft), mean(five.mouthRight)],
      roi,
    };
  }

  /** The engine this stage's model runs on. */
  get engine(): BackendName {
    return this.session.backend;
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}
