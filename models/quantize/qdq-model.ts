/**
 * Turns a float ONNX model into a QDQ model that onnxruntime runs on the CPU with the NPU's INT8 rounding:
 * int8 per-channel weights stored fake-quantised (codes × scale as float32), and a QuantizeLinear →
 * DequantizeLinear pair on every activation the NPU would hold as int8. Layers listed as float (RKNN's hybrid
 * quantisation) keep FP16-rounded weights and a float output.
 *
 * Weights are stored fake-quantised rather than as int8 initializers + DequantizeLinear on purpose: with a
 * DequantizeLinear on the weight, onnxruntime fuses Conv into its own QLinearConv kernels, whose u8s8 path
 * on AVX2 may saturate int16 intermediate sums (onnxruntime's documented VPMADDUBSW caveat). Float
 * convolution of exactly representable int8 values differs from the NPU's int32 accumulation only by float32
 * summation error (~1e-7 relative), far below one int8 step.
 */
import type { OnnxTensor } from '../convert/onnx/onnx-graph.js';
import type { OnnxModelData, OnnxNodeData } from '../convert/onnx/onnx-reader.js';
import { analyseGraph, type GraphAnalysis, type QuantLayer } from './graph-analysis.js';
import { activationQuantParams, quantizeWeightsPerChannel, roundToFloat16, type ActivationQuantParams } from './quant-math.js';

/** Values a tensor took over the calibration set. */
export interface TensorRange {
  readonly min: number;
  readonly max: number;
}

/** Options of {@link buildQdqModel}. */
export interface QdqOptions {
  /** Calibrated range of every float activation tensor (see calibrate.ts). */
  readonly ranges: ReadonlyMap<string, TensorRange>;
  /** Layers kept in FP16, by any of their output tensor names (QuantLayer.tensors); default none. */
  readonly floatLayers?: ReadonlySet<string>;
}

/** How one layer was quantised, for the report written beside the model. */
export interface LayerQuantization {
  readonly name: string;
  readonly opType: string;
  readonly precision: 'int8' | 'float16';
  /** The layer's output tensors (see QuantLayer.tensors); the last is the one quantised. */
  readonly tensors: readonly string[];
  /** The output's int8 parameters; absent for an FP16 layer. */
  readonly activation?: ActivationQuantParams;
  /** Per-output-channel weight scales; absent for layers without weights and for FP16 layers. */
  readonly weightScales?: readonly number[];
}

/** Result of {@link buildQdqModel}. */
export interface QdqModel {
  readonly model: OnnxModelData;
  readonly layers: readonly LayerQuantization[];
  /** The int8 parameters of each graph input. */
  readonly inputs: Readonly<Record<string, ActivationQuantParams>>;
}

type Domain = 'int8' | 'float';

/**
 * The simulated-INT8 model of a float model.
 *
 * - The graph input is quantised per tensor too: RKNN gives the normalised input its own int8 scale and zero
 *   point (rknn_query reports them on the input), so uint8 pixels are exact only when mean/std put them on
 *   that grid (mean 0 / std 255 does; the recogniser's per-channel means do not, by up to half a level).
 * - A layer's output (after its fused activation) is quantised per tensor; pass-through ops (Reshape,
 *   MaxPool, zero Pad, …) keep their input's quantisation.
 * - The output of an FP16 layer stays float for FP16 readers and graph outputs; an INT8 layer reading it
 *   re-quantises it first, as the NPU must.
 * - Biases stay float: the NPU keeps them in int32 at scale s_in·s_w, whose rounding (half an accumulator
 *   step) is far below one step of the layer's int8 output.
 */
/** Per-channel QuantizeLinear / DequantizeLinear (their `axis`) need opset 13. */
const QDQ_OPSET = 13;

/**
 * Ops whose meaning is the same from opset 9 to 13, so an older model (one exported at opset 9, as faceplugin-512 is)
 * can be raised to QDQ_OPSET for the simulation without changing what it computes.
 */
const SAME_FROM_9_TO_13 = new Set(['Add', 'AveragePool', 'Concat', 'Conv', 'Flatten', 'Gemm', 'GlobalAveragePool', 'MatMul', 'MaxPool', 'Mul', 'PRelu', 'Relu', 'Reshape', 'Sigmoid', 'Sub', 'Transpose']);

/** The opset of the simulated graph: the model's own, raised to QDQ_OPSET where every op means the same there. */
function qdqOpset(model: OnnxModelData): number {
  if (model.opset >= QDQ_OPSET) return model.opset;
  const changed = [...new Set(model.graph.nodes.map((node) => node.opType))].filter((op) => !SAME_FROM_9_TO_13.has(op));
  if (model.opset < 9 || changed.length > 0) {
    throw new Error(`${model.graph.name} is opset ${model.opset}: the int8 simulation needs opset ${QDQ_OPSET}, and ${changed.length > 0 ? `${changed.join(', ')} may mean something else there` : 'opsets before 9 are not raised'}`);
  }
  return QDQ_OPSET;
}

export function buildQdqModel(model: OnnxModelData, options: QdqOptions, analysis: GraphAnalysis = analyseGraph(model)): QdqModel {
  const { ranges } = options;
  const floatLayers = options.floatLayers ?? new Set<string>();
  const known = new Set(analysis.layers.flatMap((layer) => layer.tensors));
  const unknown = [...floatLayers].filter((name) => !known.has(name));
  if (unknown.length > 0) throw new Error(`float layers not in ${model.graph.name}: ${unknown.join(', ')} (give output tensor names of computing nodes)`);
  const isFloatLayer = (layer: QuantLayer): boolean => layer.tensors.some((tensor) => floatLayers.has(tensor));

  const { nodes, initializers, inputs, outputs } = model.graph;
  const graphOutputs = new Set(outputs.map((output) => output.name));
  const usedNames = new Set<string>([...nodes.flatMap((node) => [node.name, ...node.inputs, ...node.outputs]), ...initializers.map((t) => t.name)]);
  const fresh = (base: string): string => {
    let name = base;
    for (let i = 1; usedNames.has(name); i++) name = `${base}_${i}`;
    usedNames.add(name);
    return name;
  };

  const newInitializers: OnnxTensor[] = [];
  const replacedWeights = new Map<string, Float32Array>();
  const newNodes: OnnxNodeData[] = [];
  const domain = new Map<string, Domain>(inputs.map((input) => [input.name, 'int8']));
  // A tensor quantised where it is produced is read through its DequantizeLinear output from then on.
  const readAs = new Map<string, string>();
  const requantised = new Map<string, string>();
  const layerReports = new Map<string, LayerQuantization>();
  const inputQuantization = new Map<string, ActivationQuantParams>();

  const paramsOf = (tensor: string): ActivationQuantParams => {
    const range = ranges.get(tensor);
    if (!range) throw new Error(`no calibrated range for tensor ${tensor}: calibrate the model before quantising it`);
    return activationQuantParams(range.min, range.max);
  };
  /** Appends QuantizeLinear → DequantizeLinear of `source`, writing `target`; returns the parameters used. */
  const appendQdq = (tensor: string, source: string, target: string): ActivationQuantParams => {
    const params = paramsOf(tensor);
    const scale = fresh(`${tensor}::scale`);
    const zeroPoint = fresh(`${tensor}::zero_point`);
    const quantised = fresh(`${tensor}::int8`);
    newInitializers.push({ name: scale, dims: [], data: Float32Array.of(params.scale) }, { name: zeroPoint, dims: [], data: Int8Array.of(params.zeroPoint) });
    newNodes.push(
      { opType: 'QuantizeLinear', name: fresh(`${tensor}::QuantizeLinear`), inputs: [source, scale, zeroPoint], outputs: [quantised], attributes: {} },
      { opType: 'DequantizeLinear', name: fresh(`${tensor}::DequantizeLinear`), inputs: [quantised, scale, zeroPoint], outputs: [target], attributes: {} },
    );
    return params;
  };

  for (const input of inputs) {
    if (!analysis.floatTensors.includes(input.name)) continue;
    const dequantised = fresh(`${input.name}::dequantised`);
    inputQuantization.set(input.name, appendQdq(input.name, input.name, dequantised));
    readAs.set(input.name, dequantised);
  }

  nodes.forEach((node, index) => {
    const layer = analysis.layerOfNode.get(index);
    const isHead = layer?.nodeIndex === index;
    const isFloat = layer !== undefined && isFloatLayer(layer);
    let nodeInputs = node.inputs.map((input) => readAs.get(input) ?? input);
    if (layer && isHead && !isFloat) {
      // An INT8 layer reads int8: a float (FP16-layer) activation is re-quantised on the way in, once per tensor.
      nodeInputs = nodeInputs.map((input) => {
        if (domain.get(input) !== 'float') return input;
        let target = requantised.get(input);
        if (target === undefined) {
          target = fresh(`${input}::requantised`);
          appendQdq(input, input, target);
          requantised.set(input, target);
        }
        return target;
      });
    }
    if (layer && isHead && layer.weight) {
      const { tensor, axis } = layer.weight;
      if (!replacedWeights.has(tensor.name)) {
        const data = tensor.data as Float32Array;
        if (isFloat) replacedWeights.set(tensor.name, Float32Array.from(data, roundToFloat16));
        else {
          const quantised = quantizeWeightsPerChannel(data, tensor.dims, axis);
          replacedWeights.set(tensor.name, quantised.dequantised);
          layerReports.set(layer.name, { ...reportOf(layer, 'int8'), weightScales: Array.from(quantised.scales) });
        }
      }
    }

    const isLayerOutput = layer !== undefined && node.outputs[0] === layer.output;
    const output = node.outputs[0] ?? '';
    if (!isLayerOutput || isFloat) {
      newNodes.push({ ...node, inputs: nodeInputs });
      // Pass-through ops inherit their input's domain; a fused head's output is internal to the layer.
      const inherited = analysis.passThrough.has(index) ? (domain.get(nodeInputs[0] ?? '') ?? 'int8') : isFloat ? 'float' : 'int8';
      for (const name of node.outputs) domain.set(name, inherited);
      if (isFloat && isLayerOutput) layerReports.set(layer.name, reportOf(layer, 'float16'));
      return;
    }
    // The layer's int8 output. A graph output keeps its name on the DequantizeLinear side.
    const floatName = graphOutputs.has(output) ? fresh(`${output}::float`) : output;
    const dequantised = graphOutputs.has(output) ? output : fresh(`${output}::dequantised`);
    newNodes.push({ ...node, inputs: nodeInputs, outputs: [floatName, ...node.outputs.slice(1)] });
    const activation = appendQdq(output, floatName, dequantised);
    if (dequantised !== output) readAs.set(output, dequantised);
    domain.set(dequantised, 'int8');
    domain.set(output, 'int8');
    layerReports.set(layer.name, { ...(layerReports.get(layer.name) ?? reportOf(layer, 'int8')), activation });
  });

  const weights = initializers.map((tensor) => {
    const replaced = replacedWeights.get(tensor.name);
    return replaced ? { ...tensor, data: replaced } : tensor;
  });
  return {
    model: {
      ...model,
      opset: qdqOpset(model),
      graph: { ...model.graph, nodes: newNodes, initializers: [...weights, ...newInitializers] },
    },
    layers: analysis.layers.map((layer) => layerReports.get(layer.name) ?? reportOf(layer, isFloatLayer(layer) ? 'float16' : 'int8')),
    inputs: Object.fromEntries(inputQuantization),
  };
}

function reportOf(layer: QuantLayer, precision: LayerQuantization['precision']): LayerQuantization {
  return { name: layer.name, opType: layer.opType, precision, tensors: layer.tensors };
}

