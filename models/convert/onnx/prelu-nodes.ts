/**
 * The PRelu form of a graph whose PReLUs the converters wrote in their Relu form (models/convert/tfjs-graph/
 * prelu.ts, PreluForm): each relu(x) + s · relu(m · x), with m all −1 and s a constant, becomes PRelu(x, −s),
 * named as the Add it replaces, and the Clips without bounds (identities) that kept residual Adds apart from
 * their convolutions on onnxruntime's CPU (emitAdd) are dropped. The Relu form is what onnxruntime's CPU runs
 * fastest; the PRelu form is what the NPU runs fused into the convolution before it, with one int8 output
 * instead of five, so the INT8 simulation (models/quantize/) and the RKNN build (models/rknn/convert_rknn.py,
 * which does the same in Python) take this one. Same values to the bit: −s is exact. Anything that is not
 * exactly the pattern, or whose intermediate values are read elsewhere, is left as it is.
 */
import type { OnnxTensor } from './onnx-graph.js';
import type { OnnxModelData, OnnxNodeData } from './onnx-reader.js';

/** The model with every Relu-form PReLU written as one PRelu node; the model itself when it has none. */
export function withPreluNodes(model: OnnxModelData): OnnxModelData {
  const { nodes, initializers, outputs } = withoutIdentityClips(model).graph;
  const constants = new Map(initializers.map((tensor) => [tensor.name, tensor]));
  const producers = new Map<string, OnnxNodeData>();
  const readCounts = new Map<string, number>(outputs.map((output) => [output.name, 1]));
  for (const node of nodes) {
    for (const output of node.outputs) producers.set(output, node);
    for (const input of node.inputs) readCounts.set(input, (readCounts.get(input) ?? 0) + 1);
  }
  /** The node producing `tensor` when it is an `opType` read by nothing but the pattern. */
  const onlyFeeding = (tensor: string, opType: string): OnnxNodeData | undefined => {
    const node = producers.get(tensor);
    return node?.opType === opType && readCounts.get(tensor) === 1 ? node : undefined;
  };
  const floatConstant = (name: string | undefined): Float32Array | undefined => {
    const data = name === undefined ? undefined : constants.get(name)?.data;
    return data instanceof Float32Array ? data : undefined;
  };

  /** relu(x) in `positiveName` and s · relu((−1) · x) in `scaledName`, or undefined. */
  const matchPrelu = (positiveName: string, scaledName: string): { x: string; scale: OnnxTensor; parts: OnnxNodeData[] } | undefined => {
    const positive = onlyFeeding(positiveName, 'Relu');
    const scaled = onlyFeeding(scaledName, 'Mul');
    const x = positive?.inputs[0];
    if (!positive || !scaled || x === undefined) return undefined;
    const scaleIndex = scaled.inputs.findIndex((input) => floatConstant(input) !== undefined);
    const scale = constants.get(scaled.inputs[scaleIndex] ?? '');
    const negative = onlyFeeding(scaled.inputs[1 - scaleIndex] ?? '', 'Relu');
    const negated = onlyFeeding(negative?.inputs[0] ?? '', 'Mul');
    if (!scale || !negative || !negated || negated.inputs.length !== 2) return undefined;
    const minusOneIndex = negated.inputs.indexOf(x) === 0 ? 1 : 0;
    const minusOne = floatConstant(negated.inputs[minusOneIndex]);
    if (negated.inputs[1 - minusOneIndex] !== x || !minusOne || !minusOne.every((m) => m === -1)) return undefined;
    // The PRelu slope must broadcast as the scale did, so the two constants must agree in shape.
    if (constants.get(negated.inputs[minusOneIndex] ?? '')?.dims.join(',') !== scale.dims.join(',')) return undefined;
    return { x, scale, parts: [positive, negated, negative, scaled] };
  };

  const dropped = new Set<OnnxNodeData>();
  const replacements = new Map<OnnxNodeData, OnnxNodeData>();
  const slopes: OnnxTensor[] = [];
  const names = new Set([...nodes.flatMap((node) => [...node.inputs, ...node.outputs]), ...initializers.map((tensor) => tensor.name)]);
  for (const add of nodes) {
    if (add.opType !== 'Add' || add.inputs.length !== 2) continue;
    const match = [0, 1]
      .map((first) => matchPrelu(add.inputs[first] as string, add.inputs[1 - first] as string))
      .find((found) => found !== undefined);
    if (!match) continue;
    let slopeName = `${add.outputs[0] ?? add.name}_slope`;
    for (let i = 1; names.has(slopeName); i++) slopeName = `${add.outputs[0] ?? add.name}_slope_${i}`;
    names.add(slopeName);
    slopes.push({ name: slopeName, dims: match.scale.dims, data: Float32Array.from(match.scale.data as Float32Array, (s) => -s) });
    for (const node of match.parts) dropped.add(node);
    replacements.set(add, { opType: 'PRelu', name: add.name, inputs: [match.x, slopeName], outputs: add.outputs, attributes: {} });
  }
  if (replacements.size === 0 && nodes === model.graph.nodes) return model;

  const kept = nodes.filter((node) => !dropped.has(node)).map((node) => replacements.get(node) ?? node);
  const used = new Set(kept.flatMap((node) => node.inputs));
  return { ...model, graph: { ...model.graph, nodes: kept, initializers: [...initializers.filter((tensor) => used.has(tensor.name)), ...slopes] } };
}

/** The model without Clips that have no bounds (identities), their readers reading the Clip's input. */
function withoutIdentityClips(model: OnnxModelData): OnnxModelData {
  const graphOutputs = new Set(model.graph.outputs.map((output) => output.name));
  const identity = (node: OnnxNodeData): boolean =>
    node.opType === 'Clip' && node.inputs.slice(1).every((input) => input === '') && !node.outputs.some((output) => graphOutputs.has(output));
  const sources = new Map(model.graph.nodes.filter(identity).map((node) => [node.outputs[0] as string, node.inputs[0] as string]));
  if (sources.size === 0) return model;
  const nodes = model.graph.nodes
    .filter((node) => !identity(node))
    .map((node) => (node.inputs.some((input) => sources.has(input)) ? { ...node, inputs: node.inputs.map((input) => sources.get(input) ?? input) } : node));
  return { ...model, graph: { ...model.graph, nodes } };
}
