/**
 * How the NPU sees a float ONNX graph once quantised: which nodes are layers with int8 weights, which
 * activations they fuse, which ops only move int8 values around, and which tensors are float at all.
 */
import { OnnxDataType, type OnnxTensor } from '../convert/onnx/onnx-graph.js';
import type { OnnxModelData, OnnxNodeData } from '../convert/onnx/onnx-reader.js';

/** Ops whose weight input (an initializer) is quantised per output channel. */
const WEIGHTED_OPS = new Set(['Conv', 'Gemm', 'MatMul']);
/** Activations the NPU runs fused into the layer before them: only their output is quantised. */
const FUSABLE_ACTIVATIONS = new Set(['Relu', 'Clip', 'LeakyRelu', 'PRelu']);
/** Producers an activation fuses into (RKNN fuses Conv/Gemm and element-wise Add with a following ReLU-like op). */
const FUSING_PRODUCERS = new Set(['Conv', 'Gemm', 'MatMul', 'Add']);
/**
 * Ops that only select, move or pad int8 values: their output lies on the input's grid, so the NPU keeps the
 * input's scale and zero point (RKNN's "no change" nodes) and nothing is re-quantised. Pad qualifies for
 * constant zero padding only (zero is exact), which is the only Pad Lintel's converters emit.
 */
const PASS_THROUGH_OPS = new Set(['Reshape', 'Flatten', 'Transpose', 'Squeeze', 'Unsqueeze', 'MaxPool', 'Pad', 'Slice', 'Split', 'Identity']);
/** Ops whose outputs are int64 whatever their input. */
const INT64_OPS = new Set(['Shape', 'Size', 'ArgMax', 'ArgMin', 'NonZero']);

/** Where a weight lies in a weighted node, and which of its axes is the output channel. */
export interface WeightSlot {
  /** Input index of the weight. */
  readonly inputIndex: number;
  readonly tensor: OnnxTensor;
  /** The output-channel axis: 0 for Conv [M, C/g, kH, kW]; 1 for Gemm [K, N] (0 with transB) and MatMul [K, N]. */
  readonly axis: number;
}

/**
 * One NPU layer: a node that computes (not a pass-through), with the activation fused into it if any.
 * Hybrid quantisation names a layer by its output tensors (RKNN's `custom_quantize_layers` keys are output
 * tensor names): `tensors` holds the computing node's output and, when fused, the activation's.
 */
export interface QuantLayer {
  /** ONNX node name of the computing node, for reports. */
  readonly name: string;
  readonly tensors: readonly string[];
  readonly opType: string;
  /** Index of the computing node in the graph. */
  readonly nodeIndex: number;
  /** Index of the fused activation node, if one follows. */
  readonly fusedIndex?: number;
  /** The tensor the layer outputs (the activation's output when fused): the one quantised per tensor. */
  readonly output: string;
  readonly weight?: WeightSlot;
}

/** The structure of a graph as the quantiser needs it. */
export interface GraphAnalysis {
  readonly layers: readonly QuantLayer[];
  /** Index of each node's layer (pass-through nodes have none). */
  readonly layerOfNode: ReadonlyMap<number, QuantLayer>;
  /** Node indices whose op only moves values (their output inherits the input's quantisation). */
  readonly passThrough: ReadonlySet<number>;
  /** Every float32 activation tensor: graph inputs and node outputs (not initializers). */
  readonly floatTensors: readonly string[];
  /** Nodes reading each tensor. */
  readonly consumers: ReadonlyMap<string, readonly number[]>;
}

function weightSlot(node: OnnxNodeData, initializers: ReadonlyMap<string, OnnxTensor>): WeightSlot | undefined {
  if (!WEIGHTED_OPS.has(node.opType)) return undefined;
  const tensor = initializers.get(node.inputs[1] ?? '');
  if (!tensor || !(tensor.data instanceof Float32Array)) return undefined;
  if (node.opType === 'Conv') return { inputIndex: 1, tensor, axis: 0 };
  if (tensor.dims.length !== 2) return undefined;
  const transB = node.opType === 'Gemm' && node.attributes.transB?.kind === 'int' && node.attributes.transB.value === 1;
  return { inputIndex: 1, tensor, axis: transB ? 0 : 1 };
}

/** Analyses a graph whose nodes are in topological order (as ONNX requires and our writer emits). */
export function analyseGraph(model: OnnxModelData): GraphAnalysis {
  const { nodes, initializers: initializerList, inputs, outputs } = model.graph;
  const initializers = new Map(initializerList.map((tensor) => [tensor.name, tensor]));
  const graphOutputs = new Set(outputs.map((output) => output.name));

  const types = new Map<string, number>();
  for (const tensor of initializerList) types.set(tensor.name, tensor.data instanceof Float32Array ? OnnxDataType.FLOAT : -1);
  for (const input of inputs) types.set(input.name, input.elemType);
  const consumers = new Map<string, number[]>();
  const floatTensors = inputs.filter((input) => input.elemType === OnnxDataType.FLOAT).map((input) => input.name);
  nodes.forEach((node, index) => {
    for (const input of node.inputs) {
      if (input === '') continue;
      if (!types.has(input)) throw new Error(`node ${node.name} reads ${input} before anything produces it: the graph is not in topological order`);
      consumers.set(input, [...(consumers.get(input) ?? []), index]);
    }
    const castTo = node.attributes.to;
    const type = INT64_OPS.has(node.opType)
      ? OnnxDataType.INT64
      : node.opType === 'Cast' && castTo?.kind === 'int'
        ? castTo.value
        : (types.get(node.inputs[0] ?? '') ?? OnnxDataType.FLOAT);
    for (const output of node.outputs) {
      types.set(output, type);
      if (type === OnnxDataType.FLOAT) floatTensors.push(output);
    }
  });

  const layers: QuantLayer[] = [];
  const layerOfNode = new Map<number, QuantLayer>();
  const passThrough = new Set<number>();
  nodes.forEach((node, index) => {
    if (layerOfNode.has(index)) return;
    const output = node.outputs[0] ?? '';
    if (types.get(output) !== OnnxDataType.FLOAT) return;
    if (PASS_THROUGH_OPS.has(node.opType)) {
      passThrough.add(index);
      return;
    }
    const readers = consumers.get(output) ?? [];
    const next = readers.length === 1 ? nodes[readers[0] as number] : undefined;
    const fuses = FUSING_PRODUCERS.has(node.opType) && next !== undefined && FUSABLE_ACTIVATIONS.has(next.opType) && !graphOutputs.has(output);
    const fusedIndex = fuses ? (readers[0] as number) : undefined;
    const weight = weightSlot(node, initializers);
    const finalOutput = fusedIndex === undefined ? output : (nodes[fusedIndex]?.outputs[0] ?? '');
    const layer: QuantLayer = {
      name: node.name,
      tensors: fusedIndex === undefined ? [output] : [output, finalOutput],
      opType: node.opType,
      nodeIndex: index,
      output: finalOutput,
      ...(fusedIndex === undefined ? {} : { fusedIndex }),
      ...(weight ? { weight } : {}),
    };
    layers.push(layer);
    layerOfNode.set(index, layer);
    if (fusedIndex !== undefined) layerOfNode.set(fusedIndex, layer);
  });
  return { layers, layerOfNode, passThrough, floatTensors, consumers };
}
