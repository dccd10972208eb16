// The reader lives in models/convert/onnx/, but scripts/run-tests.ts skips every folder named `onnx` (meant
// for models/onnx/), so its test lives here, beside the reader's main user.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { packageRoot } from '../../electron/vision/models/paths.js';
import { OnnxDataType, OnnxGraphBuilder, attr } from '../convert/onnx/onnx-graph.js';
import { OnnxReadError, readOnnxModel, writeOnnxModel } from '../convert/onnx/onnx-reader.js';

const ONNX_DIR = join(packageRoot(), 'models', 'onnx');
const present = existsSync(ONNX_DIR) ? readdirSync(ONNX_DIR).filter((file) => file.endsWith('.onnx')) : [];
// Files a package ships as ONNX are used as they are: another exporter wrote them (field order, doc strings), so
// they are read, not expected to round-trip byte for byte.
const shippedAsOnnx = new Set(
  Object.values((JSON.parse(readFileSync(join(packageRoot(), 'models', 'manifest.json'), 'utf8')) as { models: Record<string, { source: { format: string }; onnx: { file: string } }> }).models)
    .filter((model) => model.source.format === 'onnx')
    .map((model) => model.onnx.file),
);
const converted = present.filter((file) => !shippedAsOnnx.has(file));

describe('onnx-reader', () => {
  it('reads back every attribute kind, tensor type, metadata and node name the writer emits, byte for byte', () => {
    const g = new OnnxGraphBuilder('everything');
    const x = g.input('x', [1, 2, 3]);
    const w = g.constant('w', [2, 2], Float32Array.of(1.5, -2, 0.25, 3e-8));
    g.constant('i32', [2], Int32Array.of(-7, 2 ** 31 - 1));
    g.constant('i8', [3], Int8Array.of(-128, 0, 127));
    g.constant('u8', [2], Uint8Array.of(0, 255));
    const shape = g.int64s('shape', [-1, 3]);
    const r = g.op('Reshape', [x, shape]);
    const y = g.op('MatMul', [r, w], {});
    g.node('Custom', [y], {
      negative: attr.int(-5),
      big: attr.int(2 ** 40),
      f: attr.float(0.1),
      fs: attr.floats([1, -0.5, 1e-9]),
      is: attr.ints([-1, 0, 7]),
      s: attr.string('naïve ✓'),
      t: attr.tensor({ name: 'value', dims: [], data: Float32Array.of(42) }),
      empty: attr.ints([]),
    }, ['out'], 'my node');
    g.output('out', [3, 2]);
    const bytes = g.toModelBytes({ producerName: 'test', producerVersion: '1', docString: 'doc', opset: 17, metadata: { a: '1', b: 'two' } });

    const model = readOnnxModel(bytes);
    assert.equal(model.opset, 17);
    assert.equal(model.irVersion, 8);
    assert.deepEqual(model.metadata, { a: '1', b: 'two' });
    assert.equal(model.docString, 'doc');
    assert.deepEqual(model.graph.inputs, [{ name: 'x', elemType: OnnxDataType.FLOAT, dims: [1, 2, 3] }]);
    const custom = model.graph.nodes.find((node) => node.opType === 'Custom');
    assert.equal(custom?.name, 'my node');
    assert.deepEqual(custom?.attributes.negative, { kind: 'int', value: -5 });
    assert.deepEqual(custom?.attributes.big, { kind: 'int', value: 2 ** 40 });
    assert.deepEqual(custom?.attributes.s, { kind: 'string', value: 'naïve ✓' });
    assert.equal(custom?.attributes.f?.kind === 'float' && custom.attributes.f.value, Math.fround(0.1));
    const tensors = new Map(model.graph.initializers.map((t) => [t.name, t]));
    assert.deepEqual(tensors.get('shape')?.data, BigInt64Array.of(-1n, 3n));
    assert.deepEqual(tensors.get('i8')?.data, Int8Array.of(-128, 0, 127));
    assert.ok(tensors.get('u8')?.data instanceof Uint8Array);
    assert.deepEqual(tensors.get('i32')?.data, Int32Array.of(-7, 2 ** 31 - 1));

    assert.deepEqual(writeOnnxModel(model), bytes);
  });

  it('refuses bytes that are not a model, naming the problem', () => {
    assert.throws(() => readOnnxModel(Uint8Array.of(0x08, 0x08)), (error: unknown) => error instanceof OnnxReadError && /no graph/.test(error.message));
    assert.throws(() => readOnnxModel(Uint8Array.of(0x3a, 0x10, 0x01)), OnnxReadError);
    assert.throws(() => readOnnxModel(new TextEncoder().encode('not an onnx file at all')), OnnxReadError);
  });

  describe('round trip of the converted models (read → OnnxGraphBuilder → same bytes)', { skip: converted.length === 0 ? 'models/onnx/ is empty: run `npm run models`' : false }, () => {
    for (const file of converted) {
      it(file, async () => {
        const bytes = await readFile(join(ONNX_DIR, file));
        const written = writeOnnxModel(readOnnxModel(bytes));
        assert.equal(written.length, bytes.length);
        assert.ok(Buffer.from(written).equals(bytes), `${file}: rewritten bytes differ`);
      });
    }
  });

  it('reads a model another exporter wrote, doc strings and all (faceplugin-512 as its package ships it)', { skip: present.includes('faceplugin-512.onnx') ? false : 'models/onnx/faceplugin-512.onnx is missing: run `npm run models`' }, async () => {
    const model = readOnnxModel(await readFile(join(ONNX_DIR, 'faceplugin-512.onnx')));
    const ops = new Map<string, number>();
    for (const node of model.graph.nodes) ops.set(node.opType, (ops.get(node.opType) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(ops), { Conv: 50, PRelu: 33, Add: 12, Reshape: 1 });
    assert.deepEqual(model.graph.inputs.map((input) => [input.name, input.dims]), [['input', [1, 3, 112, 112]]]);
  });
});
