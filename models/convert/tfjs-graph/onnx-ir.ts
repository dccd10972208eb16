import { OnnxGraphBuilder, type OnnxAttribute, type OnnxTensor } from '../onnx/onnx-graph.js';

interface IrNode {
  readonly opType: string;
  inputs: string[];
  outputs: string[];
  readonly attributes: Readonly<Record<string, OnnxAttribute>>;
}

interface IrInitializer {
  readonly dims: readonly number[];
  readonly data: OnnxTensor['data'];
}

/** A graph output: the value that holds it and the name and shape it must have. */
export interface IrOutput {
  readonly value: string;
  readonly name: string;
  readonly dims: readonly number[];
}

/**
 * An editable ONNX graph. The converter emits freely (layout helpers, folded Pads) and `serialise` then
 * names the outputs, drops every node no output needs, and hands the rest to OnnxGraphBuilder in the
 * order emitted, so the bytes depend only on the source graph.
 */
export class OnnxIr {
  private readonly nodes: IrNode[] = [];
  private readonly initializers = new Map<string, IrInitializer>();
  private readonly names = new Set<string>();
  private counter = 0;

  /** `reserved` names (graph input and outputs) are never handed out by `fresh`. */
  constructor(reserved: readonly string[]) {
    for (const name of reserved) this.names.add(name);
  }

  /** A value name not used yet, derived from `base`. */
  fresh(base: string): string {
    let name = base;
    while (this.names.has(name)) name = `${base}_${++this.counter}`;
    this.names.add(name);
    return name;
  }

  /** Adds an initializer and returns its name. */
  constant(base: string, dims: readonly number[], data: OnnxTensor['data']): string {
    const name = this.fresh(base);
    this.initializers.set(name, { dims: [...dims], data });
    return name;
  }

  /** Appends a node with one output named after `base`; returns the output name. */
  node(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, OnnxAttribute>>, base: string): string {
    const output = this.fresh(base);
    this.nodes.push({ opType, inputs: [...inputs], outputs: [output], attributes });
    return output;
  }

  /** The op type of the node emitted so far that produces `name`; undefined for inputs and initializers. */
  producerOpType(name: string): string | undefined {
    return this.nodes.find((node) => node.outputs.includes(name))?.opType;
  }

  /** Serialises the graph with one float32 input and the given outputs. */
  serialise(options: {
    graphName: string;
    input: { name: string; dims: readonly number[] };
    outputs: readonly IrOutput[];
    producerName: string;
    producerVersion: string;
    docString: string;
    opset: number;
  }): Uint8Array {
    this.nameOutputs(options.outputs, options.input.name);
    const live = this.liveNodes(options.outputs.map((output) => output.name));
    const used = new Set(live.flatMap((node) => node.inputs));

    const builder = new OnnxGraphBuilder(options.graphName);
    builder.input(options.input.name, options.input.dims);
    for (const [name, tensor] of this.initializers) {
      if (!used.has(name)) continue;
      const given = builder.constant(name, tensor.dims, tensor.data);
      if (given !== name) throw new Error(`internal: initializer ${name} was renamed to ${given}`);
    }
    for (const node of live) builder.node(node.opType, node.inputs, node.attributes, node.outputs);
    for (const output of options.outputs) builder.output(output.name, output.dims);
    return builder.toModelBytes({
      producerName: options.producerName,
      producerVersion: options.producerVersion,
      docString: options.docString,
      opset: options.opset,
    });
  }

  /** Renames each output's producing value to the output name; an Identity where that is not possible. */
  private nameOutputs(outputs: readonly IrOutput[], inputName: string): void {
    const renamedTo = new Map<string, string>();
    for (const output of outputs) {
      const already = renamedTo.get(output.value);
      const producer = this.nodes.find((node) => node.outputs.includes(output.value));
      if (already !== undefined || producer === undefined || output.value === inputName) {
        // The same value twice, the graph input or a constant: ONNX wants a node producing each output.
        this.nodes.push({ opType: 'Identity', inputs: [already ?? output.value], outputs: [output.name], attributes: {} });
        continue;
      }
      renamedTo.set(output.value, output.name);
      for (const node of this.nodes) {
        node.inputs = node.inputs.map((input) => (input === output.value ? output.name : input));
        node.outputs = node.outputs.map((name) => (name === output.value ? output.name : name));
      }
    }
  }

  /** Nodes that some output depends on, in emission order. */
  private liveNodes(outputNames: readonly string[]): IrNode[] {
    const needed = new Set(outputNames);
    const keep = new Array<boolean>(this.nodes.length).fill(false);
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i];
      if (!node?.outputs.some((output) => needed.has(output))) continue;
      keep[i] = true;
      for (const input of node.inputs) needed.add(input);
    }
    return this.nodes.filter((_, i) => keep[i]);
  }
}
