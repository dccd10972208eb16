/**
 * Simulated-INT8 models for the CPU: built from a manifest model and a calibration set, cached in
 * `<models dir>/int8-sim/` under a key of the float model's sha256, the calibration set's sha256, the FP16
 * layers and the quantiser version, and loaded through any InferenceBackend in place of the float model.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import * as ort from 'onnxruntime-node';

import type { BackendName, InferenceBackend, ModelSession, OutputTensor } from '../../electron/vision/backend/inference-backend.js';
import { readVerifiedModel } from '../../electron/vision/backend/model-file.js';
import { normaliseInto } from '../../electron/vision/backend/onnx-backend.js';
import type { RgbImage } from '../../electron/vision/frame/rgb-image.js';
import { resolveModel, type LoadedManifest, type ResolvedModel } from '../../electron/vision/models/manifest.js';
import { readOnnxModel, writeOnnxModel } from '../convert/onnx/onnx-reader.js';
import { withPreluNodes } from '../convert/onnx/prelu-nodes.js';
import { collectActivationRanges, createSession, type CalibrationAlgorithm } from './calibrate.js';
import { loadCalibrationSet, modelInput } from './calibration-set.js';
import { buildQdqModel, type LayerQuantization, type QdqModel } from './qdq-model.js';

/** Bumped whenever the simulation changes, so cached models are rebuilt. */
export const QUANTIZER_VERSION = 3;

/** Options of {@link prepareInt8SimModel}. */
export interface Int8SimOptions {
  readonly manifest: LoadedManifest;
  readonly modelId: string;
  /** Calibration folder written by `lintel calib export`. */
  readonly calibDir: string;
  /** Cache folder; default `<models dir>/int8-sim`. */
  readonly cacheDir?: string;
  /** Layers kept in FP16 (output tensor names); default the manifest's `quantization.int8.floatLayers`, else none. */
  readonly floatLayers?: readonly string[];
  /** Range choice; default the manifest's `quantization.int8.algorithm`, else 'normal'. */
  readonly algorithm?: CalibrationAlgorithm;
  /** Called during calibration with samples done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Written beside each simulated model. */
export interface Int8SimReport {
  readonly modelId: string;
  readonly quantizerVersion: number;
  /** sha256 of the float model it was built from. */
  readonly floatSha256: string;
  /** sha256 of the simulated model file. */
  readonly sha256: string;
  readonly calibration: { readonly datasetPath: string; readonly sha256: string; readonly images: number };
  readonly floatLayers: readonly string[];
  readonly algorithm: CalibrationAlgorithm;
  /** int8 parameters of the (normalised) model input. */
  readonly inputs: QdqModel['inputs'];
  readonly layers: readonly LayerQuantization[];
}

/** A simulated model ready to load, and how it was made. */
export interface Int8SimModel {
  /** The manifest model, pointing at the simulated file and its sha256. */
  readonly model: ResolvedModel;
  readonly report: Int8SimReport;
  /** False when it came from the cache. */
  readonly built: boolean;
}

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function writeAtomically(file: string, data: Uint8Array | string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, data);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** The float model's manifest entry pointed at another file. */
function pointedAt(model: ResolvedModel, onnxPath: string, fileSha256: string): ResolvedModel {
  return { ...model, entry: { ...model.entry, onnx: { file: path.basename(onnxPath), sha256: fileSha256 } }, onnxPath };
}

/** Builds the simulated-INT8 model of `modelId`, or takes it from the cache when nothing it depends on changed. */
export async function prepareInt8SimModel(options: Int8SimOptions): Promise<Int8SimModel> {
  const floatModel = resolveModel(options.manifest, options.modelId);
  const floatLayers = [...(options.floatLayers ?? floatModel.entry.quantization?.int8.floatLayers ?? [])].sort();
  const algorithm = options.algorithm ?? floatModel.entry.quantization?.int8.algorithm ?? 'normal';
  const calibration = await loadCalibrationSet(options.calibDir, options.modelId, floatModel.entry);
  const key = sha256(JSON.stringify({ quantizer: QUANTIZER_VERSION, model: floatModel.entry.onnx.sha256, calibration: calibration.sha256, floatLayers, algorithm }));
  const cacheDir = options.cacheDir ?? path.join(options.manifest.modelsDir, 'int8-sim');
  const onnxPath = path.join(cacheDir, `${options.modelId}.${key.slice(0, 16)}.onnx`);
  const reportPath = onnxPath.replace(/\.onnx$/, '.json');

  const cached = await Promise.all([readFile(onnxPath), readFile(reportPath, 'utf8')]).catch(() => undefined);
  if (cached) {
    const report = JSON.parse(cached[1]) as Int8SimReport;
    // A damaged or half-copied cache entry is rebuilt, not trusted.
    if (report.sha256 === sha256(cached[0])) return { model: pointedAt(floatModel, onnxPath, report.sha256), report, built: false };
  }

  // The NPU build runs PReLUs as PRelu nodes fused into their convolutions (convert_rknn.py), not in the Relu form onnxruntime's CPU prefers.
  const float = withPreluNodes(readOnnxModel(await readVerifiedModel(floatModel)));
  const samples = calibration.images.map((image) => modelInput(image, floatModel.entry));
  const ranges = await collectActivationRanges(float, samples, { algorithm, onProgress: options.onProgress });
  const qdq = buildQdqModel(float, { ranges, floatLayers: new Set(floatLayers) });
  const bytes = writeOnnxModel({ ...qdq.model, metadata: { ...qdq.model.metadata, quantization: `lintel int8-sim v${QUANTIZER_VERSION}` } });
  const report: Int8SimReport = {
    modelId: options.modelId,
    quantizerVersion: QUANTIZER_VERSION,
    floatSha256: floatModel.entry.onnx.sha256,
    sha256: sha256(bytes),
    calibration: { datasetPath: calibration.datasetPath, sha256: calibration.sha256, images: calibration.images.length },
    floatLayers,
    algorithm,
    inputs: qdq.inputs,
    layers: qdq.layers,
  };
  await mkdir(cacheDir, { recursive: true });
  await writeAtomically(onnxPath, bytes);
  await writeAtomically(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  return { model: pointedAt(floatModel, onnxPath, report.sha256), report, built: true };
}

/**
 * An InferenceBackend that runs the given simulated models in place of the manifest's float ones (by model
 * id) and hands every other model to `inner`. Simulated models get their own onnxruntime sessions with graph
 * optimisation off, so every QuantizeLinear/DequantizeLinear runs as written (see GraphOptimization).
 * Sessions keep the model id, so templates stay comparable with the float pipeline's.
 */
export class SimulatedModelsBackend implements InferenceBackend {
  readonly name: InferenceBackend['name'];

  constructor(
    private readonly inner: InferenceBackend,
    private readonly replacements: ReadonlyMap<string, ResolvedModel>,
    /** Intra-op threads of the simulated models' sessions; default 1. */
    private readonly intraOpThreads = 1,
  ) {
    this.name = inner.name;
  }

  async load(model: ResolvedModel): Promise<ModelSession> {
    const simulated = this.replacements.get(model.id);
    if (!simulated) return this.inner.load(model);
    const session = await createSession(await readVerifiedModel(simulated), 'disabled', this.intraOpThreads);
    return new SimulatedModelSession(simulated, session);
  }
}

/** A simulated model's session: manifest normalisation in, manifest outputs out, as the CPU backend does. */
class SimulatedModelSession implements ModelSession {
  readonly modelId: string;
  private readonly input: Float32Array;
  private readonly dims: number[];

  readonly backend: BackendName = 'onnx-cpu';

  constructor(
    private readonly model: ResolvedModel,
    private readonly session: ort.InferenceSession,
  ) {
    this.modelId = model.id;
    const { widthPx, heightPx, layout } = model.entry.input;
    this.input = new Float32Array(widthPx * heightPx * 3);
    this.dims = layout === 'NCHW' ? [1, 3, heightPx, widthPx] : [1, heightPx, widthPx, 3];
  }

  async run(image: RgbImage): Promise<OutputTensor[]> {
    normaliseInto(this.input, image, this.model.entry);
    const results = await this.session.run({ [this.model.entry.input.name]: new ort.Tensor('float32', this.input, this.dims) });
    return this.model.entry.outputs.map(({ name, shape }) => {
      const tensor = results[name];
      if (!tensor) throw new Error(`model ${this.modelId}: output ${name} missing from the run`);
      return { name, shape, data: tensor.data as Float32Array };
    });
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
