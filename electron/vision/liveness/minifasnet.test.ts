import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { OnnxBackend } from '../backend/onnx-backend.js';
import { decodeImageFile } from '../frame/decode.js';
import { createRgbImage } from '../frame/rgb-image.js';
import { boxToPx } from '../geometry/point.js';
import { loadManifest, resolveModel, type LoadedManifest } from '../models/manifest.js';
import { defaultManifestPath, packageRoot } from '../models/paths.js';
import { FacePipeline } from '../pipeline/face-pipeline.js';
import { cutUpstreamCrop, MiniFasNetFusion, upstreamCropBounds } from './minifasnet.js';
import { PassiveLivenessCheck, type PassiveLivenessResult } from './passive-liveness.js';

const SHARED = join(packageRoot(), '..', 'shared');
const MINIFASNET_DIR = join(SHARED, 'models', 'minifasnet');
const SAMPLES = join(SHARED, 'data', 'antispoof');
const FILES = { 'minifasnet-v2.onnx': 'MiniFASNetV2.onnx', 'minifasnet-v1se.onnx': 'MiniFASNetV1SE.onnx' };

describe('MiniFASNet crop (Silent-Face-Anti-Spoofing CropImage)', () => {
  // Golden bounds from upstream's _get_new_box in Python.
  it('scales the box around its centre, lowers the scale to fit, shifts it inside and truncates', () => {
    assert.deepEqual(upstreamCropBounds(320, 240, { x: 100.5, y: 60.2, width: 90.3, height: 110.7 }, 2.7), { left: 48, top: 0, right: 243, bottom: 239 });
    assert.deepEqual(upstreamCropBounds(320, 240, { x: 100.5, y: 60.2, width: 90.3, height: 110.7 }, 4.0), { left: 48, top: 0, right: 243, bottom: 239 });
    assert.deepEqual(upstreamCropBounds(640, 480, { x: 500, y: 300, width: 60, height: 70 }, 2.7), { left: 449, top: 240, right: 611, bottom: 429 });
    assert.deepEqual(upstreamCropBounds(640, 480, { x: 20, y: 10, width: 40, height: 50 }, 2.7), { left: 0, top: 0, right: 108, bottom: 135 });
  });

  it('resizes the inclusive bounds to the model input like cv2.resize', () => {
    const image = createRgbImage(8, 4);
    // Left half black, right half white: a crop of the right half is all white.
    for (let y = 0; y < 4; y++) for (let x = 4; x < 8; x++) image.data.fill(255, (y * 8 + x) * 3, (y * 8 + x) * 3 + 3);
    const crop = cutUpstreamCrop(image, { left: 4, top: 0, right: 7, bottom: 3 }, 2, 2);
    assert.deepEqual([...crop.data], new Array(12).fill(255));
  });
});

describe('MiniFASNet and the passive liveness check on the anti-spoof samples (real models)', () => {
  let pipeline: FacePipeline | undefined;
  let check: PassiveLivenessCheck | undefined;
  let fusion: MiniFasNetFusion | undefined;
  let manifest: LoadedManifest | undefined;
  let missing = '';
  const addedDir = mkdtempSync(join(tmpdir(), 'lintel-minifasnet-'));

  before(async () => {
    const manifestPath = defaultManifestPath();
    if (!existsSync(join(MINIFASNET_DIR, 'MiniFASNetV2.onnx'))) missing = `MiniFASNet models absent at ${MINIFASNET_DIR}`;
    else if (!existsSync(join(SAMPLES, 'image_T1.jpg'))) missing = `anti-spoof samples absent at ${SAMPLES}`;
    else if (!existsSync(join(packageRoot(), 'models/onnx/facemesh-468.onnx'))) missing = 'converted models absent: run npm run models';
    if (missing) return;
    // The files an administrator adds, where `lintel models add` puts them.
    for (const [name, file] of Object.entries(FILES)) symlinkSync(join(MINIFASNET_DIR, file), join(addedDir, name));
    const loaded = await loadManifest(manifestPath, undefined, { addedModelsDir: addedDir });
    manifest = loaded;
    pipeline = await FacePipeline.create({ manifest: loaded, backend: new OnnxBackend() });
    check = await PassiveLivenessCheck.create({ manifest: loaded, backend: new OnnxBackend() });
    fusion = await MiniFasNetFusion.create({ models: ['minifasnet-v2', 'minifasnet-v1se'].map((id) => resolveModel(loaded, id)), backend: new OnnxBackend() });
  });

  after(async () => {
    await pipeline?.close();
    await check?.close();
    await fusion?.close();
    rmSync(addedDir, { recursive: true, force: true });
  });

  it('scores the real face higher than the photo and the screen, with each model, fused and as the terminal runs it', async (t) => {
    if (!pipeline || !check || !fusion) return t.skip(missing);
    const passive: Record<string, PassiveLivenessResult> = {};
    const byModel: Record<string, Record<string, number>> = {};
    for (const file of ['image_T1.jpg', 'image_F1.jpg', 'image_F2.jpg']) {
      const image = await decodeImageFile(join(SAMPLES, file));
      const [face] = (await pipeline.analyse(image)).faces;
      assert.ok(face, `a face in ${file}`);
      const fused = await fusion.score(image, boxToPx(face.boxNorm, image.widthPx, image.heightPx));
      byModel[file] = { ...fused.byModel, fused: fused.score };
      passive[file] = await check.score(image, face);
      assert.ok(passive[file].durationMs > 0);
      t.diagnostic(`${file}: ${JSON.stringify(byModel[file])}, passive ${passive[file].score.toFixed(3)} (${passive[file].cue})`);
    }
    for (const key of ['minifasnet-v2', 'minifasnet-v1se', 'fused']) {
      const real = byModel['image_T1.jpg']![key]!;
      assert.ok(real > 0.5 && real > byModel['image_F1.jpg']![key]! && real > byModel['image_F2.jpg']![key]!, `${key}: ${JSON.stringify(byModel)}`);
    }
    assert.equal(passive['image_T1.jpg']!.cue, 'model');
    assert.ok(passive['image_T1.jpg']!.score >= check.minScore, 'the real face passes the passive check');
    for (const file of ['image_F1.jpg', 'image_F2.jpg']) assert.ok(passive[file]!.score < check.minScore, `${file} is rejected`);
  });

  it('rejects by the glare veto where the manifest turns it on, whatever the model says', async (t) => {
    if (!pipeline || !manifest) return t.skip(missing);
    const defaults = { ...manifest.manifest.defaults, passiveLiveness: { ...manifest.manifest.defaults.passiveLiveness!, maxGlareBlobFraction: 0.0027 } };
    const withGlare = await PassiveLivenessCheck.create({ manifest: { ...manifest, manifest: { ...manifest.manifest, defaults } }, backend: new OnnxBackend() });
    try {
      // The screen attack shows a large specular blob on the face (8 % of the face box).
      const image = await decodeImageFile(join(SAMPLES, 'image_F2.jpg'));
      const [face] = (await pipeline.analyse(image)).faces;
      assert.deepEqual({ ...(await withGlare.score(image, face!)), durationMs: 0 }, { score: 0, cue: 'glare', durationMs: 0 });
    } finally {
      await withGlare.close();
    }
  });

  it('refuses to run without defaults.passiveLiveness', async (t) => {
    if (!manifest) return t.skip(missing);
    const { passiveLiveness: _none, ...defaults } = manifest.manifest.defaults;
    await assert.rejects(PassiveLivenessCheck.create({ manifest: { ...manifest, manifest: { ...manifest.manifest, defaults } }, backend: new OnnxBackend() }), /no defaults.passiveLiveness/);
  });
});
