// Writes models for the stand-in librknnrt.so (format: header comment of stand-in/rknn_stand_in.c) and computes
// what a run of them must return, independently of the C code.

/** One INT8 output: element k = bias[k] + Σ_i weights[k·inputElems + i] · input[i], quantised with (zeroPoint, scale). */
export interface StandInOutput {
  readonly name: string;
  /** 1–4 dims; 4-D outputs report NCHW. */
  readonly dims: readonly number[];
  readonly zeroPoint: number;
  /** float32 value. */
  readonly scale: number;
  readonly bias: Int32Array;
  readonly weights: Int8Array;
}

/** A stand-in model. */
export interface StandInModel {
  /** Container format version written at offset 8; the stand-in accepts 1–6, like a runtime of toolkit 2.x. */
  readonly containerVersion: number;
  readonly heightPx: number;
  readonly widthPx: number;
  readonly channels: number;
  readonly inputName: string;
  /** Reported in the input attributes only (the runtime takes UINT8 and quantises itself). */
  readonly inputZeroPoint: number;
  readonly inputScale: number;
  /** rknn_run sleeps this long first, milliseconds. */
  readonly runSleepMs: number;
  /** Non-zero: rknn_run returns this code. */
  readonly runResult: number;
  /** Non-zero: rknn_init returns this code. */
  readonly initResult: number;
  /** float32 scale from the integer accumulator to real values. */
  readonly accScale: number;
  readonly customString: string;
  readonly outputs: readonly StandInOutput[];
}

const NAME_BYTES = 32;

/** A deterministic PRNG (mulberry32), so every run of the tests sees the same model. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A small model with two outputs, non-trivial zero points and scales, and pseudo-random weights. */
export function makeStandInModel(overrides: Partial<StandInModel> = {}, seed = 3568): StandInModel {
  const random = seededRandom(seed);
  const heightPx = overrides.heightPx ?? 4;
  const widthPx = overrides.widthPx ?? 5;
  const channels = overrides.channels ?? 3;
  const inputElems = heightPx * widthPx * channels;
  const output = (name: string, dims: number[], zeroPoint: number, scale: number): StandInOutput => {
    const elems = dims.reduce((a, b) => a * b, 1);
    return {
      name,
      dims,
      zeroPoint,
      scale: Math.fround(scale),
      bias: Int32Array.from({ length: elems }, () => Math.round((random() - 0.5) * 6000)),
      weights: Int8Array.from({ length: elems * inputElems }, () => Math.round((random() - 0.5) * 40)),
    };
  };
  return {
    containerVersion: 6,
    heightPx,
    widthPx,
    channels,
    inputName: 'input.rgb',
    inputZeroPoint: -128,
    inputScale: Math.fround(1 / 255),
    runSleepMs: 0,
    runResult: 0,
    initResult: 0,
    accScale: Math.fround(3.4e-4),
    customString: 'lintel stand-in: mean=0 std=1 order=RGB',
    outputs: [output('embedding', [1, 8], 5, 0.0421), output('heatmap', [1, 2, 2, 2], -17, 0.173)],
    ...overrides,
  };
}

/** The model file's bytes. */
export function encodeStandInModel(model: StandInModel): Uint8Array {
  const inputElems = model.heightPx * model.widthPx * model.channels;
  const custom = Buffer.from(model.customString, 'utf8');
  const parts: Buffer[] = [];
  const u32 = (value: number): void => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value >>> 0);
    parts.push(b);
  };
  const i32 = (value: number): void => {
    const b = Buffer.alloc(4);
    b.writeInt32LE(value);
    parts.push(b);
  };
  const f32 = (value: number): void => {
    const b = Buffer.alloc(4);
    b.writeFloatLE(value);
    parts.push(b);
  };
  const name = (value: string): void => {
    const b = Buffer.alloc(NAME_BYTES);
    b.write(value, 'utf8');
    parts.push(b);
  };
  parts.push(Buffer.from('LSTI', 'latin1'));
  u32(1);
  u32(model.heightPx);
  u32(model.widthPx);
  u32(model.channels);
  name(model.inputName);
  i32(model.inputZeroPoint);
  f32(model.inputScale);
  u32(model.runSleepMs);
  i32(model.runResult);
  i32(model.initResult);
  f32(model.accScale);
  u32(custom.length);
  parts.push(custom);
  u32(model.outputs.length);
  for (const output of model.outputs) {
    const elems = output.dims.reduce((a, b) => a * b, 1);
    if (output.bias.length !== elems || output.weights.length !== elems * inputElems) {
      throw new Error(`output ${output.name}: bias/weights do not match dims ${output.dims.join('×')} and ${inputElems} input elements`);
    }
    name(output.name);
    u32(output.dims.length);
    for (let d = 0; d < 4; d++) u32(output.dims[d] ?? 0);
    i32(output.zeroPoint);
    f32(output.scale);
    parts.push(Buffer.from(output.bias.buffer, output.bias.byteOffset, output.bias.byteLength));
    parts.push(Buffer.from(output.weights.buffer, output.weights.byteOffset, output.weights.byteLength));
  }
  const payload = Buffer.concat(parts);
  const header = Buffer.alloc(24);
  header.write('RKNN', 0, 'latin1');
  header.writeBigUInt64LE(BigInt(model.containerVersion), 8);
  header.writeBigUInt64LE(BigInt(payload.length), 16);
  // A real model ends with a u64 JSON length and the JSON; an empty one keeps the same shape.
  const trailer = Buffer.alloc(8);
  return new Uint8Array(Buffer.concat([header, payload, trailer]));
}

/** `lround`: halves away from zero (what the C stand-in uses). */
function roundHalfAwayFromZero(value: number): number {
  return Math.sign(value) * Math.round(Math.abs(value));
}

/** What a run of `model` on `input` (UINT8 NHWC) returns: raw INT8 per output, and dequantised float32. */
export function expectedOutputs(model: StandInModel, input: Uint8Array): { quantised: Int8Array[]; dequantised: Float32Array[] } {
  const inputElems = model.heightPx * model.widthPx * model.channels;
  const quantised = model.outputs.map((output) =>
    Int8Array.from(output.bias, (bias, k) => {
      let acc = bias;
      for (let i = 0; i < inputElems; i++) acc += (output.weights[k * inputElems + i] ?? 0) * (input[i] ?? 0);
      const value = (acc * model.accScale) / output.scale;
      if (value > 1e6) return 127;
      if (value < -1e6) return -128;
      return Math.min(127, Math.max(-128, roundHalfAwayFromZero(value) + output.zeroPoint));
    }),
  );
  const dequantised = quantised.map((q, o) => {
    const { zeroPoint, scale } = model.outputs[o] ?? { zeroPoint: 0, scale: 1 };
    return Float32Array.from(q, (value) => Math.fround((value - zeroPoint) * scale));
  });
  return { quantised, dequantised };
}

/** A deterministic test image for `model` (UINT8 NHWC). */
export function makeInput(model: StandInModel, seed = 7): Uint8Array {
  const random = seededRandom(seed);
  return Uint8Array.from({ length: model.heightPx * model.widthPx * model.channels }, () => Math.floor(random() * 256));
}
