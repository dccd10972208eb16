/**
 * What face-api's networks share when their graphs are rebuilt as ONNX: a weight lookup that checks shapes, TF's
 * 'same' / 'valid' padding arithmetic, and the NCHW value a graph builder passes along. face-api ships weights
 * only; each network's layer sequence lives in its code, and each converter in this folder rebuilds one.
 */
import type { WeightTensor } from '../tfjs-weights.js';

export type Padding = 'valid' | 'same';

/** A value flowing through the graph with its NCHW shape (batch is always 1). */
export interface Value {
  readonly name: string;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
}

/** Weight lookup that checks shapes, so a foreign or damaged manifest fails with the tensor's name. */
export class FaceApiWeights {
  /** Names handed out so far. */
  readonly used = new Set<string>();

  /** @param network what the weights should be, for the error messages ("face-api's recogniser") */
  constructor(
    private readonly tensors: Map<string, WeightTensor>,
    private readonly manifestPath: string,
    private readonly network: string,
  ) {}

  get(name: string, shape: readonly number[]): Float32Array {
    const tensor = this.tensors.get(name);
    if (!tensor) throw new Error(`${this.manifestPath}: no weight "${name}" (not ${this.network}?)`);
    if (tensor.shape.length !== shape.length || tensor.shape.some((dim, i) => dim !== shape[i])) {
      throw new Error(`${this.manifestPath}: weight "${name}" has shape [${tensor.shape.join(', ')}], expected [${shape.join(', ')}]`);
    }
    if (!(tensor.data instanceof Float32Array)) throw new Error(`${this.manifestPath}: weight "${name}" is not float32`);
    this.used.add(name);
    return tensor.data;
  }

  /** Shape of a TF conv filter [KH, KW, Ci, Co]; layer sizes come from the weights, as in face-api. */
  filterShape(name: string): [number, number, number, number] {
    const shape = this.tensors.get(name)?.shape;
    if (!shape || shape.length !== 4) throw new Error(`${this.manifestPath}: weight "${name}" missing or not a 4-D conv filter`);
    return shape as [number, number, number, number];
  }

  /** Names of the file's tensors no layer asked for, except `ignored`: left over, the file is for another network. */
  unused(ignored: readonly string[] = []): string[] {
    return [...this.tensors.keys()].filter((name) => !this.used.has(name) && !ignored.includes(name));
  }
}

/** TF's output size and begin/end padding for one spatial axis ('same' puts the odd pixel at the end). */
export function tfPadding(inSize: number, kernel: number, stride: number, padding: Padding): { outSize: number; begin: number; end: number } {
  if (padding === 'valid') return { outSize: Math.floor((inSize - kernel) / stride) + 1, begin: 0, end: 0 };
  const outSize = Math.ceil(inSize / stride);
  const total = Math.max((outSize - 1) * stride + kernel - inSize, 0);
  const begin = Math.floor(total / 2);
  return { outSize, begin, end: total - begin };
}

/** TF filter [KH, KW, Ci, Co] → ONNX [Co, Ci, KH, KW], each output channel's weights times `scale[o]` (default 1). */
export function toOnnxFilters(filters: Float32Array, [kh, kw, ci, co]: readonly [number, number, number, number], scale?: Float32Array): Float32Array {
  const out = new Float32Array(co * ci * kh * kw);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let c = 0; c < ci; c++) {
        for (let o = 0; o < co; o++) {
          const value = filters[((y * kw + x) * ci + c) * co + o] as number;
          out[((o * ci + c) * kh + y) * kw + x] = scale ? value * (scale[o] as number) : value;
        }
      }
    }
  }
  return out;
}
