// The age estimator on real faces: face-api's demo photos (adults, shipped with the dependency) and, where present,
// the young children of ../shared/data/lfw-dev (Princess_Aiko, Tristan_Gretzky).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';

import type { FivePoints } from '../align/align-face.js';
import { OnnxBackend } from '../backend/onnx-backend.js';
import { decodeImageFile } from '../frame/decode.js';
import { ManifestError, loadManifest, resolveModel } from '../models/manifest.js';
import { defaultManifestPath, packageRoot } from '../models/paths.js';
import { centralFace } from '../pipeline/central-face.js';
import { FacePipeline, toPx } from '../pipeline/face-pipeline.js';
import { AgeEstimator, YOUNG_CHILD_UNDER_YEARS } from './age-estimator.js';

const ROOT = packageRoot();
const DEMO_DIR = join(ROOT, 'node_modules', '@vladmandic', 'face-api', 'demo');
const LFW_IMAGES = join(ROOT, '..', 'shared', 'data', 'lfw-dev', 'images');

describe('AgeEstimator', () => {
  const backend = new OnnxBackend();
  let pipeline: FacePipeline;
  let estimator: AgeEstimator;

  before(async () => {
    const manifest = await loadManifest(defaultManifestPath());
    pipeline = await FacePipeline.create({ manifest, backend });
    estimator = await AgeEstimator.load(resolveModel(manifest, 'faceapi-age'), backend);
  });

  after(async () => {
    await Promise.all([pipeline?.close(), estimator?.close()]);
  });

  async function agesIn(file: string): Promise<number[]> {
    const image = await decodeImageFile(file);
    const { faces } = await pipeline.analyse(image);
    return Promise.all(faces.map((face) => estimator.estimateYears(image, face.fivePointsNorm.map((p) => toPx(p, image.widthPx, image.heightPx)) as unknown as FivePoints)));
  }

  it('puts every adult of the demo photos over the young-child cut-off', async () => {
    const ages = (await Promise.all(['sample1.jpg', 'sample2.jpg', 'sample3.jpg'].map((file) => agesIn(join(DEMO_DIR, file))))).flat();
    assert.ok(ages.length >= 6, `${ages.length} faces`);
    for (const years of ages) assert.ok(years >= YOUNG_CHILD_UNDER_YEARS + 5 && years < 80, `${years.toFixed(1)} years`);
  });

  it('puts young children of LFW under it', async (t: TestContext) => {
    if (!existsSync(LFW_IMAGES)) return t.skip(`LFW not found at ${LFW_IMAGES} (see ../shared/data/README.md)`);
    for (const file of ['Princess_Aiko/Princess_Aiko_0001.jpg', 'Tristan_Gretzky/Tristan_Gretzky_0001.jpg']) {
      const image = await decodeImageFile(join(LFW_IMAGES, file));
      const face = centralFace((await pipeline.analyse(image)).faces);
      assert.ok(face, `a face in ${file}`);
      const years = await estimator.estimateYears(image, face.fivePointsNorm.map((p) => toPx(p, image.widthPx, image.heightPx)) as unknown as FivePoints);
      assert.ok(years < YOUNG_CHILD_UNDER_YEARS, `${file}: ${years.toFixed(1)} years`);
    }
  });

  it('refuses a model that is not an age estimator', async () => {
    const manifest = await loadManifest(defaultManifestPath());
    await assert.rejects(AgeEstimator.load(resolveModel(manifest, 'faceplugin-512'), backend), ManifestError);
  });
});
