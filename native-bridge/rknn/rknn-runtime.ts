// The RKNN runtime wrapper: loads librknnrt.so from a configured absolute path (a library that will not load is an
// "NPU unavailable" state), checks every model file before rknn_init, checks every return code, owns contexts and
// tensor memory, and keeps inference off the event loop (koffi `.async` calls run on koffi's worker pool).
//
// Never calls rknn_set_core_mask: RK3566/RK3568 have a single-core NPU and the call is unsupported there; it
// returns an error instead of doing nothing (reference §0.2, §1.2 support table; go-rknnlite issue #22).
import { resolve } from 'node:path';

import koffi from 'koffi';

import {
  LintelRknnTensorMem,
  RknnQntType,
  RknnQuery,
  RknnTensorFormat,
  RknnTensorType,
  loadRknnLibrary,
} from './bindings.js';
import type { KoffiFn, NativePointer, OutCell, RawInput, RawOutput, RawTensorAttr, RawTensorMem, RknnContextHandle, RknnFunctions } from './bindings.js';
import { checkLibraryFile, readEmbeddedRuntimeVersion } from './library-file.js';
import { checkModelFile, checkModelHeader } from './model-file.js';
import { NpuUnavailableError, RKNN_CODES, RknnError, checkRknn } from './rknn-errors.js';
import type { NpuUnavailableReason } from './rknn-errors.js';

/** Element type of a tensor, by `rknn_tensor_type` name. */
export type RknnTensorTypeName =
  | 'float32'
  | 'float16'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'bool'
  | 'int4'
  | 'bfloat16'
  | 'unknown';

/** Memory layout of a tensor, by `rknn_tensor_format` name. */
export type RknnTensorFormatName = 'NCHW' | 'NHWC' | 'NC1HWC2' | 'UNDEFINED' | 'unknown';

/** Quantisation of a tensor, by `rknn_tensor_qnt_type`. */
export type RknnQntTypeName = 'none' | 'dfp' | 'affine-asymmetric' | 'unknown';

/** A tensor's attributes as the runtime reports them (`rknn_tensor_attr`). */
export interface RknnTensorAttr {
  readonly index: number;
  readonly name: string;
  readonly dims: readonly number[];
  readonly nElems: number;
  /** Bytes of the tensor in its own type, rows unpadded. */
  readonly sizeBytes: number;
  readonly format: RknnTensorFormatName;
  readonly type: RknnTensorTypeName;
  readonly qntType: RknnQntTypeName;
  /** Fractional length, for `dfp` quantisation. */
  readonly fl: number;
  /** Affine zero point: real = (q − zeroPoint) × scale (reference §1.9). */
  readonly zeroPoint: number;
  readonly scale: number;
  /** Row stride of the native layout, elements; 0 when not reported. */
  readonly wStride: number;
  /** Bytes including row padding; what zero-copy memory must hold. */
  readonly sizeWithStrideBytes: number;
  readonly hStride: number;
  readonly passThrough: boolean;
}

/** Output data: float32 when dequantised, else a typed array of the tensor's own type (float16/bfloat16 as raw uint16, int4 packed bytes). */
export type RknnTensorData = Float32Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array;

/** One output of a run, in the layout `outputAttrs()` reports. */
export interface RknnOutputTensor {
  readonly index: number;
  readonly name: string;
  readonly dims: readonly number[];
  readonly format: RknnTensorFormatName;
  /** Type of `data`: `float32` when dequantised, else the tensor's own type. */
  readonly dataType: RknnTensorTypeName;
  readonly data: RknnTensorData;
  /** How the runtime quantised the tensor; with `dataType` float32 it is already applied. */
  readonly quantization: { readonly type: RknnQntTypeName; readonly zeroPoint: number; readonly scale: number };
}

/** Versions from `RKNN_QUERY_SDK_VERSION`. */
export interface RknnSdkVersion {
  /** Runtime (librknnrt) version, e.g. `2.3.2 (429f97ae6b@2025-04-09T09:09:27)`. */
  readonly apiVersion: string;
  /** rknpu kernel driver version, e.g. `0.9.8`. */
  readonly driverVersion: string;
}

/** Which native attributes to query (reference §1.3, commands 8–11). */
export type RknnNativeAttrKind = 'input' | 'output' | 'nhwc-input' | 'nhwc-output';

/** Options of a loaded model. */
export interface RknnModelOptions {
  /** How `rknn_init` gets the model: `bytes` (default) reads and checks the file here; `path` passes the path (size 0). */
  readonly initFrom?: 'bytes' | 'path';
  /** `rknn_init` flags (reference §1.5); default 0 (`RKNN_FLAG_PRIOR_HIGH`). */
  readonly initFlags?: number;
  /** Dequantise outputs to float32 (`want_float`, or FLOAT32 io memory); default true. */
  readonly wantFloat?: boolean;
  /** `copy` (default): rknn_inputs_set + rknn_outputs_get; `zero-copy`: runtime tensor memory bound with rknn_set_io_mem. */
  readonly ioMode?: 'copy' | 'zero-copy';
  /** Who allocates outputs in `copy` mode: `caller` (default, `is_prealloc`, JS-owned memory) or `runtime`. */
  readonly outputAllocation?: 'caller' | 'runtime';
  /** Largest model file accepted, bytes; default 512 MiB. */
  readonly maxModelBytes?: number;
}

type ResolvedModelOptions = Required<Omit<RknnModelOptions, 'maxModelBytes'>>;

/** `rknn_init` flags this wrapper cannot honour, and why (reference §1.5). */
const UNSUPPORTED_INIT_FLAGS: readonly (readonly [flag: number, why: string])[] = [
  [0x4, 'RKNN_FLAG_ASYNC_MASK: rknn_outputs_get would hand back the previous frame'],
  [0x10, 'RKNN_FLAG_MEM_ALLOC_OUTSIDE: needs rknn_set_weight_mem and rknn_set_internal_mem, which are not bound'],
  [0x40, 'RKNN_FLAG_FENCE_IN_OUTSIDE: needs fence file descriptors, which are not bound'],
  [0x80, 'RKNN_FLAG_FENCE_OUT_OUTSIDE: needs fence file descriptors, which are not bound'],
  [0x200, 'RKNN_FLAG_INTERNAL_ALLOC_OUTSIDE: needs rknn_set_internal_mem, which is not bound'],
  [0x10000, 'RKNN_FLAG_MODEL_BUFFER_ZERO_COPY: the runtime would keep reading model bytes the wrapper does not keep alive'],
];

/** What `RknnRuntime.probe` found: a usable runtime with its versions, or why the NPU is unavailable. */
export type RknnProbe =
  | {
      readonly available: true;
      readonly libraryPath: string;
      /** From the model's context when a model was given, else from the library file; null when neither says. */
      readonly runtimeVersion: string | null;
      /** Needs a context: null unless a model was given. */
      readonly driverVersion: string | null;
    }
  | { readonly available: false; readonly libraryPath: string; readonly reason: NpuUnavailableReason; readonly message: string };

/** Options of `RknnRuntime.open`. */
export interface RknnRuntimeOptions {
  /** Absolute path of librknnrt.so; never searched for on the loader's path. */
  readonly libraryPath: string;
}

/** The RKNN runtime library, loaded. Models it loads own their contexts; close them, the library stays loaded. */
export class RknnRuntime {
  private constructor(
    /** The library's absolute path. */
    readonly libraryPath: string,
    private readonly fns: RknnFunctions,
    private readonly embeddedVersion: string | null,
  ) {}

  /** Loads the runtime library. Throws `NpuUnavailableError` (path and reason) when it cannot be used. */
  static async open(options: RknnRuntimeOptions): Promise<RknnRuntime> {
    const { libraryPath } = options;
    await checkLibraryFile(libraryPath);
    const embeddedVersion = await readEmbeddedRuntimeVersion(libraryPath).catch(() => null);
    return new RknnRuntime(libraryPath, loadRknnLibrary(libraryPath), embeddedVersion);
  }

  /**
   * Says whether the NPU runtime is usable, never throwing for an unusable library. With `modelPath`, also
   * loads that model to read the runtime and driver versions (`RKNN_QUERY_SDK_VERSION` needs a context).
   */
  static async probe(libraryPath: string, options: { modelPath?: string } = {}): Promise<RknnProbe> {
    let runtime: RknnRuntime;
    try {
      runtime = await RknnRuntime.open({ libraryPath });
    } catch (error) {
      if (error instanceof NpuUnavailableError) return { available: false, libraryPath, reason: error.reason, message: error.message };
      throw error;
    }
    if (options.modelPath === undefined) {
      return { available: true, libraryPath, runtimeVersion: runtime.libraryVersion(), driverVersion: null };
    }
    let model: RknnModel;
    try {
      model = await runtime.loadModel(options.modelPath);
    } catch (error) {
      if (error instanceof RknnError && error.code === RKNN_CODES.RKNN_ERR_DEVICE_UNAVAILABLE) {
        return { available: false, libraryPath, reason: 'device-unavailable', message: error.message };
      }
      throw error;
    }
    try {
      const version = model.sdkVersion();
      return { available: true, libraryPath, runtimeVersion: version.apiVersion, driverVersion: version.driverVersion };
    } finally {
      await model.close();
    }
  }

  /** The version string embedded in the library file (`librknnrt version: …`), or null. */
  libraryVersion(): string | null {
    return this.embeddedVersion;
  }

  /** Checks a model file (reference-backed header check, see model-file.ts), then initialises a context for it. */
  async loadModel(modelPath: string, options: RknnModelOptions = {}): Promise<RknnModel> {
    const path = resolve(modelPath);
    const initFrom = options.initFrom ?? 'bytes';
    const file = await checkModelFile(path, { readWhole: initFrom === 'bytes', maxModelBytes: options.maxModelBytes });
    return RknnModel.open(this.fns, { label: path, bytes: file.bytes, path }, options);
  }

  /** Initialises a context from a model's bytes, after the same header check; `label` names it in errors. */
  async loadModelBytes(bytes: Uint8Array, options: RknnModelOptions & { readonly label?: string } = {}): Promise<RknnModel> {
    const label = options.label ?? 'in-memory model';
    checkModelHeader(bytes, bytes.byteLength, label, options.maxModelBytes);
    return RknnModel.open(this.fns, { label, bytes }, { ...options, initFrom: 'bytes' });
  }
}

interface ZeroCopyInput {
  readonly mem: NativePointer;
  readonly virtAddr: NativePointer;
  readonly memBytes: number;
  readonly rows: number;
  readonly rowBytes: number;
  readonly strideBytes: number;
  /** Row-padded copy of the input; null when rows are unpadded and the input is written as it is. */
  readonly staging: Uint8Array | null;
}

interface ZeroCopyOutput {
  readonly mem: NativePointer;
  readonly virtAddr: NativePointer;
  readonly type: number;
}

type Optional<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: RknnError };

/**
 * A model loaded on the NPU: owns its `rknn_context` (and tensor memory in zero-copy mode). Runs are queued
 * one at a time (a context is not safe for concurrent use); `close()` waits for the run in flight. Nothing
 * finalises a forgotten model: close it.
 */
export class RknnModel {
  private tail: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | null = null;
  private zeroCopyInputs: ZeroCopyInput[] = [];
  private zeroCopyOutputs: ZeroCopyOutput[] = [];
  private readonly mems: NativePointer[] = [];

  private constructor(
    private readonly fns: RknnFunctions,
    private readonly context: RknnContextHandle,
    /** The model file's absolute path, or the label of in-memory bytes. */
    readonly label: string,
    /** The options in effect, defaults applied. */
    readonly options: ResolvedModelOptions,
    private readonly inputs: readonly RknnTensorAttr[],
    private readonly outputs: readonly RknnTensorAttr[],
    private readonly rawOutputAttrs: readonly RawTensorAttr[],
    private readonly version: Optional<RknnSdkVersion>,
    private readonly custom: Optional<string>,
  ) {}

  /** Initialises a context (off the event loop) and reads its attributes. Internal: use `RknnRuntime.loadModel`. */
  static async open(
    fns: RknnFunctions,
    source: { readonly label: string; readonly bytes?: Uint8Array | undefined; readonly path?: string },
    options: RknnModelOptions,
  ): Promise<RknnModel> {
    const resolved: ResolvedModelOptions = {
      initFrom: options.initFrom ?? 'bytes',
      initFlags: options.initFlags ?? 0,
      wantFloat: options.wantFloat ?? true,
      ioMode: options.ioMode ?? 'copy',
      outputAllocation: options.outputAllocation ?? 'caller',
    };
    const unsupported = UNSUPPORTED_INIT_FLAGS.find(([flag]) => (resolved.initFlags & flag) !== 0);
    if (unsupported !== undefined) {
      throw new RknnError(RKNN_CODES.RKNN_ERR_PARAM_INVALID, 'rknn_init', source.label, `unsupported flag ${unsupported[1]}`, 'wrapper');
    }
    const cell: OutCell<RknnContextHandle> = [null];
    let code: number;
    if (source.bytes !== undefined) {
      code = await callAsync(fns.rknn_init, cell, source.bytes, source.bytes.byteLength, resolved.initFlags, null);
    } else if (source.path !== undefined) {
      code = await callAsync(fns.rknn_init_path, cell, source.path, 0, resolved.initFlags, null);
    } else {
      throw new RknnError(RKNN_CODES.RKNN_ERR_PARAM_INVALID, 'rknn_init', source.label, 'neither bytes nor a path given', 'wrapper');
    }
    checkRknn(code, 'rknn_init', source.label);
    const context = cell[0];
    if (context === null || context === 0 || context === 0n) {
      throw new RknnError(RKNN_CODES.RKNN_ERR_FAIL, 'rknn_init', source.label, 'the runtime returned success but no context');
    }
    try {
      const num: { n_input?: number; n_output?: number } = {};
      checkRknn(fns.rknn_query_in_out_num(context, RknnQuery.IN_OUT_NUM, num, 8), 'rknn_query(RKNN_QUERY_IN_OUT_NUM)', source.label);
      const rawInputs = queryAttrs(fns, context, RknnQuery.INPUT_ATTR, num.n_input ?? 0, source.label);
      const rawOutputs = queryAttrs(fns, context, RknnQuery.OUTPUT_ATTR, num.n_output ?? 0, source.label);
      // Versions and the custom string are informative: a runtime that refuses them should not stop the model.
      const version = optional(() => {
        const info: { api_version?: string; drv_version?: string } = {};
        checkRknn(fns.rknn_query_sdk_version(context, RknnQuery.SDK_VERSION, info, 512), 'rknn_query(RKNN_QUERY_SDK_VERSION)', source.label);
        return { apiVersion: info.api_version ?? '', driverVersion: info.drv_version ?? '' };
      });
      const custom = optional(() => {
        const info: { string?: string } = {};
        checkRknn(fns.rknn_query_custom_string(context, RknnQuery.CUSTOM_STRING, info, 1024), 'rknn_query(RKNN_QUERY_CUSTOM_STRING)', source.label);
        return info.string ?? '';
      });
      const model = new RknnModel(
        fns,
        context,
        source.label,
        resolved,
        rawInputs.map(toTensorAttr),
        rawOutputs.map(toTensorAttr),
        rawOutputs,
        version,
        custom,
      );
      if (resolved.ioMode === 'zero-copy') {
        try {
          model.bindZeroCopyMemory();
        } catch (error) {
          // Report why binding failed, not a follow-on failure of the clean-up.
          try {
            model.destroyMems();
          } catch {
            // The context is destroyed below either way.
          }
          throw error;
        }
      }
      return model;
    } catch (error) {
      fns.rknn_destroy(context);
      throw error;
    }
  }

  /** Number of inputs and outputs (`RKNN_QUERY_IN_OUT_NUM`). */
  inputOutputCount(): { readonly inputs: number; readonly outputs: number } {
    return { inputs: this.inputs.length, outputs: this.outputs.length };
  }

  /** Input attributes (`RKNN_QUERY_INPUT_ATTR`), read at load. */
  inputAttrs(): readonly RknnTensorAttr[] {
    return this.inputs;
  }

  /** Output attributes (`RKNN_QUERY_OUTPUT_ATTR`), read at load; outputs of `run()` come in this order and layout. */
  outputAttrs(): readonly RknnTensorAttr[] {
    return this.outputs;
  }

  /** Runtime and driver versions (`RKNN_QUERY_SDK_VERSION`); throws the query's `RknnError` if the runtime refused it. */
  sdkVersion(): RknnSdkVersion {
    if (!this.version.ok) throw this.version.error;
    return this.version.value;
  }

  /** The custom string given at conversion (`RKNN_QUERY_CUSTOM_STRING`); throws the query's `RknnError` if refused. */
  customString(): string {
    if (!this.custom.ok) throw this.custom.error;
    return this.custom.value;
  }

  /** Native-layout attributes (`RKNN_QUERY_NATIVE_*_ATTR`), queried between runs. */
  async nativeAttrs(kind: RknnNativeAttrKind): Promise<RknnTensorAttr[]> {
    const cmd = {
      input: RknnQuery.NATIVE_INPUT_ATTR,
      output: RknnQuery.NATIVE_OUTPUT_ATTR,
      'nhwc-input': RknnQuery.NATIVE_NHWC_INPUT_ATTR,
      'nhwc-output': RknnQuery.NATIVE_NHWC_OUTPUT_ATTR,
    }[kind];
    const count = kind.endsWith('input') ? this.inputs.length : this.outputs.length;
    return this.enqueue('rknn_query', async () => queryAttrs(this.fns, this.context, cmd, count, this.label).map(toTensorAttr));
  }

  /**
   * Runs the model on packed UINT8 NHWC input(s) (one per input, exactly `inputAttrs()[i].nElems` bytes; the
   * runtime applies mean/std and quantisation). Resolves with the outputs in `outputAttrs()` order.
   */
  async run(input: Uint8Array | readonly Uint8Array[]): Promise<RknnOutputTensor[]> {
    const inputs: readonly Uint8Array[] = input instanceof Uint8Array ? [input] : input;
    this.checkInputs(inputs);
    return this.enqueue('rknn_run', () => (this.options.ioMode === 'zero-copy' ? this.runZeroCopy(inputs) : this.runCopy(inputs)));
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.closing !== null;
  }

  /** Destroys the context (after the run in flight) and its tensor memory. Idempotent: later calls return the same promise. */
  close(): Promise<void> {
    this.closing ??= this.tail.then(
      () => this.destroy(),
      () => this.destroy(),
    );
    return this.closing;
  }

  private async destroy(): Promise<void> {
    let memFailure: unknown;
    try {
      this.destroyMems();
    } catch (error) {
      memFailure = error;
    }
    // The context goes whatever happened to its memory.
    const code = await callAsync(this.fns.rknn_destroy, this.context);
    if (memFailure !== undefined) throw memFailure;
    checkRknn(code, 'rknn_destroy', this.label);
  }

  private destroyMems(): void {
    let failure: RknnError | undefined;
    for (const mem of this.mems.splice(0)) {
      const code = this.fns.rknn_destroy_mem(this.context, mem);
      if (code < 0) failure ??= new RknnError(code, 'rknn_destroy_mem', this.label);
    }
    this.zeroCopyInputs = [];
    this.zeroCopyOutputs = [];
    if (failure) throw failure;
  }

  private enqueue<T>(operation: string, task: () => Promise<T>): Promise<T> {
    if (this.closing !== null) {
      // A destroyed context must never reach the runtime: the real one does not check (use after free).
      return Promise.reject(new RknnError(RKNN_CODES.RKNN_ERR_CTX_INVALID, operation, this.label, 'the model is closed', 'wrapper'));
    }
    const result = this.tail.then(task);
    // The queue goes on after a failed run; the caller sees the failure through `result`.
    this.tail = result.catch(() => undefined);
    return result;
  }

  private checkInputs(inputs: readonly Uint8Array[]): void {
    const refuse = (detail: string): never => {
      throw new RknnError(RKNN_CODES.RKNN_ERR_INPUT_INVALID, 'rknn_inputs_set', this.label, detail, 'wrapper');
    };
    if (inputs.length !== this.inputs.length) refuse(`the model takes ${this.inputs.length} input(s), got ${inputs.length}`);
    inputs.forEach((data, index) => {
      const attr = this.inputs[index];
      if (attr === undefined) return;
      if (!(data instanceof Uint8Array)) refuse(`input ${index} must be a Uint8Array of UINT8 NHWC pixels`);
      if (data.byteLength !== attr.nElems) {
        refuse(`input ${index} (${attr.name}) takes ${attr.nElems} bytes of UINT8 NHWC (${attr.dims.join('×')}), got ${data.byteLength}`);
      }
    });
  }

  private async runCopy(inputs: readonly Uint8Array[]): Promise<RknnOutputTensor[]> {
    const { fns, context, label } = this;
    const rawInputs: RawInput[] = inputs.map((buf, index) => ({
      index,
      buf,
      size: buf.byteLength,
      pass_through: 0,
      type: RknnTensorType.UINT8,
      fmt: RknnTensorFormat.NHWC,
    }));
    checkRknn(await callAsync(fns.rknn_inputs_set, context, rawInputs.length, rawInputs), 'rknn_inputs_set', label);
    checkRknn(await callAsync(fns.rknn_run, context, null), 'rknn_run', label);

    const wantFloat = this.options.wantFloat;
    const callerOwned = this.options.outputAllocation === 'caller';
    // Caller-allocated outputs are fresh JS memory per run: results handed out are never overwritten by the next run.
    const owned = this.rawOutputAttrs.map((attr) =>
      callerOwned ? allocateData(wantFloat ? RknnTensorType.FLOAT32 : attr.type, outputBytes(attr, wantFloat)) : null,
    );
    const rawOutputs: RawOutput[] = this.rawOutputAttrs.map((attr, index) => {
      const data = owned[index] ?? null;
      return {
        want_float: wantFloat ? 1 : 0,
        is_prealloc: data === null ? 0 : 1,
        index,
        buf: data === null ? null : new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
        size: data === null ? 0 : data.byteLength,
      };
    });
    checkRknn(await callAsync(fns.rknn_outputs_get, context, rawOutputs.length, rawOutputs, null), 'rknn_outputs_get', label);
    let results: RknnOutputTensor[];
    try {
      results = this.rawOutputAttrs.map((attr, index) => {
        const raw = rawOutputs[index];
        const type = wantFloat ? RknnTensorType.FLOAT32 : attr.type;
        const data = owned[index] ?? (raw?.buf ? decodeData(raw.buf, type, raw.size) : null);
        if (data === null) throw new RknnError(RKNN_CODES.RKNN_ERR_OUTPUT_INVALID, 'rknn_outputs_get', label, `output ${index} has no buffer`);
        return this.outputTensor(index, type, data);
      });
    } finally {
      // Always paired with rknn_outputs_get (reference §1.8): the runtime frees its buffers, or forgets the caller's.
      checkRknn(fns.rknn_outputs_release(context, rawOutputs.length, rawOutputs), 'rknn_outputs_release', label);
    }
    return results;
  }

  private async runZeroCopy(inputs: readonly Uint8Array[]): Promise<RknnOutputTensor[]> {
    this.zeroCopyInputs.forEach((binding, index) => {
      const data = inputs[index];
      if (data === undefined) return;
      if (binding.staging === null) {
        koffi.encode(binding.virtAddr, 'uint8_t', data, data.byteLength);
        return;
      }
      for (let row = 0; row < binding.rows; row++) {
        binding.staging.set(data.subarray(row * binding.rowBytes, (row + 1) * binding.rowBytes), row * binding.strideBytes);
      }
      koffi.encode(binding.virtAddr, 'uint8_t', binding.staging, binding.memBytes);
    });
    // The runtime flushes CPU caches of io memory around rknn_run unless told not to (RKNN_FLAG_DISABLE_FLUSH_*, reference §1.5).
    checkRknn(await callAsync(this.fns.rknn_run, this.context, null), 'rknn_run', this.label);
    return this.zeroCopyOutputs.map((binding, index) => {
      const attr = this.rawOutputAttrs[index];
      const bytes = attr === undefined ? 0 : outputBytes(attr, binding.type === RknnTensorType.FLOAT32);
      return this.outputTensor(index, binding.type, decodeData(binding.virtAddr, binding.type, bytes));
    });
  }

  /** Creates runtime tensor memory for every input (native NHWC layout, UINT8) and output, and binds it. */
  private bindZeroCopyMemory(): void {
    const { fns, context, label } = this;
    const nativeInputs = queryAttrs(fns, context, RknnQuery.NATIVE_INPUT_ATTR, this.inputs.length, label);
    this.zeroCopyInputs = nativeInputs.map((attr) => {
      if (attr.fmt !== RknnTensorFormat.NHWC || attr.n_dims !== 4) {
        throw new RknnError(
          RKNN_CODES.RKNN_ERR_INPUT_INVALID,
          'rknn_set_io_mem',
          label,
          `zero-copy needs a 4-D NHWC native input, input ${attr.index} is ${formatName(attr.fmt)} with ${attr.n_dims} dims`,
          'wrapper',
        );
      }
      const [, height = 0, width = 0, channels = 0] = Array.from(attr.dims);
      const wStride = attr.w_stride > width ? attr.w_stride : width;
      const memBytes = Math.max(attr.size_with_stride, height * wStride * channels);
      // Feed UINT8 NHWC and let the runtime convert, as in the canonical zero-copy sample (reference §1.8).
      const bound: RawTensorAttr = { ...attr, dims: Array.from(attr.dims), type: RknnTensorType.UINT8, fmt: RknnTensorFormat.NHWC, pass_through: 0 };
      const { mem, info } = this.createMem(memBytes);
      checkRknn(fns.rknn_set_io_mem(context, mem, bound), 'rknn_set_io_mem', label);
      const padded = wStride !== width;
      return {
        mem,
        virtAddr: info.virt_addr ?? nullPointer(label),
        memBytes,
        rows: height,
        rowBytes: width * channels,
        strideBytes: wStride * channels,
        staging: padded ? new Uint8Array(memBytes) : null,
      };
    });
    this.zeroCopyOutputs = this.rawOutputAttrs.map((attr) => {
      const type = this.options.wantFloat ? RknnTensorType.FLOAT32 : attr.type;
      const bound: RawTensorAttr = { ...attr, dims: Array.from(attr.dims), type };
      const { mem, info } = this.createMem(outputBytes(attr, this.options.wantFloat));
      checkRknn(fns.rknn_set_io_mem(context, mem, bound), 'rknn_set_io_mem', label);
      return { mem, virtAddr: info.virt_addr ?? nullPointer(label), type };
    });
  }

  private createMem(bytes: number): { mem: NativePointer; info: RawTensorMem } {
    const mem = this.fns.rknn_create_mem(this.context, bytes);
    if (mem === null) {
      throw new RknnError(RKNN_CODES.RKNN_ERR_MALLOC_FAIL, 'rknn_create_mem', this.label, `returned NULL for ${bytes} bytes`);
    }
    this.mems.push(mem);
    return { mem, info: koffi.decode(mem, LintelRknnTensorMem) as RawTensorMem };
  }

  private outputTensor(index: number, type: number, data: RknnTensorData): RknnOutputTensor {
    const attr = this.outputs[index];
    if (attr === undefined) throw new RknnError(RKNN_CODES.RKNN_ERR_OUTPUT_INVALID, 'rknn_outputs_get', this.label, `no output ${index}`);
    return {
      index,
      name: attr.name,
      dims: attr.dims,
      format: attr.format,
      dataType: typeName(type),
      data,
      quantization: { type: attr.qntType, zeroPoint: attr.zeroPoint, scale: attr.scale },
    };
  }
}

/** Calls a koffi function on koffi's worker pool, so the event loop keeps running while C works. */
function callAsync<A extends unknown[], R>(fn: KoffiFn<A, R>, ...args: A): Promise<R> {
  return new Promise<R>((resolvePromise, reject) => {
    fn.async(...args, (error: unknown, result: R) => {
      if (error) reject(error instanceof Error ? error : new Error(String(error)));
      else resolvePromise(result);
    });
  });
}

function queryAttrs(fns: RknnFunctions, context: RknnContextHandle, cmd: number, count: number, label: string): RawTensorAttr[] {
  const name = Object.entries(RknnQuery).find(([, value]) => value === cmd)?.[0] ?? String(cmd);
  return Array.from({ length: count }, (_, index) => {
    const info: Partial<RawTensorAttr> = { index };
    checkRknn(fns.rknn_query_tensor_attr(context, cmd, info, 376), `rknn_query(RKNN_QUERY_${name}, index ${index})`, label);
    return info as RawTensorAttr;
  });
}

function optional<T>(read: () => T): Optional<T> {
  try {
    return { ok: true, value: read() };
  } catch (error) {
    if (error instanceof RknnError) return { ok: false, error };
    throw error;
  }
}

const TYPE_NAMES: Readonly<Record<number, RknnTensorTypeName>> = {
  [RknnTensorType.FLOAT32]: 'float32',
  [RknnTensorType.FLOAT16]: 'float16',
  [RknnTensorType.INT8]: 'int8',
  [RknnTensorType.UINT8]: 'uint8',
  [RknnTensorType.INT16]: 'int16',
  [RknnTensorType.UINT16]: 'uint16',
  [RknnTensorType.INT32]: 'int32',
  [RknnTensorType.UINT32]: 'uint32',
  [RknnTensorType.INT64]: 'int64',
  [RknnTensorType.BOOL]: 'bool',
  [RknnTensorType.INT4]: 'int4',
  [RknnTensorType.BFLOAT16]: 'bfloat16',
};

const FORMAT_NAMES: Readonly<Record<number, RknnTensorFormatName>> = {
  [RknnTensorFormat.NCHW]: 'NCHW',
  [RknnTensorFormat.NHWC]: 'NHWC',
  [RknnTensorFormat.NC1HWC2]: 'NC1HWC2',
  [RknnTensorFormat.UNDEFINED]: 'UNDEFINED',
};

const QNT_NAMES: Readonly<Record<number, RknnQntTypeName>> = {
  [RknnQntType.NONE]: 'none',
  [RknnQntType.DFP]: 'dfp',
  [RknnQntType.AFFINE_ASYMMETRIC]: 'affine-asymmetric',
};

function typeName(type: number): RknnTensorTypeName {
  return TYPE_NAMES[type] ?? 'unknown';
}

function formatName(format: number): RknnTensorFormatName {
  return FORMAT_NAMES[format] ?? 'unknown';
}

function toTensorAttr(raw: RawTensorAttr): RknnTensorAttr {
  return {
    index: raw.index,
    name: raw.name,
    dims: Array.from(raw.dims).slice(0, raw.n_dims),
    nElems: raw.n_elems,
    sizeBytes: raw.size,
    format: formatName(raw.fmt),
    type: typeName(raw.type),
    qntType: QNT_NAMES[raw.qnt_type] ?? 'unknown',
    fl: raw.fl,
    zeroPoint: raw.zp,
    scale: raw.scale,
    wStride: raw.w_stride,
    sizeWithStrideBytes: raw.size_with_stride,
    hStride: raw.h_stride,
    passThrough: raw.pass_through !== 0,
  };
}

/** How a tensor type is held in JS: bytes per element, koffi's element type, the typed array. */
const ELEMENTS: Readonly<Record<number, { bytes: number; koffiType: string; make: (buffer: ArrayBuffer) => RknnTensorData }>> = {
  [RknnTensorType.FLOAT32]: { bytes: 4, koffiType: 'float', make: (buffer) => new Float32Array(buffer) },
  [RknnTensorType.FLOAT16]: { bytes: 2, koffiType: 'uint16_t', make: (buffer) => new Uint16Array(buffer) },
  [RknnTensorType.INT8]: { bytes: 1, koffiType: 'int8_t', make: (buffer) => new Int8Array(buffer) },
  [RknnTensorType.UINT8]: { bytes: 1, koffiType: 'uint8_t', make: (buffer) => new Uint8Array(buffer) },
  [RknnTensorType.INT16]: { bytes: 2, koffiType: 'int16_t', make: (buffer) => new Int16Array(buffer) },
  [RknnTensorType.UINT16]: { bytes: 2, koffiType: 'uint16_t', make: (buffer) => new Uint16Array(buffer) },
  [RknnTensorType.INT32]: { bytes: 4, koffiType: 'int32_t', make: (buffer) => new Int32Array(buffer) },
  [RknnTensorType.UINT32]: { bytes: 4, koffiType: 'uint32_t', make: (buffer) => new Uint32Array(buffer) },
  [RknnTensorType.INT64]: { bytes: 8, koffiType: 'int64_t', make: (buffer) => new BigInt64Array(buffer) },
  [RknnTensorType.BFLOAT16]: { bytes: 2, koffiType: 'uint16_t', make: (buffer) => new Uint16Array(buffer) },
};
const BYTES = { bytes: 1, koffiType: 'uint8_t', make: (buffer: ArrayBuffer): RknnTensorData => new Uint8Array(buffer) };

/** Bytes of an output as `run()` returns it: float32 per element when dequantised, else the runtime's `size`. */
function outputBytes(attr: RawTensorAttr, wantFloat: boolean): number {
  return wantFloat ? attr.n_elems * 4 : attr.size;
}

function allocateData(type: number, bytes: number): RknnTensorData {
  const element = ELEMENTS[type] ?? BYTES;
  return element.make(new ArrayBuffer(bytes - (bytes % element.bytes)));
}

/** Copies runtime memory into a JS-owned typed array (no `koffi.view`: Electron's memory cage forbids it, reference §0.7). */
function decodeData(pointer: object, type: number, bytes: number): RknnTensorData {
  const element = ELEMENTS[type] ?? BYTES;
  return koffi.decode(pointer, element.koffiType, Math.floor(bytes / element.bytes)) as RknnTensorData;
}

function nullPointer(label: string): never {
  throw new RknnError(RKNN_CODES.RKNN_ERR_MALLOC_FAIL, 'rknn_create_mem', label, 'the tensor memory has no virtual address');
}
