// koffi declarations of the RKNN runtime C API (librknnrt.so), and nothing else: see rknn-runtime.ts for the wrapper.
// Layouts, prototypes and enum values: shared/reference/rk3568-platform.md §1.2–§1.7 (runtime ≥ 1.3, LP64).
// koffi keeps one registry of type names per process: every name here carries the `LintelRknn` prefix.
import koffi from 'koffi';
import type { IKoffiCType, IKoffiLib } from 'koffi';

import { NpuUnavailableError } from './rknn-errors.js';

/** `RKNN_MAX_DIMS`: length of `rknn_tensor_attr.dims`. */
export const RKNN_MAX_DIMS = 16;
/** `RKNN_MAX_NAME_LEN`: bytes of `rknn_tensor_attr.name`, NUL included. */
export const RKNN_MAX_NAME_LEN = 256;

/** `rknn_query_cmd` values this binding uses (reference §1.3). */
export const RknnQuery = {
  IN_OUT_NUM: 0,
  INPUT_ATTR: 1,
  OUTPUT_ATTR: 2,
  SDK_VERSION: 5,
  CUSTOM_STRING: 7,
  /** Also `RKNN_QUERY_NATIVE_NC1HWC2_INPUT_ATTR`. */
  NATIVE_INPUT_ATTR: 8,
  /** Also `RKNN_QUERY_NATIVE_NC1HWC2_OUTPUT_ATTR`. */
  NATIVE_OUTPUT_ATTR: 9,
  NATIVE_NHWC_INPUT_ATTR: 10,
  NATIVE_NHWC_OUTPUT_ATTR: 11,
} as const;

/** `rknn_tensor_type` (reference §1.4). */
export const RknnTensorType = {
  FLOAT32: 0,
  FLOAT16: 1,
  INT8: 2,
  UINT8: 3,
  INT16: 4,
  UINT16: 5,
  INT32: 6,
  UINT32: 7,
  INT64: 8,
  BOOL: 9,
  INT4: 10,
  BFLOAT16: 11,
} as const;

/** `rknn_tensor_qnt_type` (reference §1.4). */
export const RknnQntType = { NONE: 0, DFP: 1, AFFINE_ASYMMETRIC: 2 } as const;

/** `rknn_tensor_format` (reference §1.4). */
export const RknnTensorFormat = { NCHW: 0, NHWC: 1, NC1HWC2: 2, UNDEFINED: 3 } as const;

/** `rknn_context`: `uint32_t` only on 32-bit ARM (`__arm__`), `uint64_t` on aarch64 and x86_64 (reference §1.2). */
export const LintelRknnContext = koffi.alias('LintelRknnContext', process.arch === 'arm' ? 'uint32_t' : 'uint64_t');

/** `rknn_input_output_num` (8 B). */
export const LintelRknnInputOutputNum = koffi.struct('LintelRknnInputOutputNum', {
  n_input: 'uint32_t',
  n_output: 'uint32_t',
});

/** `rknn_tensor_attr` (376 B since runtime 1.3; 372 B before, which this binding does not support). */
export const LintelRknnTensorAttr = koffi.struct('LintelRknnTensorAttr', {
  index: 'uint32_t',
  n_dims: 'uint32_t',
  dims: koffi.array('uint32_t', RKNN_MAX_DIMS),
  name: koffi.array('char', RKNN_MAX_NAME_LEN, 'String'),
  n_elems: 'uint32_t',
  size: 'uint32_t',
  fmt: 'int',
  type: 'int',
  qnt_type: 'int',
  fl: 'int8_t',
  zp: 'int32_t',
  scale: 'float',
  w_stride: 'uint32_t',
  size_with_stride: 'uint32_t',
  pass_through: 'uint8_t',
  h_stride: 'uint32_t',
});

/** `rknn_input` (32 B). */
export const LintelRknnInput = koffi.struct('LintelRknnInput', {
  index: 'uint32_t',
  buf: 'void *',
  size: 'uint32_t',
  pass_through: 'uint8_t',
  type: 'int',
  fmt: 'int',
});

/** `rknn_output` (24 B). */
export const LintelRknnOutput = koffi.struct('LintelRknnOutput', {
  want_float: 'uint8_t',
  is_prealloc: 'uint8_t',
  index: 'uint32_t',
  buf: 'void *',
  size: 'uint32_t',
});

/** `rknn_sdk_version` (512 B). */
export const LintelRknnSdkVersion = koffi.struct('LintelRknnSdkVersion', {
  api_version: koffi.array('char', 256, 'String'),
  drv_version: koffi.array('char', 256, 'String'),
});

/** `rknn_custom_string` (1024 B). */
export const LintelRknnCustomString = koffi.struct('LintelRknnCustomString', {
  string: koffi.array('char', 1024, 'String'),
});

/** `rknn_tensor_mem` (40 B), owned by the runtime. */
export const LintelRknnTensorMem = koffi.struct('LintelRknnTensorMem', {
  virt_addr: 'void *',
  phys_addr: 'uint64_t',
  fd: 'int32_t',
  offset: 'int32_t',
  size: 'uint32_t',
  flags: 'uint32_t',
  priv_data: 'void *',
});

/** A native pointer as koffi 2 hands it out (an External object); `null` is NULL. */
export type NativePointer = object;

/** An `rknn_context` value: a number, or a bigint if the runtime ever hands out one above 2^53. */
export type RknnContextHandle = number | bigint;

/** `rknn_tensor_attr` as koffi decodes it. */
export interface RawTensorAttr {
  index: number;
  n_dims: number;
  dims: ArrayLike<number>;
  name: string;
  n_elems: number;
  size: number;
  fmt: number;
  type: number;
  qnt_type: number;
  fl: number;
  zp: number;
  scale: number;
  w_stride: number;
  size_with_stride: number;
  pass_through: number;
  h_stride: number;
}

/** `rknn_input`; `buf` is a JS buffer the runtime reads during the call. */
export interface RawInput {
  index: number;
  buf: Uint8Array | NativePointer | null;
  size: number;
  pass_through: number;
  type: number;
  fmt: number;
}

/** `rknn_output`; `buf` is a JS buffer with `is_prealloc` 1, or the runtime's pointer after `rknn_outputs_get`. */
export interface RawOutput {
  want_float: number;
  is_prealloc: number;
  index: number;
  buf: Uint8Array | NativePointer | null;
  size: number;
}

/** `rknn_tensor_mem` as koffi decodes it. */
export interface RawTensorMem {
  virt_addr: NativePointer | null;
  phys_addr: number | bigint;
  fd: number;
  offset: number;
  size: number;
  flags: number;
  priv_data: NativePointer | null;
}

/** A koffi function: callable synchronously, or on koffi's worker pool through `.async(..., callback)`. */
export type KoffiFn<A extends unknown[], R> = ((...args: A) => R) & {
  async(...args: [...A, (error: unknown, result: R) => void]): void;
};

/** `_Out_` scalar: koffi writes the value into element 0. */
export type OutCell<T> = [T | null];

/** `rknn_query` declared for one info struct; koffi fills `info` in place (`size` = the struct's bytes). */
export type RknnQueryFn<Info> = KoffiFn<[context: RknnContextHandle, cmd: number, info: Partial<Info>, size: number], number>;

/** The RKNN functions Lintel uses. `rknn_set_core_mask` is absent on purpose: RK3568 has one NPU core (reference §0.2). */
export interface RknnFunctions {
  readonly libraryPath: string;
  /** `rknn_init` with the model's bytes (`size` = byte length). */
  rknn_init: KoffiFn<[context: OutCell<RknnContextHandle>, model: Uint8Array, size: number, flag: number, extend: null], number>;
  /** `rknn_init` with a file path: `size` must be 0 (reference §1.2). */
  rknn_init_path: KoffiFn<[context: OutCell<RknnContextHandle>, modelPath: string, size: 0, flag: number, extend: null], number>;
  rknn_destroy: KoffiFn<[context: RknnContextHandle], number>;
  rknn_query_in_out_num: RknnQueryFn<{ n_input: number; n_output: number }>;
  rknn_query_tensor_attr: RknnQueryFn<RawTensorAttr>;
  rknn_query_sdk_version: RknnQueryFn<{ api_version: string; drv_version: string }>;
  rknn_query_custom_string: RknnQueryFn<{ string: string }>;
  rknn_inputs_set: KoffiFn<[context: RknnContextHandle, nInputs: number, inputs: RawInput[]], number>;
  rknn_run: KoffiFn<[context: RknnContextHandle, extend: null], number>;
  rknn_outputs_get: KoffiFn<[context: RknnContextHandle, nOutputs: number, outputs: RawOutput[], extend: null], number>;
  rknn_outputs_release: KoffiFn<[context: RknnContextHandle, nOutputs: number, outputs: RawOutput[]], number>;
  /** Returns the runtime's `rknn_tensor_mem *`, or null when it failed. */
  rknn_create_mem: KoffiFn<[context: RknnContextHandle, size: number], NativePointer | null>;
  rknn_destroy_mem: KoffiFn<[context: RknnContextHandle, mem: NativePointer], number>;
  rknn_set_io_mem: KoffiFn<[context: RknnContextHandle, mem: NativePointer, attr: RawTensorAttr], number>;
}

/** Prototypes as C, by table key. Several keys declare one symbol with a different `info` type. */
const PROTOTYPES: Readonly<Record<Exclude<keyof RknnFunctions, 'libraryPath'>, string>> = {
  rknn_init: 'int rknn_init(_Out_ LintelRknnContext *context, void *model, uint32_t size, uint32_t flag, void *extend)',
  rknn_init_path: 'int rknn_init(_Out_ LintelRknnContext *context, const char *model_path, uint32_t size, uint32_t flag, void *extend)',
  rknn_destroy: 'int rknn_destroy(LintelRknnContext context)',
  rknn_query_in_out_num: 'int rknn_query(LintelRknnContext context, int cmd, _Out_ LintelRknnInputOutputNum *info, uint32_t size)',
  rknn_query_tensor_attr: 'int rknn_query(LintelRknnContext context, int cmd, _Inout_ LintelRknnTensorAttr *info, uint32_t size)',
  rknn_query_sdk_version: 'int rknn_query(LintelRknnContext context, int cmd, _Out_ LintelRknnSdkVersion *info, uint32_t size)',
  rknn_query_custom_string: 'int rknn_query(LintelRknnContext context, int cmd, _Out_ LintelRknnCustomString *info, uint32_t size)',
  rknn_inputs_set: 'int rknn_inputs_set(LintelRknnContext context, uint32_t n_inputs, LintelRknnInput *inputs)',
  rknn_run: 'int rknn_run(LintelRknnContext context, void *extend)',
  rknn_outputs_get: 'int rknn_outputs_get(LintelRknnContext context, uint32_t n_outputs, _Inout_ LintelRknnOutput *outputs, void *extend)',
  rknn_outputs_release: 'int rknn_outputs_release(LintelRknnContext context, uint32_t n_outputs, LintelRknnOutput *outputs)',
  rknn_create_mem: 'LintelRknnTensorMem *rknn_create_mem(LintelRknnContext context, uint32_t size)',
  rknn_destroy_mem: 'int rknn_destroy_mem(LintelRknnContext context, LintelRknnTensorMem *mem)',
  rknn_set_io_mem: 'int rknn_set_io_mem(LintelRknnContext context, LintelRknnTensorMem *mem, LintelRknnTensorAttr *attr)',
};

/** The koffi struct types, by C name, for layout tests and decoding. */
export const RKNN_STRUCTS: Readonly<Record<string, IKoffiCType>> = {
  rknn_input_output_num: LintelRknnInputOutputNum,
  rknn_tensor_attr: LintelRknnTensorAttr,
  rknn_input: LintelRknnInput,
  rknn_output: LintelRknnOutput,
  rknn_sdk_version: LintelRknnSdkVersion,
  rknn_custom_string: LintelRknnCustomString,
  rknn_tensor_mem: LintelRknnTensorMem,
};

/**
 * Loads librknnrt.so from an absolute path and declares its functions. Throws `NpuUnavailableError` when the
 * library will not load or lacks a symbol; never searches the loader's paths (a relative name would).
 */
export function loadRknnLibrary(absolutePath: string): RknnFunctions {
  if (!absolutePath.startsWith('/')) {
    throw new NpuUnavailableError(absolutePath, 'not-absolute', 'the runtime library must be configured as an absolute path');
  }
  let lib: IKoffiLib;
  try {
    lib = koffi.load(absolutePath);
  } catch (error) {
    throw new NpuUnavailableError(absolutePath, 'load-failed', (error as Error).message, { cause: error });
  }
  const table: Record<string, unknown> = { libraryPath: absolutePath };
  for (const [key, prototype] of Object.entries(PROTOTYPES)) {
    try {
      table[key] = lib.func(prototype);
    } catch (error) {
      lib.unload();
      const symbol = /\s\*?(\w+)\(/.exec(prototype)?.[1] ?? key;
      // Runtime 1.0–1.2 spelled rknn_destroy_mem "rknn_destory_mem" and had a 372-byte rknn_tensor_attr (reference §1.10).
      const hint = symbol === 'rknn_destroy_mem' ? ' (runtimes before 1.3 spell it rknn_destory_mem and are not supported)' : '';
      throw new NpuUnavailableError(absolutePath, 'missing-symbol', `no ${symbol} in the library${hint}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  return table as unknown as RknnFunctions;
}
