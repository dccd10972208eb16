/**
 * Values flowing through the conversion: constants (folded in JS) and tensors computed by the ONNX graph.
 * A 4-D tensor is either stored as TF lays it out (NHWC) or transposed to NCHW; the logical shape is
 * always TF's, so shape arithmetic never depends on where a tensor happens to live.
 */

/** A constant known at conversion time. int32 covers TF int32 and bool. */
export interface ConstValue {
  readonly kind: 'const';
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array;
}

/** A tensor the ONNX graph computes; `nchw` means the ONNX value is the 4-D NHWC tensor transposed to NCHW. */
export interface TensorValue {
  readonly kind: 'tensor';
  readonly name: string;
  readonly shape: readonly number[];
  readonly nchw: boolean;
}

/** A converted TF tensor: a folded constant or an ONNX value. */
export type Value = ConstValue | TensorValue;

/** Permutation taking an NHWC tensor to NCHW (ONNX Transpose `perm`). */
export const TO_NCHW = [0, 3, 1, 2] as const;
/** Permutation taking an NCHW tensor back to NHWC; also maps an NHWC axis to its NCHW position. */
export const TO_NHWC = [0, 2, 3, 1] as const;

/** Number of elements of a shape ([] → 1). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

/** A constant; throws when the data does not fill the shape. */
export function constValue(shape: readonly number[], data: Float32Array | Int32Array): ConstValue {
  if (elementCount(shape) !== data.length) {
    throw new Error(`constant of shape [${shape.join(', ')}] cannot hold ${data.length} values`);
  }
  return { kind: 'const', shape: [...shape], data };
}

/** `shape` reordered by `perm` (output axis i is input axis perm[i]). */
export function permuteShape(shape: readonly number[], perm: readonly number[]): number[] {
  return perm.map((axis) => at(shape, axis));
}

/** The shape of the ONNX value behind a tensor. */
export function physicalShape(value: TensorValue): number[] {
  return value.nchw ? permuteShape(value.shape, TO_NCHW) : [...value.shape];
}

/** Element `index` of an array whose length the caller has already checked. */
export function at<T>(array: ArrayLike<T>, index: number): T {
  const value = array[index];
  if (value === undefined) throw new Error(`internal: index ${index} out of range (length ${array.length})`);
  return value;
}

function strides(shape: readonly number[]): number[] {
  const result = new Array<number>(shape.length).fill(1);
  for (let axis = shape.length - 2; axis >= 0; axis--) result[axis] = at(result, axis + 1) * at(shape, axis + 1);
  return result;
}

function sameKind<T extends Float32Array | Int32Array>(like: T, length: number): T {
  return (like instanceof Float32Array ? new Float32Array(length) : new Int32Array(length)) as T;
}

/** Transposes constant data: output axis i is input axis perm[i]. */
export function transposeConst(value: ConstValue, perm: readonly number[]): ConstValue {
  const outShape = permuteShape(value.shape, perm);
  const inStrides = strides(value.shape);
  const stepOf = perm.map((axis) => at(inStrides, axis));
  const out = sameKind(value.data, value.data.length);
  const index = new Array<number>(outShape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let source = 0;
    for (let axis = 0; axis < index.length; axis++) source += at(index, axis) * at(stepOf, axis);
    out[o] = at(value.data, source);
    for (let axis = index.length - 1; axis >= 0; axis--) {
      index[axis] = at(index, axis) + 1;
      if (at(index, axis) < at(outShape, axis)) break;
      index[axis] = 0;
    }
  }
  return constValue(outShape, out);
}

/** NumPy broadcasting of two shapes; throws when they do not broadcast. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Element-wise op on two constants with broadcasting; int32 stays int32 only when both are. */
export function foldBinary(a: ConstValue, b: ConstValue, fn: (x: number, y: number) => number): ConstValue {
  const shape = broadcastShapes(a.shape, b.shape);
  const count = elementCount(shape);
  const out = a.data instanceof Int32Array && b.data instanceof Int32Array ? new Int32Array(count) : new Float32Array(count);
  const outStrides = strides(shape);
  const strideIn = (s: readonly number[]): number[] => {
    const own = strides(s);
    return shape.map((_, i) => {
      const axis = i - (shape.length - s.length);
      return axis < 0 || at(s, axis) === 1 ? 0 : at(own, axis);
    });
  };
  const sa = strideIn(a.shape);
  const sb = strideIn(b.shape);
  for (let o = 0; o < count; o++) {
    let rest = o;
    let ia = 0;
    let ib = 0;
    for (let axis = 0; axis < shape.length; axis++) {
      const coordinate = Math.floor(rest / at(outStrides, axis));
      rest -= coordinate * at(outStrides, axis);
      ia += coordinate * at(sa, axis);
      ib += coordinate * at(sb, axis);
    }
    out[o] = fn(at(a.data, ia), at(b.data, ib));
  }
  return constValue(shape, out);
}

/** Stacks equally shaped constants along a new axis (TF Pack). */
export function packConsts(values: readonly ConstValue[], axis: number): ConstValue {
  const first = at(values, 0);
  const rank = first.shape.length + 1;
  const packAxis = axis < 0 ? axis + rank : axis;
  for (const value of values) {
    if (value.shape.join(',') !== first.shape.join(',')) throw new Error('Pack of constants with different shapes');
  }
  const outer = elementCount(first.shape.slice(0, packAxis));
  const inner = elementCount(first.shape.slice(packAxis));
  const allInt = values.every((value) => value.data instanceof Int32Array);
  const out = allInt ? new Int32Array(outer * values.length * inner) : new Float32Array(outer * values.length * inner);
  for (let o = 0; o < outer; o++) {
    values.forEach((value, v) => {
      out.set(value.data.subarray(o * inner, (o + 1) * inner), (o * values.length + v) * inner);
    });
  }
  const shape = [...first.shape];
  shape.splice(packAxis, 0, values.length);
  return constValue(shape, out);
}

/** Concatenates constants along an axis (TF ConcatV2). */
export function concatConsts(values: readonly ConstValue[], axis: number): ConstValue {
  const first = at(values, 0);
  const concatAxis = axis < 0 ? axis + first.shape.length : axis;
  const outer = elementCount(first.shape.slice(0, concatAxis));
  const pieces = values.map((value) => elementCount(value.shape.slice(concatAxis)));
  const total = pieces.reduce((sum, piece) => sum + piece, 0);
  const allInt = values.every((value) => value.data instanceof Int32Array);
  const out = allInt ? new Int32Array(outer * total) : new Float32Array(outer * total);
  let offset = 0;
  values.forEach((value, v) => {
    const piece = at(pieces, v);
    for (let o = 0; o < outer; o++) out.set(value.data.subarray(o * piece, (o + 1) * piece), o * total + offset);
    offset += piece;
  });
  const shape = [...first.shape];
  shape[concatAxis] = values.reduce((sum, value) => sum + at(value.shape, concatAxis), 0);
  return constValue(shape, out);
}

/** The TF StridedSlice masks and ranges this converter folds (no ellipsis or new-axis masks). */
export interface StridedSliceSpec {
  begin: readonly number[];
  end: readonly number[];
  strides: readonly number[];
  beginMask: number;
  endMask: number;
  shrinkAxisMask: number;
}

/** TF StridedSlice on a constant, with TF's clamping of out-of-range begin / end. */
export function stridedSliceConst(value: ConstValue, spec: StridedSliceSpec): ConstValue {
  const ranges = value.shape.map((dim, axis) => {
    const step = spec.strides[axis] ?? 1;
    if (step === 0) throw new Error('StridedSlice with a zero stride');
    const shrink = ((spec.shrinkAxisMask >> axis) & 1) === 1;
    const clamp = (index: number, low: number, high: number): number => Math.min(Math.max(index < 0 ? index + dim : index, low), high);
    let begin: number;
    let end: number;
    if (shrink) {
      begin = (spec.begin[axis] ?? 0) < 0 ? (spec.begin[axis] ?? 0) + dim : (spec.begin[axis] ?? 0);
      end = begin + 1;
    } else if (step > 0) {
      begin = ((spec.beginMask >> axis) & 1) === 1 || axis >= spec.begin.length ? 0 : clamp(at(spec.begin, axis), 0, dim);
      end = ((spec.endMask >> axis) & 1) === 1 || axis >= spec.end.length ? dim : clamp(at(spec.end, axis), 0, dim);
    } else {
      begin = ((spec.beginMask >> axis) & 1) === 1 || axis >= spec.begin.length ? dim - 1 : clamp(at(spec.begin, axis), -1, dim - 1);
      end = ((spec.endMask >> axis) & 1) === 1 || axis >= spec.end.length ? -1 : clamp(at(spec.end, axis), -1, dim - 1);
    }
    const indices: number[] = [];
    for (let i = begin; step > 0 ? i < end : i > end; i += step) indices.push(i);
    return { indices, shrink };
  });
  const inStrides = strides(value.shape);
  const outDims = ranges.map((range) => range.indices.length);
  const count = elementCount(outDims);
  const out = sameKind(value.data, count);
  const cursor = new Array<number>(ranges.length).fill(0);
  for (let o = 0; o < count; o++) {
    let source = 0;
    ranges.forEach((range, axis) => {
      source += at(range.indices, at(cursor, axis)) * at(inStrides, axis);
    });
    out[o] = at(value.data, source);
    for (let axis = cursor.length - 1; axis >= 0; axis--) {
      cursor[axis] = at(cursor, axis) + 1;
      if (at(cursor, axis) < at(outDims, axis)) break;
      cursor[axis] = 0;
    }
  }
  return constValue(
    outDims.filter((_, axis) => !at(ranges, axis).shrink),
    out,
  );
}

/** Integer values of a constant (shapes, axes, paddings). */
export function constInts(value: ConstValue): number[] {
  return Array.from(value.data, (x) => Math.round(x));
}
