/**
 * `lintel eval lfw --quant int8`: the LFW protocol run with the FP32 pipeline and with a pipeline whose chosen
 * models are simulated INT8, on the same images, side by side; plus how far the INT8 templates and landmarks
 * are from the FP32 ones on each image.
 */
import type { InferenceBackend } from '../../electron/vision/backend/inference-backend.js';
import { evaluateLfw, type LfwReport } from '../../electron/vision/eval/lfw-eval.js';
import { decodeImageFile } from '../../electron/vision/frame/decode.js';
import type { RgbImage } from '../../electron/vision/frame/rgb-image.js';
import { cosineSimilarity } from '../../electron/vision/matcher/similarity.js';
import type { LoadedManifest, ResolvedModel } from '../../electron/vision/models/manifest.js';
import type { AnalysedFace, FacePipeline } from '../../electron/vision/pipeline/face-pipeline.js';
import { percentile } from '../../electron/vision/statistics.js';
import { prepareInt8SimModel, SimulatedModelsBackend, type Int8SimModel } from './int8-sim.js';

/** Pipeline stages that can run simulated INT8. */
export const QUANT_ROLES = ['detector', 'fitter', 'extractor'] as const;
export type QuantRole = (typeof QUANT_ROLES)[number];

/** A bad `--quant` / `--quant-models` value; the CLI shows it with the usage. */
export class QuantOptionError extends Error {
  override readonly name = 'QuantOptionError';
}

/** What `--quant` and `--quant-models` ask for: nothing, or INT8 for these roles. */
export function parseQuantOptions(values: { quant?: string; 'quant-models'?: string }): QuantRole[] | null {
  if (values.quant === undefined) {
    if (values['quant-models'] !== undefined) throw new QuantOptionError('--quant-models needs --quant int8');
    return null;
  }
  if (values.quant !== 'int8') throw new QuantOptionError(`--quant supports one precision: int8 (got "${values.quant}")`);
  if (values['quant-models'] === undefined) return [...QUANT_ROLES];
  const roles = values['quant-models'].split(',').map((role) => role.trim());
  const unknown = roles.filter((role) => !(QUANT_ROLES as readonly string[]).includes(role));
  if (unknown.length > 0 || roles.length === 0) {
    throw new QuantOptionError(`--quant-models takes a comma-separated list of ${QUANT_ROLES.join(', ')} (got "${values['quant-models']}")`);
  }
  return QUANT_ROLES.filter((role) => roles.includes(role));
}

/** Options of {@link createInt8Backend}. */
export interface Int8BackendOptions {
  readonly manifest: LoadedManifest;
  /** Model id of each role in the pipeline. */
  readonly modelIds: Readonly<Record<QuantRole, string>>;
  readonly roles: readonly QuantRole[];
  readonly calibDir: string;
  /** The backend that runs the models that are not simulated. */
  readonly inner: InferenceBackend;
  /** Intra-op threads of the simulated models' sessions; default 1. */
  readonly intraOpThreads?: number;
  /** Called while a model is calibrated (cache misses only). */
  readonly onCalibration?: (modelId: string, done: number, total: number) => void;
}

/** A backend that runs the chosen roles' simulated-INT8 models, built or taken from the cache. */
export async function createInt8Backend(options: Int8BackendOptions): Promise<{ backend: InferenceBackend; models: Int8SimModel[] }> {
  const models: Int8SimModel[] = [];
  for (const role of options.roles) {
    const modelId = options.modelIds[role];
    models.push(
      await prepareInt8SimModel({
        manifest: options.manifest,
        modelId,
        calibDir: options.calibDir,
        onProgress: (done, total) => options.onCalibration?.(modelId, done, total),
      }),
    );
  }
  const replacements = new Map<string, ResolvedModel>(models.map((m) => [m.model.id, m.model]));
  return { backend: new SimulatedModelsBackend(options.inner, replacements, options.intraOpThreads), models };
}

/** Distribution of a per-image figure. */
export interface Spread {
  readonly count: number;
  readonly mean: number;
  /** 1st percentile for similarities (the bad tail is low), 95th for distances (the bad tail is high). */
  readonly tail: number;
  readonly worst: number;
}

/** Result of {@link compareLfwInt8}. */
export interface LfwInt8Comparison {
  readonly fp32: LfwReport;
  readonly int8: LfwReport;
  readonly roles: readonly QuantRole[];
  /** Cosine similarity of the FP32 and INT8 templates of the same image (images where both found the face). */
  readonly templateSimilarity: Spread;
  /** Mean distance of the five alignment points, INT8 vs FP32, image px; only when the detector or fitter is INT8. */
  readonly fivePointShiftPx?: Spread;
  /** Mean distance of the 468 mesh points (x, y), image px; idem. */
  readonly meshShiftPx?: Spread;
  /** Images where exactly one of the two pipelines found the face. */
  readonly facesOnlyFp32: readonly string[];
  readonly facesOnlyInt8: readonly string[];
  /** Images where the INT8 pipeline threw (e.g. a degenerate detection), with the message; scored as no face. */
  readonly int8Failures: readonly { readonly image: string; readonly message: string }[];
}

function spread(values: number[], badTail: 'low' | 'high'): Spread {
  values.sort((a, b) => a - b);
  const mean = values.reduce((sum, v) => sum + v, 0) / Math.max(values.length, 1);
  return {
    count: values.length,
    mean,
    tail: badTail === 'low' ? percentile(values, 0.01) : percentile(values, 0.95),
    worst: (badTail === 'low' ? values[0] : values[values.length - 1]) ?? Number.NaN,
  };
}

function meanPointDistancePx(a: AnalysedFace, b: AnalysedFace, widthPx: number, heightPx: number): { five: number; mesh: number } {
  let five = 0;
  a.fivePointsNorm.forEach((p, i) => {
    const q = b.fivePointsNorm[i] ?? p;
    five += Math.hypot((p.x - q.x) * widthPx, (p.y - q.y) * heightPx);
  });
  let mesh = 0;
  const count = a.meshNorm.length / 3;
  for (let i = 0; i < a.meshNorm.length; i += 3) {
    mesh += Math.hypot(((a.meshNorm[i] as number) - (b.meshNorm[i] as number)) * widthPx, ((a.meshNorm[i + 1] as number) - (b.meshNorm[i + 1] as number)) * heightPx);
  }
  return { five: five / a.fivePointsNorm.length, mesh: mesh / count };
}

/** Options of {@link compareLfwInt8}. */
export interface CompareLfwInt8Options {
  readonly fp32: FacePipeline;
  readonly int8: FacePipeline;
  /** Roles the INT8 pipeline runs quantised; with only the extractor, the FP32 detection is reused. */
  readonly roles: readonly QuantRole[];
  readonly pairsPath: string;
  readonly imagesDir: string;
  /** The face of an image that is embedded (LFW: the central one). */
  readonly pickFace: (faces: readonly AnalysedFace[]) => AnalysedFace | undefined;
  readonly label: string;
  readonly onProgress?: (done: number, total: number) => void;
}

/** Runs LFW once through both pipelines (every image analysed by each), then scores each set of templates. */
export async function compareLfwInt8(options: CompareLfwInt8Options): Promise<LfwInt8Comparison> {
  const { fp32, int8, roles, pickFace } = options;
  const int8Finds = roles.includes('detector') || roles.includes('fitter');
  const int8Templates = new Map<string, Float32Array | null>();
  const similarities: number[] = [];
  const fiveShifts: number[] = [];
  const meshShifts: number[] = [];
  const facesOnlyFp32: string[] = [];
  const facesOnlyInt8: string[] = [];
  const int8Failures: { image: string; message: string }[] = [];

  const template = async (pipeline: FacePipeline, image: RgbImage, face: AnalysedFace | undefined): Promise<Float32Array | null> =>
    face ? (await pipeline.extract(image, face)).template.vector : null;
  const fp32Report = await evaluateLfw({
    pairsPath: options.pairsPath,
    imagesDir: options.imagesDir,
    label: `${options.label}, FP32`,
    embed: async (imagePath) => {
      const image = await decodeImageFile(imagePath);
      const face = pickFace((await fp32.analyse(image)).faces);
      const vector = await template(fp32, image, face);
      let face8: AnalysedFace | undefined;
      let vector8: Float32Array | null = null;
      try {
        face8 = int8Finds ? pickFace((await int8.analyse(image)).faces) : face;
        vector8 = await template(int8, image, face8);
      } catch (error) {
        // An INT8 model's output can break a stage the FP32 one never does: that is a finding, not a crash.
        int8Failures.push({ image: imagePath, message: error instanceof Error ? error.message : String(error) });
        face8 = undefined;
      }
      int8Templates.set(imagePath, vector8);
      if (vector && vector8) similarities.push(cosineSimilarity(vector, vector8));
      if (face && !face8) facesOnlyFp32.push(imagePath);
      if (!face && face8) facesOnlyInt8.push(imagePath);
      if (int8Finds && face && face8) {
        const shift = meanPointDistancePx(face, face8, image.widthPx, image.heightPx);
        fiveShifts.push(shift.five);
        meshShifts.push(shift.mesh);
      }
      return vector;
    },
    onProgress: options.onProgress,
  });
  // The INT8 templates are all computed: this pass only scores them.
  const int8Report = await evaluateLfw({
    pairsPath: options.pairsPath,
    imagesDir: options.imagesDir,
    label: `${options.label}, INT8 (${roles.join(', ')})`,
    embed: async (imagePath) => int8Templates.get(imagePath) ?? null,
  });
  return {
    fp32: fp32Report,
    int8: int8Report,
    roles,
    templateSimilarity: spread(similarities, 'low'),
    ...(int8Finds ? { fivePointShiftPx: spread(fiveShifts, 'high'), meshShiftPx: spread(meshShifts, 'high') } : {}),
    facesOnlyFp32,
    facesOnlyInt8,
    int8Failures,
  };
}

const pct = (fraction: number): string => (fraction * 100).toFixed(2);
const pp = (delta: number): string => {
  const shown = Math.abs(delta * 100).toFixed(2);
  return `${shown === '0.00' ? '±' : delta > 0 ? '+' : '−'}${shown} pp`;
};

/** The side-by-side table printed by the CLI. */
export function formatLfwInt8Comparison(result: LfwInt8Comparison, models: readonly Int8SimModel[]): string {
  const { fp32, int8 } = result;
  const rows: [string, string, string, string][] = [
    [
      'accuracy %',
      `${pct(fp32.metrics.accuracyMean)} ± ${pct(fp32.metrics.accuracySd)}`,
      `${pct(int8.metrics.accuracyMean)} ± ${pct(int8.metrics.accuracySd)}`,
      pp(int8.metrics.accuracyMean - fp32.metrics.accuracyMean),
    ],
  ];
  fp32.metrics.tarAtFar.forEach((point, i) => {
    const other = int8.metrics.tarAtFar[i];
    if (other) rows.push([`TAR @ FAR ${point.targetFar.toExponential(0)} %`, pct(point.tar), pct(other.tar), pp(other.tar - point.tar)]);
  });
  fp32.impostors.points.forEach((point, i) => {
    const other = int8.impostors.points[i];
    if (other) rows.push([`all pairs TAR @ FAR ${point.targetFar.toExponential(0)} %`, pct(point.tar), pct(other.tar), pp(other.tar - point.tar)]);
  });
  rows.push(['images without a face', String(fp32.noFaceImages.length), String(int8.noFaceImages.length), '']);
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((row) => row[c]!.length), ['', 'FP32', 'INT8', 'INT8 − FP32'][c]!.length));
  const line = (cells: readonly string[]): string => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   ');
  const sim = result.templateSimilarity;
  const lines = [
    `LFW verification, FP32 vs simulated INT8 (${result.roles.join(', ')}): ${fp32.folds} folds, ${fp32.imageCount} images`,
    ...models.map(
      (m) =>
        `  ${m.model.id}: ${m.report.layers.length} layers, ${m.report.floatLayers.length === 0 ? 'all INT8' : `${m.report.floatLayers.length} FP16 tensors`}; ` +
        `${m.report.algorithm} calibration on ${m.report.calibration.images} images of ${m.report.calibration.datasetPath}${m.built ? '' : ' (cached)'}`,
    ),
    '',
    line(['', 'FP32', 'INT8', 'INT8 − FP32']),
    ...rows.map(line),
    '',
    `template similarity FP32 · INT8, same image: mean ${sim.mean.toFixed(4)}, 1st percentile ${sim.tail.toFixed(4)}, lowest ${sim.worst.toFixed(4)} (${sim.count} images)`,
  ];
  if (result.fivePointShiftPx && result.meshShiftPx) {
    const five = result.fivePointShiftPx;
    const mesh = result.meshShiftPx;
    lines.push(
      `five alignment points, INT8 vs FP32: mean ${five.mean.toFixed(2)} px, 95th percentile ${five.tail.toFixed(2)} px, largest ${five.worst.toFixed(2)} px`,
      `468 mesh points, INT8 vs FP32: mean ${mesh.mean.toFixed(2)} px, 95th percentile ${mesh.tail.toFixed(2)} px, largest ${mesh.worst.toFixed(2)} px`,
    );
  }
  lines.push(`faces found by FP32 only: ${result.facesOnlyFp32.length}; by INT8 only: ${result.facesOnlyInt8.length}`);
  if (result.int8Failures.length > 0) {
    const first = result.int8Failures[0];
    lines.push(`INT8 pipeline failed on ${result.int8Failures.length} images, scored as no face (first: ${first?.image}: ${first?.message})`);
  }
  return lines.join('\n');
}
