import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { OnnxBackend } from '../backend/onnx-backend.js';
import { decodeImageFile } from '../frame/decode.js';
import { loadManifest, resolveModel } from '../models/manifest.js';
import { defaultManifestPath, packageRoot } from '../models/paths.js';
import { FacePipeline } from '../pipeline/face-pipeline.js';
import { LivenessChecker } from './liveness-checker.js';

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
