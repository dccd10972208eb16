/**
 * The arithmetic of RKNN's w8a8 scheme, as simulated here:
 * - weights: int8 per output channel, symmetric (zero point 0), q = clamp(round(w / s), −127, 127),
 *   s = max|w| / 127 over the channel;
 * - activations: int8 per tensor, asymmetric, q = clamp(round(x / s) + zp, −128, 127) and x̂ = (q − zp)·s
 *   (reference §1.9), the range [min, max] widened to hold 0 so that zero (padding, ReLU) is exact.
 */

/** Lowest and highest int8 activation code. */
export const INT8_MIN = -128;
export const INT8_MAX = 127;
/** Largest weight code: symmetric weights use −127..127, so that −w quantises to −q. */
export const WEIGHT_QMAX = 127;

/** Per-tensor parameters of an int8 activation: x̂ = (q − zeroPoint) · scale. */
export interface ActivationQuantParams {
  readonly scale: number;
  /** int8, −128..127. */
  readonly zeroPoint: number;
}

/** Round half to even, as ONNX QuantizeLinear does. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round rounds halves up; a tie with an odd result goes down instead.
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Asymmetric int8 parameters for values seen in [min, max]. The range always contains 0; a range of zero
 * width (a tensor that was 0 throughout calibration) gets scale 1. The scale is rounded to float32, as the
 * ONNX scale initializer stores it, so the reference and the model agree to the bit.
 */
export function activationQuantParams(min: number, max: number): ActivationQuantParams {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) throw new RangeError(`activation range [${min}, ${max}] is not a finite interval`);
  const low = Math.min(min, 0);
  const high = Math.max(max, 0);
  if (high === low) return { scale: 1, zeroPoint: 0 };
  const scale = Math.fround((high - low) / (INT8_MAX - INT8_MIN));
  const zeroPoint = Math.min(INT8_MAX, Math.max(INT8_MIN, roundHalfEven(INT8_MIN - low / scale)));
  return { scale, zeroPoint };
}

/** x quantised to int8 and back with the given parameters (what QuantizeLinear → DequantizeLinear computes). */
export function fakeQuantize(x: number, { scale, zeroPoint }: ActivationQuantParams): number {
  const q = Math.min(INT8_MAX, Math.max(INT8_MIN, roundHalfEven(Math.fround(x / scale)) + zeroPoint));
  return Math.fround((q - zeroPoint) * scale);
}

/** Result of quantising a weight tensor per channel. */
export interface PerChannelWeights {
  /** One scale per channel along `axis`. */
  readonly scales: Float32Array;
  /** The int8 codes, same layout as the weights. */
  readonly codes: Int8Array;
  /** codes × scale as float32: the weights the NPU effectively multiplies with. */
  readonly dequantised: Float32Array;
}

/**
 * Symmetric per-channel int8 quantisation of a weight tensor with dims `dims`, one scale per index of
 * `axis` (0 for Conv [M, C/g, kH, kW]; 1 for Gemm/MatMul [K, N]). An all-zero channel gets scale 1.
 */
export function quantizeWeightsPerChannel(weights: Float32Array, dims: readonly number[], axis: number): PerChannelWeights {
  if (axis < 0 || axis >= dims.length) throw new RangeError(`axis ${axis} is outside dims [${dims.join(', ')}]`);
  const channels = dims[axis] as number;
  // Element i lies in channel floor(i / inner) % channels, inner = product of the dims after axis.
  const inner = dims.slice(axis + 1).reduce((product, dim) => product * dim, 1);
  const channelOf = (i: number): number => Math.floor(i / inner) % channels;
  const maxAbs = new Float64Array(channels);
  for (let i = 0; i < weights.length; i++) {
    const c = channelOf(i);
    maxAbs[c] = Math.max(maxAbs[c] as number, Math.abs(weights[i] as number));
  }
  const scales = Float32Array.from(maxAbs, (m) => (m === 0 ? 1 : m / WEIGHT_QMAX));
  const codes = new Int8Array(weights.length);
  const dequantised = new Float32Array(weights.length);
  for (let i = 0; i < weights.length; i++) {
    const scale = scales[channelOf(i)] as number;
    const q = Math.min(WEIGHT_QMAX, Math.max(-WEIGHT_QMAX, roundHalfEven((weights[i] as number) / scale)));
    codes[i] = q;
    dequantised[i] = q * scale;
  }
  return { scales, codes, dequantised };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * The nearest IEEE half-precision value (ties to even), as a number: what a weight kept in FP16 on the NPU
 * becomes. Beyond ±65504 it saturates (weights never come near).
 */
export function roundToFloat16(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  f32[0] = x;
  const exponent = ((u32[0] as number) >>> 23) & 0xff;
  // Half has 10 mantissa bits; below 2^-14 it is subnormal with a fixed step of 2^-24.
  const step = 2 ** (Math.max(exponent - 127, -14) - 10);
  const rounded = roundHalfEven(x / step) * step;
  return Math.max(-65504, Math.min(65504, rounded));
}
