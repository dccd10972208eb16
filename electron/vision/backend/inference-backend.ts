import type { RgbImage } from '../frame/rgb-image.js';
import type { ResolvedModel } from '../models/manifest.js';

/** Which engine runs a model: onnxruntime on the CPU, or Rockchip's RKNN runtime on the NPU. */
export type BackendName = 'onnx-cpu' | 'rknn-npu';

/**
 * One output of a run, dequantised to float32, in the layout the manifest lists.
 * `quantization` says how the engine produced it, where it was an int8 tensor (NPU); informative only.
 */
export interface OutputTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
  readonly quantization?: { readonly zeroPoint: number; readonly scale: number };
}

/**
 * A loaded model. Input is always the model's input image as packed NHWC uint8 RGB of exactly the manifest's
 * input size: the NPU takes it as it is (mean/std are folded into the converted model), the CPU backend
 * normalises it per the manifest. Outputs come back in the manifest's order.
 */
export interface ModelSession {
  readonly modelId: string;
  readonly backend: BackendName;
  run(image: RgbImage): Promise<OutputTensor[]>;
  close(): Promise<void>;
}

/** Loads models for one engine (or, for `auto`, chooses the engine per model). */
export interface InferenceBackend {
  readonly name: BackendName | 'auto';
  load(model: ResolvedModel): Promise<ModelSession>;
}

/** A model file is missing, unreadable, or not the file the manifest describes. */
export class ModelFileError extends Error {
  override readonly name = 'ModelFileError';
  constructor(
    readonly modelId: string,
    readonly filePath: string,
    message: string,
  ) {
    super(message);
  }
}
