import { Builder } from 'flatbuffers';

import { TfliteTensorType } from './schema.js';

/** A tensor of a hand-built model; `data` makes it a constant stored in its own buffer. */
export interface SyntheticTensor {
  readonly name: string;
  readonly shape: readonly number[];
  /** TensorType; default FLOAT32. */
  readonly type?: number;
  readonly data?: Uint8Array;
  readonly quantization?: { scale: readonly number[]; zeroPoint: readonly number[]; quantizedDimension: number };
}

/** One scalar or int32-vector field of a builtin options table, by its field number in schema.fbs. */
export type SyntheticField =
  | { readonly slot: number; readonly int8: number }
  | { readonly slot: number; readonly int32: number }
  | { readonly slot: number; readonly int32s: readonly number[] };

export interface SyntheticOperator {
  /** BuiltinOperator code. */
  readonly builtinCode: number;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  /** BuiltinOptions union tag and the fields of that table. */
  readonly options?: { readonly type: number; readonly fields: readonly SyntheticField[] };
}

/**
 * Builds small TFLite flatbuffers by hand with the flatbuffers Builder, laid out as schema.fbs says, for tests
 * of the reader and of operators the shipped model does not use.
 */
export class SyntheticTflite {
  private readonly tensors: SyntheticTensor[] = [];
  private readonly operators: SyntheticOperator[] = [];

  /** Adds a tensor; returns its index. */
  tensor(spec: SyntheticTensor): number {
    this.tensors.push(spec);
    return this.tensors.length - 1;
  }

  operator(spec: SyntheticOperator): void {
    this.operators.push(spec);
  }

  /** Little-endian float32 bytes. */
  static float32(values: ArrayLike<number>): Uint8Array {
    return new Uint8Array(Float32Array.from(values).buffer);
  }

  static int32(values: ArrayLike<number>): Uint8Array {
    return new Uint8Array(Int32Array.from(values).buffer);
  }

  static int8(values: ArrayLike<number>): Uint8Array {
    return new Uint8Array(Int8Array.from(values).buffer);
  }

  /** IEEE 754 half-precision bytes (values exactly representable in float16 round-trip unchanged). */
  static float16(values: ArrayLike<number>): Uint8Array {
    const out = new DataView(new ArrayBuffer(values.length * 2));
    const f32 = new Float32Array(1);
    const u32 = new Uint32Array(f32.buffer);
    for (let i = 0; i < values.length; i++) {
      f32[0] = values[i] ?? 0;
      const bits = u32[0] ?? 0;
      const sign = (bits >>> 16) & 0x8000;
      const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
      const mantissa = (bits >>> 13) & 0x3ff;
      // Normal numbers only (truncating): enough for test weights.
      const half = (bits & 0x7fffffff) === 0 ? sign : sign | (Math.min(Math.max(exponent, 1), 30) << 10) | mantissa;
      out.setUint16(2 * i, half, true);
    }
    return new Uint8Array(out.buffer);
  }

  /** The model's bytes: one subgraph with these inputs and outputs, file identifier `identifier`. */
  finish(inputs: readonly number[], outputs: readonly number[], identifier = 'TFL3'): Uint8Array {
    const b = new Builder(1024);
    const int32Vector = (values: readonly number[]): number => {
      b.startVector(4, values.length, 4);
      for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i] ?? 0);
      return b.endVector();
    };
    const offsetVector = (offsets: readonly number[]): number => {
      b.startVector(4, offsets.length, 4);
      for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i] ?? 0);
      return b.endVector();
    };

    // Buffer 0 is the empty buffer every computed tensor points at.
    const bufferData: (Uint8Array | undefined)[] = [undefined, ...this.tensors.filter((t) => t.data).map((t) => t.data)];
    const buffers = bufferData.map((data) => {
      const vector = data ? b.createByteVector(data) : 0;
      b.startObject(1);
      if (data) b.addFieldOffset(0, vector, 0);
      return b.endObject();
    });

    let nextBuffer = 1;
    const tensors = this.tensors.map((tensor) => {
      const shape = int32Vector(tensor.shape);
      const name = b.createString(tensor.name);
      let quantization = 0;
      if (tensor.quantization) {
        const { scale, zeroPoint, quantizedDimension } = tensor.quantization;
        b.startVector(4, scale.length, 4);
        for (let i = scale.length - 1; i >= 0; i--) b.addFloat32(scale[i] ?? 0);
        const scales = b.endVector();
        b.startVector(8, zeroPoint.length, 8);
        for (let i = zeroPoint.length - 1; i >= 0; i--) b.addInt64(BigInt(zeroPoint[i] ?? 0));
        const zeroPoints = b.endVector();
        b.startObject(7);
        b.addFieldOffset(2, scales, 0);
        b.addFieldOffset(3, zeroPoints, 0);
        b.addFieldInt32(6, quantizedDimension, 0);
        quantization = b.endObject();
      }
      b.startObject(5);
      b.addFieldOffset(0, shape, 0);
      b.addFieldInt8(1, tensor.type ?? TfliteTensorType.FLOAT32, 0);
      b.addFieldInt32(2, tensor.data ? nextBuffer++ : 0, 0);
      b.addFieldOffset(3, name, 0);
      if (quantization) b.addFieldOffset(4, quantization, 0);
      return b.endObject();
    });

    const codes = [...new Set(this.operators.map((op) => op.builtinCode))];
    const operators = this.operators.map((op) => {
      const opInputs = int32Vector(op.inputs);
      const opOutputs = int32Vector(op.outputs);
      let options = 0;
      if (op.options) {
        const vectors = op.options.fields.map((field) => ('int32s' in field ? int32Vector(field.int32s) : 0));
        b.startObject(8);
        op.options.fields.forEach((field, i) => {
          if ('int8' in field) b.addFieldInt8(field.slot, field.int8, null);
          else if ('int32' in field) b.addFieldInt32(field.slot, field.int32, null);
          else b.addFieldOffset(field.slot, vectors[i] ?? 0, 0);
        });
        options = b.endObject();
      }
      b.startObject(5);
      b.addFieldInt32(0, codes.indexOf(op.builtinCode), 0);
      b.addFieldOffset(1, opInputs, 0);
      b.addFieldOffset(2, opOutputs, 0);
      if (op.options) {
        b.addFieldInt8(3, op.options.type, 0);
        b.addFieldOffset(4, options, 0);
      }
      return b.endObject();
    });

    const operatorCodes = codes.map((code) => {
      b.startObject(4);
      b.addFieldInt8(0, Math.min(code, 127), 0);
      b.addFieldInt32(2, 1, 1);
      b.addFieldInt32(3, code, 0);
      return b.endObject();
    });

    const subgraphTensors = offsetVector(tensors);
    const subgraphInputs = int32Vector(inputs);
    const subgraphOutputs = int32Vector(outputs);
    const subgraphOperators = offsetVector(operators);
    const subgraphName = b.createString('main');
    b.startObject(5);
    b.addFieldOffset(0, subgraphTensors, 0);
    b.addFieldOffset(1, subgraphInputs, 0);
    b.addFieldOffset(2, subgraphOutputs, 0);
    b.addFieldOffset(3, subgraphOperators, 0);
    b.addFieldOffset(4, subgraphName, 0);
    const subgraph = b.endObject();

    const codesVector = offsetVector(operatorCodes);
    const subgraphsVector = offsetVector([subgraph]);
    const description = b.createString('synthetic');
    const buffersVector = offsetVector(buffers);
    b.startObject(5);
    b.addFieldInt32(0, 3, 0);
    b.addFieldOffset(1, codesVector, 0);
    b.addFieldOffset(2, subgraphsVector, 0);
    b.addFieldOffset(3, description, 0);
    b.addFieldOffset(4, buffersVector, 0);
    b.finish(b.endObject(), identifier);
    return b.asUint8Array();
  }
}
