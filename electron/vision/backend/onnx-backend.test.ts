import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { attr, OnnxGraphBuilder } from '../../../models/convert/onnx/onnx-graph.js';
import type { RgbImage } from '../frame/rgb-image.js';
import type { ModelEntry, ResolvedModel } from '../models/manifest.js';
import { normaliseInto, OnnxBackend } from './onnx-backend.js';

type InputSpec = ModelEntry['input'];

function entryWith(input: Partial<InputSpec>, outputs: ModelEntry['outputs'] = [{ name: 'output', shape: [1, 12] }]): ModelEntry {
  return {
    role: 'liveness',
    description: 'test model',
    source: { package: 'none', version: '0', file: 'none', format: 'tfjs-graph', licence: 'MIT', upstream: 'tests' },
    onnx: { file: 'test.onnx', sha256: '0'.repeat(64) },
    input: { name: 'input', widthPx: 2, heightPx: 2, layout: 'NCHW', colorOrder: 'RGB', mean: [0, 0, 0], std: [1, 1, 1], ...input },
    outputs,
    decoding: { kind: 'liveness', realIndex: 0, cropScale: 1 },
  };
}

/** A 2×2 image whose pixel i is (10 + i, 100 + i, 200 + i) + shift: every channel and position tells apart. */
function image2x2(shift = 0): RgbImage {
  const data = new Uint8Array(12);
  for (let i = 0; i < 4; i++) {
    data[i * 3] = 10 + i + shift;
    data[i * 3 + 1] = 100 + i + shift;
    data[i * 3 + 2] = 200 + i + shift;
  }
  return { widthPx: 2, heightPx: 2, data };
}

/** The expected model input, written out plainly: model channel c reads source channel order[c]. */
function expectedInput(image: RgbImage, input: InputSpec): number[] {
  const order = input.colorOrder === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  const pixels = image.widthPx * image.heightPx;
  const value = (pixel: number, c: number): number => ((image.data[pixel * 3 + order[c]!] ?? Number.NaN) - input.mean[c]!) / input.std[c]!;
  const out: number[] = [];
  if (input.layout === 'NCHW') {
    for (let c = 0; c < 3; c++) for (let p = 0; p < pixels; p++) out.push(value(p, c));
  } else {
    for (let p = 0; p < pixels; p++) for (let c = 0; c < 3; c++) out.push(value(p, c));
  }
  return out;
}

function assertClose(actual: ArrayLike<number>, expected: readonly number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    assert.ok(Math.abs(a - e) <= 1e-5 * Math.max(1, Math.abs(e)), `${what}[${i}]: expected ${e}, got ${a}`);
  }
}

describe('normaliseInto', () => {
  it('writes planes for NCHW: all of R, then all of G, then all of B', () => {
    const target = new Float32Array(12);
    normaliseInto(target, image2x2(), entryWith({ layout: 'NCHW' }));
    assert.deepEqual([...target], [10, 11, 12, 13, 100, 101, 102, 103, 200, 201, 202, 203]);
  });

  it('interleaves channels for NHWC', () => {
    const target = new Float32Array(12);
    normaliseInto(target, image2x2(), entryWith({ layout: 'NHWC' }));
    assert.deepEqual([...target], [10, 100, 200, 11, 101, 201, 12, 102, 202, 13, 103, 203]);
  });

  it('swaps red and blue for a BGR model, in both layouts', () => {
    const nchw = new Float32Array(12);
    normaliseInto(nchw, image2x2(), entryWith({ layout: 'NCHW', colorOrder: 'BGR' }));
    assert.deepEqual([...nchw], [200, 201, 202, 203, 100, 101, 102, 103, 10, 11, 12, 13]);
    const nhwc = new Float32Array(12);
    normaliseInto(nhwc, image2x2(), entryWith({ layout: 'NHWC', colorOrder: 'BGR' }));
    assert.deepEqual([...nhwc], [200, 100, 10, 201, 101, 11, 202, 102, 12, 203, 103, 13]);
  });

  it('applies mean and std per model channel, i.e. in the model’s colour order', () => {
    const input: Partial<InputSpec> = { colorOrder: 'BGR', mean: [200, 100, 10], std: [2, 4, 8] };
    const target = new Float32Array(12);
    normaliseInto(target, image2x2(), entryWith(input));
    // Model channel 0 is blue: (200 + i − 200) / 2; channel 1 green: (100 + i − 100) / 4; channel 2 red: (10 + i − 10) / 8.
    assert.deepEqual([...target], [0, 0.5, 1, 1.5, 0, 0.25, 0.5, 0.75, 0, 0.125, 0.25, 0.375]);
  });

  it('throws when the image is not the model’s input size', () => {
    const image: RgbImage = { widthPx: 3, heightPx: 2, data: new Uint8Array(18) };
    assert.throws(() => normaliseInto(new Float32Array(18), image, entryWith({})), /input image is 3×2 px, the model takes 2×2/);
  });
});

/** A model that flattens its 2×2×3 input into a [1, 12] output: what comes out is what the backend put in. */
function flattenModel(inputDims: readonly number[]): Uint8Array {
  const graph = new OnnxGraphBuilder('flatten');
  const input = graph.input('input', inputDims);
  const flat = graph.op('Flatten', [input], { axis: attr.int(1) });
  graph.node('Identity', [flat], {}, ['output']);
  graph.output('output', [1, 12]);
  return graph.toModelBytes({ producerName: 'lintel-tests', producerVersion: '0' });
}

describe('OnnxBackend', () => {
  let dir = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lintel-onnx-backend-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function writeModel(name: string, bytes: Uint8Array, entry: ModelEntry): Promise<ResolvedModel> {
    const onnxPath = join(dir, `${name}.onnx`);
    await writeFile(onnxPath, bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return { id: name, entry: { ...entry, onnx: { file: `${name}.onnx`, sha256 } }, onnxPath };
  }

  it('runs an NCHW model on normalised pixels, and each run sees its own image', async () => {
    const entry = entryWith({ layout: 'NCHW', mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] });
    const model = await writeModel('flatten-nchw', flattenModel([1, 3, 2, 2]), entry);
    const session = await new OnnxBackend().load(model);
    try {
      assert.equal(session.modelId, 'flatten-nchw');
      assert.equal(session.backend, 'onnx-cpu');
      const first = await session.run(image2x2());
      assert.equal(first.length, 1);
      assert.equal(first[0]?.name, 'output');
      assert.deepEqual(first[0]?.shape, [1, 12]);
      assertClose(first[0]?.data ?? [], expectedInput(image2x2(), entry.input), 'first run');
      const firstValues = [...(first[0]?.data ?? [])];
      // The backend reuses one input buffer: a second run must not see (or alter) the first image.
      const second = await session.run(image2x2(40));
      assertClose(second[0]?.data ?? [], expectedInput(image2x2(40), entry.input), 'second run');
      assert.deepEqual([...(first[0]?.data ?? [])], firstValues);
    } finally {
      await session.close();
    }
  });

  it('runs an NHWC BGR model with the tensor laid out as the manifest says', async () => {
    const entry = entryWith({ layout: 'NHWC', colorOrder: 'BGR', mean: [0, 50, 100], std: [1, 2, 4] });
    const model = await writeModel('flatten-nhwc', flattenModel([1, 2, 2, 3]), entry);
    const session = await new OnnxBackend({ intraOpThreads: 1 }).load(model);
    try {
      const [output] = await session.run(image2x2());
      assertClose(output?.data ?? [], expectedInput(image2x2(), entry.input), 'NHWC BGR output');
    } finally {
      await session.close();
    }
  });

  it('names an output the manifest lists but the model does not produce', async () => {
    const entry = entryWith({}, [{ name: 'logits', shape: [1, 12] }]);
    const model = await writeModel('flatten-misnamed', flattenModel([1, 3, 2, 2]), entry);
    const session = await new OnnxBackend().load(model);
    try {
      await assert.rejects(session.run(image2x2()), /model flatten-misnamed: output logits missing from the run/);
    } finally {
      await session.close();
    }
  });

  it('refuses to load a file that is not the one the manifest describes', async () => {
    const model = await writeModel('flatten-stale', flattenModel([1, 3, 2, 2]), entryWith({}));
    const stale: ResolvedModel = { ...model, entry: { ...model.entry, onnx: { ...model.entry.onnx, sha256: 'f'.repeat(64) } } };
    await assert.rejects(new OnnxBackend().load(stale), { name: 'ModelFileError' });
  });
});
