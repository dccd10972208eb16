import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { InferenceBackend, ModelSession } from '../backend/inference-backend.js';
import { OnnxBackend } from '../backend/onnx-backend.js';
import { decodeImageFile } from '../frame/decode.js';
import { createRgbImage } from '../frame/rgb-image.js';
import { loadManifest, resolveModel, type ResolvedModel } from '../models/manifest.js';
import { defaultManifestPath, packageRoot } from '../models/paths.js';
import { FacePipeline } from '../pipeline/face-pipeline.js';
import { LivenessChecker } from './liveness-checker.js';
import { softmaxAt } from './liveness-model.js';

const SAMPLES = join(packageRoot(), '..', 'shared', 'data', 'antispoof');
const MODELS_PRESENT = existsSync(join(packageRoot(), 'models/onnx/antispoof-128.onnx'));

describe('LivenessChecker (passive, weak)', () => {
  let pipeline: FacePipeline | undefined;
  const checkers: LivenessChecker[] = [];

  before(async () => {
    if (!MODELS_PRESENT) return;
    const manifest = await loadManifest(defaultManifestPath());
    pipeline = await FacePipeline.create({ manifest, backend: new OnnxBackend() });
    for (const id of ['antispoof-128', 'liveness-32']) checkers.push(await LivenessChecker.create({ model: resolveModel(manifest, id), backend: new OnnxBackend() }));
  });

  after(async () => {
    await pipeline?.close();
    await Promise.all(checkers.map((checker) => checker.close()));
  });

  it('scores real faces in 0..1 with each model, and refuses a model of another role', async (t) => {
    if (!pipeline) return t.skip('converted models absent: run npm run models');
    const image = await decodeImageFile(join(packageRoot(), 'node_modules/@vladmandic/face-api/demo/sample1.jpg'));
    const faces = (await pipeline.analyse(image)).faces;
    assert.equal(faces.length, 3);
    for (const checker of checkers) {
      for (const face of faces) {
        const { score, durationMs } = await checker.score(image, face.boxNorm);
        assert.ok(score >= 0 && score <= 1, `${checker.modelId}: ${score}`);
        assert.ok(durationMs > 0);
      }
    }
    const manifest = await loadManifest(defaultManifestPath());
    await assert.rejects(LivenessChecker.create({ model: resolveModel(manifest, 'blazeface-256'), backend: new OnnxBackend() }), /not a liveness check/);
  });

  it('gives the anti-spoof samples scores (a smoke test: three images measure nothing)', async (t) => {
    if (!pipeline) return t.skip('converted models absent: run npm run models');
    if (!existsSync(SAMPLES)) return t.skip(`anti-spoof samples absent at ${SAMPLES}`);
    for (const file of ['image_T1.jpg', 'image_F1.jpg', 'image_F2.jpg']) {
      const image = await decodeImageFile(join(SAMPLES, file));
      const [face] = (await pipeline.analyse(image)).faces;
      if (!face) continue;
      const scores = await Promise.all(checkers.map(async (checker) => (await checker.score(image, face.boxNorm)).score.toFixed(2)));
      t.diagnostic(`${file}: ${checkers.map((checker, i) => `${checker.modelId} ${scores[i]}`).join(', ')}`);
    }
  });
});

/** A backend whose every model answers `values` as its one output. */
function fixedOutputBackend(values: readonly number[]): InferenceBackend {
  return {
    name: 'onnx-cpu',
    load: (model: ResolvedModel): Promise<ModelSession> =>
      Promise.resolve({
        modelId: model.id,
        backend: 'onnx-cpu',
        run: () => Promise.resolve([{ name: 'output', shape: [1, values.length], data: Float32Array.from(values) }]),
        close: () => Promise.resolve(),
      }),
  };
}

describe('LivenessChecker: decoding', () => {
  const face = { x: 0.25, y: 0.25, width: 0.5, height: 0.5 };

  it('reads a softmax over logits where the manifest says so (MiniFASNet: 3 logits, class 1 real)', async () => {
    const manifest = await loadManifest(defaultManifestPath());
    const entry = manifest.manifest.models['minifasnet-v2'];
    assert.ok(entry);
    const model: ResolvedModel = { id: 'minifasnet-v2', entry, onnxPath: '/nowhere' };
    // exp(ln 3) / (1 + 3 + 1) = 0.6; without the softmax the raw logit 1.0986 would be clamped to 1.
    const checker = await LivenessChecker.create({ model, backend: fixedOutputBackend([0, Math.log(3), 0]) });
    const { score } = await checker.score(createRgbImage(64, 64), face);
    assert.ok(Math.abs(score - 0.6) < 1e-6, String(score));
  });

  it('reads the value as it is without an activation', async () => {
    const manifest = await loadManifest(defaultManifestPath());
    const model = { ...resolveModel(manifest, 'liveness-32'), onnxPath: '/nowhere' };
    const checker = await LivenessChecker.create({ model, backend: fixedOutputBackend([0.3, 0.7]) });
    assert.ok(Math.abs((await checker.score(createRgbImage(64, 64), face)).score - 0.3) < 1e-6);
  });

  it('computes softmax without overflow for large logits', () => {
    assert.ok(Math.abs(softmaxAt([1000, 1000], 1) - 0.5) < 1e-12);
    assert.ok(Math.abs(softmaxAt([-2, 1, 0.5], 0) + softmaxAt([-2, 1, 0.5], 1) + softmaxAt([-2, 1, 0.5], 2) - 1) < 1e-12);
  });
});

describe('LivenessChecker: MiniFASNet V2 added by the administrator', () => {
  const original = join(packageRoot(), '..', 'shared', 'models', 'minifasnet', 'MiniFASNetV2.onnx');

  it('loads from the folder of added models and scores the anti-spoof samples in 0..1', async (t) => {
    if (!existsSync(original)) return t.skip(`MiniFASNet absent at ${original}`);
    if (!MODELS_PRESENT) return t.skip('converted models absent: run npm run models');
    if (!existsSync(SAMPLES)) return t.skip(`anti-spoof samples absent at ${SAMPLES}`);
    const addedDir = await mkdtemp(join(tmpdir(), 'lintel-added-'));
    const manifest = await loadManifest(defaultManifestPath(), undefined, { addedModelsDir: addedDir });
    const pipeline = await FacePipeline.create({ manifest, backend: new OnnxBackend() });
    try {
      await copyFile(original, join(addedDir, manifest.manifest.models['minifasnet-v2']?.onnx.file ?? ''));
      const checker = await LivenessChecker.create({ model: resolveModel(manifest, 'minifasnet-v2'), backend: new OnnxBackend() });
      const scores = new Map<string, number>();
      for (const file of ['image_T1.jpg', 'image_F1.jpg', 'image_F2.jpg']) {
        const image = await decodeImageFile(join(SAMPLES, file));
        const [found] = (await pipeline.analyse(image)).faces;
        assert.ok(found, `no face in ${file}`);
        const { score } = await checker.score(image, found.boxNorm);
        assert.ok(score >= 0 && score <= 1, `${file}: ${score}`);
        scores.set(file, score);
        t.diagnostic(`${file}: minifasnet-v2 ${score.toFixed(2)}`);
      }
      await checker.close();
      // Three images measure nothing, but a model read with the wrong class or colour order ranks them otherwise.
      const real = scores.get('image_T1.jpg') ?? 0;
      assert.ok(real > (scores.get('image_F1.jpg') ?? 1) && real > (scores.get('image_F2.jpg') ?? 1), JSON.stringify([...scores]));
    } finally {
      await pipeline.close();
      await rm(addedDir, { recursive: true, force: true });
    }
  });
});
