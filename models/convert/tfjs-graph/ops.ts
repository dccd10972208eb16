import { attr, type OnnxAttribute } from '../onnx/onnx-graph.js';
import { TfjsConversionError, type ConversionContext } from './context.js';
import { tfAttr, type TfNode } from './model-json.js';
import { emitAdd, emitPrelu } from './prelu.js';
import {
  TO_NCHW,
  TO_NHWC,
  at,
  broadcastShapes,
  concatConsts,
  constInts,
  constValue,
  elementCount,
  foldBinary,
  packConsts,
  permuteShape,
  stridedSliceConst,
  transposeConst,
  type ConstValue,
  type TensorValue,
  type Value,
} from './values.js';

/** Converts one TF node whose inputs are already converted; returns its outputs in order. */
export type OpConverter = (ctx: ConversionContext, node: TfNode, inputs: readonly Value[]) => Value | readonly Value[];

function input(inputs: readonly Value[], index: number, what: string): Value {
  const value = inputs[index];
  if (!value) throw new TfjsConversionError(`missing input ${index} (${what})`);
  return value;
}

function constInput(inputs: readonly Value[], index: number, what: string): ConstValue {
  const value = input(inputs, index, what);
  if (value.kind !== 'const') throw new TfjsConversionError(`input ${index} (${what}) must be a constant; it is computed at run time`);
  return value;
}

function tensorInput(inputs: readonly Value[], index: number, what: string): TensorValue {
  const value = input(inputs, index, what);
  if (value.kind !== 'tensor') throw new TfjsConversionError(`input ${index} (${what}) is a constant; folding this op is not supported`);
  return value;
}

function normaliseAxis(axis: number, rank: number): number {
  const normalised = axis < 0 ? axis + rank : axis;
  if (normalised < 0 || normalised >= rank) throw new TfjsConversionError(`axis ${axis} out of range for rank ${rank}`);
  return normalised;
}

function checkNhwc(node: TfNode): void {
  const format = tfAttr.string(node, 'data_format');
  if (format !== undefined && format !== 'NHWC') throw new TfjsConversionError(`data_format ${format} is not supported (only NHWC)`);
}

// ---------------------------------------------------------------------------------------------------------
// Pass-through, folding

const passThrough: OpConverter = (_ctx, _node, inputs) => input(inputs, 0, 'x');

const shapeOp: OpConverter = (_ctx, _node, inputs) => {
  const x = input(inputs, 0, 'x');
  return constValue([x.shape.length], Int32Array.from(x.shape));
};

const castOp: OpConverter = (_ctx, node, inputs) => {
  const x = input(inputs, 0, 'x');
  const to = node.attr?.['DstT']?.type;
  const toFloat = to === 'DT_FLOAT';
  if (!toFloat && to !== 'DT_INT32' && to !== 'DT_BOOL') throw new TfjsConversionError(`Cast to ${to} is not supported`);
  if (x.kind === 'const') {
    if (toFloat) return constValue(x.shape, Float32Array.from(x.data));
    if (to === 'DT_BOOL') return constValue(x.shape, Int32Array.from(x.data, (v) => (v !== 0 ? 1 : 0)));
    return constValue(x.shape, Int32Array.from(x.data, (v) => Math.trunc(v)));
  }
  // Run-time tensors are float32 throughout these graphs.
  if (!toFloat) throw new TfjsConversionError(`Cast of a run-time tensor to ${to} is not supported`);
  return x;
};

const stridedSliceOp: OpConverter = (_ctx, node, inputs) => {
  const x = constInput(inputs, 0, 'x');
  if ((tfAttr.int(node, 'ellipsis_mask') ?? 0) !== 0 || (tfAttr.int(node, 'new_axis_mask') ?? 0) !== 0) {
    throw new TfjsConversionError('StridedSlice with ellipsis_mask or new_axis_mask is not supported');
  }
  return stridedSliceConst(x, {
    begin: constInts(constInput(inputs, 1, 'begin')),
    end: constInts(constInput(inputs, 2, 'end')),
    strides: constInts(constInput(inputs, 3, 'strides')),
    beginMask: tfAttr.int(node, 'begin_mask') ?? 0,
    endMask: tfAttr.int(node, 'end_mask') ?? 0,
    shrinkAxisMask: tfAttr.int(node, 'shrink_axis_mask') ?? 0,
  });
};

const packOp: OpConverter = (_ctx, node, inputs) => {
  const values = inputs.map((_, i) => constInput(inputs, i, 'values'));
  return packConsts(values, tfAttr.int(node, 'axis') ?? 0);
};

// ---------------------------------------------------------------------------------------------------------
// Shape ops

/** Reshapes to a logical shape, skipping the NCHW→NHWC transpose when memory order already agrees. */
function reshapeTo(ctx: ConversionContext, x: TensorValue, shape: readonly number[], base: string): TensorValue {
  const source = ctx.sameMemoryOrder(x) ? x : ctx.toPlain(x);
  const sourceDims = source.nchw ? permuteShape(source.shape, TO_NCHW) : source.shape;
  if (sourceDims.join(',') === shape.join(',')) return ctx.tensor(source.name, shape, false);
  return ctx.emit('Reshape', [source.name, ctx.int64s(`${base}/shape`, shape)], {}, base, shape, false);
}

function resolveShape(shape: readonly number[], count: number): number[] {
  const known = shape.reduce((product, dim) => (dim === -1 ? product : product * dim), 1);
  const resolved = shape.map((dim) => (dim === -1 ? count / known : dim));
  if (elementCount(resolved) !== count || resolved.some((dim) => !Number.isInteger(dim) || dim < 0)) {
    throw new TfjsConversionError(`cannot reshape ${count} values to [${shape.join(', ')}]`);
  }
  return resolved;
}

const reshapeOp: OpConverter = (ctx, node, inputs) => {
  const x = input(inputs, 0, 'tensor');
  const shape = resolveShape(constInts(constInput(inputs, 1, 'shape')), elementCount(x.shape));
  if (x.kind === 'const') return constValue(shape, x.data);
  return reshapeTo(ctx, x, shape, node.name);
};

const squeezeOp: OpConverter = (ctx, node, inputs) => {
  const x = input(inputs, 0, 'input');
  const rank = x.shape.length;
  const requested = (tfAttr.ints(node, 'squeeze_dims') ?? tfAttr.ints(node, 'axis') ?? []).map((axis) => normaliseAxis(axis, rank));
  const squeezed = requested.length > 0 ? new Set(requested) : new Set(x.shape.flatMap((dim, axis) => (dim === 1 ? [axis] : [])));
  for (const axis of squeezed) if (x.shape[axis] !== 1) throw new TfjsConversionError(`cannot squeeze axis ${axis} of size ${x.shape[axis]}`);
  const shape = x.shape.filter((_, axis) => !squeezed.has(axis));
  if (x.kind === 'const') return constValue(shape, x.data);
  return reshapeTo(ctx, x, shape, node.name);
};

const expandDimsOp: OpConverter = (ctx, node, inputs) => {
  const x = input(inputs, 0, 'input');
  const axis = normaliseAxis(at(constInts(constInput(inputs, 1, 'axis')), 0), x.shape.length + 1);
  const shape = [...x.shape];
  shape.splice(axis, 0, 1);
  if (x.kind === 'const') return constValue(shape, x.data);
  return reshapeTo(ctx, x, shape, node.name);
};

const transposeOp: OpConverter = (ctx, node, inputs) => {
  const x = input(inputs, 0, 'x');
  const perm = constInts(constInput(inputs, 1, 'perm')).map((axis) => normaliseAxis(axis, x.shape.length));
  if (x.kind === 'const') return transposeConst(x, perm);
  const shape = permuteShape(x.shape, perm);
  // On an NCHW tensor, logical axis a sits at position TO_NHWC[a]: compose instead of transposing twice.
  const physicalPerm = x.nchw ? perm.map((axis) => at(TO_NHWC, axis)) : perm;
  if (physicalPerm.every((axis, i) => axis === i)) return ctx.tensor(x.name, shape, false);
  return ctx.emit('Transpose', [x.name], { perm: attr.ints(physicalPerm) }, node.name, shape, false);
};

/** Picks one layout for several 4-D operands: NCHW as soon as one of them already is. */
function commonLayout(values: readonly Value[]): boolean {
  return values.every((value) => value.shape.length === 4) && values.some((value) => value.kind === 'tensor' && value.nchw);
}

const concatOp: OpConverter = (ctx, node, inputs) => {
  const values = inputs.slice(0, -1);
  const rank = input(values, 0, 'values').shape.length;
  const axis = normaliseAxis(at(constInts(constInput(inputs, inputs.length - 1, 'axis')), 0), rank);
  if (values.every((value) => value.kind === 'const')) return concatConsts(values as ConstValue[], axis);
  if (values.length === 1) return input(values, 0, 'values');
  const nchw = commonLayout(values);
  const names = values.map((value, i) => ctx.asName(value, nchw, `${node.name}/input${i}`));
  const shape = [...input(values, 0, 'values').shape];
  shape[axis] = values.reduce((sum, value) => sum + at(value.shape, axis), 0);
  return ctx.emit('Concat', names, { axis: attr.int(nchw ? at(TO_NHWC, axis) : axis) }, node.name, shape, nchw);
};

const padOp =
  (mode: 'constant' | 'mirror'): OpConverter =>
  (ctx, node, inputs) => {
    const x = tensorInput(inputs, 0, 'input');
    const pairs = constInts(constInput(inputs, 1, 'paddings'));
    if (pairs.length !== x.shape.length * 2) throw new TfjsConversionError(`paddings hold ${pairs.length} values for rank ${x.shape.length}`);
    if (pairs.every((p) => p === 0)) return x;
    let onnxMode = 'constant';
    if (mode === 'mirror') {
      const tfMode = tfAttr.string(node, 'mode');
      if (tfMode !== 'REFLECT') throw new TfjsConversionError(`MirrorPad mode ${tfMode} has no ONNX equivalent`);
      onnxMode = 'reflect';
    }
    const order = x.nchw ? TO_NCHW : x.shape.map((_, axis) => axis);
    const begins = order.map((axis) => at(pairs, axis * 2));
    const ends = order.map((axis) => at(pairs, axis * 2 + 1));
    const names = [x.name, ctx.int64s(`${node.name}/pads`, [...begins, ...ends])];
    const fill = inputs[2]?.kind === 'const' ? at(inputs[2].data, 0) : 0;
    if (fill !== 0) names.push(ctx.scalar(`${node.name}/value`, fill));
    const shape = x.shape.map((dim, axis) => dim + at(pairs, axis * 2) + at(pairs, axis * 2 + 1));
    return ctx.emit('Pad', names, { mode: attr.string(onnxMode) }, node.name, shape, x.nchw);
  };

// ---------------------------------------------------------------------------------------------------------
// Element-wise

const binaryOp =
  (onnxOp: string, fold: (a: number, b: number) => number): OpConverter =>
  (ctx, node, inputs) => {
    const a = input(inputs, 0, 'x');
    const b = input(inputs, 1, 'y');
    if (a.kind === 'const' && b.kind === 'const') return foldBinary(a, b, fold);
    const shape = broadcastShapes(a.shape, b.shape);
    let nchw: boolean;
    let names: [string, string];
    if (a.kind === 'tensor' && b.kind === 'tensor') {
      nchw = a.shape.length === 4 && b.shape.length === 4 && (a.nchw || b.nchw);
      names = [ctx.asName(a, nchw, node.name), ctx.asName(b, nchw, node.name)];
    } else {
      const tensor = (a.kind === 'tensor' ? a : b) as TensorValue;
      const constant = (a.kind === 'const' ? a : b) as ConstValue;
      // Against NCHW, the constant is laid out to broadcast the same way; beyond rank 4 stay in TF layout.
      nchw = tensor.nchw && shape.length === 4;
      const tensorName = ctx.asName(tensor, nchw, node.name);
      const constName = ctx.broadcastName(constant, nchw, `${node.name}/${a.kind === 'const' ? 'x' : 'y'}`);
      names = a.kind === 'tensor' ? [tensorName, constName] : [constName, tensorName];
    }
    return onnxOp === 'Add' ? emitAdd(ctx, names, node.name, shape, nchw) : ctx.emit(onnxOp, names, {}, node.name, shape, nchw);
  };

const squaredDifferenceOp: OpConverter = (ctx, node, inputs) => {
  const difference = binaryOp('Sub', (x, y) => x - y)(ctx, { ...node, name: `${node.name}/difference` }, inputs) as Value;
  return binaryOp('Mul', (x, y) => x * y)(ctx, node, [difference, difference]);
};

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Unary ops: ONNX op (with attributes) for tensors, a JS function to fold constants. */
const unaryTable: Record<string, { onnx: string; attributes?: Record<string, OnnxAttribute>; fold: (x: number) => number }> = {
  Relu: { onnx: 'Relu', fold: (x) => Math.max(x, 0) },
  Sigmoid: { onnx: 'Sigmoid', fold: sigmoid },
  Tanh: { onnx: 'Tanh', fold: Math.tanh },
  Elu: { onnx: 'Elu', attributes: { alpha: attr.float(1) }, fold: (x) => (x >= 0 ? x : Math.exp(x) - 1) },
  Selu: {
    onnx: 'Selu',
    attributes: { alpha: attr.float(1.6732632423543772), gamma: attr.float(1.0507009873554805) },
    fold: (x) => 1.0507009873554805 * (x >= 0 ? x : 1.6732632423543772 * (Math.exp(x) - 1)),
  },
  Softplus: { onnx: 'Softplus', fold: (x) => Math.log1p(Math.exp(x)) },
  Abs: { onnx: 'Abs', fold: Math.abs },
  Neg: { onnx: 'Neg', fold: (x) => -x },
  Exp: { onnx: 'Exp', fold: Math.exp },
  Log: { onnx: 'Log', fold: Math.log },
  Sqrt: { onnx: 'Sqrt', fold: Math.sqrt },
  Reciprocal: { onnx: 'Reciprocal', fold: (x) => 1 / x },
  Floor: { onnx: 'Floor', fold: Math.floor },
  Ceil: { onnx: 'Ceil', fold: Math.ceil },
};

function unaryOp(tfOp: string): OpConverter {
  const entry = unaryTable[tfOp];
  if (!entry) throw new Error(`internal: no unary entry for ${tfOp}`);
  return (ctx, node, inputs) => {
    const x = input(inputs, 0, 'x');
    if (x.kind === 'const') return constValue(x.shape, Float32Array.from(x.data, entry.fold));
    return ctx.emit(entry.onnx, [x.name], entry.attributes ?? {}, node.name, x.shape, x.nchw);
  };
}

const squareOp: OpConverter = (ctx, node, inputs) => {
  const x = input(inputs, 0, 'x');
  if (x.kind === 'const') return constValue(x.shape, Float32Array.from(x.data, (v) => v * v));
  return ctx.emit('Mul', [x.name, x.name], {}, node.name, x.shape, x.nchw);
};

const rsqrtOp: OpConverter = (ctx, node, inputs) => {
  const x = input(inputs, 0, 'x');
  if (x.kind === 'const') return constValue(x.shape, Float32Array.from(x.data, (v) => 1 / Math.sqrt(v)));
  const root = ctx.emit('Sqrt', [x.name], {}, `${node.name}/sqrt`, x.shape, x.nchw);
  return ctx.emit('Reciprocal', [root.name], {}, node.name, x.shape, x.nchw);
};

/** Applies a TF activation (as named in `fused_ops` or as an op) to a tensor. */
function activation(ctx: ConversionContext, node: TfNode, kind: string, x: TensorValue, alpha: Value | undefined, base: string): TensorValue {
  switch (kind) {
    case 'Relu':
    case 'Sigmoid':
    case 'Tanh':
    case 'Elu': {
      const entry = unaryTable[kind];
      if (!entry) throw new Error(`internal: no unary entry for ${kind}`);
      return ctx.emit(entry.onnx, [x.name], entry.attributes ?? {}, base, x.shape, x.nchw);
    }
    case 'Relu6':
      return ctx.emit('Clip', [x.name, ctx.scalar(`${base}/min`, 0), ctx.scalar(`${base}/max`, 6)], {}, base, x.shape, x.nchw);
    case 'LeakyRelu': {
      // _FusedConv2D / _FusedMatMul carry `leakyrelu_alpha`; the LeakyRelu op carries `alpha`.
      const slope = tfAttr.float(node, 'leakyrelu_alpha') ?? tfAttr.float(node, 'alpha') ?? 0.2;
      return ctx.emit('LeakyRelu', [x.name], { alpha: attr.float(slope) }, base, x.shape, x.nchw);
    }
    case 'Prelu': {
      if (alpha?.kind !== 'const') throw new TfjsConversionError('Prelu needs a constant alpha');
      return emitPrelu(ctx, x, alpha, base);
    }
    default:
      throw new TfjsConversionError(`fused activation ${kind} is not supported`);
  }
}

const relu6Op: OpConverter = (ctx, node, inputs) => {
  const x = input(inputs, 0, 'x');
  if (x.kind === 'const') return constValue(x.shape, Float32Array.from(x.data, (v) => Math.min(Math.max(v, 0), 6)));
  return activation(ctx, node, 'Relu6', x, undefined, node.name);
};

const leakyReluOp: OpConverter = (ctx, node, inputs) => activation(ctx, node, 'LeakyRelu', tensorInput(inputs, 0, 'x'), undefined, node.name);

const preluOp: OpConverter = (ctx, node, inputs) =>
  activation(ctx, node, 'Prelu', tensorInput(inputs, 0, 'x'), input(inputs, 1, 'alpha'), node.name);

const softmaxOp =
  (onnxOp: 'Softmax' | 'LogSoftmax'): OpConverter =>
  (ctx, node, inputs) => {
    const x = tensorInput(inputs, 0, 'logits');
    // TF normalises over the last axis, which is C, axis 1 once the tensor is NCHW.
    return ctx.emit(onnxOp, [x.name], { axis: attr.int(x.nchw ? 1 : -1) }, node.name, x.shape, x.nchw);
  };

const addNOp: OpConverter = (ctx, node, inputs) => {
  if (inputs.length === 1) return input(inputs, 0, 'inputs');
  const nchw = commonLayout(inputs);
  const names = inputs.map((value, i) => ctx.asName(value, nchw, `${node.name}/input${i}`));
  const shape = inputs.reduce<number[]>((acc, value) => broadcastShapes(acc, value.shape), []);
  return ctx.emit('Sum', names, {}, node.name, shape, nchw);
};

// ---------------------------------------------------------------------------------------------------------
// Convolution and pooling

interface Window {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
}

/** ONNX pads [top, left, bottom, right] for TF padding on an input of size [h, w]. */
function windowPads(node: TfNode, size: [number, number], window: Window): [number, number, number, number] {
  const padding = tfAttr.string(node, 'padding') ?? 'VALID';
  if (padding === 'VALID') return [0, 0, 0, 0];
  if (padding === 'EXPLICIT') {
    const explicit = tfAttr.ints(node, 'explicit_paddings') ?? [];
    if (explicit.length !== 8) throw new TfjsConversionError(`explicit_paddings must hold 8 values, got ${explicit.length}`);
    return [at(explicit, 2), at(explicit, 4), at(explicit, 3), at(explicit, 5)];
  }
  if (padding !== 'SAME') throw new TfjsConversionError(`padding ${padding} is not supported`);
  const begin: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < 2; i++) {
    const stride = at(window.strides, i);
    const extent = (at(window.kernel, i) - 1) * at(window.dilations, i) + 1;
    const out = Math.ceil(at(size, i) / stride);
    const total = Math.max((out - 1) * stride + extent - at(size, i), 0);
    // TF puts the odd pixel at the end (bottom / right).
    begin.push(Math.floor(total / 2));
    end.push(total - Math.floor(total / 2));
  }
  return [at(begin, 0), at(begin, 1), at(end, 0), at(end, 1)];
}

function outputSize(size: number, padBegin: number, padEnd: number, kernel: number, stride: number, dilation: number): number {
  return Math.floor((size + padBegin + padEnd - ((kernel - 1) * dilation + 1)) / stride) + 1;
}

function spatialPair(node: TfNode, key: string): [number, number] {
  const values = tfAttr.ints(node, key) ?? [1, 1, 1, 1];
  if (values.length !== 4 || values[0] !== 1 || values[3] !== 1) {
    throw new TfjsConversionError(`${key} [${values.join(', ')}] must be [1, h, w, 1]`);
  }
  return [at(values, 1), at(values, 2)];
}

/**
 * A zero Pad in front of a VALID / SAME convolution folds into the convolution's own pads (MobileFaceNet
 * pads explicitly before every 3×3 conv). The Pad node stays in the IR and is dropped if nothing else reads it.
 */
function foldablePrePad(ctx: ConversionContext, node: TfNode): { x: TensorValue; pads: [number, number, number, number] } | undefined {
  const producer = ctx.producerOf(node, 0);
  if (!producer || (producer.op !== 'Pad' && producer.op !== 'PadV2')) return undefined;
  const padded = ctx.inputOf(producer, 0);
  const paddings = ctx.inputOf(producer, 1);
  const fill = producer.op === 'PadV2' ? ctx.inputOf(producer, 2) : undefined;
  if (padded?.kind !== 'tensor' || padded.shape.length !== 4 || paddings?.kind !== 'const') return undefined;
  if (fill && (fill.kind !== 'const' || at(fill.data, 0) !== 0)) return undefined;
  const p = constInts(paddings);
  if (p.length !== 8 || p[0] !== 0 || p[1] !== 0 || p[6] !== 0 || p[7] !== 0) return undefined;
  return { x: padded, pads: [at(p, 2), at(p, 4), at(p, 3), at(p, 5)] };
}

const convOp =
  (kind: 'conv' | 'depthwise'): OpConverter =>
  (ctx, node, inputs) => {
    checkNhwc(node);
    const filter = constInput(inputs, 1, 'filter');
    if (filter.shape.length !== 4) throw new TfjsConversionError(`filter must be 4-D, got [${filter.shape.join(', ')}]`);
    const [kh, kw, filterIn, filterOut] = filter.shape as [number, number, number, number];
    const prePad = foldablePrePad(ctx, node);
    const x = ctx.toNchw(prePad?.x ?? tensorInput(inputs, 0, 'input'), node.op);
    const pre = prePad?.pads ?? [0, 0, 0, 0];
    const [, h, w, channels] = x.shape as [number, number, number, number];
    const window: Window = { kernel: [kh, kw], strides: spatialPair(node, 'strides'), dilations: spatialPair(node, 'dilations') };
    const paddedSize: [number, number] = [h + pre[0] + pre[2], w + pre[1] + pre[3]];
    const own = windowPads(node, paddedSize, window);
    const pads: [number, number, number, number] = [pre[0] + own[0], pre[1] + own[1], pre[2] + own[2], pre[3] + own[3]];

    let weights: ConstValue;
    let group: number;
    let outChannels: number;
    if (kind === 'depthwise') {
      if (filterIn !== channels) throw new TfjsConversionError(`depthwise filter has ${filterIn} channels, input has ${channels}`);
      // [KH,KW,C,M] → [C,M,KH,KW] = [C·M,1,KH,KW]: output channel c·M+m, as TF orders them.
      const transposed = transposeConst(filter, [2, 3, 0, 1]);
      weights = constValue([channels * filterOut, 1, kh, kw], transposed.data);
      group = channels;
      outChannels = channels * filterOut;
    } else {
      if (channels % filterIn !== 0) throw new TfjsConversionError(`filter expects ${filterIn} input channels, input has ${channels}`);
      weights = transposeConst(filter, [3, 2, 0, 1]);
      group = channels / filterIn;
      outChannels = filterOut;
    }

    const fusedOps = tfAttr.strings(node, 'fused_ops') ?? [];
    const args = inputs.slice(2);
    const names = [x.name, ctx.constName(weights, `${node.name}/weights`, 'onnx-conv', filter)];
    let rest = fusedOps;
    if (rest[0] === 'BiasAdd') {
      const bias = constInput(args, 0, 'bias');
      names.push(ctx.constName(bias, `${node.name}/bias`, 'plain'));
      rest = rest.slice(1);
    } else if (rest.length > 0) {
      throw new TfjsConversionError(`fused_ops [${fusedOps.join(', ')}] are not supported (expected BiasAdd first)`);
    }
    if (rest.length > 1) throw new TfjsConversionError(`fused_ops [${fusedOps.join(', ')}] are not supported`);

    const shape = [
      1,
      outputSize(h, pads[0], pads[2], kh, window.strides[0], window.dilations[0]),
      outputSize(w, pads[1], pads[3], kw, window.strides[1], window.dilations[1]),
      outChannels,
    ];
    const attributes: Record<string, OnnxAttribute> = {
      kernel_shape: attr.ints([kh, kw]),
      strides: attr.ints(window.strides),
      pads: attr.ints(pads),
      dilations: attr.ints(window.dilations),
      group: attr.int(group),
    };
    const activationKind = rest[0];
    const conv = ctx.emit('Conv', names, attributes, activationKind ? `${node.name}/conv` : node.name, shape, true);
    return activationKind ? activation(ctx, node, activationKind, conv, args[1], node.name) : conv;
  };

const poolOp =
  (onnxOp: 'MaxPool' | 'AveragePool'): OpConverter =>
  (ctx, node, inputs) => {
    checkNhwc(node);
    const x = ctx.toNchw(tensorInput(inputs, 0, 'input'), node.op);
    const [, h, w, channels] = x.shape as [number, number, number, number];
    const window: Window = { kernel: spatialPair(node, 'ksize'), strides: spatialPair(node, 'strides'), dilations: [1, 1] };
    const pads = windowPads(node, [h, w], window);
    const shape = [
      1,
      outputSize(h, pads[0], pads[2], window.kernel[0], window.strides[0], 1),
      outputSize(w, pads[1], pads[3], window.kernel[1], window.strides[1], 1),
      channels,
    ];
    const attributes: Record<string, OnnxAttribute> = {
      kernel_shape: attr.ints(window.kernel),
      strides: attr.ints(window.strides),
      pads: attr.ints(pads),
    };
    // TF's SAME average pooling divides by the pixels inside the image, as count_include_pad=0 does.
    if (onnxOp === 'AveragePool') attributes['count_include_pad'] = attr.int(0);
    return ctx.emit(onnxOp, [x.name], attributes, node.name, shape, true);
  };

const batchNormOp: OpConverter = (ctx, node, inputs) => {
  checkNhwc(node);
  if (tfAttr.bool(node, 'is_training') === true) throw new TfjsConversionError('FusedBatchNorm in training mode is not supported');
  const x = ctx.toNchw(tensorInput(inputs, 0, 'x'), node.op);
  const names = [x.name];
  ['scale', 'offset', 'mean', 'variance'].forEach((what, i) => {
    names.push(ctx.constName(constInput(inputs, i + 1, what), `${node.name}/${what}`, 'plain'));
  });
  const epsilon = tfAttr.float(node, 'epsilon') ?? 0.0001;
  return ctx.emit('BatchNormalization', names, { epsilon: attr.float(epsilon) }, node.name, x.shape, true);
};

// ---------------------------------------------------------------------------------------------------------
// Reductions, matrix products, resizing

const reduceOp =
  (onnxOp: 'ReduceMean' | 'ReduceSum' | 'ReduceMax' | 'ReduceMin' | 'ReduceProd'): OpConverter =>
  (ctx, node, inputs) => {
    let x = tensorInput(inputs, 0, 'input');
    const rank = x.shape.length;
    const axes = [...new Set(constInts(constInput(inputs, 1, 'reduction_indices')).map((axis) => normaliseAxis(axis, rank)))].sort((p, q) => p - q);
    if (axes.length === 0) return x;
    const keepDims = tfAttr.bool(node, 'keep_dims') ?? false;
    const kept = x.shape.map((_, axis) => axis).filter((axis) => !axes.includes(axis));
    // Without keep_dims the result is NCHW-free: fine when the kept axes stay in TF order (N, C after H, W).
    if (x.nchw && !keepDims && !kept.every((axis, i) => i === 0 || at(TO_NHWC, axis) > at(TO_NHWC, at(kept, i - 1)))) x = ctx.toPlain(x);
    const onnxAxes = x.nchw ? axes.map((axis) => at(TO_NHWC, axis)).sort((p, q) => p - q) : axes;
    const shape = keepDims ? x.shape.map((dim, axis) => (axes.includes(axis) ? 1 : dim)) : kept.map((axis) => at(x.shape, axis));
    const nchw = x.nchw && keepDims;
    const keep = { keepdims: attr.int(keepDims ? 1 : 0) };
    // Opset 13 moved ReduceSum's axes to an input; the other reductions keep the attribute until opset 18.
    if (onnxOp === 'ReduceSum') return ctx.emit(onnxOp, [x.name, ctx.int64s(`${node.name}/axes`, onnxAxes)], keep, node.name, shape, nchw);
    return ctx.emit(onnxOp, [x.name], { axes: attr.ints(onnxAxes), ...keep }, node.name, shape, nchw);
  };

const matMulOp: OpConverter = (ctx, node, inputs) => {
  const a = input(inputs, 0, 'a');
  const b = input(inputs, 1, 'b');
  if (a.shape.length !== 2 || b.shape.length !== 2) throw new TfjsConversionError(`MatMul of ranks ${a.shape.length} and ${b.shape.length} is not supported (2-D only)`);
  const transposeA = tfAttr.bool(node, 'transpose_a') ?? false;
  const transposeB = tfAttr.bool(node, 'transpose_b') ?? false;
  const shape = [at(a.shape, transposeA ? 1 : 0), at(b.shape, transposeB ? 0 : 1)];
  const names = [ctx.asName(a, false, `${node.name}/a`), ctx.asName(b, false, `${node.name}/b`)];
  const fusedOps = tfAttr.strings(node, 'fused_ops') ?? [];
  const args = inputs.slice(2);
  let rest = fusedOps;
  if (rest[0] === 'BiasAdd') {
    names.push(ctx.constName(constInput(args, 0, 'bias'), `${node.name}/bias`, 'plain'));
    rest = rest.slice(1);
  } else if (rest.length > 0) {
    throw new TfjsConversionError(`fused_ops [${fusedOps.join(', ')}] are not supported (expected BiasAdd first)`);
  }
  if (rest.length > 1) throw new TfjsConversionError(`fused_ops [${fusedOps.join(', ')}] are not supported`);
  const activationKind = rest[0];
  const attributes = { transA: attr.int(transposeA ? 1 : 0), transB: attr.int(transposeB ? 1 : 0) };
  const product = ctx.emit('Gemm', names, attributes, activationKind ? `${node.name}/gemm` : node.name, shape, false);
  return activationKind ? activation(ctx, node, activationKind, product, args[1], node.name) : product;
};

const resizeOp =
  (mode: 'linear' | 'nearest'): OpConverter =>
  (ctx, node, inputs) => {
    const x = ctx.toNchw(tensorInput(inputs, 0, 'images'), node.op);
    const [height, width] = constInts(constInput(inputs, 1, 'size')) as [number, number];
    const alignCorners = tfAttr.bool(node, 'align_corners') ?? false;
    const halfPixel = tfAttr.bool(node, 'half_pixel_centers') ?? false;
    const attributes: Record<string, OnnxAttribute> = { mode: attr.string(mode) };
    if (mode === 'linear') {
      attributes['coordinate_transformation_mode'] = attr.string(alignCorners ? 'align_corners' : halfPixel ? 'half_pixel' : 'asymmetric');
    } else {
      // TF picks round(x) with align_corners, floor((x + 0.5)·scale) with half-pixel centres (= round of
      // ONNX's half_pixel coordinate; opset 13 deprecates tf_half_pixel_for_nn) and floor(x·scale) otherwise.
      attributes['coordinate_transformation_mode'] = attr.string(alignCorners ? 'align_corners' : halfPixel ? 'half_pixel' : 'asymmetric');
      attributes['nearest_mode'] = attr.string(alignCorners || halfPixel ? 'round_prefer_ceil' : 'floor');
    }
    const [, , , channels] = x.shape as [number, number, number, number];
    const sizes = ctx.int64s(`${node.name}/sizes`, [1, channels, height, width]);
    return ctx.emit('Resize', [x.name, '', '', sizes], attributes, node.name, [1, height, width, channels], true);
  };

const depthToSpaceOp: OpConverter = (ctx, node, inputs) => {
  checkNhwc(node);
  const x = ctx.toNchw(tensorInput(inputs, 0, 'input'), node.op);
  const block = tfAttr.int(node, 'block_size') ?? 0;
  const [, h, w, channels] = x.shape as [number, number, number, number];
  if (block < 2 || channels % (block * block) !== 0) throw new TfjsConversionError(`block_size ${block} does not divide ${channels} channels`);
  // TF's NHWC DepthToSpace reads channels as (row, column, c): ONNX's DCR order.
  const shape = [1, h * block, w * block, channels / (block * block)];
  return ctx.emit('DepthToSpace', [x.name], { blocksize: attr.int(block), mode: attr.string('DCR') }, node.name, shape, true);
};

/** Converters by TF op name. Const and Placeholder are handled by the graph walker itself. */
export const opConverters: Readonly<Record<string, OpConverter>> = {
  Identity: passThrough,
  StopGradient: passThrough,
  Snapshot: passThrough,
  Shape: shapeOp,
  Cast: castOp,
  StridedSlice: stridedSliceOp,
  Pack: packOp,
  Reshape: reshapeOp,
  Squeeze: squeezeOp,
  ExpandDims: expandDimsOp,
  Transpose: transposeOp,
  ConcatV2: concatOp,
  Pad: padOp('constant'),
  PadV2: padOp('constant'),
  MirrorPad: padOp('mirror'),
  Add: binaryOp('Add', (x, y) => x + y),
  AddV2: binaryOp('Add', (x, y) => x + y),
  BiasAdd: binaryOp('Add', (x, y) => x + y),
  Sub: binaryOp('Sub', (x, y) => x - y),
  Mul: binaryOp('Mul', (x, y) => x * y),
  RealDiv: binaryOp('Div', (x, y) => x / y),
  Maximum: binaryOp('Max', Math.max),
  Minimum: binaryOp('Min', Math.min),
  Pow: binaryOp('Pow', (x, y) => x ** y),
  SquaredDifference: squaredDifferenceOp,
  AddN: addNOp,
  ...Object.fromEntries(Object.keys(unaryTable).map((op) => [op, unaryOp(op)])),
  Square: squareOp,
  Rsqrt: rsqrtOp,
  Relu6: relu6Op,
  LeakyRelu: leakyReluOp,
  Prelu: preluOp,
  Softmax: softmaxOp('Softmax'),
  LogSoftmax: softmaxOp('LogSoftmax'),
  Conv2D: convOp('conv'),
  _FusedConv2D: convOp('conv'),
  DepthwiseConv2dNative: convOp('depthwise'),
  FusedDepthwiseConv2dNative: convOp('depthwise'),
  MaxPool: poolOp('MaxPool'),
  AvgPool: poolOp('AveragePool'),
  FusedBatchNorm: batchNormOp,
  FusedBatchNormV3: batchNormOp,
  Mean: reduceOp('ReduceMean'),
  Sum: reduceOp('ReduceSum'),
  Max: reduceOp('ReduceMax'),
  Min: reduceOp('ReduceMin'),
  Prod: reduceOp('ReduceProd'),
  MatMul: matMulOp,
  _FusedMatMul: matMulOp,
  ResizeBilinear: resizeOp('linear'),
  ResizeNearestNeighbor: resizeOp('nearest'),
  DepthToSpace: depthToSpaceOp,
};
