/**
 * A minimal ONNX ModelProto decoder for the subset Lintel's own writer (`onnx-graph.ts`) emits: nodes with
 * int/float/ints/floats/string/tensor attributes, initializers in raw_data, static-shape inputs and outputs,
 * one default-domain opset and metadata. `writeOnnxModel` writes a decoded model back through
 * OnnxGraphBuilder; for every file the converters produce, read → write gives the same bytes.
 * Anything outside the subset is refused with a message naming it, never silently dropped.
 */
import { OnnxDataType, OnnxGraphBuilder, type OnnxAttribute, type OnnxTensor } from './onnx-graph.js';

/** A graph node as stored in the file. */
export interface OnnxNodeData {
  readonly opType: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, OnnxAttribute>>;
}

/** A graph input or output: name, element type and static shape. */
export interface OnnxValueInfoData {
  readonly name: string;
  readonly elemType: OnnxDataType;
  readonly dims: readonly number[];
}

/** A decoded ModelProto (the subset OnnxGraphBuilder writes). */
export interface OnnxModelData {
  readonly irVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  /** Empty when the file has none. */
  readonly docString: string;
  /** Version of the default ('' / ai.onnx) opset. */
  readonly opset: number;
  /** metadata_props, in file order. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly graph: {
    readonly name: string;
    readonly nodes: readonly OnnxNodeData[];
    readonly initializers: readonly OnnxTensor[];
    readonly inputs: readonly OnnxValueInfoData[];
    readonly outputs: readonly OnnxValueInfoData[];
  };
}

/** The bytes are not an ONNX model, or use a feature outside the subset this reader knows. */
export class OnnxReadError extends Error {
  override readonly name = 'OnnxReadError';
}

const WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

/** One decoded field: its number, wire type and value (bigint for varints, bytes for the rest). */
type Field = { field: number; wire: 0; value: bigint } | { field: number; wire: 1 | 2 | 5; value: Uint8Array };

/** Splits a message into its fields, in order. */
function* fields(bytes: Uint8Array, what: string): Generator<Field> {
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= bytes.length) throw new OnnxReadError(`${what}: truncated varint`);
      const byte = bytes[pos++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new OnnxReadError(`${what}: varint longer than 10 bytes`);
    }
  };
  const take = (length: number): Uint8Array => {
    if (pos + length > bytes.length) throw new OnnxReadError(`${what}: field runs past the end of the message`);
    const value = bytes.subarray(pos, pos + length);
    pos += length;
    return value;
  };
  while (pos < bytes.length) {
    const tag = Number(varint());
    const field = tag >>> 3;
    const wire = tag & 7;
    if (wire === WIRE.varint) yield { field, wire, value: varint() };
    else if (wire === WIRE.bytes) yield { field, wire, value: take(Number(varint())) };
    else if (wire === WIRE.fixed32) yield { field, wire, value: take(4) };
    else if (wire === WIRE.fixed64) yield { field, wire, value: take(8) };
    else throw new OnnxReadError(`${what}: unsupported wire type ${wire} (field ${field})`);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function text(field: Field, what: string): string {
  if (field.wire !== WIRE.bytes) throw new OnnxReadError(`${what}: field ${field.field} should be a string`);
  return utf8.decode(field.value);
}

function bytesOf(field: Field, what: string): Uint8Array {
  if (field.wire !== WIRE.bytes) throw new OnnxReadError(`${what}: field ${field.field} should be length-delimited`);
  return field.value;
}

/** A signed int64 varint as a JS number (negative values are 10-byte two's complement). */
function int64(field: Field, what: string): number {
  if (field.wire !== WIRE.varint) throw new OnnxReadError(`${what}: field ${field.field} should be a varint`);
  const value = Number(BigInt.asIntN(64, field.value));
  if (!Number.isSafeInteger(value)) throw new OnnxReadError(`${what}: integer ${field.value} does not fit a JS number`);
  return value;
}

/** Repeated int64: unpacked (one varint per field, as our writer does) or packed. */
function pushInt64s(target: number[], field: Field, what: string): void {
  if (field.wire === WIRE.varint) {
    target.push(int64(field, what));
    return;
  }
  // Packed: the varints follow each other without tags.
  const packed = bytesOf(field, what);
  let value = 0n;
  let shift = 0n;
  for (const byte of packed) {
    value |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
    if ((byte & 0x80) !== 0) continue;
    target.push(int64({ field: field.field, wire: WIRE.varint, value }, what));
    value = 0n;
    shift = 0n;
  }
  if (shift !== 0n) throw new OnnxReadError(`${what}: truncated packed varint`);
}

function float32(field: Field, what: string): number {
  if (field.wire !== WIRE.fixed32) throw new OnnxReadError(`${what}: field ${field.field} should be a 32-bit float`);
  return new DataView(field.value.buffer, field.value.byteOffset, 4).getFloat32(0, true);
}

/** Repeated float: unpacked (our writer) or packed. */
function pushFloats(target: number[], field: Field, what: string): void {
  if (field.wire === WIRE.fixed32) {
    target.push(float32(field, what));
    return;
  }
  const packed = bytesOf(field, what);
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  for (let offset = 0; offset + 4 <= packed.byteLength; offset += 4) target.push(view.getFloat32(offset, true));
}

/** A copy of raw little-endian bytes as the typed array of the ONNX data type. */
function typedArrayOf(dataType: number, raw: Uint8Array, what: string): OnnxTensor['data'] {
  // Copy: raw_data sits at any offset in the file, typed arrays need their element alignment.
  // (Uint8Array.from, not slice: a Node Buffer's slice() shares memory.)
  const copy = Uint8Array.from(raw).buffer;
  const aligned = (size: number): void => {
    if (raw.byteLength % size !== 0) throw new OnnxReadError(`${what}: raw_data of ${raw.byteLength} bytes is not a whole number of ${size}-byte elements`);
  };
  switch (dataType) {
    case OnnxDataType.FLOAT:
      aligned(4);
      return new Float32Array(copy);
    case OnnxDataType.INT32:
      aligned(4);
      return new Int32Array(copy);
    case OnnxDataType.INT64:
      aligned(8);
      return new BigInt64Array(copy);
    case OnnxDataType.INT8:
      return new Int8Array(copy);
    case OnnxDataType.UINT8:
      return new Uint8Array(copy);
    default:
      throw new OnnxReadError(`${what}: data type ${dataType} is not one Lintel's models use`);
  }
}

function readTensor(bytes: Uint8Array, context: string): OnnxTensor {
  const dims: number[] = [];
  let dataType = 0;
  let name = '';
  let raw: Uint8Array | undefined;
  for (const f of fields(bytes, context)) {
    const what = `${context}${name ? ` ${name}` : ''}`;
    if (f.field === 1) pushInt64s(dims, f, what);
    else if (f.field === 2) dataType = int64(f, what);
    else if (f.field === 8) name = text(f, what);
    else if (f.field === 9) raw = bytesOf(f, what);
    else throw new OnnxReadError(`${what}: TensorProto field ${f.field} is not supported (only dims, data_type, name, raw_data)`);
  }
  const what = `${context} ${name}`;
  const data = typedArrayOf(dataType, raw ?? new Uint8Array(0), what);
  const count = dims.reduce((product, dim) => product * dim, 1);
  if (data.length !== count) throw new OnnxReadError(`${what}: dims [${dims.join(', ')}] hold ${count} values, raw_data has ${data.length}`);
  return { name, dims, data };
}

// AttributeProto.AttributeType values.
const ATTRIBUTE_KIND: Readonly<Record<number, OnnxAttribute['kind']>> = { 1: 'float', 2: 'int', 3: 'string', 4: 'tensor', 6: 'floats', 7: 'ints' };

function readAttribute(bytes: Uint8Array, context: string): [string, OnnxAttribute] {
  let name = '';
  let type = 0;
  let f32: number | undefined;
  let i64: number | undefined;
  let str: string | undefined;
  let tensor: OnnxTensor | undefined;
  const floats: number[] = [];
  const ints: number[] = [];
  for (const f of fields(bytes, context)) {
    const what = `${context} attribute ${name}`;
    if (f.field === 1) name = text(f, what);
    else if (f.field === 2) f32 = float32(f, what);
    else if (f.field === 3) i64 = int64(f, what);
    else if (f.field === 4) str = text(f, what);
    else if (f.field === 5) tensor = readTensor(bytesOf(f, what), `${what} tensor`);
    else if (f.field === 7) pushFloats(floats, f, what);
    else if (f.field === 8) pushInt64s(ints, f, what);
    else if (f.field === 20) type = int64(f, what);
    else throw new OnnxReadError(`${what}: AttributeProto field ${f.field} is not supported`);
  }
  const kind = ATTRIBUTE_KIND[type];
  const what = `${context} attribute ${name}`;
  switch (kind) {
    case 'float':
      return [name, { kind, value: f32 ?? 0 }];
    case 'int':
      return [name, { kind, value: i64 ?? 0 }];
    case 'string':
      return [name, { kind, value: str ?? '' }];
    case 'tensor':
      if (!tensor) throw new OnnxReadError(`${what}: tensor attribute without a tensor`);
      return [name, { kind, value: tensor }];
    case 'floats':
      return [name, { kind, value: floats }];
    case 'ints':
      return [name, { kind, value: ints }];
    default:
      throw new OnnxReadError(`${what}: attribute type ${type} is not supported`);
  }
}

function readNode(bytes: Uint8Array, index: number): OnnxNodeData {
  const inputs: string[] = [];
  const outputs: string[] = [];
  const attributes: Record<string, OnnxAttribute> = {};
  let name = '';
  let opType = '';
  for (const f of fields(bytes, `node ${index}`)) {
    const what = `node ${name || index}`;
    if (f.field === 1) inputs.push(text(f, what));
    else if (f.field === 2) outputs.push(text(f, what));
    else if (f.field === 3) name = text(f, what);
    else if (f.field === 4) opType = text(f, what);
    else if (f.field === 5) {
      const [key, value] = readAttribute(bytesOf(f, what), what);
      attributes[key] = value;
    } else if (f.field === 6) {
      // doc_string: the exporter's note (PyTorch writes the source line); it does not change what the node computes.
      text(f, what);
    } else if (f.field === 7) {
      const domain = text(f, what);
      if (domain !== '' && domain !== 'ai.onnx') throw new OnnxReadError(`${what}: operator domain "${domain}" is not supported`);
    } else throw new OnnxReadError(`${what}: NodeProto field ${f.field} is not supported`);
  }
  return { opType, name, inputs, outputs, attributes };
}

function readValueInfo(bytes: Uint8Array, context: string): OnnxValueInfoData {
  let name = '';
  let elemType = 0;
  const dims: number[] = [];
  for (const f of fields(bytes, context)) {
    const what = `${context} ${name}`;
    if (f.field === 1) name = text(f, what);
    else if (f.field === 2) {
      for (const typeField of fields(bytesOf(f, what), what)) {
        if (typeField.field !== 1) throw new OnnxReadError(`${what}: only tensor types are supported`);
        for (const tensorField of fields(bytesOf(typeField, what), what)) {
          if (tensorField.field === 1) elemType = int64(tensorField, what);
          else if (tensorField.field === 2) {
            for (const dimField of fields(bytesOf(tensorField, what), what)) {
              if (dimField.field !== 1) throw new OnnxReadError(`${what}: TensorShapeProto field ${dimField.field} is not supported`);
              const dim = [...fields(bytesOf(dimField, what), what)];
              const value = dim.find((d) => d.field === 1);
              if (!value || dim.length !== 1) throw new OnnxReadError(`${what}: only static dimensions (dim_value) are supported`);
              dims.push(int64(value, what));
            }
          } else throw new OnnxReadError(`${what}: TypeProto.Tensor field ${tensorField.field} is not supported`);
        }
      }
    } else throw new OnnxReadError(`${what}: ValueInfoProto field ${f.field} is not supported`);
  }
  return { name, elemType: elemType as OnnxDataType, dims };
}

/** Decodes an ONNX model file of the subset OnnxGraphBuilder writes; throws OnnxReadError otherwise. */
export function readOnnxModel(file: Uint8Array): OnnxModelData {
  // A plain Uint8Array view, so sub-arrays behave the same whether a Buffer or a Uint8Array came in.
  const bytes = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
  let irVersion = 0;
  let producerName = '';
  let producerVersion = '';
  let docString = '';
  let opset: number | undefined;
  let graphBytes: Uint8Array | undefined;
  const metadata: Record<string, string> = {};
  for (const f of fields(bytes, 'model')) {
    if (f.field === 1) irVersion = int64(f, 'model ir_version');
    else if (f.field === 2) producerName = text(f, 'model producer_name');
    else if (f.field === 3) producerVersion = text(f, 'model producer_version');
    else if (f.field === 6) docString = text(f, 'model doc_string');
    else if (f.field === 7) graphBytes = bytesOf(f, 'model graph');
    else if (f.field === 8) {
      let domain = '';
      let version = 0;
      for (const o of fields(bytesOf(f, 'opset_import'), 'opset_import')) {
        if (o.field === 1) domain = text(o, 'opset_import domain');
        else if (o.field === 2) version = int64(o, 'opset_import version');
      }
      if (domain !== '' && domain !== 'ai.onnx') throw new OnnxReadError(`model: opset domain "${domain}" is not supported`);
      opset = version;
    } else if (f.field === 14) {
      let key = '';
      let value = '';
      for (const e of fields(bytesOf(f, 'metadata_props'), 'metadata_props')) {
        if (e.field === 1) key = text(e, 'metadata key');
        else if (e.field === 2) value = text(e, 'metadata value');
      }
      metadata[key] = value;
    } else throw new OnnxReadError(`model: ModelProto field ${f.field} is not supported`);
  }
  if (!graphBytes) throw new OnnxReadError('model: no graph (not an ONNX model?)');
  if (opset === undefined) throw new OnnxReadError('model: no default-domain opset_import');

  const nodes: OnnxNodeData[] = [];
  const initializers: OnnxTensor[] = [];
  const inputs: OnnxValueInfoData[] = [];
  const outputs: OnnxValueInfoData[] = [];
  let name = '';
  for (const f of fields(graphBytes, 'graph')) {
    if (f.field === 1) nodes.push(readNode(bytesOf(f, 'graph node'), nodes.length));
    else if (f.field === 2) name = text(f, 'graph name');
    else if (f.field === 5) initializers.push(readTensor(bytesOf(f, 'initializer'), 'initializer'));
    else if (f.field === 11) inputs.push(readValueInfo(bytesOf(f, 'graph input'), 'graph input'));
    else if (f.field === 12) outputs.push(readValueInfo(bytesOf(f, 'graph output'), 'graph output'));
    else throw new OnnxReadError(`graph: GraphProto field ${f.field} is not supported`);
  }
  return { irVersion, producerName, producerVersion, docString, opset, metadata, graph: { name, nodes, initializers, inputs, outputs } };
}

/**
 * Serialises a model through OnnxGraphBuilder (IR version 8, as every Lintel model). Node, initializer and
 * value names are kept as they are; they must be unique, as ONNX requires.
 */
export function writeOnnxModel(model: OnnxModelData): Uint8Array {
  const { graph } = model;
  const builder = new OnnxGraphBuilder(graph.name);
  for (const input of graph.inputs) builder.input(input.name, input.dims, input.elemType);
  for (const tensor of graph.initializers) {
    const given = builder.constant(tensor.name, tensor.dims, tensor.data);
    if (given !== tensor.name) throw new Error(`writeOnnxModel: initializer name ${tensor.name} is not unique`);
  }
  for (const node of graph.nodes) builder.node(node.opType, node.inputs, node.attributes, node.outputs, node.name);
  for (const output of graph.outputs) builder.output(output.name, output.dims, output.elemType);
  return builder.toModelBytes({
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    docString: model.docString,
    opset: model.opset,
    metadata: { ...model.metadata },
  });
}
