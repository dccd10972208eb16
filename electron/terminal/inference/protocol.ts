import type { AlignmentTemplate } from '../../vision/align/align-face.js';
import type { FaceTemplate } from '../../vision/extractor/face-extractor.js';
import type { RawFrame } from '../../vision/frame/raw-frame.js';
import type { RgbImage } from '../../vision/frame/rgb-image.js';
import type { BoxNorm } from '../../vision/geometry/point.js';
import type { AnalysedFace, AnalysisResult, Extraction, StageTimingsMs } from '../../vision/pipeline/face-pipeline.js';
import type { NpuOptions } from '../../vision/backend/rknn-backend.js';
import type { PadFrameMeasure } from '../../vision/liveness/pad-frame-measures.js';

/** What the inference worker is built with. */
export interface InferenceConfig {
  /** Model manifest; converted models are in `onnx/` beside it. */
  readonly manifestPath: string;
  /** Folder of the models an administrator added (`<dataDir>/models`); default none. */
  readonly addedModelsDir?: string;
  /** onnxruntime intra-op threads per model; default 1. */
  readonly intraOpThreads?: number;
  readonly extractorId?: string;
  readonly mirrorAverage?: boolean;
  readonly fitterPasses?: number;
  /**
   * The NPU: Rockchip's runtime library (absolute path) and which builds to run. Models without a build, or
   * whose build does not load, run on the CPU; without this, everything does.
   */
  readonly npu?: NpuOptions;
  /** Passive liveness model id from the manifest (e.g. `antispoof-128`); unset = no liveness check. */
  readonly livenessModelId?: string;
  /** The per-frame measures the site's trained passive cue reads (pad-frame-measures ids); unset = none installed. */
  readonly padCueMeasures?: readonly PadFrameMeasure[];
}

/** A frame handed to the worker: the camera's pixels as delivered (NV12, YUYV, RGB), their buffer transferred, not copied. */
export interface FrameMessage {
  readonly seq: number;
  readonly timestampMs: number;
  readonly pixels: RawFrame;
}

/** A face as the worker reports it: the analysis, and the template where one was asked for. */
export interface ProcessedFace extends AnalysedFace {
  readonly template?: Float32Array;
  /** Passive liveness score, 0..1, where the check is configured (computed with the template). */
  readonly liveness?: number;
  /** The site's trained cue's per-frame measures, where one is installed (computed with the template). */
  readonly padValues?: Partial<Record<PadFrameMeasure, number>>;
}

/** The worker's answer to a `process` request. */
export interface ProcessResult {
  /** The worker holds the frame's RGB under this id for a while: a snapshot of a decision is cut from it there. */
  readonly pixelsId: number;
  readonly frameSeq: number;
  readonly timestampMs: number;
  readonly widthPx: number;
  readonly heightPx: number;
  readonly faces: ProcessedFace[];
  readonly extractorId: string;
  readonly timingsMs: StageTimingsMs & { extractMs: number };
}

/** Requests to the worker; each carries an increasing `seq` that its reply echoes. */
export type WorkerRequest =
  | { readonly type: 'init'; readonly seq: number; readonly config: InferenceConfig }
  | {
      readonly type: 'process';
      readonly seq: number;
      readonly frame: FrameMessage;
      /** Compute templates of faces whose inter-ocular distance is at least this, px; default: none. */
      readonly extractMinInterOcularPx?: number;
      /**
       * Whether the passive checks (the liveness model, the site cue's measures) run with the templates; default
       * true. False where no decision can ask for them (liveness off or challenge only): their time is saved.
       */
      readonly scorePassive?: boolean;
    }
  /** Enrollment: every face of a photo, judged (FacePipeline.analyse). */
  | { readonly type: 'analyse'; readonly seq: number; readonly image: RgbImage }
  /** Live enrollment: every face of a camera frame (pixels transferred), judged; the worker holds its RGB for `extract-held`. */
  | { readonly type: 'analyse-frame'; readonly seq: number; readonly pixels: RawFrame }
  /** Live enrollment: one face's template and aligned crop, of a frame the worker holds. */
  | { readonly type: 'extract-held'; readonly seq: number; readonly pixelsId: number; readonly face: AnalysedFace }
  /** A JPEG of a face with a margin around it (`marginRatio` of the box on each side), from a frame the worker holds. */
  | { readonly type: 'snapshot'; readonly seq: number; readonly pixelsId: number; readonly boxNorm: BoxNorm; readonly marginRatio: number; readonly jpegQuality: number }
  /** Enrollment: one analysed face's template, aligned crop and estimated age (FacePipeline.extract). */
  | { readonly type: 'extract'; readonly seq: number; readonly image: RgbImage; readonly face: AnalysedFace }
  /** Template rebuild: the template of a stored aligned crop (JPEG), cut with `alignment`, by the worker's extractor. */
  | { readonly type: 'embed-aligned'; readonly seq: number; readonly alignedJpeg: Uint8Array; readonly alignment: AlignmentTemplate }
  /** The estimated age, years, of a stored aligned crop cut with `alignment` (samples that have none yet). */
  | { readonly type: 'age-aligned'; readonly seq: number; readonly alignedJpeg: Uint8Array; readonly alignment: AlignmentTemplate }
  | { readonly type: 'close'; readonly seq: number };

/** Values of the replies, by request type. */
export interface WorkerReplyValues {
  init: {
    readonly models: { detector: string; fitter: string; extractor: string };
    readonly backend: string;
    /** Where each model runs, and why not on the NPU where it does not. */
    readonly engines: readonly { readonly modelId: string; readonly engine: string; readonly reason?: string }[];
  };
  process: ProcessResult;
  analyse: AnalysisResult;
  'analyse-frame': AnalysisResult & { readonly pixelsId: number };
  /** With the face's estimated age where the worker's pipeline has an age estimator: extraction is enrollment's. */
  extract: Extraction;
  'extract-held': WorkerReplyValues['extract'];
  snapshot: Uint8Array;
  'embed-aligned': FaceTemplate;
  'age-aligned': number;
  close: null;
}

/** A reply: the Result envelope of one request, with how long the worker spent on it. */
export type WorkerReply =
  | { readonly seq: number; readonly ok: true; readonly value: unknown; readonly durationMs: number }
  | { readonly seq: number; readonly ok: false; readonly error: { readonly code: string; readonly message: string }; readonly durationMs: number };
