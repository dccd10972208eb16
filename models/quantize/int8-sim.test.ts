// From photos to a running simulated-INT8 model: calib export → dataset.txt → calibration → cached QDQ model.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { OnnxBackend } from '../../electron/vision/backend/onnx-backend.js';
import { exportCalibrationSet, listPhotos } from '../../electron/vision/calib/calibration-export.js';
import { decodeImageFile } from '../../electron/vision/frame/decode.js';
import { letterbox } from '../../electron/vision/frame/resize.js';
import { loadManifest, resolveModel, type LoadedManifest } from '../../electron/vision/models/manifest.js';
import { defaultManifestPath, packageRoot } from '../../electron/vision/models/paths.js';
import { FacePipeline } from '../../electron/vision/pipeline/face-pipeline.js';
import { CalibrationSetError, loadCalibrationSet } from './calibration-set.js';
import { prepareInt8SimModel, SimulatedModelsBackend } from './int8-sim.js';

const ROOT = packageRoot();
const DEMO = join(ROOT, 'node_modules', '@vladmandic', 'face-api', 'demo');
const MODELS_PRESENT = existsSync(join(ROOT, 'models', 'onnx', 'blazeface-256.onnx'));

describe('calibration export and simulated INT8 models', { skip: MODELS_PRESENT ? false : 'models/onnx/ is empty: run `npm run models`' }, () => {
  let dir: string;
  let manifest: LoadedManifest;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lintel-int8-'));
    manifest = await loadManifest(defaultManifestPath());
    // face-api's extractor named: its 150×150 input is what the size check below refuses for a 112×112 model.
    const pipeline = await FacePipeline.create({ manifest, backend: new OnnxBackend(), extractorId: 'faceapi-resnet-128' });
    try {
      const photos = (await listPhotos(DEMO)).filter((file) => /sample[12]\.jpg$/.test(file));
      await exportCalibrationSet({ pipeline, manifest, photos, source: DEMO, outDir: join(dir, 'calib'), faceCount: 3 });
    } finally {
      await pipeline.close();
    }
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one dataset.txt per model, listing images at the model input size, and calibration.json', async () => {
    const info = JSON.parse(await readFile(join(dir, 'calib', 'calibration.json'), 'utf8')) as { faces: number; datasets: Record<string, { role: string; images: number }> };
    assert.equal(info.faces, 3);
    // Three faces: their ROI crops, their aligned crops and mirrors, and the frames they came from.
    assert.equal(info.datasets['facemesh-468']?.images, 3);
    assert.equal(info.datasets['faceapi-resnet-128']?.images, 6);
    assert.ok((info.datasets['blazeface-256']?.images ?? 0) >= 1);
    for (const [id, set] of Object.entries(info.datasets)) {
      const lines = (await readFile(join(dir, 'calib', id, 'dataset.txt'), 'utf8')).trimEnd().split('\n');
      assert.equal(lines.length, set.images);
      assert.match(lines[0] ?? '', /^\d{4}\.png$/, 'paths relative to the dataset file');
      const calibration = await loadCalibrationSet(join(dir, 'calib'), id, resolveModel(manifest, id).entry);
      assert.equal(calibration.images.length, set.images);
    }
    // The detector's input is the letterboxed frame: the same pixels the detector sees.
    const firstPhoto = join(DEMO, (JSON.parse(await readFile(join(dir, 'calib', 'calibration.json'), 'utf8')) as { photos: string[] }).photos[0] ?? '');
    const frame = letterbox(await decodeImageFile(firstPhoto), 256).image;
    const stored = await decodeImageFile(join(dir, 'calib', 'blazeface-256', '0000.png'));
    assert.deepEqual(stored.data, frame.data);
  });

  it('refuses a set made for another input size, and a missing one, with what to do', async () => {
    const mobileface = resolveModel(manifest, 'mobileface-256').entry;
    await assert.rejects(loadCalibrationSet(join(dir, 'calib'), 'faceapi-resnet-128', mobileface), (e: unknown) => e instanceof CalibrationSetError && /150×150 px; faceapi-resnet-128 takes 112×112/.test(e.message));
    await assert.rejects(loadCalibrationSet(join(dir, 'calib'), 'liveness-32', mobileface), /lintel calib export/);
  });

  it('builds the simulated model once, then takes it from the cache, and rebuilds a damaged entry', async () => {
    // Explicit FP16 layers and algorithm: the manifest's own choice for this model is tested on LFW, not here.
    const options = { manifest, modelId: 'blazeface-256', calibDir: join(dir, 'calib'), cacheDir: join(dir, 'cache'), floatLayers: [], algorithm: 'normal' as const };
    const first = await prepareInt8SimModel(options);
    assert.equal(first.built, true);
    assert.equal(first.report.floatLayers.length, 0);
    assert.ok(first.report.layers.every((layer) => layer.precision === 'int8'));
    const second = await prepareInt8SimModel(options);
    assert.equal(second.built, false);
    assert.equal(second.model.onnxPath, first.model.onnxPath);
    // Without options the manifest's choice (FP16 heads, mmse) applies: another cache entry.
    const fromManifest = await prepareInt8SimModel({ manifest, modelId: 'blazeface-256', calibDir: join(dir, 'calib'), cacheDir: join(dir, 'cache') });
    assert.deepEqual(fromManifest.report.floatLayers, [...(resolveModel(manifest, 'blazeface-256').entry.quantization?.int8.floatLayers ?? [])].sort());
    assert.equal(fromManifest.report.algorithm, 'mmse');
    assert.notEqual(fromManifest.model.onnxPath, first.model.onnxPath);
    // Another FP16 choice is another model.
    const hybrid = await prepareInt8SimModel({ ...options, floatLayers: ['StatefulPartitionedCall/functional_1/conv2d_33/BiasAdd'] });
    assert.notEqual(hybrid.model.onnxPath, first.model.onnxPath);
    assert.equal(hybrid.report.layers.find((layer) => layer.name === 'Conv_127')?.precision, 'float16');
    await writeFile(first.model.onnxPath, 'damaged');
    const rebuilt = await prepareInt8SimModel(options);
    assert.equal(rebuilt.built, true);
    assert.equal(rebuilt.report.sha256, first.report.sha256, 'the build is deterministic');
  });

  it('runs the simulated model through the pipeline backend under the float model id', async () => {
    const sim = await prepareInt8SimModel({ manifest, modelId: 'blazeface-256', calibDir: join(dir, 'calib'), cacheDir: join(dir, 'cache'), floatLayers: [], algorithm: 'normal' });
    const backend = new SimulatedModelsBackend(new OnnxBackend(), new Map([[sim.model.id, sim.model]]));
    const model = resolveModel(manifest, 'blazeface-256');
    const [floatSession, simSession] = await Promise.all([new OnnxBackend().load(model), backend.load(model)]);
    try {
      assert.equal(simSession.modelId, 'blazeface-256');
      const frame = await decodeImageFile(join(dir, 'calib', 'blazeface-256', '0000.png'));
      const [a, b] = await Promise.all([floatSession.run(frame), simSession.run(frame)]);
      assert.deepEqual(b.map((o) => o.name), a.map((o) => o.name));
      assert.ok(b.some((o, i) => o.data.some((v, j) => v !== a[i]?.data[j])), 'the INT8 outputs differ from the float ones');
    } finally {
      await Promise.all([floatSession.close(), simSession.close()]);
    }
  });
});
