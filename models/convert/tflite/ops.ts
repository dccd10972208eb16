import { attr } from '../onnx/onnx-graph.js';
import type { ConversionContext } from '../tfjs-graph/context.js';
import { emitAdd, emitPrelu } from '../tfjs-graph/prelu.js';
import {
  TO_NCHW,
  at,
  broadcastShapes,
  constValue,
  elementCount,
  foldBinary,
  permuteShape,
  transposeConst,
  type ConstValue,
  type TensorValue,
  type Value,
} from '../tfjs-graph/values.js';
import type { FlatTable, TfliteOperator } from './schema.js';

/** Thrown for model content the converter cannot translate; the message names the operator. */
export class TfliteConversionError extends Error {
  override readonly name = 'TfliteConversionError';
}

/** BuiltinOperator names of schema.fbs, indexed by code (0..126); used for messages and the lowering table. */
const BUILTIN_OPERATOR_NAMES = [
  'ADD', 'AVERAGE_POOL_2D', 'CONCATENATION', 'CONV_2D', 'DEPTHWISE_CONV_2D', 'DEPTH_TO_SPACE', 'DEQUANTIZE', 'EMBEDDING_LOOKUP',
  'FLOOR', 'FULLY_CONNECTED', 'HASHTABLE_LOOKUP', 'L2_NORMALIZATION', 'L2_POOL_2D', 'LOCAL_RESPONSE_NORMALIZATION', 'LOGISTIC',
  'LSH_PROJECTION', 'LSTM', 'MAX_POOL_2D', 'MUL', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'RESHAPE', 'RESIZE_BILINEAR', 'RNN', 'SOFTMAX',
  'SPACE_TO_DEPTH', 'SVDF', 'TANH', 'CONCAT_EMBEDDINGS', 'SKIP_GRAM', 'CALL', 'CUSTOM', 'EMBEDDING_LOOKUP_SPARSE', 'PAD',
  'UNIDIRECTIONAL_SEQUENCE_RNN', 'GATHER', 'BATCH_TO_SPACE_ND', 'SPACE_TO_BATCH_ND', 'TRANSPOSE', 'MEAN', 'SUB', 'DIV', 'SQUEEZE',
  'UNIDIRECTIONAL_SEQUENCE_LSTM', 'STRIDED_SLICE', 'BIDIRECTIONAL_SEQUENCE_RNN', 'EXP', 'TOPK_V2', 'SPLIT', 'LOG_SOFTMAX', 'DELEGATE',
  'BIDIRECTIONAL_SEQUENCE_LSTM', 'CAST', 'PRELU', 'MAXIMUM', 'ARG_MAX', 'MINIMUM', 'LESS', 'NEG', 'PADV2', 'GREATER', 'GREATER_EQUAL',
  'LESS_EQUAL', 'SELECT', 'SLICE', 'SIN', 'TRANSPOSE_CONV', 'SPARSE_TO_DENSE', 'TILE', 'EXPAND_DIMS', 'EQUAL', 'NOT_EQUAL', 'LOG', 'SUM',
  'SQRT', 'RSQRT', 'SHAPE', 'POW', 'ARG_MIN', 'FAKE_QUANT', 'REDUCE_PROD', 'REDUCE_MAX', 'PACK', 'LOGICAL_OR', 'ONE_HOT', 'LOGICAL_AND',
  'LOGICAL_NOT', 'UNPACK', 'REDUCE_MIN', 'FLOOR_DIV', 'REDUCE_ANY', 'SQUARE', 'ZEROS_LIKE', 'FILL', 'FLOOR_MOD', 'RANGE',
  'RESIZE_NEAREST_NEIGHBOR', 'LEAKY_RELU', 'SQUARED_DIFFERENCE', 'MIRROR_PAD', 'ABS', 'SPLIT_V', 'UNIQUE', 'CEIL', 'REVERSE_V2', 'ADD_N',
  'GATHER_ND', 'COS', 'WHERE', 'RANK', 'ELU', 'REVERSE_SEQUENCE', 'MATRIX_DIAG', 'QUANTIZE', 'MATRIX_SET_DIAG', 'ROUND', 'HARD_SWISH',
  'IF', 'WHILE', 'NON_MAX_SUPPRESSION_V4', 'NON_MAX_SUPPRESSION_V5', 'SCATTER_ND', 'SELECT_V2', 'DENSIFY', 'SEGMENT_SUM', 'BATCH_MATMUL',
] as const;

/** The schema.fbs name of a BuiltinOperator code ("BuiltinOperator 150" past the table). */
export function builtinOperatorName(code: number): string {
  return BUILTIN_OPERATOR_NAMES[code] ?? `BuiltinOperator ${code}`;
}

/** What a lowering sees of one operator: its inputs (undefined for an omitted optional input) and options. */
export interface OpCall {
  readonly op: TfliteOperator;
  /** A readable name for the operator: its first output tensor's name. */
  readonly name: string;
  readonly inputs: readonly (Value | undefined)[];
  /** Options table, or an empty one when the operator has none (every field then reads its default). */
  readonly options: FlatTable | undefined;
  /** The graph's batch size in the file; activations are converted with batch 1. */
  readonly fileBatch: number;
}

/** Lowers one operator to ONNX nodes; returns its outputs in order. */
export type OpLowering = (ctx: ConversionContext, call: OpCall) => readonly Value[];

function input(call: OpCall, index: number, what: string): Value {
  const value = call.inputs[index];
  if (!value) throw new TfliteConversionError(`missing input ${index} (${what})`);
  return value;
}

function constInput(call: OpCall, index: number, what: string): ConstValue {
  const value = input(call, index, what);
  if (value.kind !== 'const') throw new TfliteConversionError(`input ${index} (${what}) must be a constant; it is computed at run time`);
  return value;
}

function tensorInput(call: OpCall, index: number, what: string): TensorValue {
  const value = input(call, index, what);
  if (value.kind !== 'tensor') throw new TfliteConversionError(`input ${index} (${what}) is a constant; folding this op is not supported`);
  return value;
}

// Option field numbers of schema.fbs.
const CONV_OPTIONS = { padding: 0, strideW: 1, strideH: 2, activation: 3, dilationW: 4, dilationH: 5 } as const;
const DEPTHWISE_OPTIONS = { padding: 0, strideW: 1, strideH: 2, depthMultiplier: 3, activation: 4, dilationW: 5, dilationH: 6 } as const;
/** AddOptions, SubOptions, MulOptions and DivOptions all start with fused_activation_function. */
const ELEMENTWISE_OPTIONS = { activation: 0 } as const;
const RESHAPE_OPTIONS = { newShape: 0 } as const;

/** schema.fbs Padding. */
const PADDING_SAME = 0;
const PADDING_VALID = 1;

/** schema.fbs ActivationFunctionType, applied after an op that fuses it. */
function fusedActivation(ctx: ConversionContext, code: number, x: TensorValue, base: string): TensorValue {
  switch (code) {
    case 0:
      return x;
    case 1:
      return ctx.emit('Relu', [x.name], {}, `${base}/relu`, x.shape, x.nchw);
    case 2:
      return ctx.emit('Clip', [x.name, ctx.scalar(`${base}/min`, -1), ctx.scalar(`${base}/max`, 1)], {}, `${base}/relu_n1_to_1`, x.shape, x.nchw);
    case 3:
      return ctx.emit('Clip', [x.name, ctx.scalar(`${base}/min`, 0), ctx.scalar(`${base}/max`, 6)], {}, `${base}/relu6`, x.shape, x.nchw);
    case 4:
      return ctx.emit('Tanh', [x.name], {}, `${base}/tanh`, x.shape, x.nchw);
    default:
      throw new TfliteConversionError(`fused activation function ${code} is not supported`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Convolutions

/** ONNX pads [top, left, bottom, right] for TFLite padding of an input of size [h, w]. */
function windowPads(padding: number, size: [number, number], kernel: [number, number], strides: [number, number], dilations: [number, number]): [number, number, number, number] {
  if (padding === PADDING_VALID) return [0, 0, 0, 0];
  if (padding !== PADDING_SAME) throw new TfliteConversionError(`padding ${padding} is not supported`);
  const begin: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < 2; i++) {
    const extent = (at(kernel, i) - 1) * at(dilations, i) + 1;
    const out = Math.ceil(at(size, i) / at(strides, i));
    const total = Math.max((out - 1) * at(strides, i) + extent - at(size, i), 0);
    // As TensorFlow does: the odd pixel goes at the end (bottom / right).
    begin.push(Math.floor(total / 2));
    end.push(total - Math.floor(total / 2));
  }
  return [at(begin, 0), at(begin, 1), at(end, 0), at(end, 1)];
}

function outputSize(size: number, padBegin: number, padEnd: number, kernel: number, stride: number, dilation: number): number {
  return Math.floor((size + padBegin + padEnd - ((kernel - 1) * dilation + 1)) / stride) + 1;
}

const convolution =
  (kind: 'conv' | 'depthwise'): OpLowering =>
  (ctx, call) => {
    const x = ctx.toNchw(tensorInput(call, 0, 'input'), kind);
    const filter = constInput(call, 1, 'filter');
    const bias = call.inputs[2];
    if (filter.shape.length !== 4) throw new TfliteConversionError(`filter must be 4-D, got [${filter.shape.join(', ')}]`);
    const [, h, w, channels] = x.shape as [number, number, number, number];
    const fields = kind === 'conv' ? CONV_OPTIONS : DEPTHWISE_OPTIONS;
    const options = call.options;
    const strides: [number, number] = [options?.int32(fields.strideH, 1) ?? 1, options?.int32(fields.strideW, 1) ?? 1];
    const dilations: [number, number] = [options?.int32(fields.dilationH, 1) ?? 1, options?.int32(fields.dilationW, 1) ?? 1];
    const padding = options?.int8(fields.padding, PADDING_SAME) ?? PADDING_SAME;

    let weights: ConstValue;
    let group: number;
    let outChannels: number;
    let kernel: [number, number];
    if (kind === 'depthwise') {
      // TFLite depthwise filters are [1, KH, KW, C·M], output channel c·M + m; ONNX wants [C·M, 1, KH, KW] with group C.
      const [one, kh, kw, total] = filter.shape as [number, number, number, number];
      if (one !== 1 || total % channels !== 0) throw new TfliteConversionError(`depthwise filter [${filter.shape.join(', ')}] does not fit ${channels} input channels`);
      const multiplier = options?.int32(DEPTHWISE_OPTIONS.depthMultiplier, 1) ?? 1;
      if (multiplier !== 0 && multiplier * channels !== total) {
        throw new TfliteConversionError(`depth_multiplier ${multiplier} × ${channels} channels ≠ ${total} filter channels`);
      }
      weights = transposeConst(filter, [3, 0, 1, 2]);
      group = channels;
      outChannels = total;
      kernel = [kh, kw];
    } else {
      // TFLite conv filters are OHWI; ONNX wants OIHW.
      const [out, kh, kw, filterIn] = filter.shape as [number, number, number, number];
      if (filterIn !== channels) throw new TfliteConversionError(`filter has ${filterIn} input channels, the input has ${channels}`);
      weights = transposeConst(filter, [0, 3, 1, 2]);
      group = 1;
      outChannels = out;
      kernel = [kh, kw];
    }
    const pads = windowPads(padding, [h, w], kernel, strides, dilations);
    const names = [x.name, ctx.constName(weights, `${call.name}/weights`, 'onnx')];
    if (bias) {
      if (bias.kind !== 'const' || elementCount(bias.shape) !== outChannels) throw new TfliteConversionError(`bias must be a constant of ${outChannels} values`);
      names.push(ctx.constName(constValue([outChannels], bias.data), `${call.name}/bias`, 'onnx'));
    }
    const shape = [
      at(x.shape, 0),
      outputSize(h, pads[0], pads[2], kernel[0], strides[0], dilations[0]),
      outputSize(w, pads[1], pads[3], kernel[1], strides[1], dilations[1]),
      outChannels,
    ];
    const y = ctx.emit(
      'Conv',
      names,
      {
        kernel_shape: attr.ints(kernel),
        strides: attr.ints(strides),
        dilations: attr.ints(dilations),
        pads: attr.ints(pads),
        group: attr.int(group),
      },
      call.name,
      shape,
      true,
    );
    return [fusedActivation(ctx, options?.int8(fields.activation) ?? 0, y, call.name)];
  };

// ---------------------------------------------------------------------------------------------------------
// Element-wise

const binary =
  (onnxOp: 'Add' | 'Sub' | 'Mul' | 'Div', fold: (a: number, b: number) => number): OpLowering =>
  (ctx, call) => {
    const a = input(call, 0, 'x');
    const b = input(call, 1, 'y');
    const activation = call.options?.int8(ELEMENTWISE_OPTIONS.activation) ?? 0;
    if (a.kind === 'const' && b.kind === 'const') {
      if (activation !== 0) throw new TfliteConversionError('a fused activation on two constants is not supported');
      return [foldBinary(a, b, fold)];
    }
    // 4-D operands meet in NCHW as soon as one of them is a run-time tensor in NCHW.
    const nchw = [a, b].every((value) => value.shape.length === 4) && [a, b].some((value) => value.kind === 'tensor' && value.nchw);
    const nameOf = (value: Value, which: string): string =>
      value.kind === 'const' ? ctx.broadcastName(value, nchw, `${call.name}/${which}`) : ctx.asName(value, nchw, `${call.name}/${which}`);
    const names = [nameOf(a, 'x'), nameOf(b, 'y')] as const;
    const shape = broadcastShapes(a.shape, b.shape);
    const y = onnxOp === 'Add' ? emitAdd(ctx, names, call.name, shape, nchw) : ctx.emit(onnxOp, names, {}, call.name, shape, nchw);
    return [fusedActivation(ctx, activation, y, call.name)];
  };

const unary =
  (onnxOp: 'Relu' | 'Abs' | 'Sigmoid' | 'Tanh'): OpLowering =>
  (ctx, call) => {
    const x = tensorInput(call, 0, 'x');
    return [ctx.emit(onnxOp, [x.name], {}, call.name, x.shape, x.nchw)];
  };

const relu6: OpLowering = (ctx, call) => [fusedActivation(ctx, 3, tensorInput(call, 0, 'x'), call.name)];

const prelu: OpLowering = (ctx, call) => [emitPrelu(ctx, tensorInput(call, 0, 'x'), constInput(call, 1, 'alpha'), call.name)];

/** Constants are dequantised when read (float16, int8, uint8), so DEQUANTIZE of a constant is the constant itself. */
const dequantize: OpLowering = (_ctx, call) => [constInput(call, 0, 'input')];

// ---------------------------------------------------------------------------------------------------------
// Shapes

/** The target shape of a RESHAPE with the file's batch replaced by 1 and −1 resolved. */
function reshapeTarget(call: OpCall, x: Value): number[] {
  const given = call.inputs[1];
  let shape: number[];
  if (given?.kind === 'const') shape = Array.from(given.data, (v) => Math.round(v));
  else if (call.options?.has(RESHAPE_OPTIONS.newShape)) shape = call.options.int32s(RESHAPE_OPTIONS.newShape);
  else throw new TfliteConversionError('RESHAPE without a constant shape input or new_shape option');
  if (x.kind === 'tensor' && call.fileBatch !== 1) {
    // The batch is converted to 1: a leading dimension equal to the file's batch is that batch.
    if (shape[0] !== call.fileBatch && shape[0] !== -1) {
      throw new TfliteConversionError(`RESHAPE to [${shape.join(', ')}] does not keep the batch of ${call.fileBatch} as its first dimension`);
    }
    shape[0] = 1;
  }
  const count = elementCount(x.shape);
  const known = shape.reduce((product, dim) => (dim === -1 ? product : product * dim), 1);
  const resolved = shape.map((dim) => (dim === -1 ? count / known : dim));
  if (elementCount(resolved) !== count || resolved.some((dim) => !Number.isInteger(dim) || dim < 0)) {
    throw new TfliteConversionError(`cannot reshape [${x.shape.join(', ')}] to [${shape.join(', ')}]`);
  }
  return resolved;
}

const reshape: OpLowering = (ctx, call) => {
  const x = input(call, 0, 'tensor');
  const shape = reshapeTarget(call, x);
  if (x.kind === 'const') return [constValue(shape, x.data)];
  // NCHW data is in NHWC memory order when at most one of H, W, C exceeds 1; otherwise transpose back first.
  const source = ctx.sameMemoryOrder(x) ? x : ctx.toPlain(x);
  const sourceDims = source.nchw ? permuteShape(source.shape, TO_NCHW) : source.shape;
  if (sourceDims.join(',') === shape.join(',')) return [ctx.tensor(source.name, shape, false)];
  return [ctx.emit('Reshape', [source.name, ctx.int64s(`${call.name}/shape`, shape)], {}, call.name, shape, false)];
};

/** Lowerings by BuiltinOperator name. An operator missing here fails the conversion with its name. */
export const opLowerings: Readonly<Record<string, OpLowering>> = {
  ADD: binary('Add', (a, b) => a + b),
  SUB: binary('Sub', (a, b) => a - b),
  MUL: binary('Mul', (a, b) => a * b),
  DIV: binary('Div', (a, b) => a / b),
  RELU: unary('Relu'),
  ABS: unary('Abs'),
  LOGISTIC: unary('Sigmoid'),
  TANH: unary('Tanh'),
  RELU6: relu6,
  PRELU: prelu,
  CONV_2D: convolution('conv'),
  DEPTHWISE_CONV_2D: convolution('depthwise'),
  RESHAPE: reshape,
  DEQUANTIZE: dequantize,
};
