import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { OnnxGraphBuilder, attr } from '../../../models/convert/onnx/onnx-graph.js';
import { RknnRuntime } from '../../../native-bridge/rknn/rknn-runtime.js';
import { buildStandIn } from '../../../native-bridge/rknn/test/build-stand-in.js';
import { encodeStandInModel, expectedOutputs, makeInput, makeStandInModel, type StandInModel } from '../../../native-bridge/rknn/test/stand-in-model.js';
import type { FivePoints } from '../align/align-face.js';
import { FaceExtractor } from '../extractor/face-extractor.js';
import { decodeImageFile } from '../frame/decode.js';
import { cosineSimilarity } from '../matcher/similarity.js';
import { loadManifest, type ModelEntry, type ResolvedModel } from '../models/manifest.js';
import { defaultManifestPath, packageRoot } from '../models/paths.js';
import { FacePipeline, toPx } from '../pipeline/face-pipeline.js';
import { OnnxBackend } from './onnx-backend.js';
import { npuBuildFor, parseNpuPrecision, RknnBackend } from './rknn-backend.js';
import { SelectingBackend } from './select-backend.js';

/** A tiny "extractor": 32×32 aligned crop → 64 values, the same linear map on the NPU stand-in and in ONNX. */
const CROP_PX = 32;
const DIMENSION = 64;
const DLIB_POINTS = [
  [0.2254918, 0.2159903],
  [0.7547613, 0.2159903],
  [0.490127, 0.515625],
  [0.254149, 0.780233],
  [0.726104, 0.780233],
] as const;

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * The ONNX twin of a stand-in model's first output, before quantisation: NCHW float input (pixels, mean 0,
 * std 1) → NHWC order → accScale · (W · x + bias).
 */
function onnxTwin(model: StandInModel): Uint8Array {
  const [output] = model.outputs;
  if (!output) throw new Error('no output');
  const inputs = model.heightPx * model.widthPx * model.channels;
  const count = output.bias.length;
  const g = new OnnxGraphBuilder('stand-in-twin');
  const x = g.input('input', [1, model.channels, model.heightPx, model.widthPx]);
  const nhwc = g.op('Transpose', [x], { perm: attr.ints([0, 2, 3, 1]) });
  const flat = g.op('Reshape', [nhwc, g.int64s('shape', [1, inputs])]);
  const weights = new Float32Array(inputs * count);
  for (let k = 0; k < count; k++) for (let i = 0; i < inputs; i++) weights[i * count + k] = (output.weights[k * inputs + i] as number) * model.accScale;
  const bias = Float32Array.from(output.bias, (b) => b * model.accScale);
  g.node('Gemm', [flat, g.constant('w', [inputs, count], weights), g.constant('b', [count], bias)], {}, ['embedding']);
  g.output('embedding', [1, count]);
  return g.toModelBytes({ producerName: 'lintel-test', producerVersion: '1' });
}

describe('NPU precision per model', () => {
  const build = (precision: 'int8' | 'fp16', targetPlatform = 'rk3568') =>
    ({ engine: 'rknn', precision, file: `m.${targetPlatform}.${precision}.rknn`, sha256: '0'.repeat(64), toolkitVersion: '2.3.2', targetPlatform, floatLayers: [] }) as const;
  const model = (id: string, validatedInt8: boolean, precisions: ReadonlyArray<'int8' | 'fp16'>): ResolvedModel =>
    ({
      id,
      onnxPath: `/models/${id}.onnx`,
      entry: {
        variants: precisions.map((precision) => build(precision)),
        ...(validatedInt8 ? { quantization: { int8: { floatLayers: [], calibration: 'test' } } } : {}),
      },
    }) as unknown as ResolvedModel;

  it('reads plans as integrators write them, and refuses anything else by what it takes', () => {
    assert.deepEqual(parseNpuPrecision('auto'), { default: 'auto' });
    assert.deepEqual(parseNpuPrecision('fp16'), { default: 'fp16' });
    assert.deepEqual(parseNpuPrecision('int8,edgeface-xs-512=fp16, minifasnet-v2=int8'), {
      default: 'int8',
      byModel: { 'edgeface-xs-512': 'fp16', 'minifasnet-v2': 'int8' },
    });
    for (const bad of ['int4', '', 'edgeface-xs-512=fp16,int8', 'auto,edgeface-xs-512=int4', 'auto,a=fp16,a=int8']) {
      assert.throws(() => parseNpuPrecision(bad), /precision is auto, int8 or fp16/, bad);
    }
  });

  it('runs INT8 only where the manifest validated it, by default, and the FP16 build otherwise', () => {
    const auto = parseNpuPrecision('auto');
    assert.equal(npuBuildFor(auto, model('detector', true, ['fp16', 'int8']))?.precision, 'int8');
    assert.equal(npuBuildFor(auto, model('liveness', false, ['fp16', 'int8']))?.precision, 'fp16');
    // Only an FP16 build made: a validated model still runs on the NPU, in FP16.
    assert.equal(npuBuildFor(auto, model('detector', true, ['fp16']))?.precision, 'fp16');
    // Only an INT8 build of a model nobody validated in INT8: not run on the NPU at all.
    assert.equal(npuBuildFor(auto, model('liveness', false, ['int8'])), undefined);
    assert.equal(npuBuildFor(auto, model('detector', true, ['int8']), 'rk3588'), undefined);
  });

  it('runs exactly the build asked for, per model or for every model', () => {
    const plan = parseNpuPrecision('int8,edgeface-xs-512=fp16');
    assert.equal(npuBuildFor(plan, model('edgeface-xs-512', true, ['fp16', 'int8']))?.precision, 'fp16');
    assert.equal(npuBuildFor(plan, model('liveness', false, ['fp16', 'int8']))?.precision, 'int8');
    assert.equal(npuBuildFor(plan, model('edgeface-xs-512', true, ['int8'])), undefined);
    assert.equal(npuBuildFor(parseNpuPrecision('fp16'), model('detector', true, ['int8'])), undefined);
  });
});

describe('RknnBackend on the stand-in runtime', () => {
  let dir: string;
  let runtime: RknnRuntime | undefined;
  let skip = '';
  let standIn: StandInModel;
  let resolved: ResolvedModel;

  before(async () => {
    const build = await buildStandIn();
    if (!build.ok) {
      skip = build.skip;
      return;
    }
    runtime = await RknnRuntime.open({ libraryPath: build.libraryPath });
    dir = await mkdtemp(join(tmpdir(), 'lintel-rknn-backend-'));
    // Weights spread like a real layer's; with an output scale of 1 the embedding (within about ±120) is not clipped.
    const weights = Int8Array.from({ length: DIMENSION * CROP_PX * CROP_PX * 3 }, (_, i) => (((i * 2654435761) >>> 24) % 41) - 20);
    standIn = makeStandInModel({
      heightPx: CROP_PX,
      widthPx: CROP_PX,
      outputs: [{ name: 'embedding', dims: [1, DIMENSION], zeroPoint: 3, scale: Math.fround(1.0), bias: new Int32Array(DIMENSION).fill(-1200), weights }],
    });
    const rknnBytes = encodeStandInModel(standIn);
    const onnxBytes = onnxTwin(standIn);
    await writeFile(join(dir, 'tiny.onnx'), onnxBytes);
    await writeFile(join(dir, 'tiny.rk3568.int8.rknn'), rknnBytes);
    const entry: ModelEntry = {
      role: 'extractor',
      description: 'stand-in extractor',
      source: { package: 'none', version: '0', file: 'none', format: 'tfjs-graph', licence: 'MIT', upstream: 'test' },
      onnx: { file: 'tiny.onnx', sha256: sha256(onnxBytes) },
      input: { name: 'input', widthPx: CROP_PX, heightPx: CROP_PX, layout: 'NCHW', colorOrder: 'RGB', mean: [0, 0, 0], std: [1, 1, 1] },
      outputs: [{ name: 'embedding', shape: [1, DIMENSION] }],
      decoding: { kind: 'embedding', size: DIMENSION, metric: 'cosine' },
      alignment: {
        sizePx: CROP_PX,
        fivePointsPx: DLIB_POINTS.map(([x, y]) => [((0.25 + x) / 1.5) * CROP_PX, ((0.25 + y) / 1.5) * CROP_PX]) as unknown as NonNullable<ModelEntry['alignment']>['fivePointsPx'],
        origin: 'dlib mean face, 25 % padding',
      },
      thresholds: { verifySimilarity: 0.9, identifySimilarity: 0.95, origin: 'test' },
      // Validated in INT8 (as `lintel eval lfw --quant int8` records it), so the default plan runs its INT8 build.
      quantization: { int8: { floatLayers: [], calibration: 'test' } },
      variants: [
        { engine: 'rknn', precision: 'int8', file: 'tiny.rk3568.int8.rknn', sha256: sha256(rknnBytes), toolkitVersion: '2.3.2', targetPlatform: 'rk3568', floatLayers: [] },
      ],
    };
    resolved = { id: 'tiny', entry, onnxPath: join(dir, 'tiny.onnx') };
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs the NPU build on NHWC uint8 pixels and returns the dequantised outputs, either way of dequantising', async (t) => {
    if (!runtime) return t.skip(skip);
    const image = { widthPx: CROP_PX, heightPx: CROP_PX, data: makeInput(standIn) };
    const expected = expectedOutputs(standIn, image.data).dequantised[0];
    for (const dequantize of ['runtime', 'lintel'] as const) {
      const session = await new RknnBackend({ runtime, dequantize }).load(resolved);
      const [output] = await session.run(image);
      await session.close();
      assert.equal(output?.name, 'embedding');
      assert.deepEqual(output?.quantization, { zeroPoint: 3, scale: Math.fround(1.0) });
      assert.deepEqual(Array.from(output?.data ?? []), Array.from(expected ?? []), dequantize);
    }
  });

  it('refuses an image of the wrong size, and a model without a build', async (t) => {
    if (!runtime) return t.skip(skip);
    const session = await new RknnBackend({ runtime }).load(resolved);
    await assert.rejects(session.run({ widthPx: 8, heightPx: 8, data: new Uint8Array(192) }), /8×8 px, the model takes 32×32/);
    await session.close();
    await assert.rejects(new RknnBackend({ runtime, precision: { default: 'fp16' } }).load(resolved), /no fp16 build for rk3568/);
  });

  it('chooses the NPU where a build loads, the CPU otherwise, and says why', async (t) => {
    if (!runtime) return t.skip(skip);
    const npu = new RknnBackend({ runtime });
    const cpu = new OnnxBackend();
    const withBuild = new SelectingBackend({ cpu, npu });
    await (await withBuild.load(resolved)).close();
    assert.deepEqual(withBuild.choices, [{ modelId: 'tiny', engine: 'rknn-npu' }]);

    const withoutBuild = new SelectingBackend({ cpu, npu });
    await (await withoutBuild.load({ ...resolved, entry: { ...resolved.entry, variants: [] } })).close();
    assert.deepEqual(withoutBuild.choices, [{ modelId: 'tiny', engine: 'onnx-cpu', reason: 'no NPU build of this model in the manifest' }]);

    const [variant] = resolved.entry.variants ?? [];
    const tampered = { ...resolved, entry: { ...resolved.entry, variants: [{ ...variant!, sha256: '0'.repeat(64) }] } };
    const fallback = new SelectingBackend({ cpu, npu });
    await (await fallback.load(tampered)).close();
    assert.equal(fallback.choices[0]?.engine, 'onnx-cpu');
    assert.match(fallback.choices[0]?.reason ?? '', /NPU build did not load: .*damaged or was replaced/);

    const noNpu = new SelectingBackend({ cpu, npuUnavailableReason: 'librknnrt.so missing' });
    await (await noNpu.load(resolved)).close();
    assert.equal(noNpu.choices[0]?.reason, 'NPU unavailable: librknnrt.so missing');
  });

  it('gives NPU and CPU templates that agree on the same aligned faces (pre-processing is the same)', async (t) => {
    if (!runtime) return t.skip(skip);
    if (!existsSync(join(packageRoot(), 'models/onnx/blazeface-256.onnx'))) return t.skip('converted models absent: run npm run models');
    const pipeline = await FacePipeline.create({ manifest: await loadManifest(defaultManifestPath()), backend: new OnnxBackend() });
    const onNpu = await FaceExtractor.create({ model: resolved, backend: new RknnBackend({ runtime }), mirrorAverage: false });
    const onCpu = await FaceExtractor.create({ model: resolved, backend: new OnnxBackend(), mirrorAverage: false });
    const cosines: number[] = [];
    try {
      for (let i = 1; i <= 6; i++) {
        const image = await decodeImageFile(join(packageRoot(), `node_modules/@vladmandic/face-api/demo/sample${i}.jpg`));
        for (const face of (await pipeline.analyse(image)).faces) {
          const points = face.fivePointsNorm.map((p) => toPx(p, image.widthPx, image.heightPx)) as unknown as FivePoints;
          const npu = await onNpu.extract(image, points);
          const cpu = await onCpu.extract(image, points);
          cosines.push(cosineSimilarity(npu.template.vector, cpu.template.vector));
        }
      }
    } finally {
      await Promise.all([pipeline.close(), onNpu.close(), onCpu.close()]);
    }
    const mean = cosines.reduce((sum, c) => sum + c, 0) / cosines.length;
    t.diagnostic(`NPU stand-in vs CPU on ${cosines.length} aligned faces: mean cosine ${mean.toFixed(6)}, min ${Math.min(...cosines).toFixed(6)}`);
    assert.equal(cosines.length, 22);
    // The only difference left is the stand-in's int8 output quantisation (step 1 on values of up to ±120).
    assert.ok(Math.min(...cosines) > 0.999, `min cosine ${Math.min(...cosines)}`);
  });
});
