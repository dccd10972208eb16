import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

import { npmSource, type ModelEntry } from '../../electron/vision/models/manifest.js';
import { DEFAULT_OPSET } from './onnx/onnx-graph.js';
import { ConversionContext, TfjsConversionError } from './tfjs-graph/context.js';
import { dataInputs, parseTensorRef, refKey, tfAttr, type TfNode, type TfjsGraphModelJson } from './tfjs-graph/model-json.js';
import { OnnxIr, type IrOutput } from './tfjs-graph/onnx-ir.js';
import { opConverters } from './tfjs-graph/ops.js';
import type { PreluForm } from './tfjs-graph/prelu.js';
import { TO_NCHW, constValue, permuteShape, type Value } from './tfjs-graph/values.js';
import { readTfjsWeights, type WeightTensor } from './tfjs-weights.js';

export { TfjsConversionError } from './tfjs-graph/context.js';
export type { PreluForm } from './tfjs-graph/prelu.js';

/** Written into every converted file; bump when the converter's output changes for the same source. */
const PRODUCER_VERSION = '2';

/** Options of {@link convertTfjsGraph}. */
export interface TfjsConversionOptions {
  /** How PReLU is written: `'relu'` (default; onnxruntime's CPU runs it fastest) or one `'prelu'` node. */
  readonly prelu?: PreluForm;
}

/**
 * Converts a TFJS graph model (`model.json` + weight shards) to ONNX ModelProto bytes, opset 13:
 * batch 1, one float32 input named `entry.input.name` in the manifest's layout, and the outputs
 * `entry.outputs` taken from the TF nodes `entry.source.outputNodes`. Same input, same bytes.
 */
export async function convertTfjsGraph(modelJsonPath: string, entry: ModelEntry, options: TfjsConversionOptions = {}): Promise<Uint8Array> {
  let json: TfjsGraphModelJson;
  try {
    json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as TfjsGraphModelJson;
  } catch (error) {
    throw new TfjsConversionError(`cannot read the TFJS model ${modelJsonPath}: ${(error as Error).message}`);
  }
  if (!Array.isArray(json.modelTopology?.node) || !Array.isArray(json.weightsManifest)) {
    throw new TfjsConversionError(`${modelJsonPath} is not a TFJS graph model (no modelTopology.node or weightsManifest)`);
  }
  const weights = await readTfjsWeights(json.weightsManifest, dirname(modelJsonPath));
  try {
    return convertGraph(json, weights, entry, basename(modelJsonPath, '.json'), options.prelu ?? 'relu');
  } catch (error) {
    if (error instanceof TfjsConversionError) throw new TfjsConversionError(`${modelJsonPath}: ${error.message}`);
    throw error;
  }
}

function convertGraph(json: TfjsGraphModelJson, weights: ReadonlyMap<string, WeightTensor>, entry: ModelEntry, graphName: string, preluForm: PreluForm): Uint8Array {
  const outputNodes = npmSource(entry).outputNodes;
  if (!outputNodes || outputNodes.length !== entry.outputs.length) {
    throw new TfjsConversionError(`the manifest lists ${entry.outputs.length} outputs but ${outputNodes?.length ?? 0} source.outputNodes`);
  }
  const nodesByName = new Map<string, TfNode>();
  for (const node of json.modelTopology.node) nodesByName.set(node.name, node);
  const outputRefs = outputNodes.map((name) => {
    const ref = parseTensorRef(name);
    if (!ref || !nodesByName.has(ref.node)) throw new TfjsConversionError(missingOutputMessage(name, json));
    return ref;
  });

  const ir = new OnnxIr([entry.input.name, ...entry.outputs.map((output) => output.name)]);
  const values = new Map<string, Value>();
  const ctx = new ConversionContext(ir, nodesByName, values, preluForm);
  let inputDims: number[] | undefined;

  for (const node of topologicalOrder(outputRefs.map((ref) => ref.node), nodesByName)) {
    const inputs = dataInputs(node).map((ref) => {
      const value = values.get(refKey(ref));
      if (!value) throw new TfjsConversionError(`node "${node.name}" (${node.op}) reads output ${ref.index} of "${ref.node}", which has no such output`);
      return value;
    });
    let outputs: readonly Value[];
    if (node.op === 'Const') {
      outputs = [constantOf(node, weights)];
    } else if (node.op === 'Placeholder') {
      if (inputDims) throw new TfjsConversionError(`the outputs need a second input "${node.name}"; only one is supported`);
      const placeholder = graphInput(node, entry);
      inputDims = placeholder.dims;
      outputs = [placeholder.value];
    } else {
      const converter = opConverters[node.op];
      if (!converter) throw new TfjsConversionError(`unsupported TF op "${node.op}" at node "${node.name}"`);
      try {
        const result = converter(ctx, node, inputs);
        outputs = Array.isArray(result) ? result : [result as Value];
      } catch (error) {
        if (!(error instanceof TfjsConversionError)) throw error;
        throw new TfjsConversionError(`node "${node.name}" (${node.op}): ${error.message}`);
      }
    }
    outputs.forEach((value, index) => values.set(refKey({ node: node.name, index }), value));
  }
  if (!inputDims) throw new TfjsConversionError('the requested outputs do not depend on the graph input');

  const irOutputs: IrOutput[] = outputRefs.map((ref, i) => {
    const spec = entry.outputs[i];
    const value = values.get(refKey(ref));
    if (!spec || !value) throw new TfjsConversionError(`output ${outputNodes[i]} was not converted`);
    if (value.kind !== 'tensor') throw new TfjsConversionError(`output ${outputNodes[i]} is a constant`);
    // 4-D outputs go back to TF's NHWC order so they equal what TFJS returns.
    const plain = ctx.toPlain(value);
    if (plain.shape.join(',') !== spec.shape.join(',')) {
      throw new TfjsConversionError(`output "${spec.name}" (node ${outputNodes[i]}) has shape [${plain.shape.join(', ')}], the manifest says [${spec.shape.join(', ')}]`);
    }
    return { value: plain.name, name: spec.name, dims: spec.shape };
  });

  return ir.serialise({
    graphName,
    input: { name: entry.input.name, dims: inputDims },
    outputs: irOutputs,
    producerName: 'lintel tfjs-graph-to-onnx',
    producerVersion: PRODUCER_VERSION,
    // Only the source's identity goes into the file: editing the manifest's prose must not change the model's sha256.
    docString: `Converted from ${npmSource(entry).package}@${npmSource(entry).version} ${npmSource(entry).file}`,
    opset: DEFAULT_OPSET,
  });
}

/** Nodes the outputs depend on, each after its inputs; ties broken by input order, so the walk is deterministic. */
function topologicalOrder(outputNodes: readonly string[], nodesByName: ReadonlyMap<string, TfNode>): TfNode[] {
  const order: TfNode[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: { node: TfNode; next: number }[] = [];
  const push = (name: string, from: string): void => {
    const node = nodesByName.get(name);
    if (!node) throw new TfjsConversionError(`node "${from}" reads "${name}", which is not in the graph`);
    if (state.get(name) === 'open') throw new TfjsConversionError(`the graph has a cycle through "${name}" (control flow is not supported)`);
    if (state.get(name) === 'done') return;
    state.set(name, 'open');
    stack.push({ node, next: 0 });
  };
  for (const name of outputNodes) {
    push(name, '(outputs)');
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (!top) break;
      const inputs = dataInputs(top.node);
      const ref = inputs[top.next];
      if (ref) {
        top.next++;
        push(ref.node, top.node.name);
        continue;
      }
      stack.pop();
      state.set(top.node.name, 'done');
      order.push(top.node);
    }
  }
  return order;
}

function constantOf(node: TfNode, weights: ReadonlyMap<string, WeightTensor>): Value {
  const weight = weights.get(node.name);
  if (!weight) throw new TfjsConversionError(`constant "${node.name}" has no entry in weightsManifest`);
  return constValue(weight.shape, weight.data);
}

/** The graph input: TF's NHWC placeholder with batch fixed at 1, declared in the manifest's layout. */
function graphInput(node: TfNode, entry: ModelEntry): { value: Value; dims: number[] } {
  const declared = tfAttr.shape(node, 'shape');
  if (node.attr?.['dtype']?.type !== 'DT_FLOAT') throw new TfjsConversionError(`input "${node.name}" is ${node.attr?.['dtype']?.type}, not float32`);
  if (declared?.length !== 4) throw new TfjsConversionError(`input "${node.name}" must be a 4-D NHWC image, its shape is [${declared?.join(', ') ?? 'unknown'}]`);
  const [batch, height, width, channels] = declared as [number, number, number, number];
  const expected = [entry.input.heightPx, entry.input.widthPx];
  if (![1, -1].includes(batch) || channels <= 0 || [height, width].some((dim, i) => dim !== -1 && dim !== expected[i])) {
    throw new TfjsConversionError(
      `input "${node.name}" has shape [${declared.join(', ')}], the manifest says ${entry.input.widthPx}×${entry.input.heightPx} (width × height)`,
    );
  }
  const shape = [1, entry.input.heightPx, entry.input.widthPx, channels];
  const nchw = entry.input.layout === 'NCHW';
  return { value: { kind: 'tensor', name: entry.input.name, shape, nchw }, dims: nchw ? permuteShape(shape, TO_NCHW) : shape };
}

function missingOutputMessage(name: string, json: TfjsGraphModelJson): string {
  const signatureOutput = json.signature?.outputs?.[name]?.name;
  const hint = signatureOutput ? ` ("${name}" is a signature output key; its node is "${signatureOutput.replace(/:0$/, '')}")` : '';
  return `source.outputNodes names "${name}", which is not a node of the graph${hint}`;
}
