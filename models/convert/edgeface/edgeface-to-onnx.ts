/**
 * EdgeFace (Idiap, BSD-3-Clause) → ONNX. The checkpoints are state dicts of timm's EdgeNeXt (x_small or
 * xx_small) with a 512-d head, wrapped as `model.*`, whose Linear layers were dynamically quantised to int8
 * (`torch.ao.quantization.quantize_dynamic`). This module rebuilds the graph timm's `EdgeNeXt.forward` runs
 * (timm 1.0 `models/edgenext.py`), with every int8 weight dequantised to float32, as ONNX opset 13, NCHW.
 *
 * The ONNX graph computes activations in float32, as the network was trained; PyTorch's dynamic quantisation
 * would also round each Linear's input to 8 bits at run time, which this graph does not imitate.
 */
import { OnnxGraphBuilder, attr } from '../onnx/onnx-graph.js';
import { dequantize, isCheckpointTensor, readPytorchCheckpoint, TorchConstant, type CheckpointTensor } from '../pytorch/checkpoint.js';

/** The EdgeFace checkpoints Lintel converts. */
export type EdgeFaceVariant = 'xs' | 'xxs';

/** Side of the aligned RGB crop the network takes, px. */
export const EDGEFACE_INPUT_PX = 112;
/** Length of the (not normalised) embedding the graph outputs. */
export const EDGEFACE_EMBEDDING_SIZE = 512;
/** Name of the converted model's input ([1, 3, 112, 112], (rgb − 127.5) / 127.5). */
export const EDGEFACE_INPUT_NAME = 'input';
/** Name of the converted model's output ([1, 512]). */
export const EDGEFACE_OUTPUT_NAME = 'embedding';
/** Bumped when the emitted graph changes, so converted files (and their sha256) can be told apart. */
const CONVERTER_VERSION = '1';

interface EdgeNextConfig {
  /** timm's model name. */
  readonly timmName: string;
  readonly depths: readonly number[];
  readonly dims: readonly number[];
}

/** timm's `edgenext_x_small` / `edgenext_xx_small`; everything else below is common to both. */
const VARIANTS: Readonly<Record<EdgeFaceVariant, EdgeNextConfig>> = {
  xs: { timmName: 'edgenext_x_small', depths: [3, 3, 9, 3], dims: [32, 64, 100, 192] },
  xxs: { timmName: 'edgenext_xx_small', depths: [2, 2, 6, 2], dims: [24, 48, 88, 168] },
};
const KERNEL_SIZES = [3, 5, 7, 9] as const;
/** The last block of stages 1–3 is a split depthwise-transpose attention (SDTA) block. */
const GLOBAL_BLOCKS = [0, 1, 1, 1] as const;
/** Channel groups of the SDTA block's split depthwise convolutions (Res2Net-style). */
const D2_SCALES = [2, 2, 3, 4] as const;
const USE_POSITIONAL_ENCODING = [false, true, false, false] as const;
const HEADS = 4;
const EXPAND_RATIO = 4;
/** timm builds every LayerNorm of EdgeNeXt with eps 1e-6. */
const LAYER_NORM_EPS = 1e-6;
/** `PositionalEncodingFourier` defaults: 32 frequencies per axis, temperature 10,000. */
const POS_HIDDEN_DIM = 32;
const POS_TEMPERATURE = 10000;
/** F.normalize's floor on the norm. */
const NORMALIZE_EPS = 1e-12;

/** Thrown when the checkpoint does not hold the network the variant names. */
export class EdgeFaceCheckpointError extends Error {
  override readonly name = 'EdgeFaceCheckpointError';
}

/** State dict lookup that checks shapes and records what was used, so leftovers reveal a different network. */
class StateDict {
  readonly used = new Set<string>();

  constructor(
    private readonly entries: ReadonlyMap<string, unknown>,
    private readonly label: string,
  ) {}

  private fail(message: string): never {
    throw new EdgeFaceCheckpointError(`${this.label}: ${message}`);
  }

  private checkShape(name: string, tensor: CheckpointTensor, shape: readonly number[]): void {
    if (tensor.shape.length !== shape.length || tensor.shape.some((dim, i) => dim !== shape[i])) {
      this.fail(`"${name}" has shape [${tensor.shape.join(', ')}], expected [${shape.join(', ')}]`);
    }
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** A float32 tensor of the given shape. */
  float(name: string, shape: readonly number[]): Float32Array {
    const value = this.entries.get(name);
    if (value === undefined) this.fail(`no "${name}" (not an EdgeFace ${this.label} checkpoint?)`);
    if (!isCheckpointTensor(value) || value.dtype !== 'float32') this.fail(`"${name}" is not a float32 tensor`);
    this.checkShape(name, value, shape);
    this.used.add(name);
    return value.data as Float32Array;
  }

  /**
   * A Linear layer's weight [out, in] and bias [out] as float32: from a dynamically quantised layer's packed
   * parameters (int8 weight dequantised), or from a plain float layer.
   */
  linear(prefix: string, inFeatures: number, outFeatures: number): { weight: Float32Array; bias: Float32Array } {
    const packedName = `${prefix}._packed_params._packed_params`;
    if (!this.entries.has(packedName)) {
      return { weight: this.float(`${prefix}.weight`, [outFeatures, inFeatures]), bias: this.float(`${prefix}.bias`, [outFeatures]) };
    }
    const packed = this.entries.get(packedName);
    if (!Array.isArray(packed) || packed.length !== 2 || !isCheckpointTensor(packed[0]) || !isCheckpointTensor(packed[1])) {
      this.fail(`"${packedName}" is not a (weight, bias) pair`);
    }
    const [weight, bias] = packed as [CheckpointTensor, CheckpointTensor];
    if (weight.dtype !== 'qint8' && weight.dtype !== 'float32') this.fail(`"${packedName}" weight is ${weight.dtype}`);
    if (bias.dtype !== 'float32') this.fail(`"${packedName}" bias is ${bias.dtype}`);
    this.checkShape(`${packedName}[0]`, weight, [outFeatures, inFeatures]);
    this.checkShape(`${packedName}[1]`, bias, [outFeatures]);
    const dtype = this.entries.get(`${prefix}._packed_params.dtype`);
    if (!(dtype instanceof TorchConstant) || dtype.name !== weight.dtype) this.fail(`"${prefix}._packed_params.dtype" does not match its weight`);
    // The output scale and zero point of a dynamic quantised Linear are unused (its output is float).
    for (const name of [packedName, `${prefix}._packed_params.dtype`, `${prefix}.scale`, `${prefix}.zero_point`]) this.used.add(name);
    return { weight: dequantize(weight), bias: bias.data as Float32Array };
  }

  unused(): string[] {
    return [...this.entries.keys()].filter((name) => !this.used.has(name));
  }
}

/** A value with its shape (batch is always 1). */
interface Value {
  readonly name: string;
  readonly shape: readonly number[];
}

/** [out, in] row-major → [in, out], optionally scaling output column o by `columnScale[o]` (a folded layer scale). */
function transposeForMatMul(weight: Float32Array, inFeatures: number, outFeatures: number, columnScale?: Float32Array): Float32Array {
  const out = new Float32Array(inFeatures * outFeatures);
  for (let o = 0; o < outFeatures; o++) {
    const scale = columnScale ? (columnScale[o] as number) : 1;
    for (let i = 0; i < inFeatures; i++) out[i * outFeatures + o] = (weight[o * inFeatures + i] as number) * scale;
  }
  return out;
}

/**
 * timm's `PositionalEncodingFourier` for an H×W map, projected by its 1×1 `token_projection`: a constant
 * [dim, H, W], computed here once in float32 steps as PyTorch does (the input never changes it).
 */
function positionalEncoding(height: number, width: number, projection: Float32Array, projectionBias: Float32Array, dim: number): Float32Array {
  const f = Math.fround;
  const twoPi = 2 * Math.PI;
  const dimT = Array.from({ length: POS_HIDDEN_DIM }, (_, i) => f(POS_TEMPERATURE ** f((2 * Math.floor(i / 2)) / POS_HIDDEN_DIM)));
  const embed = (index: number, size: number): number => f(f(index / f(size + 1e-6)) * f(twoPi));
  const features = new Float32Array(2 * POS_HIDDEN_DIM * height * width);
  const plane = height * width;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const yEmbed = embed(y + 1, height);
      const xEmbed = embed(x + 1, width);
      for (let i = 0; i < POS_HIDDEN_DIM; i++) {
        const yArg = f(yEmbed / (dimT[i] as number));
        const xArg = f(xEmbed / (dimT[i] as number));
        // Even channels take the sine, odd ones the cosine; the y features come first, then the x ones.
        features[i * plane + y * width + x] = i % 2 === 0 ? Math.sin(yArg) : Math.cos(yArg);
        features[(POS_HIDDEN_DIM + i) * plane + y * width + x] = i % 2 === 0 ? Math.sin(xArg) : Math.cos(xArg);
      }
    }
  }
  const out = new Float32Array(dim * plane);
  for (let c = 0; c < dim; c++) {
    for (let p = 0; p < plane; p++) {
      let sum = projectionBias[c] as number;
      for (let j = 0; j < 2 * POS_HIDDEN_DIM; j++) sum += (projection[c * 2 * POS_HIDDEN_DIM + j] as number) * (features[j * plane + p] as number);
      out[c * plane + p] = sum;
    }
  }
  return out;
}

class EdgeNextGraph {
  constructor(
    private readonly g: OnnxGraphBuilder,
    private readonly w: StateDict,
  ) {}

  private op(opType: string, inputs: readonly string[], shape: readonly number[], attributes: Parameters<OnnxGraphBuilder['op']>[2] = {}): Value {
    return { name: this.g.op(opType, inputs, attributes), shape };
  }

  transpose(x: Value, perm: readonly number[]): Value {
    return this.op('Transpose', [x.name], perm.map((axis) => x.shape[axis] as number), { perm: attr.ints(perm) });
  }

  reshape(x: Value, shape: readonly number[]): Value {
    return this.op('Reshape', [x.name, this.g.int64s('shape', shape)], shape);
  }

  add(a: Value, b: Value): Value {
    return this.op('Add', [a.name, b.name], a.shape);
  }

  /** LayerNorm over the last axis, written as the ReduceMean/Pow/Sqrt chain onnxruntime fuses into one kernel. */
  layerNorm(x: Value, prefix: string): Value {
    const channels = x.shape[x.shape.length - 1] as number;
    const weight = this.w.float(`${prefix}.weight`, [channels]);
    const bias = this.w.float(`${prefix}.bias`, [channels]);
    const axes = { axes: attr.ints([-1]) };
    const mean = this.g.op('ReduceMean', [x.name], axes);
    const centred = this.g.op('Sub', [x.name, mean]);
    const squared = this.g.op('Pow', [centred, this.g.floats(`${prefix}/two`, [2], [])]);
    const variance = this.g.op('ReduceMean', [squared], axes);
    const std = this.g.op('Sqrt', [this.g.op('Add', [variance, this.g.floats(`${prefix}/eps`, [LAYER_NORM_EPS], [])])]);
    const normalised = this.g.op('Div', [centred, std]);
    const scaled = this.g.op('Mul', [normalised, this.g.constant(`${prefix}.weight`, [channels], weight)]);
    return this.op('Add', [scaled, this.g.constant(`${prefix}.bias`, [channels], bias)], x.shape);
  }

  /** timm's LayerNorm2d: LayerNorm over the channels of an NCHW map. */
  layerNorm2d(x: Value, prefix: string): Value {
    return this.transpose(this.layerNorm(this.transpose(x, [0, 2, 3, 1]), prefix), [0, 3, 1, 2]);
  }

  /** nn.GELU (exact, erf form), as the Div/Erf/Add/Mul/Mul chain onnxruntime fuses. */
  gelu(x: Value): Value {
    const scaled = this.g.op('Div', [x.name, this.g.floats('sqrt2', [Math.SQRT2], [])]);
    const erf = this.g.op('Erf', [scaled]);
    const onePlus = this.g.op('Add', [erf, this.g.floats('one', [1], [])]);
    const product = this.g.op('Mul', [x.name, onePlus]);
    return this.op('Mul', [product, this.g.floats('half', [0.5], [])], x.shape);
  }

  /** A Linear on the last axis as MatMul + Add; `outputScale` (a layer scale γ) is folded into weight and bias. */
  linear(x: Value, prefix: string, outFeatures: number, outputScale?: Float32Array): Value {
    const inFeatures = x.shape[x.shape.length - 1] as number;
    const { weight, bias } = this.w.linear(prefix, inFeatures, outFeatures);
    const matrix = transposeForMatMul(weight, inFeatures, outFeatures, outputScale);
    const foldedBias = outputScale ? Float32Array.from(bias, (b, o) => b * (outputScale[o] as number)) : bias;
    const product = this.g.op('MatMul', [x.name, this.g.constant(`${prefix}.weight_t`, [inFeatures, outFeatures], matrix)]);
    return this.op('Add', [product, this.g.constant(`${prefix}.bias`, [outFeatures], foldedBias)], [...x.shape.slice(0, -1), outFeatures]);
  }

  conv(x: Value, prefix: string, outChannels: number, kernel: number, stride: number, groups: number): Value {
    const [, inChannels, height, width] = x.shape as [number, number, number, number];
    const perGroup = inChannels / groups;
    const weight = this.w.float(`${prefix}.weight`, [outChannels, perGroup, kernel, kernel]);
    const bias = this.w.float(`${prefix}.bias`, [outChannels]);
    // timm's symmetric padding: ((stride − 1) + (kernel − 1)) // 2; zero for the stride-2 and stride-4 patchify convs.
    const pad = stride === 1 ? Math.floor((kernel - 1) / 2) : 0;
    const out = (size: number): number => Math.floor((size + 2 * pad - kernel) / stride) + 1;
    return this.op(
      'Conv',
      [x.name, this.g.constant(`${prefix}.weight`, [outChannels, perGroup, kernel, kernel], weight), this.g.constant(`${prefix}.bias`, [outChannels], bias)],
      [1, outChannels, out(height), out(width)],
      {
        kernel_shape: attr.ints([kernel, kernel]),
        strides: attr.ints([stride, stride]),
        pads: attr.ints([pad, pad, pad, pad]),
        dilations: attr.ints([1, 1]),
        group: attr.int(groups),
      },
    );
  }

  /** The inverted bottleneck both block kinds end with, on channels-last values: LayerNorm, fc1, GELU, fc2 · γ. */
  mlp(x: Value, prefix: string): Value {
    const channels = x.shape[x.shape.length - 1] as number;
    const gamma = this.w.float(`${prefix}.gamma`, [channels]);
    const normalised = this.layerNorm(x, `${prefix}.norm`);
    const hidden = this.gelu(this.linear(normalised, `${prefix}.mlp.fc1`, EXPAND_RATIO * channels));
    return this.linear(hidden, `${prefix}.mlp.fc2`, channels, gamma);
  }

  /** timm's ConvBlock: depthwise k×k conv, then the channels-last bottleneck, plus the block's input. */
  convBlock(x: Value, prefix: string, kernel: number): Value {
    const channels = x.shape[1] as number;
    const dw = this.conv(x, `${prefix}.conv_dw`, channels, kernel, 1, channels);
    const branch = this.transpose(this.mlp(this.transpose(dw, [0, 2, 3, 1]), prefix), [0, 3, 1, 2]);
    return this.add(x, branch);
  }

  /** timm's CrossCovarianceAttn on tokens [1, N, C]: attention between channels (C/heads × C/heads per head). */
  crossCovarianceAttention(x: Value, prefix: string, gamma: Float32Array): Value {
    const [, tokens, channels] = x.shape as [number, number, number];
    const headDim = channels / HEADS;
    const qkv = this.linear(x, `${prefix}.qkv`, 3 * channels);
    // reshape (B, N, 3, heads, d) and permute (2, 0, 3, 4, 1): [3, heads, d, N] at batch 1.
    const split = this.transpose(this.reshape(qkv, [tokens, 3, HEADS, headDim]), [1, 2, 3, 0]);
    const [q, k, v] = this.g
      .node('Split', [split.name, this.g.int64s('split', [1, 1, 1])], { axis: attr.int(0) }, 3)
      .map((name): Value => ({ name, shape: [1, HEADS, headDim, tokens] }));
    const normalise = (t: Value): Value => {
      const norm = this.g.op('ReduceL2', [t.name], { axes: attr.ints([-1]), keepdims: attr.int(1) });
      const floored = this.g.op('Max', [norm, this.g.floats('normalize_eps', [NORMALIZE_EPS], [])]);
      return this.op('Div', [t.name, floored], t.shape);
    };
    const qn = normalise(q as Value);
    const kn = this.transpose(normalise(k as Value), [0, 1, 3, 2]);
    const temperature = this.w.float(`${prefix}.temperature`, [HEADS, 1, 1]);
    const scores = this.g.op('Mul', [this.g.op('MatMul', [qn.name, kn.name]), this.g.constant(`${prefix}.temperature`, [HEADS, 1, 1], temperature)]);
    const attention = this.g.op('Softmax', [scores], { axis: attr.int(-1) });
    const mixed: Value = { name: this.g.op('MatMul', [attention, (v as Value).name]), shape: [1, HEADS, headDim, tokens] };
    // permute (0, 3, 1, 2) and reshape to [1, N, C]: channel index = head · d + i, as in timm.
    const merged = this.reshape(this.transpose(mixed, [0, 3, 1, 2]), [1, tokens, channels]);
    return this.linear(merged, `${prefix}.proj`, channels, gamma);
  }

  /** timm's SplitTransposeBlock (SDTA): split depthwise convs, optional positional encoding, XCA, bottleneck. */
  splitTransposeBlock(x: Value, prefix: string, scales: number, positional: boolean): Value {
    const [, channels, height, width] = x.shape as [number, number, number, number];
    // x.chunk(scales, dim=1): chunks of ceil(C / scales) channels, the last one what is left.
    const chunk = Math.ceil(channels / scales);
    const sizes = [...Array.from({ length: scales - 1 }, () => chunk), channels - chunk * (scales - 1)];
    if ((sizes[sizes.length - 1] as number) <= 0) throw new EdgeFaceCheckpointError(`${prefix}: ${channels} channels do not split in ${scales}`);
    const parts = this.g
      .node('Split', [x.name, this.g.int64s('split', sizes)], { axis: attr.int(1) }, scales)
      .map((name, i): Value => ({ name, shape: [1, sizes[i] as number, height, width] }));
    const outputs: Value[] = [];
    let running = parts[0] as Value;
    for (let i = 0; i < scales - 1; i++) {
      if (i > 0) running = this.add(running, parts[i] as Value);
      running = this.conv(running, `${prefix}.convs.${i}`, chunk, 3, 1, chunk);
      outputs.push(running);
    }
    outputs.push(parts[scales - 1] as Value);
    let mixed: Value = this.op('Concat', outputs.map((part) => part.name), [1, channels, height, width], { axis: attr.int(1) });

    if (positional) {
      const projection = this.w.float(`${prefix}.pos_embd.token_projection.weight`, [channels, 2 * POS_HIDDEN_DIM, 1, 1]);
      const projectionBias = this.w.float(`${prefix}.pos_embd.token_projection.bias`, [channels]);
      const encoding = positionalEncoding(height, width, projection, projectionBias, channels);
      mixed = this.add(mixed, { name: this.g.constant(`${prefix}.pos_embd`, [1, channels, height, width], encoding), shape: [1, channels, height, width] });
    }

    const tokens = this.reshape(this.transpose(mixed, [0, 2, 3, 1]), [1, height * width, channels]);
    const gammaXca = this.w.float(`${prefix}.gamma_xca`, [channels]);
    const attended = this.add(tokens, this.crossCovarianceAttention(this.layerNorm(tokens, `${prefix}.norm_xca`), `${prefix}.xca`, gammaXca));
    const branch = this.mlp(attended, prefix);
    const spatial = this.transpose(this.reshape(branch, [1, height, width, channels]), [0, 3, 1, 2]);
    return this.add(x, spatial);
  }

  /** NormMlpClassifierHead: global average pool, LayerNorm, fc. */
  head(x: Value, outputName: string): void {
    const channels = x.shape[1] as number;
    const pooled = this.g.op('GlobalAveragePool', [x.name]);
    const flat: Value = { name: this.g.op('Flatten', [pooled], { axis: attr.int(1) }), shape: [1, channels] };
    const normalised = this.layerNorm(flat, 'model.head.norm');
    const { weight, bias } = this.w.linear('model.head.fc', channels, EDGEFACE_EMBEDDING_SIZE);
    const product = this.g.op('MatMul', [normalised.name, this.g.constant('model.head.fc.weight_t', [channels, EDGEFACE_EMBEDDING_SIZE], transposeForMatMul(weight, channels, EDGEFACE_EMBEDDING_SIZE))]);
    this.g.node('Add', [product, this.g.constant('model.head.fc.bias', [EDGEFACE_EMBEDDING_SIZE], bias)], {}, [outputName]);
  }
}

/**
 * Converts an EdgeFace checkpoint (`edgeface_xs_q.pt` / `edgeface_xxs_q.pt`, the bytes of the file) to ONNX
 * opset 13 bytes: input `input` [1, 3, 112, 112] float32 = (RGB − 127.5) / 127.5 of a crop aligned to the
 * ArcFace 112 template, output `embedding` [1, 512] (not L2-normalised). Same file → same bytes.
 */
export function convertEdgeFaceCheckpoint(fileBytes: Uint8Array, variant: EdgeFaceVariant): Uint8Array {
  const config = VARIANTS[variant];
  if (!config) throw new EdgeFaceCheckpointError(`unknown EdgeFace variant "${String(variant)}" (known: ${Object.keys(VARIANTS).join(', ')})`);
  const checkpoint = readPytorchCheckpoint(fileBytes);
  const weights = new StateDict(checkpoint.entries, `EdgeFace ${variant} (${config.timmName})`);
  const g = new OnnxGraphBuilder(`edgeface_${variant}`);
  const net = new EdgeNextGraph(g, weights);

  const side = EDGEFACE_INPUT_PX;
  let x: Value = { name: g.input(EDGEFACE_INPUT_NAME, [1, 3, side, side]), shape: [1, 3, side, side] };
  x = net.layerNorm2d(net.conv(x, 'model.stem.0', config.dims[0] as number, 4, 4, 1), 'model.stem.1');
  for (let stage = 0; stage < 4; stage++) {
    const dim = config.dims[stage] as number;
    const depth = config.depths[stage] as number;
    const prefix = `model.stages.${stage}`;
    if (stage > 0) x = net.conv(net.layerNorm2d(x, `${prefix}.downsample.0`), `${prefix}.downsample.1`, dim, 2, 2, 1);
    for (let block = 0; block < depth; block++) {
      const blockPrefix = `${prefix}.blocks.${block}`;
      x =
        block < depth - (GLOBAL_BLOCKS[stage] as number)
          ? net.convBlock(x, blockPrefix, KERNEL_SIZES[stage] as number)
          : net.splitTransposeBlock(x, blockPrefix, D2_SCALES[stage] as number, USE_POSITIONAL_ENCODING[stage] as boolean);
    }
  }
  net.head(x, EDGEFACE_OUTPUT_NAME);
  g.output(EDGEFACE_OUTPUT_NAME, [1, EDGEFACE_EMBEDDING_SIZE]);

  // Leftovers mean the file holds another network (a deeper variant, LoRa layers, a different head).
  const unused = weights.unused();
  if (unused.length > 0) {
    throw new EdgeFaceCheckpointError(`EdgeFace ${variant}: the checkpoint has weights this network does not use: ${unused.slice(0, 8).join(', ')}${unused.length > 8 ? ', …' : ''}`);
  }
  return g.toModelBytes({
    producerName: 'lintel-convert',
    producerVersion: `edgeface/${CONVERTER_VERSION}`,
    docString: `EdgeFace ${variant} (timm ${config.timmName}, 512-d head) converted from the PyTorch checkpoint ${checkpoint.archiveName}; int8 Linear weights dequantised to float32`,
    metadata: {
      source: `${checkpoint.archiveName} (EdgeFace ${variant})`,
      normalisation: '(rgb - 127.5) / 127.5, NCHW, ArcFace 112 alignment',
    },
  });
}
