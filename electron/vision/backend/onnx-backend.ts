import * as ort from 'onnxruntime-node';

import type { RgbImage } from '../frame/rgb-image.js';
import type { ModelEntry, ResolvedModel } from '../models/manifest.js';
import type { InferenceBackend, ModelSession, OutputTensor } from './inference-backend.js';
import { readVerifiedModel } from './model-file.js';

/** Options of the CPU backend. */
export interface OnnxBackendOptions {
  /** Threads one operator may use; default 1 (the camera loop runs stages concurrently). */
  intraOpThreads?: number;
  /** Let idle intra-op threads spin instead of blocking; default false (see below). */
  spinWait?: boolean;
}

/** Runs models on the CPU with onnxruntime-node. */
export class OnnxBackend implements InferenceBackend {
  readonly name = 'onnx-cpu' as const;

  constructor(private readonly options: OnnxBackendOptions = {}) {}

  async load(model: ResolvedModel): Promise<ModelSession> {
    const bytes = await readVerifiedModel(model);
    const session = await ort.InferenceSession.create(bytes, {
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      intraOpNumThreads: this.options.intraOpThreads ?? 1,
      interOpNumThreads: 1,
      // Spinning idle pool threads fight Node's own threads for the cores: with 2 threads on a 2-core machine
      // it made every stage ~2× slower (npm run bench), where blocking waits made them faster than 1 thread.
      extra: { session: { intra_op: { allow_spinning: this.options.spinWait ? '1' : '0' } } },
    });
    return new OnnxModelSession(model, session);
  }
}

class OnnxModelSession implements ModelSession {
  readonly backend = 'onnx-cpu' as const;
  readonly modelId: string;
  private readonly entry: ModelEntry;
  private readonly inputData: Float32Array;
  private readonly inputTensor: ort.Tensor;

  constructor(
    model: ResolvedModel,
    private readonly session: ort.InferenceSession,
  ) {
    this.modelId = model.id;
    this.entry = model.entry;
    const { widthPx, heightPx, layout } = this.entry.input;
    this.inputData = new Float32Array(widthPx * heightPx * 3);
    // One input tensor reused for every run: onnxruntime reads it synchronously when run() starts.
    const dims = layout === 'NCHW' ? [1, 3, heightPx, widthPx] : [1, heightPx, widthPx, 3];
    this.inputTensor = new ort.Tensor('float32', this.inputData, dims);
  }

  async run(image: RgbImage): Promise<OutputTensor[]> {
    normaliseInto(this.inputData, image, this.entry);
    const results = await this.session.run({ [this.entry.input.name]: this.inputTensor });
    return this.entry.outputs.map(({ name, shape }) => {
      const tensor = results[name];
      if (!tensor) throw new Error(`model ${this.modelId}: output ${name} missing from the run`);
      return { name, shape, data: tensor.data as Float32Array };
    });
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

/**
 * Writes `(pixel − mean) / std` of an NHWC uint8 RGB image into the model's float input, in the model's
 * layout and colour order.
 */
export function normaliseInto(target: Float32Array, image: RgbImage, entry: ModelEntry): void {
  const { widthPx, heightPx, layout, colorOrder, mean, std } = entry.input;
  if (image.widthPx !== widthPx || image.heightPx !== heightPx) {
    throw new Error(`input image is ${image.widthPx}×${image.heightPx} px, the model takes ${widthPx}×${heightPx}`);
  }
  const pixels = widthPx * heightPx;
  const src = image.data;
  // Channel c of the model reads source channel order[c].
  const order = colorOrder === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  for (let c = 0; c < 3; c++) {
    const srcChannel = order[c] as number;
    const m = mean[c] as number;
    const scale = 1 / (std[c] as number);
    if (layout === 'NCHW') {
      const planeOffset = c * pixels;
      for (let i = 0, s = srcChannel; i < pixels; i++, s += 3) target[planeOffset + i] = ((src[s] as number) - m) * scale;
    } else {
      for (let i = 0, s = srcChannel; i < pixels; i++, s += 3) target[i * 3 + c] = ((src[s] as number) - m) * scale;
    }
  }
}
