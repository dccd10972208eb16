import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { loadManifest, npmSource, type ModelEntry } from '../../../electron/vision/models/manifest.js';
import { convertTfjsGraph, type PreluForm } from '../tfjs-graph-to-onnx.js';
import { convertTflite } from '../tflite-to-onnx.js';
import { OnnxDataType } from './onnx-graph.js';
import { readOnnxModel, type OnnxModelData, type OnnxNodeData } from './onnx-reader.js';
import { withPreluNodes } from './prelu-nodes.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

const node = (opType: string, inputs: string[], output: string): OnnxNodeData => ({ opType, name: output, inputs, outputs: [output], attributes: {} });

/** x → relu(x) + s · relu(m · x) → y, with `extraOutput` also reading an intermediate value when given. */
function reluForm(minusOne: number[], extraOutput?: string): OnnxModelData {
  const dims = [1, 2, 1, 1];
  return {
    irVersion: 8,
    producerName: 'test',
    producerVersion: '1',
    docString: '',
    opset: 13,
    metadata: {},
    graph: {
      name: 'prelu',
      nodes: [node('Relu', ['x'], 'positive'), node('Mul', ['x', 'm'], 'negated'), node('Relu', ['negated'], 'negative'), node('Mul', ['negative', 's'], 'scaled'), node('Add', ['positive', 'scaled'], 'y')],
      initializers: [
        { name: 'm', dims: [2, 1, 1], data: Float32Array.from(minusOne) },
        { name: 's', dims: [2, 1, 1], data: Float32Array.of(-0.25, 1.5) },
      ],
      inputs: [{ name: 'x', elemType: OnnxDataType.FLOAT, dims }],
      outputs: [{ name: 'y', elemType: OnnxDataType.FLOAT, dims }, ...(extraOutput ? [{ name: extraOutput, elemType: OnnxDataType.FLOAT, dims }] : [])],
    },
  };
}

describe('withPreluNodes', () => {
  test('relu(x) + s · relu(−x) becomes PRelu(x, −s) named as the Add; anything else stays', () => {
    const fused = withPreluNodes(reluForm([-1, -1]));
    assert.deepEqual(
      fused.graph.nodes.map((node) => [node.opType, node.inputs, node.outputs]),
      [['PRelu', ['x', 'y_slope'], ['y']]],
    );
    assert.deepEqual(fused.graph.initializers, [{ name: 'y_slope', dims: [2, 1, 1], data: Float32Array.of(0.25, -1.5) }]);

    const notMinusOne = reluForm([-1, -2]);
    assert.equal(withPreluNodes(notMinusOne), notMinusOne, 'a scale other than −1 is not a negation');
    const readElsewhere = reluForm([-1, -1], 'negative');
    assert.equal(withPreluNodes(readElsewhere), readElsewhere, 'an intermediate value read elsewhere keeps its nodes');
  });

  test('a Clip without bounds (an identity) is dropped, its readers reading its input; a bounded Clip stays', () => {
    const model = reluForm([-1, -1]);
    const dims = [1, 2, 1, 1];
    const withClips: OnnxModelData = {
      ...model,
      graph: {
        ...model.graph,
        nodes: [node('Clip', ['x'], 'x/apart'), node('Add', ['x/apart', 'y'], 'sum'), node('Clip', ['sum', 'lo'], 'bounded'), ...model.graph.nodes],
        initializers: [...model.graph.initializers, { name: 'lo', dims: [], data: Float32Array.of(0) }],
        outputs: [{ name: 'bounded', elemType: OnnxDataType.FLOAT, dims }],
      },
    };
    assert.deepEqual(
      withPreluNodes(withClips).graph.nodes.map((n) => [n.opType, n.inputs, n.outputs]),
      [
        ['Add', ['x', 'y'], ['sum']],
        ['Clip', ['sum', 'lo'], ['bounded']],
        ['PRelu', ['x', 'y_slope'], ['y']],
      ],
    );
  });

  for (const [id, format] of [['mobilefacenet-192', 'tflite'], ['facemesh-468', 'tfjs-graph']] as const) {
    test(`${id}: the Relu form becomes the converter's PRelu form: same nodes, same slopes`, async (t) => {
      const loaded = await loadManifest(join(repoRoot, 'models/manifest.json'));
      const found = loaded.manifest.models[id];
      assert.ok(found?.source.format === format, `the manifest has ${id} from ${format}`);
      const entry: ModelEntry = found;
      const { package: packageName, file } = npmSource(entry);
      const source = join(repoRoot, 'node_modules', packageName, file);
      if (!existsSync(source)) {
        t.skip(`${source} is absent (npm ci installs ${packageName})`);
        return;
      }
      const convert = (prelu: PreluForm): Promise<Uint8Array> =>
        format === 'tflite' ? convertTflite(source, entry, { prelu }) : convertTfjsGraph(source, entry, { prelu });
      const fused = withPreluNodes(readOnnxModel(await convert('relu')));
      const prelu = readOnnxModel(await convert('prelu'));
      assert.ok(prelu.graph.nodes.some((n) => n.opType === 'PRelu'), 'the model has PReLUs');
      const shape = (model: OnnxModelData): unknown[] => model.graph.nodes.map((n) => [n.opType, n.inputs, n.outputs, n.attributes]);
      assert.deepEqual(shape(fused), shape(prelu));
      const byName = (model: OnnxModelData): Map<string, unknown> => new Map(model.graph.initializers.map((tensor) => [tensor.name, tensor]));
      assert.deepEqual(byName(fused), byName(prelu));
    });
  }
});
