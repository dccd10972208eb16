import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { decodeImageFile } from '../../vision/frame/decode.js';
import { defaultManifestPath, packageRoot } from '../../vision/models/paths.js';
import { rgbCameraFrame } from '../camera/camera.js';
import { InferenceClient } from './inference-client.js';

const SHARED = join(packageRoot(), '..', 'shared');
const MINIFASNET_V2 = join(SHARED, 'models', 'minifasnet', 'MiniFASNetV2.onnx');
const SAMPLES = join(SHARED, 'data', 'antispoof');
const MODELS_PRESENT = existsSync(join(packageRoot(), 'models/onnx/blazeface-256.onnx'));

describe('inference worker: the passive liveness check', () => {
  const addedModelsDir = mkdtempSync(join(tmpdir(), 'lintel-passive-worker-'));
  after(() => rmSync(addedModelsDir, { recursive: true, force: true }));

  it("runs the manifest's passive model with its own crop: the real sample passes 0.8, the screen does not", async (t) => {
    if (!MODELS_PRESENT) return t.skip('converted models absent: run npm run models');
    if (!existsSync(MINIFASNET_V2) || !existsSync(SAMPLES)) return t.skip(`MiniFASNetV2 or the anti-spoof samples absent under ${SHARED}`);
    // Where `lintel models add` puts the file.
    symlinkSync(MINIFASNET_V2, join(addedModelsDir, 'minifasnet-v2.onnx'));
    const client = await InferenceClient.start({ config: { manifestPath: defaultManifestPath(), addedModelsDir, livenessModelId: 'minifasnet-v2' } });
    try {
      const scores: number[] = [];
      for (const [seq, file] of ['image_T1.jpg', 'image_F2.jpg'].entries()) {
        const result = await client.submitLatest(rgbCameraFrame(seq, seq, await decodeImageFile(join(SAMPLES, file))), 20);
        const face = result?.faces[0];
        assert.ok(face?.liveness !== undefined, `a liveness score for ${file}`);
        scores.push(face.liveness);
      }
      assert.ok(scores[0]! >= 0.8 && scores[1]! < 0.8, JSON.stringify(scores));
      // Where no decision can ask for it, the model rests: the template comes without a score.
      const resting = await client.submitLatest(rgbCameraFrame(3, 3, await decodeImageFile(join(SAMPLES, 'image_T1.jpg'))), 20, false);
      assert.ok(resting?.faces[0]?.template, 'the template is still computed');
      assert.equal(resting.faces[0].liveness, undefined);
    } finally {
      await client.close();
    }
  });
});
