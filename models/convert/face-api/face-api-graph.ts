/**
 * What face-api's networks share when their graphs are rebuilt as ONNX: reading and checking the weights and the
 * manifest entry, TF's 'same' / 'valid' padding arithmetic, filter layout, and the layers both graphs use. face-api
 * ships weights only; each network's layer sequence lives in its code, and each converter rebuilds one.
 */
import type { ModelEntry } from '../../../electron/vision/models/manifest.js';
import type { OnnxGraphBuilder } from '../onnx/onnx-graph.js';
import { readTfjsWeightsManifestFile, type WeightTensor } from '../tfjs-weights.js';

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

/** Reads a face-api weights manifest and its shards, naming the file when it cannot. */
export async function readFaceApiWeights(weightsManifestPath: string, network: string): Promise<FaceApiWeights> {
  let tensors: Map<string, WeightTensor>;
  try {
    tensors = await readTfjsWeightsManifestFile(weightsManifestPath);
  } catch (error) {
    throw new Error(`cannot read face-api weights ${weightsManifestPath}: ${(error as Error).message}`, { cause: error });
  }
  return new FaceApiWeights(tensors, weightsManifestPath, network);
}

/** What a face-api network takes and gives, for checking its manifest entry. */
export interface FaceApiNetworkShape {
  /** "face-api's recogniser", for the messages. */
  readonly network: string;
  readonly inputPx: number;
  readonly mean: readonly [number, number, number];
  readonly std: number;
  /** Length of the one output [1, n], and what it is ("embedding"). */
  readonly outputLength: number;
  readonly output: string;
}

/**
 * Checks that a manifest entry describes the network as face-api runs it (RGB, NCHW, its size and normalisation,
 * one [1, n] output): the graph expects the caller to normalise as face-api does, so another entry would feed it
 * wrong values. Returns the input and output names.
 */
export function checkFaceApiEntry(entry: ModelEntry, shape: FaceApiNetworkShape): { inputName: string; outputName: string } {
  const problems: string[] = [];
  const { input } = entry;
  if (entry.source.format !== 'face-api-weights') problems.push(`source.format is ${entry.source.format}, not face-api-weights`);
  if (input.layout !== 'NCHW') problems.push(`input.layout is ${input.layout}; the converter emits NCHW`);
  if (input.colorOrder !== 'RGB') problems.push(`input.colorOrder is ${input.colorOrder}; face-api feeds RGB`);
  if (input.widthPx !== shape.inputPx || input.heightPx !== shape.inputPx) {
    problems.push(`input is ${input.widthPx}×${input.heightPx}; face-api resizes to ${shape.inputPx}×${shape.inputPx}`);
  }
  if (input.mean.some((m, i) => m !== shape.mean[i]) || input.std.some((s) => s !== shape.std)) {
    problems.push(`input normalisation mean [${input.mean.join(', ')}] std [${input.std.join(', ')}] differs from face-api's mean [${shape.mean.join(', ')}] std ${shape.std}`);
  }
  const [output, ...extra] = entry.outputs;
  if (!output || extra.length > 0 || output.shape.length !== 2 || output.shape[0] !== 1 || output.shape[1] !== shape.outputLength) {
    problems.push(`outputs must be one [1, ${shape.outputLength}] ${shape.output}`);
  }
  if (problems.length > 0) throw new Error(`manifest entry for ${shape.network}: ${problems.join('; ')}`);
  return { inputName: input.name, outputName: (output as { name: string }).name };
}

/** The layers every face-api graph uses, over one graph builder and the network's weights. */
export class FaceApiGraph {
  constructor(
    protected readonly g: OnnxGraphBuilder,
    protected readonly w: FaceApiWeights,
  ) {}

  relu(x: Value): Value {
    return { ...x, name: this.g.op('Relu', [x.name]) };
  }

  add(a: Value, b: Value): Value {
    if (a.channels !== b.channels || a.height !== b.height || a.width !== b.width) {
      throw new Error(`shape mismatch in residual add: [${a.channels}, ${a.height}, ${a.width}] vs [${b.channels}, ${b.height}, ${b.width}]`);
    }
    return { ...a, name: this.g.op('Add', [a.name, b.name]) };
  }
}
