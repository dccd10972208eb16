/**
 * Which layers cost accuracy in INT8, and which to keep in FP16 (hybrid quantisation). Each candidate model
 * is the simulated QDQ model with some layers float; its error is measured against the float model's outputs
 * on calibration samples with the model's own error measure (output-error.ts).
 */
import type { OnnxModelData } from '../convert/onnx/onnx-reader.js';
import { ModelRunner, type GraphOptimization } from './calibrate.js';
import { analyseGraph, type QuantLayer } from './graph-analysis.js';
import type { OutputErrorMeasure, Outputs } from './output-error.js';
import { buildQdqModel, type TensorRange } from './qdq-model.js';

/** What every measurement needs. */
export interface SensitivityContext {
  readonly model: OnnxModelData;
  readonly ranges: ReadonlyMap<string, TensorRange>;
  /** Model inputs, normalised. */
  readonly samples: readonly Float32Array[];
  readonly measure: OutputErrorMeasure;
}

async function runAll(model: OnnxModelData, samples: readonly Float32Array[], optimization: GraphOptimization): Promise<Outputs[]> {
  const runner = await ModelRunner.create(model, optimization);
  try {
    const results: Outputs[] = [];
    for (const sample of samples) {
      const out = await runner.run(sample);
      results.push(Object.fromEntries(model.graph.outputs.map(({ name }) => [name, Float32Array.from(out[name]?.data as Float32Array)])));
    }
    return results;
  } finally {
    await runner.close();
  }
}

/** Measures candidate models against the float model, whose outputs are computed once. */
export class SensitivityProbe {
  private constructor(
    private readonly context: SensitivityContext,
    private readonly reference: readonly Outputs[],
    /** The layers of the model, in graph order. */
    readonly layers: readonly QuantLayer[],
  ) {}

  static async create(context: SensitivityContext): Promise<SensitivityProbe> {
    return new SensitivityProbe(context, await runAll(context.model, context.samples, 'all'), analyseGraph(context.model).layers);
  }

  /** Mean error of the simulated model with `floatLayers` (tensor names) in FP16 and every other layer INT8. */
  async error(floatLayers: ReadonlySet<string>): Promise<number> {
    const { model } = buildQdqModel(this.context.model, { ranges: this.context.ranges, floatLayers });
    const outputs = await runAll(model, this.context.samples, 'disabled');
    return outputs.reduce((sum, candidate, i) => sum + this.context.measure.error(this.reference[i] as Outputs, candidate), 0) / outputs.length;
  }

  /**
   * Each layer's own cost: the error of a model where only that layer is INT8 (RKNN's "single" error).
   * Sorted worst first.
   */
  async isolated(onProgress?: (done: number, total: number) => void): Promise<{ layer: QuantLayer; error: number }[]> {
    const results: { layer: QuantLayer; error: number }[] = [];
    const allTensors = this.layers.map((layer) => layer.tensors[0] as string);
    for (const [i, layer] of this.layers.entries()) {
      const others = new Set(allTensors.filter((_, j) => j !== i));
      results.push({ layer, error: await this.error(others) });
      onProgress?.(i + 1, this.layers.length);
    }
    return results.sort((a, b) => b.error - a.error);
  }

  /**
   * Greedy hybrid choice: layers go to FP16 worst-isolated first until the error is at most `target` or
   * `maxLayers` are float. Returns the error after each step (step 0: all INT8).
   */
  async chooseFloatLayers(
    ranking: readonly { layer: QuantLayer }[],
    target: number,
    maxLayers: number,
    onStep?: (step: { floatLayers: QuantLayer[]; error: number }) => void,
  ): Promise<{ floatLayers: QuantLayer[]; error: number }[]> {
    const steps: { floatLayers: QuantLayer[]; error: number }[] = [];
    const chosen: QuantLayer[] = [];
    for (;;) {
      const error = await this.error(new Set(chosen.flatMap((layer) => layer.tensors)));
      const step = { floatLayers: [...chosen], error };
      steps.push(step);
      onStep?.(step);
      const next = ranking[chosen.length];
      if (error <= target || chosen.length >= maxLayers || !next) return steps;
      chosen.push(next.layer);
    }
  }
}
