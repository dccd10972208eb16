import { ByteBuffer } from 'flatbuffers';

/**
 * Reads the part of the TensorFlow Lite flatbuffer schema (tensorflow/lite/schema/schema.fbs) that the
 * converter needs: Model, OperatorCode, SubGraph, Tensor with its quantisation, Operator with its builtin
 * options, and Buffer. The `flatbuffers` package's ByteBuffer does the table and vector access; the field
 * numbers below are schema.fbs's, which only ever grows at the end, so files of every schema version read
 * the same way.
 */

/** Thrown for a file that is not a TFLite model or whose tables point outside the file. */
export class TfliteFormatError extends Error {
  override readonly name = 'TfliteFormatError';
}

/** TensorType values of schema.fbs (the ones a float model can carry). */
export const TfliteTensorType = {
  FLOAT32: 0,
  FLOAT16: 1,
  INT32: 2,
  UINT8: 3,
  INT64: 4,
  STRING: 5,
  BOOL: 6,
  INT16: 7,
  COMPLEX64: 8,
  INT8: 9,
  FLOAT64: 10,
} as const;

/** The name of a TensorType value, for messages. */
export function tensorTypeName(type: number): string {
  return Object.entries(TfliteTensorType).find(([, value]) => value === type)?.[0] ?? `type ${type}`;
}

/** Affine quantisation of a tensor: real = scale · (q − zeroPoint), per tensor or per `quantizedDimension`. */
export interface TfliteQuantization {
  readonly scale: readonly number[];
  readonly zeroPoint: readonly number[];
  readonly quantizedDimension: number;
}

/** One tensor of a subgraph. `buffer` 0 is the empty buffer: the tensor is computed, not stored. */
export interface TfliteTensor {
  readonly index: number;
  readonly name: string;
  readonly shape: readonly number[];
  readonly type: number;
  readonly buffer: number;
  readonly quantization: TfliteQuantization | undefined;
}

/** One operator; an input of −1 is an optional input left out (a convolution without bias, for instance). */
export interface TfliteOperator {
  readonly index: number;
  readonly opcodeIndex: number;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  /** BuiltinOptions union tag (0: none); see `BuiltinOptionsType`. */
  readonly optionsType: number;
  /** The builtin options table, read field by field with the numbers of schema.fbs. */
  readonly options: FlatTable | undefined;
}

/** An entry of the model's operator code table. */
export interface TfliteOperatorCode {
  /** BuiltinOperator value; see `BuiltinOperator`. */
  readonly builtinCode: number;
  readonly customCode: string | undefined;
  readonly version: number;
}

export interface TfliteSubGraph {
  readonly name: string;
  readonly tensors: readonly TfliteTensor[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly operators: readonly TfliteOperator[];
}

/** A TFLite model as the converter sees it. Buffers are views into the file's bytes (empty when absent). */
export interface TfliteModel {
  readonly version: number;
  readonly description: string;
  readonly operatorCodes: readonly TfliteOperatorCode[];
  readonly subgraphs: readonly TfliteSubGraph[];
  readonly buffers: readonly Uint8Array[];
}

/** A flatbuffer table: fields by their number in the schema (field n sits at vtable offset 4 + 2n). */
export class FlatTable {
  constructor(
    private readonly bb: ByteBuffer,
    /** Position of the table in the buffer. */
    readonly position: number,
  ) {
    if (position < 0 || position + 4 > bb.capacity()) throw new TfliteFormatError(`a table at byte ${position} lies outside the ${bb.capacity()}-byte file`);
  }

  /** Offset of field `field` from the table start, 0 when the field is absent. */
  private field(field: number): number {
    return this.bb.__offset(this.position, 4 + 2 * field);
  }

  has(field: number): boolean {
    return this.field(field) !== 0;
  }

  int8(field: number, fallback = 0): number {
    const at = this.field(field);
    return at === 0 ? fallback : this.bb.readInt8(this.position + at);
  }

  uint8(field: number, fallback = 0): number {
    const at = this.field(field);
    return at === 0 ? fallback : this.bb.readUint8(this.position + at);
  }

  bool(field: number, fallback = false): boolean {
    const at = this.field(field);
    return at === 0 ? fallback : this.bb.readUint8(this.position + at) !== 0;
  }

  int32(field: number, fallback = 0): number {
    const at = this.field(field);
    return at === 0 ? fallback : this.bb.readInt32(this.position + at);
  }

  uint32(field: number, fallback = 0): number {
    const at = this.field(field);
    return at === 0 ? fallback : this.bb.readUint32(this.position + at);
  }

  uint64(field: number, fallback = 0n): bigint {
    const at = this.field(field);
    return at === 0 ? fallback : this.bb.readUint64(this.position + at);
  }

  float32(field: number, fallback = 0): number {
    const at = this.field(field);
    return at === 0 ? fallback : this.bb.readFloat32(this.position + at);
  }

  string(field: number): string | undefined {
    const at = this.field(field);
    if (at === 0) return undefined;
    this.checkVector(at, 1);
    return this.bb.__string(this.position + at) as string;
  }

  /** A sub-table, or undefined when absent. */
  table(field: number): FlatTable | undefined {
    const at = this.field(field);
    return at === 0 ? undefined : new FlatTable(this.bb, this.bb.__indirect(this.position + at));
  }

  /** A vector of tables ([] when absent). */
  tables(field: number): FlatTable[] {
    const { start, length } = this.vector(field, 4);
    return Array.from({ length }, (_, i) => new FlatTable(this.bb, this.bb.__indirect(start + 4 * i)));
  }

  int32s(field: number): number[] {
    const { start, length } = this.vector(field, 4);
    return Array.from({ length }, (_, i) => this.bb.readInt32(start + 4 * i));
  }

  float32s(field: number): number[] {
    const { start, length } = this.vector(field, 4);
    return Array.from({ length }, (_, i) => this.bb.readFloat32(start + 4 * i));
  }

  /** A vector of int64 as numbers (zero points, which are small). */
  int64s(field: number): number[] {
    const { start, length } = this.vector(field, 8);
    return Array.from({ length }, (_, i) => Number(this.bb.readInt64(start + 8 * i)));
  }

  /** A [ubyte] vector as a view into the file (no copy). */
  bytes(field: number): Uint8Array {
    const { start, length } = this.vector(field, 1);
    return this.bb.bytes().subarray(start, start + length);
  }

  private vector(field: number, elementBytes: number): { start: number; length: number } {
    const at = this.field(field);
    if (at === 0) return { start: 0, length: 0 };
    return this.checkVector(at, elementBytes);
  }

  private checkVector(at: number, elementBytes: number): { start: number; length: number } {
    const offset = this.position + at;
    const start = this.bb.__vector(offset);
    const length = this.bb.__vector_len(offset);
    if (start < 0 || start + length * elementBytes > this.bb.capacity()) {
      throw new TfliteFormatError(`a vector at byte ${start} (${length} × ${elementBytes} bytes) runs past the end of the ${this.bb.capacity()}-byte file`);
    }
    return { start, length };
  }
}

// Field numbers of schema.fbs.
const MODEL = { version: 0, operatorCodes: 1, subgraphs: 2, description: 3, buffers: 4 } as const;
const OPERATOR_CODE = { deprecatedBuiltinCode: 0, customCode: 1, version: 2, builtinCode: 3 } as const;
const SUBGRAPH = { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 } as const;
const TENSOR = { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4, sparsity: 6 } as const;
const QUANTIZATION = { scale: 2, zeroPoint: 3, detailsType: 4, quantizedDimension: 6 } as const;
const OPERATOR = { opcodeIndex: 0, inputs: 1, outputs: 2, builtinOptionsType: 3, builtinOptions: 4 } as const;
const BUFFER = { data: 0, offset: 1, size: 2 } as const;

/** The file identifier schema.fbs declares (`file_identifier "TFL3"`), at bytes 4..7. */
const FILE_IDENTIFIER = 'TFL3';

/** Parses a TFLite flatbuffer. Throws TfliteFormatError for anything that is not one. */
export function readTfliteModel(bytes: Uint8Array): TfliteModel {
  if (bytes.length < 8) throw new TfliteFormatError(`${bytes.length} bytes are too few for a TFLite model`);
  const bb = new ByteBuffer(bytes);
  if (!bb.__has_identifier(FILE_IDENTIFIER)) {
    const found = String.fromCharCode(...bytes.subarray(4, 8));
    throw new TfliteFormatError(`not a TFLite model: the file identifier is ${JSON.stringify(found)}, not "${FILE_IDENTIFIER}"`);
  }
  try {
    return readModel(new FlatTable(bb, bb.readInt32(0)), bytes);
  } catch (error) {
    // ByteBuffer reads past the end throw RangeError; report them as a damaged file.
    if (error instanceof RangeError) throw new TfliteFormatError(`damaged TFLite model: ${error.message}`);
    throw error;
  }
}

function readModel(model: FlatTable, bytes: Uint8Array): TfliteModel {
  const operatorCodes = model.tables(MODEL.operatorCodes).map((code) => ({
    // Codes above 127 live only in builtin_code; older files carry only the deprecated byte. The larger is right.
    builtinCode: Math.max(code.int8(OPERATOR_CODE.deprecatedBuiltinCode), code.int32(OPERATOR_CODE.builtinCode)),
    customCode: code.string(OPERATOR_CODE.customCode),
    version: code.int32(OPERATOR_CODE.version, 1),
  }));
  const buffers = model.tables(MODEL.buffers).map((buffer, index) => readBuffer(buffer, index, bytes));
  const subgraphs = model.tables(MODEL.subgraphs).map((subgraph) => readSubGraph(subgraph));
  return { version: model.uint32(MODEL.version), description: model.string(MODEL.description) ?? '', operatorCodes, subgraphs, buffers };
}

function readBuffer(buffer: FlatTable, index: number, bytes: Uint8Array): Uint8Array {
  const data = buffer.bytes(BUFFER.data);
  if (data.length > 0) return data;
  // Models over 2 GB keep their buffers after the flatbuffer, addressed by offset and size from the file start.
  const offset = Number(buffer.uint64(BUFFER.offset));
  const size = Number(buffer.uint64(BUFFER.size));
  if (offset <= 1 || size === 0) return data;
  if (offset + size > bytes.length) throw new TfliteFormatError(`buffer ${index} (${size} bytes at ${offset}) runs past the end of the file`);
  return bytes.subarray(offset, offset + size);
}

function readSubGraph(subgraph: FlatTable): TfliteSubGraph {
  const tensors = subgraph.tables(SUBGRAPH.tensors).map((tensor, index) => readTensor(tensor, index));
  const operators = subgraph.tables(SUBGRAPH.operators).map((operator, index) => ({
    index,
    opcodeIndex: operator.uint32(OPERATOR.opcodeIndex),
    inputs: operator.int32s(OPERATOR.inputs),
    outputs: operator.int32s(OPERATOR.outputs),
    optionsType: operator.uint8(OPERATOR.builtinOptionsType),
    options: operator.table(OPERATOR.builtinOptions),
  }));
  return {
    name: subgraph.string(SUBGRAPH.name) ?? '',
    tensors,
    inputs: subgraph.int32s(SUBGRAPH.inputs),
    outputs: subgraph.int32s(SUBGRAPH.outputs),
    operators,
  };
}

function readTensor(tensor: FlatTable, index: number): TfliteTensor {
  const name = tensor.string(TENSOR.name) ?? `tensor ${index}`;
  if (tensor.has(TENSOR.sparsity)) throw new TfliteFormatError(`tensor "${name}" is sparse; sparse tensors are not supported`);
  const quantization = tensor.table(TENSOR.quantization);
  let quant: TfliteQuantization | undefined;
  if (quantization) {
    const scale = quantization.float32s(QUANTIZATION.scale);
    if (quantization.uint8(QUANTIZATION.detailsType) !== 0) throw new TfliteFormatError(`tensor "${name}" uses custom quantisation details, which are not supported`);
    if (scale.length > 0) {
      quant = { scale, zeroPoint: quantization.int64s(QUANTIZATION.zeroPoint), quantizedDimension: quantization.int32(QUANTIZATION.quantizedDimension) };
    }
  }
  return { index, name, shape: tensor.int32s(TENSOR.shape), type: tensor.int8(TENSOR.type), buffer: tensor.uint32(TENSOR.buffer), quantization: quant };
}
