import type { ResolvedModel } from '../models/manifest.js';
import type { BackendName, InferenceBackend, ModelSession } from './inference-backend.js';
import { OnnxBackend } from './onnx-backend.js';
import { RknnBackend, type NpuOptions } from './rknn-backend.js';

/** Where one model runs, and why there. */
export interface EngineChoice {
  readonly modelId: string;
  readonly engine: BackendName;
  /** Why not the NPU, when it runs on the CPU. */
  readonly reason?: string;
}

/** Options of `SelectingBackend`. */
export interface SelectingBackendOptions {
  readonly cpu: InferenceBackend;
  /** The NPU backend, when its runtime loaded; absent means the NPU is unavailable (with `npuUnavailableReason`). */
  readonly npu?: InferenceBackend & { variantFor(model: ResolvedModel): unknown };
  readonly npuUnavailableReason?: string;
  /** `npu`: the NPU where the model has a build and loads, the CPU otherwise (default); `cpu`: CPU only. */
  readonly prefer?: 'npu' | 'cpu';
}

/**
 * Chooses the engine per model: the NPU where its runtime loaded and the manifest has a build of the model that
 * loads, the CPU otherwise. Every choice is recorded with its reason, for the terminal's health.
 */
export class SelectingBackend implements InferenceBackend {
  readonly name = 'auto' as const;
  private readonly log = new Map<string, EngineChoice>();

  constructor(private readonly options: SelectingBackendOptions) {}

  /** The engine each loaded model runs on. */
  get choices(): EngineChoice[] {
    return [...this.log.values()];
  }

  async load(model: ResolvedModel): Promise<ModelSession> {
    const { npu, cpu } = this.options;
    let reason: string;
    if (this.options.prefer === 'cpu') reason = 'configured for the CPU';
    else if (!npu) reason = `NPU unavailable: ${this.options.npuUnavailableReason ?? 'no runtime configured'}`;
    else if (!npu.variantFor(model)) reason = 'no NPU build of this model in the manifest';
    else {
      try {
        const session = await npu.load(model);
        this.log.set(model.id, { modelId: model.id, engine: session.backend });
        return session;
      } catch (error) {
        reason = `the NPU build did not load: ${(error as Error).message}`;
      }
    }
    const session = await cpu.load(model);
    this.log.set(model.id, { modelId: model.id, engine: session.backend, reason });
    return session;
  }
}

/** The engines a pipeline may use: the CPU always, the NPU where its runtime library loads. */
export interface OpenedEngines {
  readonly backend: SelectingBackend;
  /** The runtime's version embedded in the library, where the NPU is available. */
  readonly npuRuntimeVersion?: string | null;
  /** Why the NPU is not used, where it is not. */
  readonly npuUnavailableReason?: string;
}

/**
 * Builds the per-model engine choice: the CPU with `cpuThreads` intra-op threads, and, with `npu` set, the NPU
 * through Rockchip's runtime at its absolute path. A runtime that will not load leaves every model on the CPU,
 * with the reason; koffi and the runtime are loaded only when an NPU is configured.
 */
export async function openEngines(options: {
  readonly cpuThreads: number;
  readonly npu?: NpuOptions;
}): Promise<OpenedEngines> {
  const cpu = new OnnxBackend({ intraOpThreads: options.cpuThreads });
  if (!options.npu) return { backend: new SelectingBackend({ cpu, prefer: 'cpu' }), npuUnavailableReason: 'no NPU runtime configured' };
  try {
    const { RknnRuntime } = await import('../../../native-bridge/rknn/rknn-runtime.js');
    const runtime = await RknnRuntime.open({ libraryPath: options.npu.libraryPath });
    const npu = new RknnBackend({ runtime, ...(options.npu.precision ? { precision: options.npu.precision } : {}) });
    return { backend: new SelectingBackend({ cpu, npu }), npuRuntimeVersion: runtime.libraryVersion() };
  } catch (error) {
    const reason = (error as Error).message;
    return { backend: new SelectingBackend({ cpu, npuUnavailableReason: reason }), npuUnavailableReason: reason };
  }
}
