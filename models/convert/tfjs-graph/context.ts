import { attr } from '../onnx/onnx-graph.js';
import { dataInputs, refKey, type TfNode } from './model-json.js';
import type { OnnxIr } from './onnx-ir.js';
import type { PreluForm } from './prelu.js';
import {
  TO_NCHW,
  TO_NHWC,
  at,
  constValue,
  elementCount,
  physicalShape,
  transposeConst,
  type ConstValue,
  type TensorValue,
  type Value,
} from './values.js';

/** Thrown for graph content the converter cannot translate; the message names the op and the node. */
export class TfjsConversionError extends Error {
  override readonly name = 'TfjsConversionError';
}

/**
 * State shared by the op converters: the ONNX graph being built, the values converted so far, and the
 * layout helpers that move 4-D tensors between NHWC and NCHW only where an op needs it.
 */
export class ConversionContext {
  private readonly plainCache = new Map<string, TensorValue>();
  private readonly nchwCache = new Map<string, TensorValue>();
  private readonly constCache = new Map<ConstValue, Map<string, string>>();
  /** Outputs of the PReLUs emitPrelu wrote in the Relu form (emitAdd reads them). */
  readonly reluFormPrelus = new Set<string>();

  constructor(
    readonly ir: OnnxIr,
    private readonly nodesByName: ReadonlyMap<string, TfNode>,
    private readonly values: ReadonlyMap<string, Value>,
    /** How PReLU is written (see PreluForm and emitPrelu). */
    readonly preluForm: PreluForm = 'relu',
  ) {}

  /** The TF node producing data input `index` of `node`, when it is that node's first output. */
  producerOf(node: TfNode, index: number): TfNode | undefined {
    const ref = dataInputs(node)[index];
    return ref && ref.index === 0 ? this.nodesByName.get(ref.node) : undefined;
  }

  /** The converted value of data input `index` of `node`. */
  inputOf(node: TfNode, index: number): Value | undefined {
    const ref = dataInputs(node)[index];
    return ref ? this.values.get(refKey(ref)) : undefined;
  }

  /** A tensor value over an existing ONNX name. */
  tensor(name: string, shape: readonly number[], nchw: boolean): TensorValue {
    if (nchw && shape.length !== 4) throw new Error(`internal: ${name} marked NCHW with rank ${shape.length}`);
    return { kind: 'tensor', name, shape: [...shape], nchw };
  }

  /** Emits a one-output node and wraps its output as a tensor. */
  emit(
    opType: string,
    inputs: readonly string[],
    attributes: Parameters<OnnxIr['node']>[2],
    base: string,
    shape: readonly number[],
    nchw: boolean,
  ): TensorValue {
    return this.tensor(this.ir.node(opType, inputs, attributes, base), shape, nchw);
  }

  /**
   * True when an NCHW tensor has its elements in the same memory order as NHWC, i.e. at most one of H, W,
   * C exceeds 1 ([1,1,1,C] after global pooling): then a Reshape, not a Transpose, changes layout.
   */
  sameMemoryOrder(value: TensorValue): boolean {
    if (!value.nchw) return true;
    const big = TO_NCHW.filter((axis) => at(value.shape, axis) > 1);
    return big.every((axis, i) => i === 0 || axis > at(big, i - 1));
  }

  /** The tensor in TF's own layout (NHWC for 4-D). */
  toPlain(value: TensorValue): TensorValue {
    if (!value.nchw) return value;
    const cached = this.plainCache.get(value.name);
    if (cached) return cached;
    const result = this.sameMemoryOrder(value)
      ? this.emit('Reshape', [value.name, this.int64s(`${value.name}/nhwc_shape`, value.shape)], {}, `${value.name}/nhwc`, value.shape, false)
      : this.emit('Transpose', [value.name], { perm: attr.ints(TO_NHWC) }, `${value.name}/nhwc`, value.shape, false);
    this.plainCache.set(value.name, result);
    return result;
  }

  /** A 4-D tensor stored NCHW, as Conv, pooling and Resize want it. */
  toNchw(value: TensorValue, forWhat: string): TensorValue {
    if (value.nchw) return value;
    if (value.shape.length !== 4) throw new TfjsConversionError(`${forWhat} needs a 4-D input, got shape [${value.shape.join(', ')}]`);
    const cached = this.nchwCache.get(value.name);
    if (cached) return cached;
    const target = { ...value, nchw: true };
    const dims = physicalShape(target);
    const result = this.sameMemoryOrder(target)
      ? this.emit('Reshape', [value.name, this.int64s(`${value.name}/nchw_shape`, dims)], {}, `${value.name}/nchw`, value.shape, true)
      : this.emit('Transpose', [value.name], { perm: attr.ints(TO_NCHW) }, `${value.name}/nchw`, value.shape, true);
    this.nchwCache.set(value.name, result);
    return result;
  }

  /** A value as an ONNX name in the requested layout; constants become initializers. */
  asName(value: Value, nchw: boolean, base: string): string {
    if (value.kind === 'tensor') return nchw ? this.toNchw(value, base).name : this.toPlain(value).name;
    return this.constName(nchw ? transposeConst(value, TO_NCHW) : value, base, nchw ? 'nchw' : 'plain', value);
  }

  /**
   * A constant that broadcasts against a tensor in the tensor's layout. Against NCHW, a per-channel
   * vector [C] (or [1,1,1,C]) becomes [C,1,1]; ONNX and NumPy broadcasting then line it up with axis 1.
   */
  broadcastName(value: ConstValue, nchw: boolean, base: string): string {
    if (!nchw || elementCount(value.shape) === 1 || value.shape.length > 4) return this.constName(value, base, 'plain', value);
    const padded = constValue([...new Array<number>(4 - value.shape.length).fill(1), ...value.shape], value.data);
    const transposed = transposeConst(padded, TO_NCHW);
    let shape = transposed.shape;
    while (shape.length > 1 && shape[0] === 1) shape = shape.slice(1);
    return this.constName(constValue(shape, transposed.data), base, 'broadcast-nchw', value);
  }

  /** An initializer for a constant, shared by every use of the same constant in the same form. */
  constName(value: ConstValue, base: string, form: string, key: ConstValue = value): string {
    let forms = this.constCache.get(key);
    if (!forms) {
      forms = new Map();
      this.constCache.set(key, forms);
    }
    const cached = forms.get(form);
    if (cached) return cached;
    const name = this.ir.constant(base, value.shape, value.data);
    forms.set(form, name);
    return name;
  }

  /** An int64 1-D initializer (shapes, pads, axes). */
  int64s(base: string, values: readonly number[]): string {
    return this.ir.constant(base, [values.length], BigInt64Array.from(values, (v) => BigInt(v)));
  }

  /** A float32 scalar initializer, shape []. */
  scalar(base: string, value: number): string {
    return this.ir.constant(base, [], Float32Array.of(value));
  }
}
