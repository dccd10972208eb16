import { dirname, join } from 'node:path';

import type { RknnModel, RknnOutputTensor, RknnRuntime } from '../../../native-bridge/rknn/rknn-runtime.js';
import type { RgbImage } from '../frame/rgb-image.js';
import type { ModelVariant, ResolvedModel } from '../models/manifest.js';
import { ModelFileError, type InferenceBackend, type ModelSession, type OutputTensor } from './inference-backend.js';
import { readVerifiedFile } from './model-file.js';

/** Options of the NPU backend. */
export interface RknnBackendOptions {
  /** The loaded runtime (`RknnRuntime.open`). */
  readonly runtime: RknnRuntime;
  /** Which build of each model to run; default int8. */
  readonly precision?: 'int8' | 'fp16';
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
  private readonly precision: 'int8' | 'fp16';
  private readonly targetPlatform: string;

  constructor(private readonly options: RknnBackendOptions) {
    this.precision = options.precision ?? 'int8';
    this.targetPlatform = options.targetPlatform ?? 'rk3568';
  }

  /** The build of `model` this backend would run, if the manifest has one. */
  variantFor(model: ResolvedModel): ModelVariant | undefined {
    return model.entry.variants?.find(
      (variant) => variant.engine === 'rknn' && variant.precision === this.precision && variant.targetPlatform === this.targetPlatform,
    );
  }

  async load(model: ResolvedModel): Promise<ModelSession> {
    const variant = this.variantFor(model);
    if (!variant) {
      throw new ModelFileError(
        model.id,
        model.onnxPath,
        `model ${model.id} has no ${this.precision} build for ${this.targetPlatform}: convert it with models/rknn/convert_rknn.py`,
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
