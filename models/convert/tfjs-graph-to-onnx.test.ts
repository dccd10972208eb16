import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import * as ort from 'onnxruntime-node';
import sharp from 'sharp';

import { loadManifest, npmSource, type ModelEntry } from '../../electron/vision/models/manifest.js';
import { analyseGraph } from '../quantize/graph-analysis.js';
import { SyntheticGraph } from './golden/synthetic-graph.js';
import { loadTfjsGraphModel, runTfjs } from './golden/tfjs-reference.js';
import { readOnnxModel, type OnnxModelData } from './onnx/onnx-reader.js';
import { withPreluNodes } from './onnx/prelu-nodes.js';
import { convertTfjsGraph } from './tfjs-graph-to-onnx.js';
import { createSeededRandom } from '../../electron/vision/matcher/seeded-random.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAX_RELATIVE_ERROR = 1e-4;
/** A face in face-api's demo photo sample1.jpg (1920×1280), px: the left-hand woman, forehead to chin. */
const FACE_BOX = { left: 370, top: 330, width: 280, height: 280 };
const SAMPLE_PHOTO = join(repoRoot, 'node_modules/@vladmandic/face-api/demo/sample1.jpg');


/** Pixel noise, 0..255 per channel. */
function noisePixels(count: number, seed: number): Float32Array {
  const random = createSeededRandom(seed);
  return Float32Array.from({ length: count }, () => random() * 255);
}

/** A smooth colour gradient with mild noise: closer to an image than pure noise. */
function gradientPixels(width: number, height: number, seed: number): Float32Array {
  const random = createSeededRandom(seed);
  const out = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const wave = Math.sin((x / width) * Math.PI * (c + 1)) * Math.cos((y / height) * Math.PI * (3 - c));
        out[(y * width + x) * 3 + c] = Math.min(255, Math.max(0, 128 + 100 * wave + 20 * (random() - 0.5)));
      }
    }
  }
  return out;
}

/** Real pixels: the whole photo letterboxed (detectors) or the face box (everything else), resized. */
async function photoPixels(entry: ModelEntry): Promise<Float32Array> {
  const { widthPx: width, heightPx: height } = entry.input;
  let image = sharp(SAMPLE_PHOTO).removeAlpha();
  image =
    entry.role === 'detector'
      ? image.resize(width, height, { fit: 'contain', background: { r: 0, g: 0, b: 0 } })
      : image.extract(FACE_BOX).resize(width, height, { fit: 'fill' });
  const raw = await image.raw().toBuffer();
  return Float32Array.from(raw);
}

/** (pixel − mean) / std per channel, as the manifest prescribes; NHWC in, NHWC out. */
function normalise(pixels: Float32Array, entry: ModelEntry): Float32Array {
  const { mean, std } = entry.input;
  return pixels.map((value, i) => (value - (mean[i % 3] ?? 0)) / (std[i % 3] ?? 1));
}

function nhwcToNchw(nhwc: Float32Array, height: number, width: number, channels: number): Float32Array {
  const out = new Float32Array(nhwc.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) out[(c * height + y) * width + x] = nhwc[(y * width + x) * channels + c] ?? Number.NaN;
    }
  }
  return out;
}

/** max |a − b| over the output, relative to the reference's largest magnitude (at least 1e-3). */
function relativeError(actual: Float32Array, expected: Float32Array): number {
  assert.equal(actual.length, expected.length);
  let maxDifference = 0;
  let maxMagnitude = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] ?? Number.NaN;
    const b = expected[i] ?? Number.NaN;
    maxDifference = Math.max(maxDifference, Number.isNaN(a - b) ? Number.POSITIVE_INFINITY : Math.abs(a - b));
    maxMagnitude = Math.max(maxMagnitude, Math.abs(b));
  }
  return maxDifference / Math.max(maxMagnitude, 1e-3);
}

/** Session options as the terminal's CPU backend sets them (electron/vision/backend/onnx-backend.ts). */
const TERMINAL_SESSION: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', executionMode: 'sequential', intraOpNumThreads: 1, interOpNumThreads: 1 };

/** Runs the ONNX bytes on an NHWC input given as [1,H,W,C]; outputs by name. */
async function runOnnx(
  bytes: Uint8Array,
  inputName: string,
  nhwc: Float32Array,
  shape: readonly [number, number, number, number],
  outputNames: readonly string[],
  options: ort.InferenceSession.SessionOptions = {},
): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(bytes, options);
  try {
    const [, height, width, channels] = shape;
    const feeds = { [inputName]: new ort.Tensor('float32', nhwcToNchw(nhwc, height, width, channels), [1, channels, height, width]) };
    const results = await session.run(feeds);
    return outputNames.map((name) => {
      const tensor = results[name];
      assert.ok(tensor, `ONNX output ${name} missing`);
      return tensor.data as Float32Array;
    });
  } finally {
    await session.release();
  }
}

const loaded = await loadManifest(join(repoRoot, 'models/manifest.json'));
const graphModels = Object.entries(loaded.manifest.models).filter(([, entry]) => entry.source.format === 'tfjs-graph');

describe('convertTfjsGraph against the original models on tfjs-wasm', () => {
  for (const [id, entry] of graphModels) {
    test(`${id}: same outputs as TFJS, identical bytes on reconversion`, async (t) => {
      const modelPath = join(repoRoot, 'node_modules', npmSource(entry).package, npmSource(entry).file);
      const bytes = await convertTfjsGraph(modelPath, entry);
      const again = await convertTfjsGraph(modelPath, entry);
      assert.equal(Buffer.compare(Buffer.from(bytes), Buffer.from(again)), 0, 'two conversions differ');

      const { widthPx: width, heightPx: height } = entry.input;
      const shape = [1, height, width, 3] as const;
      const reference = await loadTfjsGraphModel(modelPath);
      const inputs: [string, Float32Array][] = [
        ['noise', noisePixels(width * height * 3, 1)],
        ['gradient', gradientPixels(width, height, 2)],
        ['photo', await photoPixels(entry)],
      ];
      const worst = new Map(entry.outputs.map((output) => [output.name, 0]));
      for (const [label, pixels] of inputs) {
        const nhwc = normalise(pixels, entry);
        const expected = await runTfjs(reference, nhwc, shape, npmSource(entry).outputNodes);
        const actual = await runOnnx(bytes, entry.input.name, nhwc, shape, entry.outputs.map((output) => output.name));
        entry.outputs.forEach((output, i) => {
          const error = relativeError(actual[i] ?? new Float32Array(), expected[i] ?? new Float32Array());
          worst.set(output.name, Math.max(worst.get(output.name) ?? 0, error));
          assert.ok(error <= MAX_RELATIVE_ERROR, `${id} ${output.name} on ${label}: relative error ${error.toExponential(2)}`);
        });
      }
      reference.dispose();
      const summary = [...worst].map(([name, error]) => `${name} ${error.toExponential(2)}`).join(', ');
      t.diagnostic(`${id}: ${(bytes.length / 1e6).toFixed(2)} MB; max relative error ${summary}`);
    });
  }
});

describe('convertTfjsGraph: PReLU without PRelu nodes', () => {
  const opTypes = (model: OnnxModelData): string[] => model.graph.nodes.map((node) => node.opType);
  for (const [id, entry] of graphModels) {
    test(`${id}: the same outputs to the bit as its PRelu form (a face, noise), as the terminal runs it; the NPU's graph is the PRelu form`, async (t) => {
      const modelPath = join(repoRoot, 'node_modules', npmSource(entry).package, npmSource(entry).file);
      const rewritten = await convertTfjsGraph(modelPath, entry);
      const withPrelu = await convertTfjsGraph(modelPath, entry, { prelu: 'prelu' });
      const preluCount = opTypes(readOnnxModel(withPrelu)).filter((op) => op === 'PRelu').length;
      if (preluCount === 0) {
        assert.equal(Buffer.compare(Buffer.from(rewritten), Buffer.from(withPrelu)), 0, 'without PReLUs both forms are the same bytes');
        t.diagnostic(`${id}: no PReLU`);
        return;
      }
      const graph = readOnnxModel(rewritten);
      assert.equal(opTypes(graph).filter((op) => op === 'PRelu').length, 0, 'no PRelu is left');

      // The INT8 simulation and the NPU build take the PRelu form back (withPreluNodes): node for node the
      // converter's PRelu form, and the manifest's FP16 layers name tensors of it.
      const npu = withPreluNodes(graph);
      const shape = (model: OnnxModelData): unknown[] => model.graph.nodes.map((node) => [node.opType, node.inputs, node.outputs, node.attributes]);
      assert.deepEqual(shape(npu), shape(readOnnxModel(withPrelu)));
      const byName = (model: OnnxModelData): Map<string, unknown> => new Map(model.graph.initializers.map((tensor) => [tensor.name, tensor]));
      assert.deepEqual(byName(npu), byName(readOnnxModel(withPrelu)));
      const tensors = new Set(analyseGraph(npu).layers.flatMap((layer) => layer.tensors));
      assert.deepEqual((entry.quantization?.int8.floatLayers ?? []).filter((name) => !tensors.has(name)), [], 'every FP16 layer names a tensor of the graph the NPU is built from');

      const { widthPx: width, heightPx: height } = entry.input;
      const inputShape = [1, height, width, 3] as const;
      const outputNames = entry.outputs.map((output) => output.name);
      for (const [label, pixels] of [['face', await photoPixels(entry)], ['noise', noisePixels(width * height * 3, 3)]] as const) {
        const nhwc = normalise(pixels, entry);
        const expected = await runOnnx(withPrelu, entry.input.name, nhwc, inputShape, outputNames, TERMINAL_SESSION);
        const actual = await runOnnx(rewritten, entry.input.name, nhwc, inputShape, outputNames, TERMINAL_SESSION);
        assert.ok(expected.some((output) => output.some((v) => v !== 0)), `${label}: real outputs`);
        assert.deepEqual(actual, expected, `${label}: the same outputs to the bit`);
        if (label === 'face' && entry.decoding.kind === 'facemesh') {
          const raw = actual[outputNames.indexOf(entry.decoding.presenceOutput)]?.[0] ?? 0;
          const presence = entry.decoding.presenceIsLogit ? 1 / (1 + Math.exp(-raw)) : raw;
          assert.ok(presence >= entry.decoding.minPresence, `the fitter finds the face (presence ${presence})`);
        }
      }
      t.diagnostic(`${id}: ${preluCount} PReLUs without PRelu nodes, outputs identical`);
    });
  }
});

/** A manifest entry for a synthetic graph; only input and outputs matter to the converter. */
function syntheticEntry(input: { width: number; height: number }, outputNodes: string[], outputs: { name: string; shape: number[] }[]): ModelEntry {
  return {
    role: 'liveness',
    description: 'synthetic test graph',
    source: { package: 'synthetic', version: '0', file: 'model.json', format: 'tfjs-graph', licence: 'MIT', upstream: 'test', outputNodes },
    onnx: { file: 'synthetic.onnx', sha256: '0'.repeat(64) },
    input: { name: 'input', widthPx: input.width, heightPx: input.height, layout: 'NCHW', colorOrder: 'RGB', mean: [0, 0, 0], std: [1, 1, 1] },
    outputs,
    decoding: { kind: 'liveness', realIndex: 0, cropScale: 1 },
  };
}

function randomFloats(count: number, seed: number, scale = 1): Float32Array {
  const random = createSeededRandom(seed);
  return Float32Array.from({ length: count }, () => (random() * 2 - 1) * scale);
}

describe('convertTfjsGraph on synthetic graphs', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lintel-tfjs-graph-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('ops the shipped models do not use match TFJS, layouts included', async (t) => {
    const { attr } = SyntheticGraph;
    const g = new SyntheticGraph();
    // Odd sizes, so SAME padding puts its extra pixel at the end.
    const [height, width] = [9, 11];
    const x = g.placeholder('x', [-1, height, width, 3]);
    const conv = g.node('conv', '_FusedConv2D', [x, g.constant('conv/w', [3, 3, 3, 8], randomFloats(216, 3)), g.constant('conv/b', [8], randomFloats(8, 4))], {
      strides: attr.ints([1, 2, 2, 1]),
      padding: attr.s('SAME'),
      data_format: attr.s('NHWC'),
      dilations: attr.ints([1, 1, 1, 1]),
      explicit_paddings: attr.ints([]),
      fused_ops: attr.strings(['BiasAdd', 'LeakyRelu']),
      leakyrelu_alpha: attr.f(0.1),
      num_args: attr.i(1),
      epsilon: attr.f(0),
    });
    const depthwise = g.node(
      'depthwise',
      'FusedDepthwiseConv2dNative',
      [conv, g.constant('depthwise/w', [3, 3, 8, 2], randomFloats(144, 5)), g.constant('depthwise/b', [16], randomFloats(16, 6))],
      {
        strides: attr.ints([1, 1, 1, 1]),
        padding: attr.s('SAME'),
        data_format: attr.s('NHWC'),
        dilations: attr.ints([1, 1, 1, 1]),
        explicit_paddings: attr.ints([]),
        // Not LeakyRelu here: tfjs-converter 4.22 drops leakyrelu_alpha on this op (its op list lacks it).
        fused_ops: attr.strings(['BiasAdd', 'Relu6']),
        num_args: attr.i(1),
      },
    );
    const pool = { ksize: attr.ints([1, 3, 3, 1]), strides: attr.ints([1, 2, 2, 1]), padding: attr.s('SAME'), data_format: attr.s('NHWC') };
    const avg = g.node('avg', 'AvgPool', [depthwise], pool);
    const max = g.node('max', 'MaxPool', [depthwise], pool);
    const concat = g.node('concat', 'ConcatV2', [avg, max, g.constant('concat/axis', [], Int32Array.of(-1))], { N: attr.i(2), Tidx: attr.int32 });
    const norm = g.node(
      'norm',
      'FusedBatchNormV3',
      [concat, ...['scale', 'offset', 'mean', 'variance'].map((what, i) => g.constant(`norm/${what}`, [32], randomFloats(32, 7 + i, 1).map((v) => (what === 'variance' ? 1 + v * 0.5 : v))))],
      { epsilon: attr.f(0.001), data_format: attr.s('NHWC'), is_training: attr.b(false), U: attr.float },
    );
    const resized = g.node('resized', 'ResizeBilinear', [norm, g.constant('resized/size', [2], Int32Array.of(6, 7))], {
      align_corners: attr.b(false),
      half_pixel_centers: attr.b(true),
    });
    const toSpace = g.node('to_space', 'DepthToSpace', [resized], { block_size: attr.i(2), data_format: attr.s('NHWC') });
    const softmax = g.node('softmax', 'Softmax', [toSpace]);
    const channelMean = g.node('channel_mean', 'Mean', [softmax, g.constant('channel_mean/axes', [2], Int32Array.of(1, 2))], { keep_dims: attr.b(true), Tidx: attr.int32 });
    const scaled = g.node('scaled', 'Mul', [toSpace, channelMean]);
    const shifted = g.node('shifted', 'Sub', [g.constant('one', [], Float32Array.of(1)), scaled]);
    const prelu = g.node('prelu', 'Prelu', [shifted, g.constant('prelu/alpha', [1, 1, 8], randomFloats(8, 12, 0.5))]);
    const nearest = g.node('nearest', 'ResizeNearestNeighbor', [prelu, g.constant('nearest/size', [2], Int32Array.of(17, 19))], {
      align_corners: attr.b(false),
      half_pixel_centers: attr.b(true),
    });
    const padded = g.node('padded', 'MirrorPad', [nearest, g.constant('padded/paddings', [4, 2], Int32Array.of(0, 0, 1, 2, 2, 1, 0, 0))], {
      mode: attr.s('REFLECT'),
      Tpaddings: attr.int32,
    });
    // Shape → StridedSlice → Pack folds to [1, -1]: a flatten that needs NHWC order.
    const shapeOf = g.node('shape', 'Shape', [padded], { out_type: attr.int32 });
    const batch = g.node(
      'batch',
      'StridedSlice',
      [shapeOf, g.constant('batch/begin', [1], Int32Array.of(0)), g.constant('batch/end', [1], Int32Array.of(1)), g.constant('batch/strides', [1], Int32Array.of(1))],
      { shrink_axis_mask: attr.i(1), begin_mask: attr.i(0), end_mask: attr.i(0), ellipsis_mask: attr.i(0), new_axis_mask: attr.i(0), Index: attr.int32, T: attr.int32 },
    );
    const flatShape = g.node('flat_shape', 'Pack', [batch, g.constant('minus_one', [], Int32Array.of(-1))], { axis: attr.i(0), N: attr.i(2), T: attr.int32 });
    const flat = g.node('flat', 'Reshape', [padded, flatShape], { Tshape: attr.int32 });
    const pooled = g.node('pooled', 'Mean', [padded, g.constant('pooled/axes', [2], Int32Array.of(1, 2))], { keep_dims: attr.b(false), Tidx: attr.int32 });
    const dense = g.node('dense', '_FusedMatMul', [pooled, g.constant('dense/w', [5, 8], randomFloats(40, 13)), g.constant('dense/b', [5], randomFloats(5, 14))], {
      transpose_a: attr.b(false),
      transpose_b: attr.b(true),
      fused_ops: attr.strings(['BiasAdd', 'Relu']),
      num_args: attr.i(1),
      epsilon: attr.f(0),
    });
    const transposed = g.node('transposed', 'Transpose', [padded, g.constant('transposed/perm', [4], Int32Array.of(0, 3, 2, 1))], { Tperm: attr.int32 });
    const rowSums = g.node('row_sums', 'Sum', [transposed, g.constant('row_sums/axes', [1], Int32Array.of(-1))], { keep_dims: attr.b(false), Tidx: attr.int32 });

    const paddedShape = [1, 20, 22, 8];
    const outputs = [
      { node: padded, name: 'padded', shape: paddedShape },
      { node: flat, name: 'flat', shape: [1, 20 * 22 * 8] },
      { node: dense, name: 'dense', shape: [1, 5] },
      { node: rowSums, name: 'row_sums', shape: [1, 8, 22] },
    ];
    const modelPath = await g.write(join(dir, 'ops'));
    const entry = syntheticEntry(
      { width, height },
      outputs.map((output) => output.node),
      outputs.map(({ name, shape }) => ({ name, shape })),
    );
    const bytes = await convertTfjsGraph(modelPath, entry);
    const reference = await loadTfjsGraphModel(modelPath);
    const nhwc = randomFloats(height * width * 3, 15, 2);
    const expected = await runTfjs(reference, nhwc, [1, height, width, 3], npmSource(entry).outputNodes);
    const actual = await runOnnx(bytes, 'input', nhwc, [1, height, width, 3], outputs.map((output) => output.name));
    reference.dispose();
    const errors = outputs.map((output, i) => {
      const error = relativeError(actual[i] ?? new Float32Array(), expected[i] ?? new Float32Array());
      assert.ok(error <= MAX_RELATIVE_ERROR, `${output.name}: relative error ${error.toExponential(2)}`);
      return `${output.name} ${error.toExponential(2)}`;
    });
    t.diagnostic(`synthetic: max relative error ${errors.join(', ')}`);
  });

  test('an unsupported op is reported with its name and node', async () => {
    const g = new SyntheticGraph();
    const x = g.placeholder('x', [1, 4, 4, 3]);
    g.node('mystery', 'FancyNewOp', [x]);
    const modelPath = await g.write(join(dir, 'unknown-op'));
    const entry = syntheticEntry({ width: 4, height: 4 }, ['mystery'], [{ name: 'y', shape: [1, 4, 4, 3] }]);
    await assert.rejects(convertTfjsGraph(modelPath, entry), /unsupported TF op "FancyNewOp" at node "mystery"/);
  });

  test('an output shape that disagrees with the manifest is an error naming both', async () => {
    const g = new SyntheticGraph();
    const x = g.placeholder('x', [1, 4, 4, 3]);
    g.node('y', 'Relu', [x]);
    const modelPath = await g.write(join(dir, 'bad-shape'));
    const entry = syntheticEntry({ width: 4, height: 4 }, ['y'], [{ name: 'y', shape: [1, 3, 4, 4] }]);
    await assert.rejects(convertTfjsGraph(modelPath, entry), /output "y" \(node y\) has shape \[1, 4, 4, 3\], the manifest says \[1, 3, 4, 4\]/);
  });

  test('an output node missing from the graph is an error naming it', async () => {
    const g = new SyntheticGraph();
    const x = g.placeholder('x', [1, 4, 4, 3]);
    g.node('y', 'Relu', [x]);
    const modelPath = await g.write(join(dir, 'no-node'));
    const entry = syntheticEntry({ width: 4, height: 4 }, ['activation_9'], [{ name: 'y', shape: [1, 4, 4, 3] }]);
    await assert.rejects(convertTfjsGraph(modelPath, entry), /"activation_9", which is not a node of the graph/);
  });
});
