// Typed errors of the RKNN runtime: every return code (shared/reference/rk3568-platform.md §1.6), a library that
// will not load, and a model file refused before it reaches C.

/** RKNN return codes by name (reference §1.6; the same list since runtime 1.0.0). */
export const RKNN_CODES = {
  RKNN_SUCC: 0,
  RKNN_ERR_FAIL: -1,
  RKNN_ERR_TIMEOUT: -2,
  RKNN_ERR_DEVICE_UNAVAILABLE: -3,
  RKNN_ERR_MALLOC_FAIL: -4,
  RKNN_ERR_PARAM_INVALID: -5,
  RKNN_ERR_MODEL_INVALID: -6,
  RKNN_ERR_CTX_INVALID: -7,
  RKNN_ERR_INPUT_INVALID: -8,
  RKNN_ERR_OUTPUT_INVALID: -9,
  RKNN_ERR_DEVICE_UNMATCH: -10,
  // Rockchip's spelling ("INCOMPATILE"), kept so the names match rknn_api.h and its logs.
  RKNN_ERR_INCOMPATILE_PRE_COMPILE_MODEL: -11,
  RKNN_ERR_INCOMPATILE_OPTIMIZATION_LEVEL_VERSION: -12,
  RKNN_ERR_TARGET_PLATFORM_UNMATCH: -13,
} as const;

/** Name of an RKNN return code, or `RKNN_ERR_UNKNOWN` for a code the reference does not list. */
export type RknnCodeName = keyof typeof RKNN_CODES | 'RKNN_ERR_UNKNOWN';

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  [RKNN_CODES.RKNN_ERR_FAIL]: 'the runtime failed (see its "E RKNN:" log on stderr for the cause)',
  [RKNN_CODES.RKNN_ERR_TIMEOUT]: 'the NPU did not finish in time (hung or overloaded NPU; check dmesg for rknpu resets)',
  [RKNN_CODES.RKNN_ERR_DEVICE_UNAVAILABLE]:
    'the NPU device is unavailable (rknpu kernel driver not loaded, or no permission on its device node)',
  [RKNN_CODES.RKNN_ERR_MALLOC_FAIL]: 'the runtime could not allocate memory',
  [RKNN_CODES.RKNN_ERR_PARAM_INVALID]: 'a parameter is invalid (null pointer, wrong struct size, unknown query, index out of range)',
  [RKNN_CODES.RKNN_ERR_MODEL_INVALID]:
    'the model is invalid: not an RKNN model, damaged, or converted by an RKNN-Toolkit2 newer than this librknnrt.so ' +
    '(ship a runtime that matches the toolkit version, reference §0.3)',
  [RKNN_CODES.RKNN_ERR_CTX_INVALID]: 'the context is invalid (never initialised, or already destroyed)',
  [RKNN_CODES.RKNN_ERR_INPUT_INVALID]: 'an input is invalid (wrong index, size, type or layout)',
  [RKNN_CODES.RKNN_ERR_OUTPUT_INVALID]: 'an output is invalid (wrong index, or a caller buffer too small)',
  [RKNN_CODES.RKNN_ERR_DEVICE_UNMATCH]: 'the model does not match this device (runtime and driver versions disagree, or wrong SoC)',
  [RKNN_CODES.RKNN_ERR_INCOMPATILE_PRE_COMPILE_MODEL]: 'the pre-compiled model is incompatible with this runtime or driver',
  [RKNN_CODES.RKNN_ERR_INCOMPATILE_OPTIMIZATION_LEVEL_VERSION]:
    "the model's optimisation level is incompatible with this runtime (convert it again with a matching toolkit)",
  [RKNN_CODES.RKNN_ERR_TARGET_PLATFORM_UNMATCH]:
    "the model was converted for another target platform, or the call is not supported on this SoC (convert with target_platform='rk3568')",
};

const NAMES = new Map<number, keyof typeof RKNN_CODES>(
  Object.entries(RKNN_CODES).map(([name, code]) => [code, name as keyof typeof RKNN_CODES]),
);

/** The name of an RKNN return code (`-6` → `RKNN_ERR_MODEL_INVALID`). */
export function rknnCodeName(code: number): RknnCodeName {
  return NAMES.get(code) ?? 'RKNN_ERR_UNKNOWN';
}

/** A readable description of an RKNN return code. */
export function describeRknnCode(code: number): string {
  if (code === RKNN_CODES.RKNN_SUCC) return 'success';
  return DESCRIPTIONS[code] ?? `an error code this wrapper does not know (${code}); the runtime may be newer than rknn_api.h V2.3.2`;
}

/**
 * A failed RKNN call. `source` says whether the runtime returned the code, or the wrapper refused the call
 * before it reached C with the code the runtime would have given (e.g. a run on a closed model).
 */
export class RknnError extends Error {
  override readonly name = 'RknnError';
  readonly codeName: RknnCodeName;

  constructor(
    /** The return code, negative. */
    readonly code: number,
    /** The C function that failed, e.g. `rknn_run`. */
    readonly operation: string,
    /** Where the model came from (file path or label), when known. */
    readonly model?: string,
    /** Extra detail from the wrapper. */
    readonly detail?: string,
    readonly source: 'runtime' | 'wrapper' = 'runtime',
  ) {
    const codeName = rknnCodeName(code);
    const where = model === undefined ? '' : ` (model ${model})`;
    const extra = detail === undefined ? '' : `: ${detail}`;
    super(`${operation} failed with ${codeName} (${code})${where}: ${describeRknnCode(code)}${extra}`);
    this.codeName = codeName;
  }
}

/** Throws an `RknnError` when an RKNN call returned a negative code; returns the code otherwise. */
export function checkRknn(code: number, operation: string, model?: string): number {
  if (code < 0) throw new RknnError(code, operation, model);
  return code;
}

/** Why the RKNN runtime library could not be used. */
export type NpuUnavailableReason =
  | 'not-absolute'
  | 'missing'
  | 'not-a-file'
  | 'unreadable'
  | 'not-a-library'
  | 'wrong-architecture'
  | 'load-failed'
  | 'missing-symbol'
  | 'device-unavailable';

/** The NPU cannot be used: the runtime library will not load (or the driver is missing). A state to show, not a crash. */
export class NpuUnavailableError extends Error {
  override readonly name = 'NpuUnavailableError';

  constructor(
    /** The library path that was tried. */
    readonly libraryPath: string,
    readonly reason: NpuUnavailableReason,
    /** What the loader or the file said. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`NPU unavailable: the RKNN runtime ${libraryPath} cannot be used (${reason}): ${detail}`, options);
  }
}

/** Why a model file was refused before it reached `rknn_init`. */
export type RknnModelFileReason = 'missing' | 'unreadable' | 'not-a-file' | 'empty' | 'too-large' | 'bad-magic' | 'truncated';

/** A model file that is missing, unreadable, or not an RKNN model, refused before it reached C. */
export class RknnModelFileError extends Error {
  override readonly name = 'RknnModelFileError';

  constructor(
    /** The model file (or the label of in-memory bytes). */
    readonly filePath: string,
    readonly reason: RknnModelFileReason,
    detail: string,
  ) {
    super(`RKNN model ${filePath} ${detail}`);
  }
}
