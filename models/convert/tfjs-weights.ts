import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** One entry of a TFJS `weightsManifest` group. */
export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool' | string;
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number };
}

/** A TFJS weights-manifest group: the spec of each tensor and the shard files that hold them, in order. */
export interface TfjsWeightGroup {
  paths: string[];
  weights: TfjsWeightSpec[];
}

/** A decoded weight tensor: float weights dequantised to float32, int32 and bool as Int32Array. */
export interface WeightTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array;
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

/** float16 bits → float32 value (IEEE 754 half precision, subnormals included). */
function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function bytesPerElement(spec: TfjsWeightSpec): number {
  switch (spec.quantization?.dtype) {
    case 'uint8':
      return 1;
    case 'uint16':
    case 'float16':
      return 2;
    case undefined:
      if (spec.dtype === 'float32' || spec.dtype === 'int32') return 4;
      if (spec.dtype === 'bool') return 1;
      break;
  }
  throw new Error(`weight ${spec.name}: unsupported dtype ${spec.dtype} / quantization ${spec.quantization?.dtype}`);
}

/** Decodes one tensor the way tfjs-core's `io.decodeWeights` does, so results match TFJS bit for bit. */
function decodeTensor(spec: TfjsWeightSpec, bytes: Uint8Array): WeightTensor {
  const count = elementCount(spec.shape);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const quantization = spec.quantization;
  if (quantization) {
    const raw = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      raw[i] = quantization.dtype === 'uint8' ? view.getUint8(i) : view.getUint16(i * 2, true);
    }
    if (quantization.dtype === 'float16') {
      return { shape: spec.shape, data: Float32Array.from(raw, halfToFloat) };
    }
    const scale = quantization.scale ?? 1;
    const min = quantization.min ?? 0;
    const dequantised = Float32Array.from(raw, (q) => q * scale + min);
    return { shape: spec.shape, data: spec.dtype === 'int32' ? Int32Array.from(dequantised, Math.round) : dequantised };
  }
  if (spec.dtype === 'float32') {
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(i * 4, true);
    return { shape: spec.shape, data };
  }
  if (spec.dtype === 'int32') {
    const data = new Int32Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getInt32(i * 4, true);
    return { shape: spec.shape, data };
  }
  return { shape: spec.shape, data: Int32Array.from(bytes.subarray(0, count)) };
}

/**
 * Reads every tensor of a TFJS weights manifest. `baseDir` holds the shard files.
 * Throws, naming the file, when a shard is missing or shorter than the manifest says.
 */
export async function readTfjsWeights(groups: readonly TfjsWeightGroup[], baseDir: string): Promise<Map<string, WeightTensor>> {
  const tensors = new Map<string, WeightTensor>();
  for (const group of groups) {
    const shards = await Promise.all(group.paths.map((path) => readFile(resolve(baseDir, path))));
    const buffer = new Uint8Array(Buffer.concat(shards));
    let offset = 0;
    for (const spec of group.weights) {
      const length = elementCount(spec.shape) * bytesPerElement(spec);
      if (offset + length > buffer.length) {
        throw new Error(`weights ${group.paths.join(', ')} in ${baseDir} end at byte ${buffer.length}, but ${spec.name} needs bytes ${offset}..${offset + length}: truncated file`);
      }
      tensors.set(spec.name, decodeTensor(spec, buffer.subarray(offset, offset + length)));
      offset += length;
    }
    if (offset !== buffer.length) {
      throw new Error(`weights ${group.paths.join(', ')} in ${baseDir} hold ${buffer.length} bytes, the manifest describes ${offset}`);
    }
  }
  return tensors;
}

/** Reads a weights-manifest JSON file (face-api's `*-weights_manifest.json`) and its shards. */
export async function readTfjsWeightsManifestFile(manifestPath: string): Promise<Map<string, WeightTensor>> {
  const groups = JSON.parse(await readFile(manifestPath, 'utf8')) as TfjsWeightGroup[];
  return readTfjsWeights(groups, dirname(manifestPath));
}
