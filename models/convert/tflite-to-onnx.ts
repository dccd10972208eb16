import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

import { npmSource, type ModelEntry } from '../../electron/vision/models/manifest.js';
import { DEFAULT_OPSET } from './onnx/onnx-graph.js';
import { ConversionContext, TfjsConversionError } from './tfjs-graph/context.js';
import { OnnxIr, type IrOutput } from './tfjs-graph/onnx-ir.js';
import { TO_NCHW, at, constValue, elementCount, permuteShape, type ConstValue, type TensorValue, type Value } from './tfjs-graph/values.js';
import { emitPrelu, type PreluForm } from './tfjs-graph/prelu.js';
import { TfliteConversionError, builtinOperatorName, opLowerings, type OpCall } from './tflite/ops.js';
import {
  TfliteFormatError,
  TfliteTensorType,
  readTfliteModel,
  tensorTypeName,
  type TfliteModel,
  type TfliteOperator,
  type TfliteSubGraph,
  type TfliteTensor,
} from './tflite/schema.js';

export { TfliteConversionError } from './tflite/ops.js';
export type { PreluForm } from './tfjs-graph/prelu.js';
export { TfliteFormatError } from './tflite/schema.js';

/** Written into every converted file; bump when the converter's output changes for the same source. */
const PRODUCER_VERSION = '2';

/** Options of {@link convertTflite}. */
export interface TfliteConversionOptions {
  /** How PReLU is written: `'relu'` (default; onnxruntime's CPU runs it fastest) or one `'prelu'` node. */
  readonly prelu?: PreluForm;
}

/**
 * Converts a TensorFlow Lite model to ONNX ModelProto bytes, opset 13: batch 1 whatever batch the file
 * fixes, one float32 input named `entry.input.name` in the manifest's layout (NCHW: 4-D activations stay
 * NCHW throughout), and the subgraph's outputs named `entry.outputs` in order. Weights stored as float16,
 * int8 or uint8 are dequantised to float32. Same input, same bytes.
 */
export async function convertTflite(path: string, entry: ModelEntry, options: TfliteConversionOptions = {}): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new TfliteConversionError(`cannot read the TFLite model ${path}: ${(error as Error).message}`);
  }
  try {
    return convertTfliteBytes(bytes, entry, basename(path, '.tflite'), options);
  } catch (error) {
    if (error instanceof TfliteConversionError || error instanceof TfliteFormatError) throw new TfliteConversionError(`${path}: ${error.message}`);
    throw error;
  }
}

/** `convertTflite` on bytes already read; `graphName` names the ONNX graph. */
export function convertTfliteBytes(bytes: Uint8Array, entry: ModelEntry, graphName: string, options: TfliteConversionOptions = {}): Uint8Array {
  const model = readTfliteModel(bytes);
  if (model.subgraphs.length !== 1) throw new TfliteConversionError(`the model has ${model.subgraphs.length} subgraphs; only single-subgraph models are supported`);
  const subgraph = at(model.subgraphs, 0);
  if (subgraph.inputs.length !== 1) throw new TfliteConversionError(`the model has ${subgraph.inputs.length} inputs; only one image input is supported`);
  if (subgraph.outputs.length !== entry.outputs.length) {
    throw new TfliteConversionError(`the model has ${subgraph.outputs.length} outputs, the manifest lists ${entry.outputs.length}`);
  }

  const ir = new OnnxIr([entry.input.name, ...entry.outputs.map((output) => output.name)]);
  // The TFJS converter's layout helpers (NHWC ↔ NCHW, initializer sharing) serve TFLite as they are: both
  // carry TensorFlow's NHWC semantics. They look up no TF nodes here, so the maps stay empty.
  const ctx = new ConversionContext(ir, new Map(), new Map(), options.prelu ?? 'relu');
  const inputTensor = tensorAt(subgraph, at(subgraph.inputs, 0));
  const fileBatch = at(inputTensor.shape, 0);
  const { value: inputValue, dims: inputDims } = graphInput(inputTensor, entry);

  const values = new Map<number, Value>([[inputTensor.index, inputValue]]);
  const producers = new Map<number, TfliteOperator>();
  for (const op of subgraph.operators) for (const output of op.outputs) producers.set(output, op);
  const valueOf = (index: number): Value | undefined => {
    if (index < 0) return undefined;
    const known = values.get(index);
    if (known) return known;
    const tensor = tensorAt(subgraph, index);
    const constant = constantOf(model, tensor);
    if (!constant) throw new TfliteConversionError(`tensor "${tensor.name}" is read before any operator computes it`);
    values.set(index, constant);
    return constant;
  };

  for (const op of subgraph.operators) {
    const code = model.operatorCodes[op.opcodeIndex];
    if (!code) throw new TfliteConversionError(`operator ${op.index} names operator code ${op.opcodeIndex}, which the model does not have`);
    const opName = code.customCode !== undefined ? `CUSTOM "${code.customCode}"` : builtinOperatorName(code.builtinCode);
    const name = op.outputs[0] !== undefined ? tensorAt(subgraph, op.outputs[0]).name : `operator ${op.index}`;
    const lowering = code.customCode === undefined ? opLowerings[opName] : undefined;
    if (!lowering) throw new TfliteConversionError(`unsupported TFLite operator ${opName} at operator ${op.index} ("${name}")`);
    let outputs: readonly Value[];
    try {
      const call: OpCall = { op, name, inputs: op.inputs.map(valueOf), options: op.options, fileBatch };
      outputs = fusedPrelu(ctx, model, subgraph, producers, values, call, opName) ?? lowering(ctx, call);
    } catch (error) {
      if (!(error instanceof TfliteConversionError || error instanceof TfjsConversionError)) throw error;
      throw new TfliteConversionError(`operator ${op.index} ${opName} ("${name}"): ${error.message}`);
    }
    if (outputs.length !== op.outputs.length) throw new Error(`internal: ${opName} gave ${outputs.length} outputs for ${op.outputs.length}`);
    outputs.forEach((value, i) => {
      const tensor = tensorAt(subgraph, at(op.outputs, i));
      // The lowering's shape arithmetic must agree with the file's own shapes (batch excepted).
      const expected = activationShape(tensor.shape, fileBatch);
      if (value.shape.join(',') !== expected.join(',')) {
        throw new TfliteConversionError(`operator ${op.index} ${opName} ("${name}") gives shape [${value.shape.join(', ')}], the file says [${tensor.shape.join(', ')}]`);
      }
      values.set(tensor.index, value);
    });
  }

  const irOutputs: IrOutput[] = subgraph.outputs.map((index, i) => {
    const spec = at(entry.outputs, i);
    const value = values.get(index);
    const tensor = tensorAt(subgraph, index);
    if (value?.kind !== 'tensor') throw new TfliteConversionError(`output "${tensor.name}" is ${value ? 'a constant' : 'never computed'}`);
    // 4-D outputs go back to NHWC so they equal what the TFLite interpreter returns.
    const plain = ctx.toPlain(value);
    if (plain.shape.join(',') !== spec.shape.join(',')) {
      throw new TfliteConversionError(`output "${spec.name}" (tensor "${tensor.name}") has shape [${plain.shape.join(', ')}] at batch 1, the manifest says [${spec.shape.join(', ')}]`);
    }
    return { value: plain.name, name: spec.name, dims: spec.shape };
  });

  const source = npmSource(entry);
  return ir.serialise({
    graphName,
    input: { name: entry.input.name, dims: inputDims },
    outputs: irOutputs,
    producerName: 'lintel tflite-to-onnx',
    producerVersion: PRODUCER_VERSION,
    // Only the source's identity goes into the file: editing the manifest's prose must not change the model's sha256.
    docString: `Converted from ${source.package}@${source.version} ${source.file}`,
    opset: DEFAULT_OPSET,
  });
}

function tensorAt(subgraph: TfliteSubGraph, index: number): TfliteTensor {
  const tensor = subgraph.tensors[index];
  if (!tensor) throw new TfliteConversionError(`tensor index ${index} is out of range (${subgraph.tensors.length} tensors)`);
  return tensor;
}

/** A computed tensor's shape at batch 1: the leading dimension is the batch. */
function activationShape(shape: readonly number[], fileBatch: number): number[] {
  return shape.length > 0 && shape[0] === fileBatch ? [1, ...shape.slice(1)] : [...shape];
}

/** The graph input: a float32 NHWC image, declared with batch 1 in the manifest's layout. */
function graphInput(tensor: TfliteTensor, entry: ModelEntry): { value: TensorValue; dims: number[] } {
  if (tensor.type !== TfliteTensorType.FLOAT32) throw new TfliteConversionError(`input "${tensor.name}" is ${tensorTypeName(tensor.type)}, not FLOAT32`);
  const [batch, height, width, channels] = tensor.shape;
  if (tensor.shape.length !== 4 || batch === undefined || batch < 1 || height !== entry.input.heightPx || width !== entry.input.widthPx || channels !== 3) {
    throw new TfliteConversionError(
      `input "${tensor.name}" has shape [${tensor.shape.join(', ')}], the manifest says an NHWC image of ${entry.input.widthPx}×${entry.input.heightPx} (width × height) and 3 channels`,
    );
  }
  const shape = [1, height, width, channels];
  const nchw = entry.input.layout === 'NCHW';
  return { value: { kind: 'tensor', name: entry.input.name, shape, nchw }, dims: nchw ? permuteShape(shape, TO_NCHW) : shape };
}

/** A tensor stored in the file as a float32 (or int32) constant, dequantised where stored quantised; undefined if computed. */
export function constantOf(model: TfliteModel, tensor: TfliteTensor): ConstValue | undefined {
  const data = tensor.buffer === 0 ? undefined : model.buffers[tensor.buffer];
  if (!data || data.length === 0) return undefined;
  const count = elementCount(tensor.shape);
  const expectBytes = (bytesPerValue: number): void => {
    if (data.length !== count * bytesPerValue) {
      throw new TfliteConversionError(`constant "${tensor.name}" of shape [${tensor.shape.join(', ')}] holds ${data.length} bytes, not ${count * bytesPerValue}`);
    }
  };
  // Copies: the buffer views need not be aligned for a typed array over the same memory.
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  switch (tensor.type) {
    case TfliteTensorType.FLOAT32:
      expectBytes(4);
      return constValue(tensor.shape, Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, true)));
    case TfliteTensorType.FLOAT16:
      expectBytes(2);
      return constValue(tensor.shape, Float32Array.from({ length: count }, (_, i) => halfToFloat(view.getUint16(2 * i, true))));
    case TfliteTensorType.INT32:
      expectBytes(4);
      return constValue(tensor.shape, Int32Array.from({ length: count }, (_, i) => view.getInt32(4 * i, true)));
    case TfliteTensorType.INT64:
      expectBytes(8);
      return constValue(tensor.shape, Int32Array.from({ length: count }, (_, i) => Number(view.getBigInt64(8 * i, true))));
    case TfliteTensorType.INT8:
    case TfliteTensorType.UINT8: {
      expectBytes(1);
      const signed = tensor.type === TfliteTensorType.INT8;
      const raw = Int32Array.from({ length: count }, (_, i) => (signed ? view.getInt8(i) : view.getUint8(i)));
      return tensor.quantization ? constValue(tensor.shape, dequantise(raw, tensor)) : constValue(tensor.shape, raw);
    }
    default:
      throw new TfliteConversionError(`constant "${tensor.name}" is ${tensorTypeName(tensor.type)}, which is not supported`);
  }
}

/** real = scale · (q − zero point), per tensor or per channel along `quantizedDimension`. */
function dequantise(raw: Int32Array, tensor: TfliteTensor): Float32Array {
  const quant = tensor.quantization;
  if (!quant) throw new Error('internal: dequantise without quantisation');
  const axis = quant.quantizedDimension;
  const channels = quant.scale.length;
  const inner = elementCount(tensor.shape.slice(axis + 1));
  if (channels !== 1 && tensor.shape[axis] !== channels) {
    throw new TfliteConversionError(`constant "${tensor.name}" has ${channels} scales for dimension ${axis} of size ${tensor.shape[axis]}`);
  }
  return Float32Array.from(raw, (q, i) => {
    const channel = channels === 1 ? 0 : Math.floor(i / inner) % channels;
    return at(quant.scale, channel) * (q - (quant.zeroPoint[channel] ?? 0));
  });
}

/** IEEE 754 half precision bits to a number. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/**
 * TensorFlow's PReLU as TOCO writes it, relu(x) + c · (x − |x|), becomes a PReLU with slope 2c at the ADD
 * that ends the pattern, in the conversion's PreluForm: the same values to the bit (doubling is exact), without
 * TOCO's |x|. The RELU, ABS, SUB and MUL already emitted are dropped on serialisation when nothing else
 * reads them.
 */
function fusedPrelu(
  ctx: ConversionContext,
  model: TfliteModel,
  subgraph: TfliteSubGraph,
  producers: ReadonlyMap<number, TfliteOperator>,
  values: ReadonlyMap<number, Value>,
  call: OpCall,
  opName: string,
): readonly Value[] | undefined {
  if (opName !== 'ADD' || (call.options?.int8(0) ?? 0) !== 0) return undefined;
  const nameOf = (op: TfliteOperator | undefined): string | undefined => {
    const code = op ? model.operatorCodes[op.opcodeIndex] : undefined;
    return code && code.customCode === undefined ? builtinOperatorName(code.builtinCode) : undefined;
  };
  const [left, right] = call.op.inputs.map((index) => producers.get(index));
  const [reluOp, mulOp] = nameOf(left) === 'RELU' ? [left, right] : [right, left];
  if (nameOf(reluOp) !== 'RELU' || nameOf(mulOp) !== 'MUL' || !reluOp || !mulOp) return undefined;
  if ((mulOp.options?.int8(0) ?? 0) !== 0) return undefined;
  const x = reluOp.inputs[0];
  const mulInputs = mulOp.inputs.map((index) => ({ index, producer: producers.get(index) }));
  const subSide = mulInputs.find((side) => nameOf(side.producer) === 'SUB');
  const slopeSide = mulInputs.find((side) => side !== subSide);
  const subOp = subSide?.producer;
  if (!subOp || !slopeSide || x === undefined || (subOp.options?.int8(0) ?? 0) !== 0) return undefined;
  const absOp = producers.get(subOp.inputs[1] ?? -1);
  if (subOp.inputs[0] !== x || nameOf(absOp) !== 'ABS' || absOp?.inputs[0] !== x) return undefined;
  const input = values.get(x);
  const slope = slopeSide.producer ? undefined : constantOf(model, tensorAt(subgraph, slopeSide.index));
  if (input?.kind !== 'tensor' || !slope || !(slope.data instanceof Float32Array)) return undefined;
  const doubled = constValue(slope.shape, Float32Array.from(slope.data, (c) => 2 * c));
  return [emitPrelu(ctx, input, doubled, `${call.name}/prelu`)];
}
