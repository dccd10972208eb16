import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { decodeImageFile } from '../../vision/frame/decode.js';
import { loadManifest } from '../../vision/models/manifest.js';
import { defaultManifestPath, packageRoot } from '../../vision/models/paths.js';
import { rgbCameraFrame, type CameraFrame } from '../camera/camera.js';
import { InferenceClient, InferenceError } from './inference-client.js';

const FAKE_WORKER = new URL('./test/fake-inference.worker.ts', import.meta.url);
const SAMPLE = join(packageRoot(), 'node_modules/@vladmandic/face-api/demo/sample1.jpg');
const MODELS_PRESENT = existsSync(join(packageRoot(), 'models/onnx/blazeface-256.onnx'));

function frame(seq: number): CameraFrame {
  return rgbCameraFrame(seq, 1_000 + seq, { widthPx: 4, heightPx: 2, data: new Uint8Array(24).fill(seq) });
}

describe('InferenceClient', () => {
  it("runs the real pipeline in the worker on the camera's own buffer (moved, not copied); a decided face's snapshot is cut there", async (t) => {
    if (!MODELS_PRESENT) return t.skip('converted models absent: run npm run models');
    const client = await InferenceClient.start({ config: { manifestPath: defaultManifestPath() } });
    try {
      assert.equal((await client.info()).models.detector, 'blazeface-256');
      const image = await decodeImageFile(SAMPLE);
      // As a V4L2 camera delivers it: a buffer of the frame's own.
      const cameraFrame: CameraFrame = rgbCameraFrame(7, 123, { ...image, data: image.data.slice() }, { owned: true });
      const submitted = client.submitLatest(cameraFrame, 20);
      // Lent to the camera's listeners until they have all run, then taken.
      assert.equal(cameraFrame.pixels.data.length, image.data.length);
      const result = await submitted;
      assert.equal(cameraFrame.pixels.data.length, 0, 'the pixels moved to the worker');
      assert.equal(cameraFrame.takePixels(), undefined);
      assert.ok(result);
      assert.equal(result.frameSeq, 7);
      assert.equal(result.faces.length, 3);
      const { manifest } = await loadManifest(defaultManifestPath());
      const decoding = manifest.models[manifest.defaults.extractor]?.decoding;
      assert.equal(decoding?.kind, 'embedding');
      for (const face of result.faces) assert.equal(face.template?.length, decoding.size, "the default extractor's template size");
      assert.ok(result.timingsMs.detectMs > 0 && result.timingsMs.extractMs > 0);
      const face = result.faces[0];
      assert.ok(face);
      const snapshot = await client.snapshot(result.pixelsId, face.boxNorm, { marginRatio: 0.3, jpegQuality: 80 });
      assert.deepEqual([...snapshot.subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG');
      await assert.rejects(client.snapshot(result.pixelsId + 1000, face.boxNorm, { marginRatio: 0.3, jpegQuality: 80 }), (error: unknown) => error instanceof InferenceError && error.code === 'FRAME_GONE');
    } finally {
      await client.close();
    }
  });

  it("analyses a live enrollment frame and extracts its face from the RGB the worker kept, the frame's pixels sent once", async (t) => {
    if (!MODELS_PRESENT) return t.skip('converted models absent: run npm run models');
    const client = await InferenceClient.start({ config: { manifestPath: defaultManifestPath() } });
    try {
      const image = await decodeImageFile(SAMPLE);
      const cameraFrame = rgbCameraFrame(3, 30, { ...image, data: image.data.slice() }, { owned: true });
      const analysis = await client.analyseFrame(cameraFrame);
      assert.equal(analysis.faces.length, 3);
      assert.equal(cameraFrame.pixels.data.length, 0, 'the pixels moved to the worker');
      const extracted = await client.extractFrame(cameraFrame, analysis.faces[0]!);
      assert.equal(extracted.alignedCrop.widthPx, extracted.alignment.sizePx);
      await assert.rejects(client.analyseFrame(cameraFrame), (error: unknown) => error instanceof InferenceError && error.code === 'FRAME_GONE');
    } finally {
      await client.close();
    }
  });

  it('adds a passive liveness score to faces with templates when a liveness model is configured', async (t) => {
    if (!MODELS_PRESENT) return t.skip('converted models absent: run npm run models');
    const client = await InferenceClient.start({ config: { manifestPath: defaultManifestPath(), livenessModelId: 'antispoof-128' } });
    try {
      const result = await client.submitLatest(rgbCameraFrame(1, 1, await decodeImageFile(SAMPLE)), 20);
      assert.equal(result?.faces.length, 3);
      for (const face of result?.faces ?? []) assert.ok(face.liveness !== undefined && face.liveness >= 0 && face.liveness <= 1);
    } finally {
      await client.close();
    }
  });

  it('runs every model on the CPU, saying why, when the NPU runtime cannot be loaded', async (t) => {
    if (!MODELS_PRESENT) return t.skip('converted models absent: run npm run models');
    const client = await InferenceClient.start({ config: { manifestPath: defaultManifestPath(), npu: { libraryPath: '/nowhere/librknnrt.so' } } });
    try {
      const { engines } = await client.info();
      // Detector, fitter, extractor and enrollment's age estimator.
      assert.deepEqual(engines.map((choice) => choice.engine), ['onnx-cpu', 'onnx-cpu', 'onnx-cpu', 'onnx-cpu']);
      assert.ok(engines.some((choice) => choice.modelId === 'faceapi-age'));
      for (const choice of engines) assert.match(choice.reason ?? '', /NPU unavailable: .*\/nowhere\/librknnrt\.so/);
    } finally {
      await client.close();
    }
  });

  it('keeps only the newest frame while the worker is busy: stale frames are dropped, not queued', async () => {
    const client = await InferenceClient.start({ config: { manifestPath: 'unused' }, workerUrl: FAKE_WORKER });
    try {
      const first = client.submitLatest(frame(1));
      // A frame goes to the worker once the camera's other listeners have run (they may read its pixels until then).
      await new Promise((resolve) => setImmediate(resolve));
      const results = await Promise.all([first, ...[2, 3, 4, 5].map((seq) => client.submitLatest(frame(seq)))]);
      // 1 went to the worker; 2–4 are replaced while it works; 5 is processed next.
      assert.deepEqual(results.map((result) => result?.frameSeq ?? null), [1, null, null, null, 5]);
      assert.equal(client.stats.framesProcessed, 2);
      assert.equal(client.stats.framesDropped, 3);
    } finally {
      await client.close();
    }
  });

  it('serves a door frame queued behind enrollment work first, and the work still finishes while frames keep coming', async () => {
    const client = await InferenceClient.start({ config: { manifestPath: 'unused' }, workerUrl: FAKE_WORKER });
    try {
      const order: string[] = [];
      const image = { widthPx: 4, heightPx: 2, data: new Uint8Array(24) };
      const jobs = Array.from({ length: 8 }, (_, index) => client.analyse(image).then(() => void order.push(`job ${index}`)));
      assert.equal(client.backgroundQueued, 7, 'one job is in the worker, seven wait');
      const door = await client.submitLatest(frame(1));
      assert.equal(door?.frameSeq, 1);
      // Only the job already in the worker went before the frame; the seven queued ones wait behind it.
      assert.deepEqual(order, ['job 0']);
      // A camera that never pauses: background work still gets every other turn.
      let seq = 2;
      let framesDone = 0;
      const camera = setInterval(() => void client.submitLatest(frame(seq++)).then((result) => void (result ? framesDone++ : undefined)), 5);
      try {
        await Promise.all(jobs);
      } finally {
        clearInterval(camera);
      }
      assert.deepEqual(order, Array.from({ length: 8 }, (_, index) => `job ${index}`));
      assert.ok(framesDone >= 5, `${framesDone} frames were processed between the jobs`);
      assert.equal(client.backgroundQueued, 0);
    } finally {
      await client.close();
    }
  });

  it('restarts a worker that dies: the pending frame fails cleanly and later frames are processed', async () => {
    const client = await InferenceClient.start({ config: { manifestPath: 'unused' }, workerUrl: FAKE_WORKER, restartDelayMs: 10 });
    try {
      const restarted = new Promise<string>((resolve) => client.onRestart(resolve));
      assert.equal(await client.submitLatest(frame(13)), null);
      assert.match(await restarted, /exited \(code 3\)/);
      assert.equal(client.stats.workerRestarts, 1);
      assert.equal((await client.info()).backend, 'fake-1');
      assert.equal((await client.submitLatest(frame(14)))?.frameSeq, 14);
    } finally {
      await client.close();
    }
  });

  it('fails to start with the reason when the models cannot be loaded', async () => {
    await assert.rejects(
      InferenceClient.start({ config: { manifestPath: '/nowhere/manifest.json' } }),
      (error: Error) => error instanceof InferenceError && error.code === 'ManifestError' && error.message.includes('/nowhere/manifest.json'),
    );
  });
});
