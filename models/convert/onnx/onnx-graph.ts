import { ProtobufWriter } from './protobuf-writer.js';

/** ONNX TensorProto.DataType values used by Lintel's converters. */
export const OnnxDataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
} as const;
export type OnnxDataType = (typeof OnnxDataType)[keyof typeof OnnxDataType];

/** A node attribute; the tag says which AttributeProto field carries it. */
export type OnnxAttribute =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: OnnxTensor };

/** Attribute constructors, so call sites read `{ axis: attr.int(1) }`. */
export const attr = {
  int: (value: number): OnnxAttribute => ({ kind: 'int', value }),
  float: (value: number): OnnxAttribute => ({ kind: 'float', value }),
  ints: (value: readonly number[]): OnnxAttribute => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): OnnxAttribute => ({ kind: 'floats', value }),
  string: (value: string): OnnxAttribute => ({ kind: 'string', value }),
  tensor: (value: OnnxTensor): OnnxAttribute => ({ kind: 'tensor', value }),
};

/** A constant tensor (initializer or Constant value). */
export interface OnnxTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array | Int32Array | BigInt64Array | Uint8Array | Int8Array;
}

interface OnnxNode {
  readonly opType: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, OnnxAttribute>>;
}

interface ValueInfo {
  readonly name: string;
  readonly elemType: OnnxDataType;
  readonly dims: readonly number[];
}

/** ONNX IR version 8 pairs with opset 13 (onnxruntime ≥ 1.10, RKNN-Toolkit2 ≥ 1.4). */
const IR_VERSION = 8;
/** The default opset; RKNN-Toolkit2 supports opsets 12–19. */
export const DEFAULT_OPSET = 13;

function dataTypeOf(data: OnnxTensor['data']): OnnxDataType {
  if (data instanceof Float32Array) return OnnxDataType.FLOAT;
  if (data instanceof Int32Array) return OnnxDataType.INT32;
  if (data instanceof BigInt64Array) return OnnxDataType.INT64;
  if (data instanceof Int8Array) return OnnxDataType.INT8;
  return OnnxDataType.UINT8;
}

function elementCount(dims: readonly number[]): number {
  return dims.reduce((product, dim) => product * dim, 1);
}

/**
 * Builds an ONNX graph node by node and serialises it as a ModelProto.
 * Names are unique per graph; `fresh(prefix)` hands out new ones.
 */
export class OnnxGraphBuilder {
  private readonly nodes: OnnxNode[] = [];
  private readonly initializers: OnnxTensor[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly usedNames = new Set<string>();
  private counter = 0;

  constructor(readonly graphName: string) {}

  /** A name not used yet in this graph, derived from `prefix`. */
  fresh(prefix: string): string {
    let name = prefix;
    while (this.usedNames.has(name)) name = `${prefix}_${++this.counter}`;
    this.usedNames.add(name);
    return name;
  }

  /** Declares a graph input of static shape. */
  input(name: string, dims: readonly number[], elemType: OnnxDataType = OnnxDataType.FLOAT): string {
    this.usedNames.add(name);
    this.inputs.push({ name, elemType, dims });
    return name;
  }

  /** Declares a graph output (an existing value name) of static shape. */
  output(name: string, dims: readonly number[], elemType: OnnxDataType = OnnxDataType.FLOAT): void {
    this.outputs.push({ name, elemType, dims });
  }

  /** Adds a constant tensor and returns its (unique) name. */
  constant(prefix: string, dims: readonly number[], data: OnnxTensor['data']): string {
    if (elementCount(dims) !== data.length) {
      throw new Error(`constant ${prefix}: dims [${dims.join(', ')}] hold ${elementCount(dims)} values, got ${data.length}`);
    }
    const name = this.fresh(prefix);
    this.initializers.push({ name, dims, data });
    return name;
  }

  /** An int64 1-D constant, as Reshape / Slice / Pad / ReduceMean(axes) inputs want. */
  int64s(prefix: string, values: readonly number[]): string {
    return this.constant(prefix, [values.length], BigInt64Array.from(values, (v) => BigInt(v)));
  }

  /** A float32 scalar-shaped ([]) or 1-D constant. */
  floats(prefix: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant(prefix, dims, Float32Array.from(values));
  }

  /**
   * Appends a node. `outputs` is a list of names, or a count of fresh names derived from the op.
   * `name` names the node as given (a graph read back from a file keeps its node names); default: fresh from the op.
   * Returns the output names.
   */
  node(
    opType: string,
    inputs: readonly string[],
    attributes: Readonly<Record<string, OnnxAttribute>> = {},
    outputs: readonly string[] | number = 1,
    name: string = this.fresh(`${opType}`),
  ): string[] {
    this.usedNames.add(name);
    const outputNames =
      typeof outputs === 'number'
        ? Array.from({ length: outputs }, (_, i) => this.fresh(`${name}_out${i}`))
        : outputs.map((output) => {
            this.usedNames.add(output);
            return output;
          });
    this.nodes.push({ opType, name, inputs, outputs: outputNames, attributes });
    return outputNames;
  }

  /** Shorthand for a node with one output. */
  op(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, OnnxAttribute>> = {}): string {
    const [output] = this.node(opType, inputs, attributes, 1);
    return output as string;
  }

  /** Serialises the graph as an ONNX ModelProto. */
  toModelBytes(options: { producerName: string; producerVersion: string; docString?: string; opset?: number; metadata?: Record<string, string> }): Uint8Array {
    const model = new ProtobufWriter();
    model.varint(1, IR_VERSION);
    model.string(2, options.producerName);
    model.string(3, options.producerVersion);
    if (options.docString) model.string(6, options.docString);
    model.message(7, (graph) => this.writeGraph(graph));
    model.message(8, (opset) => opset.string(1, '').varint(2, options.opset ?? DEFAULT_OPSET));
    for (const [key, value] of Object.entries(options.metadata ?? {})) {
      model.message(14, (entry) => entry.string(1, key).string(2, value));
    }
    return model.finish();
  }

  private writeGraph(graph: ProtobufWriter): void {
    for (const node of this.nodes) graph.message(1, (w) => writeNode(w, node));
    graph.string(2, this.graphName);
    for (const tensor of this.initializers) graph.message(5, (w) => writeTensor(w, tensor));
    for (const input of this.inputs) graph.message(11, (w) => writeValueInfo(w, input));
    for (const output of this.outputs) graph.message(12, (w) => writeValueInfo(w, output));
  }
}

function writeNode(w: ProtobufWriter, node: OnnxNode): void {
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  w.string(3, node.name);
  w.string(4, node.opType);
  for (const [name, attribute] of Object.entries(node.attributes)) {
    w.message(5, (a) => writeAttribute(a, name, attribute));
  }
}

// AttributeProto.AttributeType values.
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

function writeAttribute(w: ProtobufWriter, name: string, attribute: OnnxAttribute): void {
  w.string(1, name);
  switch (attribute.kind) {
    case 'float':
      w.float(2, attribute.value);
      break;
    case 'int':
      w.varint(3, attribute.value);
      break;
    case 'string':
      w.string(4, attribute.value);
      break;
    case 'tensor':
      w.message(5, (t) => writeTensor(t, attribute.value));
      break;
    case 'floats':
      for (const value of attribute.value) w.float(7, value);
      break;
    case 'ints':
      for (const value of attribute.value) w.varint(8, value);
      break;
  }
  w.varint(20, ATTRIBUTE_TYPE[attribute.kind]);
}

function writeTensor(w: ProtobufWriter, tensor: OnnxTensor): void {
  for (const dim of tensor.dims) w.varint(1, dim);
  w.varint(2, dataTypeOf(tensor.data));
  w.string(8, tensor.name);
  // raw_data is little-endian, which typed arrays are on every platform Lintel runs on (x86-64, aarch64).
  w.bytes(9, new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
}

function writeValueInfo(w: ProtobufWriter, info: ValueInfo): void {
  w.string(1, info.name);
  w.message(2, (type) =>
    type.message(1, (tensorType) => {
      tensorType.varint(1, info.elemType);
      tensorType.message(2, (shape) => {
        for (const dim of info.dims) shape.message(1, (d) => d.varint(1, dim));
      });
    }),
  );
}
