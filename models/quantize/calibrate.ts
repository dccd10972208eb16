/**
 * Calibration: the range every activation of a float model takes over a calibration set (RKNN's 'normal'
 * algorithm is the plain min/max of these). The model is extended so that each activation is also a graph
 * output, flattened to 1-D; onnxruntime computes them in one run per sample.
 */
import * as ort from 'onnxruntime-node';

import { OnnxDataType } from '../convert/onnx/onnx-graph.js';
import { writeOnnxModel, type OnnxModelData, type OnnxNodeData, type OnnxValueInfoData } from '../convert/onnx/onnx-reader.js';
import { analyseGraph } from './graph-analysis.js';
import type { TensorRange } from './qdq-model.js';

/**
 * onnxruntime graph optimisation for a model: 'all' for float models; 'disabled' for QDQ models, whose
 * Q/DQ must run as written. From the 'basic' level on, onnxruntime fuses DequantizeLinear → Gemm (or
 * MatMul + Add) → QuantizeLinear into its own quantised Gemm, which changes results by up to a whole int8
 * step (seen with onnxruntime-node 1.30; Conv and bias-free MatMul were left exact).
 */
export type GraphOptimization = 'all' | 'disabled';

/** A model loaded in onnxruntime, run with one float input. */
export class ModelRunner {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly inputName: string,
    private readonly inputDims: readonly number[],
  ) {}

  /** Loads `model` (1 input) for the CPU with one intra-op thread. */
  static async create(model: OnnxModelData, optimization: GraphOptimization = 'all'): Promise<ModelRunner> {
    const [input] = model.graph.inputs;
    if (!input || model.graph.inputs.length !== 1) throw new Error(`${model.graph.name}: expected exactly one graph input`);
    return new ModelRunner(await createSession(writeOnnxModel(model), optimization), input.name, input.dims);
  }

  /** All graph outputs for one input tensor (already normalised, in the model's layout). */
  async run(input: Float32Array): Promise<Record<string, ort.Tensor>> {
    return this.session.run({ [this.inputName]: new ort.Tensor('float32', input, [...this.inputDims]) });
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

/** An onnxruntime CPU session: one intra-op thread, idle threads block (see OnnxBackend). */
export function createSession(bytes: Uint8Array, optimization: GraphOptimization, intraOpThreads = 1): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, {
    graphOptimizationLevel: optimization,
    executionMode: 'sequential',
    intraOpNumThreads: intraOpThreads,
    interOpNumThreads: 1,
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
}

/** `model` with extra outputs: each of `tensors` through `build(tensor)`, appended after the original outputs. */
function withExtraOutputs(
  model: OnnxModelData,
  tensors: readonly string[],
  build: (tensor: string, index: number) => { nodes: OnnxNodeData[]; output: OnnxValueInfoData },
  initializers: OnnxModelData['graph']['initializers'] = [],
): OnnxModelData {
  const extra = tensors.map(build);
  return {
    ...model,
    graph: {
      ...model.graph,
      nodes: [...model.graph.nodes, ...extra.flatMap((e) => e.nodes)],
      initializers: [...model.graph.initializers, ...initializers],
      outputs: [...model.graph.outputs, ...extra.map((e) => e.output)],
    },
  };
}

/**
 * Element count of each float activation of `model` (node outputs), from one run: shapes are static but not
 * stored for intermediate tensors, and a graph output must declare its shape.
 */
async function activationSizes(model: OnnxModelData, tensors: readonly string[], sample: Float32Array): Promise<number[]> {
  const sizeModel = withExtraOutputs(model, tensors, (tensor, i) => ({
    nodes: [{ opType: 'Size', name: `calibration::size_node_${i}`, inputs: [tensor], outputs: [`calibration::size_${i}`], attributes: {} }],
    output: { name: `calibration::size_${i}`, elemType: OnnxDataType.INT64, dims: [] },
  }));
  const runner = await ModelRunner.create(sizeModel);
  try {
    const results = await runner.run(sample);
    return tensors.map((_, i) => Number((results[`calibration::size_${i}`]?.data as BigInt64Array)[0]));
  } finally {
    await runner.close();
  }
}

/**
 * How a tensor's range is chosen from what calibration saw: 'normal' is RKNN's default, the plain min and
 * max; 'mmse' clips outliers where that lowers the expected squared quantisation error (RKNN's
 * quantized_algorithm='mmse' aims at the same; its exact search is not published).
 */
export type CalibrationAlgorithm = 'normal' | 'mmse';

/** Options of {@link collectActivationRanges}. */
export interface CalibrationOptions {
  /** Default 'normal'. */
  readonly algorithm?: CalibrationAlgorithm;
  /** Called after each sample (and pass) with samples done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Bins of the histograms the 'mmse' search runs on. */
const HISTOGRAM_BINS = 1024;

/**
 * The range [lo, hi] (containing 0, edges on histogram bin edges) that minimises the expected squared error
 * of int8 quantisation over a histogram of `counts` spanning [min, max]: values outside are clipped to the
 * range, values inside are off by the rounding noise step²/12.
 */
export function mseOptimalRange(counts: Float64Array, min: number, max: number): TensorRange {
  const bins = counts.length;
  const width = (max - min) / bins;
  if (!(width > 0)) return { min, max };
  // Prefix sums of n, n·x and n·x² (x = bin centre) make the error of any candidate O(1).
  const n = new Float64Array(bins + 1);
  const nx = new Float64Array(bins + 1);
  const nxx = new Float64Array(bins + 1);
  for (let b = 0; b < bins; b++) {
    const x = min + (b + 0.5) * width;
    const c = counts[b] as number;
    n[b + 1] = (n[b] as number) + c;
    nx[b + 1] = (nx[b] as number) + c * x;
    nxx[b + 1] = (nxx[b] as number) + c * x * x;
  }
  // Sum over bins [from, to) of n·(x − edge)².
  const clipped = (from: number, to: number, edge: number): number =>
    (nxx[to] as number) - (nxx[from] as number) - 2 * edge * ((nx[to] as number) - (nx[from] as number)) + edge * edge * ((n[to] as number) - (n[from] as number));
  // The range must hold 0: lo at or below it, hi at or above it.
  const zeroEdge = Math.min(bins, Math.max(0, Math.ceil(-min / width)));
  let best = { error: Infinity, lo: min, hi: max };
  for (let i = 0; i <= Math.min(zeroEdge, bins - 1); i++) {
    const lo = Math.min(0, min + i * width);
    for (let j = Math.max(zeroEdge, i + 1); j <= bins; j++) {
      const hi = Math.max(0, min + j * width);
      const step = (hi - lo) / 255;
      const inside = (n[j] as number) - (n[i] as number);
      const error = clipped(0, i, lo) + clipped(j, bins, hi) + (inside * step * step) / 12;
      if (error < best.error) best = { error, lo, hi };
    }
  }
  return { min: best.lo, max: best.hi };
}

/**
 * Min and max of every float activation tensor (each node output) of `model` over `samples` (inputs already
 * normalised as the model expects). The graph input's range is included too.
 */
export async function collectActivationRanges(model: OnnxModelData, samples: readonly Float32Array[], options: CalibrationOptions = {}): Promise<Map<string, TensorRange>> {
  const [first] = samples;
  if (!first) throw new Error('calibration needs at least one sample');
  const inputName = model.graph.inputs[0]?.name ?? '';
  const tensors = analyseGraph(model).floatTensors.filter((tensor) => tensor !== inputName);
  const sizes = await activationSizes(model, tensors, first);
  const flatShape = { name: 'calibration::flat_shape', dims: [1], data: BigInt64Array.of(-1n) };
  const exposed = withExtraOutputs(
    model,
    tensors,
    (tensor, i) => ({
      nodes: [{ opType: 'Reshape', name: `calibration::flatten_node_${i}`, inputs: [tensor, flatShape.name], outputs: [`calibration::flat_${i}`], attributes: {} }],
      output: { name: `calibration::flat_${i}`, elemType: OnnxDataType.FLOAT, dims: [sizes[i] as number] },
    }),
    [flatShape],
  );
  const min = new Float64Array(tensors.length).fill(Infinity);
  const max = new Float64Array(tensors.length).fill(-Infinity);
  let inputMin = Infinity;
  let inputMax = -Infinity;
  const runner = await ModelRunner.create(exposed);
  try {
    for (const [sampleIndex, sample] of samples.entries()) {
      const results = await runner.run(sample);
      for (let i = 0; i < tensors.length; i++) {
        const data = results[`calibration::flat_${i}`]?.data as Float32Array;
        let lo = min[i] as number;
        let hi = max[i] as number;
        for (let j = 0; j < data.length; j++) {
          const v = data[j] as number;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        min[i] = lo;
        max[i] = hi;
      }
      for (const v of sample) {
        if (v < inputMin) inputMin = v;
        if (v > inputMax) inputMax = v;
      }
      options.onProgress?.(sampleIndex + 1, samples.length);
    }
  } finally {
    await runner.close();
  }
  const ranges = new Map<string, TensorRange>([[inputName, { min: inputMin, max: inputMax }]]);
  tensors.forEach((tensor, i) => ranges.set(tensor, { min: min[i] as number, max: max[i] as number }));
  if ((options.algorithm ?? 'normal') === 'normal') return ranges;

  // 'mmse': a second pass fills a histogram of each tensor over its [min, max], then each range is searched.
  const histograms = tensors.map(() => new Float64Array(HISTOGRAM_BINS));
  const histogramRunner = await ModelRunner.create(exposed);
  try {
    for (const [sampleIndex, sample] of samples.entries()) {
      const results = await histogramRunner.run(sample);
      for (let i = 0; i < tensors.length; i++) {
        const data = results[`calibration::flat_${i}`]?.data as Float32Array;
        const lo = min[i] as number;
        const perBin = HISTOGRAM_BINS / ((max[i] as number) - lo || 1);
        const histogram = histograms[i] as Float64Array;
        for (let j = 0; j < data.length; j++) {
          const b = Math.min(HISTOGRAM_BINS - 1, Math.floor(((data[j] as number) - lo) * perBin));
          histogram[b] = (histogram[b] as number) + 1;
        }
      }
      options.onProgress?.(sampleIndex + 1, samples.length);
    }
  } finally {
    await histogramRunner.close();
  }
  tensors.forEach((tensor, i) => ranges.set(tensor, mseOptimalRange(histograms[i] as Float64Array, min[i] as number, max[i] as number)));
  return ranges;
}
