import { dirname, join } from 'node:path';

import type { RknnModel, RknnOutputTensor, RknnRuntime } from '../../../native-bridge/rknn/rknn-runtime.js';
import type { RgbImage } from '../frame/rgb-image.js';
import type { ModelVariant, ResolvedModel } from '../models/manifest.js';
import { ModelFileError, type InferenceBackend, type ModelSession, type OutputTensor } from './inference-backend.js';
import { readVerifiedFile } from './model-file.js';

/** A build of a model for the NPU: INT8 (w8a8, with the manifest's FP16 layers) or FP16. */
export type NpuPrecision = 'int8' | 'fp16';

/**
 * Which build each model runs on the NPU. `auto`: INT8 where the manifest records that the model keeps its
 * accuracy in INT8 (`quantization.int8`, measured with `lintel eval lfw --quant int8`) and has an INT8 build,
 * else its FP16 build — a model nobody validated in INT8 never runs in INT8 by default. `int8` / `fp16`: that
 * build of every model, and none other. `byModel` sets one model's build by id, and only that build.
 */
export interface NpuPrecisionPlan {
  readonly default: NpuPrecision | 'auto';
  readonly byModel?: Readonly<Record<string, NpuPrecision>>;
}

/** How the terminal reaches the NPU: the runtime library and the builds to run. */
export interface NpuOptions {
  /** Absolute path of librknnrt.so. */
  readonly libraryPath: string;
  /** Default: `{ default: 'auto' }`. */
  readonly precision?: NpuPrecisionPlan;
}

/**
 * Reads a precision plan as integrators write it (`--precision`, LINTEL_RKNN_PRECISION): `auto`, `int8` or
 * `fp16`, then any `<model id>=int8|fp16`, comma-separated: `auto,edgeface-xs-512=fp16`.
 */
export function parseNpuPrecision(text: string): NpuPrecisionPlan {
  const [first = '', ...rest] = text.split(',').map((part) => part.trim());
  const usage = `precision is auto, int8 or fp16, optionally followed by ,<model id>=int8|fp16 — got "${text}"`;
  const byModel: Record<string, NpuPrecision> = {};
  let defaultPrecision: NpuPrecisionPlan['default'] = 'auto';
  for (const [index, part] of [first, ...rest].entries()) {
    const perModel = /^([a-z0-9][a-z0-9-]*)=(int8|fp16)$/.exec(part);
    if (perModel) {
      const [, modelId = '', precision] = perModel;
      if (modelId in byModel) throw new Error(`${usage}: ${modelId} is given twice`);
      byModel[modelId] = precision as NpuPrecision;
    } else if (index === 0 && (part === 'auto' || part === 'int8' || part === 'fp16')) {
      defaultPrecision = part;
    } else {
      throw new Error(usage);
    }
  }
  return Object.keys(byModel).length > 0 ? { default: defaultPrecision, byModel } : { default: defaultPrecision };
}

/** The builds of `model` a plan allows, preferred first. */
export function allowedPrecisions(plan: NpuPrecisionPlan, model: ResolvedModel): NpuPrecision[] {
  const chosen = plan.byModel?.[model.id] ?? plan.default;
  if (chosen !== 'auto') return [chosen];
  return model.entry.quantization?.int8 ? ['int8', 'fp16'] : ['fp16'];
}

/** The NPU build of `model` a plan runs on `targetPlatform`, if the manifest has one. */
export function npuBuildFor(plan: NpuPrecisionPlan, model: ResolvedModel, targetPlatform = 'rk3568'): ModelVariant | undefined {
  const builds = model.entry.variants?.filter((variant) => variant.engine === 'rknn' && variant.targetPlatform === targetPlatform) ?? [];
  for (const precision of allowedPrecisions(plan, model)) {
    const build = builds.find((variant) => variant.precision === precision);
    if (build) return build;
  }
  return undefined;
}

/** Options of the NPU backend. */
export interface RknnBackendOptions {
  /** The loaded runtime (`RknnRuntime.open`). */
  readonly runtime: RknnRuntime;
  /** Which build of each model to run; default `{ default: 'auto' }`. */
  readonly precision?: NpuPrecisionPlan;
  /** The SoC the builds were made for; default rk3568. */
  readonly targetPlatform?: string;
  /**
   * Who turns int8 outputs into floats: the runtime (`want_float`) or Lintel, with the zero point and scale of
   * each output; default `runtime`. Both give the same values; which is faster depends on the board.
   */
  readonly dequantize?: 'runtime' | 'lintel';
}

/**
 * Runs models on the RK3568 NPU through Rockchip's runtime. Inputs are the pipeline's NHWC uint8 RGB images,
 * handed over as they are: the builds fold the manifest's mean and std into the model
 * (models/rknn/convert_rknn.py), so the NPU sees exactly the pixels the CPU backend normalises.
 */
export class RknnBackend implements InferenceBackend {
  readonly name = 'rknn-npu' as const;
  private readonly precision: NpuPrecisionPlan;
  private readonly targetPlatform: string;

  constructor(private readonly options: RknnBackendOptions) {
    this.precision = options.precision ?? { default: 'auto' };
    this.targetPlatform = options.targetPlatform ?? 'rk3568';
  }

  /** The build of `model` this backend would run, if the manifest has one. */
  variantFor(model: ResolvedModel): ModelVariant | undefined {
    return npuBuildFor(this.precision, model, this.targetPlatform);
  }

  async load(model: ResolvedModel): Promise<ModelSession> {
    const variant = this.variantFor(model);
    if (!variant) {
      throw new ModelFileError(
        model.id,
        model.onnxPath,
        `model ${model.id} has no ${allowedPrecisions(this.precision, model).join(' or ')} build for ${this.targetPlatform}: convert it with models/rknn/convert_rknn.py`,
      );
    }
    const path = join(dirname(model.onnxPath), variant.file);
    const bytes = await readVerifiedFile(model.id, path, variant.sha256);
    const npuModel = await this.options.runtime.loadModelBytes(bytes, { label: path, wantFloat: this.options.dequantize !== 'lintel' });
    try {
      checkInput(model, npuModel);
      checkOutputs(model, npuModel);
    } catch (error) {
      await npuModel.close();
      throw error;
    }
    return new RknnModelSession(model, npuModel);
  }
}

function checkInput(model: ResolvedModel, npuModel: RknnModel): void {
  const [input, ...extra] = npuModel.inputAttrs();
  const { widthPx, heightPx } = model.entry.input;
  if (!input || extra.length > 0) throw new Error(`model ${model.id}: the NPU build has ${npuModel.inputAttrs().length} inputs, Lintel feeds 1`);
  if (input.nElems !== widthPx * heightPx * 3) {
    throw new Error(`model ${model.id}: the NPU build's input holds ${input.nElems} values, the manifest's ${widthPx}×${heightPx}×3 image ${widthPx * heightPx * 3}`);
  }
}

function checkOutputs(model: ResolvedModel, npuModel: RknnModel): void {
  const attrs = npuModel.outputAttrs();
  const expected = model.entry.outputs;
  if (attrs.length !== expected.length) throw new Error(`model ${model.id}: the NPU build has ${attrs.length} outputs, the manifest lists ${expected.length}`);
  expected.forEach((output, index) => {
    const count = output.shape.reduce((product, dim) => product * dim, 1);
    const attr = attrs[index];
    // The toolkit keeps the ONNX outputs' order but may rename them or pad the rank; the element count must agree.
    if (attr?.nElems !== count) {
      throw new Error(`model ${model.id}: NPU output ${index} holds ${attr?.nElems} values, the manifest's ${output.name} ${count}`);
    }
  });
}

/** Dequantises an int8 tensor: real = (q − zeroPoint) × scale. */
export function dequantizeInt8(data: Int8Array, zeroPoint: number, scale: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = ((data[i] as number) - zeroPoint) * scale;
  return out;
}

class RknnModelSession implements ModelSession {
  readonly backend = 'rknn-npu' as const;
  readonly modelId: string;

  constructor(
    private readonly model: ResolvedModel,
    private readonly npuModel: RknnModel,
  ) {
    this.modelId = model.id;
  }

  async run(image: RgbImage): Promise<OutputTensor[]> {
    const { widthPx, heightPx } = this.model.entry.input;
    if (image.widthPx !== widthPx || image.heightPx !== heightPx) {
      throw new Error(`input image is ${image.widthPx}×${image.heightPx} px, the model takes ${widthPx}×${heightPx}`);
    }
    const outputs = await this.npuModel.run(image.data);
    return this.model.entry.outputs.map(({ name, shape }, index) => toFloatOutput(name, shape, outputs[index], this.modelId));
  }

  async close(): Promise<void> {
    await this.npuModel.close();
  }
}

function toFloatOutput(name: string, shape: readonly number[], output: RknnOutputTensor | undefined, modelId: string): OutputTensor {
  if (!output) throw new Error(`model ${modelId}: output ${name} missing from the NPU run`);
  const { zeroPoint, scale, type } = output.quantization;
  const quantization = type === 'affine-asymmetric' ? { zeroPoint, scale } : undefined;
  if (output.data instanceof Float32Array) return { name, shape, data: output.data, ...(quantization ? { quantization } : {}) };
  if (output.data instanceof Int8Array && quantization) {
    return { name, shape, data: dequantizeInt8(output.data, zeroPoint, scale), quantization };
  }
  throw new Error(`model ${modelId}: NPU output ${name} is ${output.dataType}, which Lintel cannot read`);
}
