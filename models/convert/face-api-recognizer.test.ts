import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

import type * as Tfjs from '@tensorflow/tfjs';
import * as faceapi from '@vladmandic/face-api/dist/face-api.node-wasm.js';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';

import { loadManifest, resolveModel, type ModelEntry } from '../../electron/vision/models/manifest.js';
import { convertFaceApiRecognizer } from './face-api-recognizer.js';
import { createSeededRandom } from '../../electron/vision/matcher/seeded-random.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const faceApiDir = join(repoRoot, 'node_modules/@vladmandic/face-api');
const weightsManifestPath = join(faceApiDir, 'model/face_recognition_model-weights_manifest.json');
const SIDE = 150;
const MAX_RELATIVE_ERROR = 1e-4;


/** A 150×150 RGB image, HWC, integer pixels 0..255 like a decoded photo. */
function randomImage(seed: number): Float32Array {
  const next = createSeededRandom(seed);
  return Float32Array.from({ length: SIDE * SIDE * 3 }, () => Math.floor(next() * 256));
}

/** The left woman's face in face-api's sample1.jpg (1920×1280), resized to 150×150 RGB, HWC. */
async function faceCrop(): Promise<Float32Array> {
  const { data, info } = await sharp(join(faceApiDir, 'demo/sample1.jpg'))
    .extract({ left: 390, top: 320, width: 260, height: 260 })
    .resize(SIDE, SIDE)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, 3);
  return Float32Array.from(data);
}

/** HWC pixels → the NCHW tensor the manifest says the converted model takes. */
function toModelInput(pixels: Float32Array, entry: ModelEntry): Float32Array {
  const out = new Float32Array(3 * SIDE * SIDE);
  for (let i = 0; i < SIDE * SIDE; i++) {
    for (let c = 0; c < 3; c++) {
      out[c * SIDE * SIDE + i] = ((pixels[i * 3 + c] as number) - entry.input.mean[c]!) / entry.input.std[c]!;
    }
  }
  return out;
}

/** max |a − b| over the largest |reference| value: element-wise ratios blow up on near-zero components. */
function maxRelativeError(actual: Float32Array, reference: Float32Array): number {
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < reference.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs((actual[i] as number) - (reference[i] as number)));
    maxRef = Math.max(maxRef, Math.abs(reference[i] as number));
  }
  return maxDiff / maxRef;
}

describe('convertFaceApiRecognizer', () => {
  let entry: ModelEntry;
  let modelBytes: Uint8Array;
  let session: ort.InferenceSession;
  // The tfjs instance face-api's dist required (its typings declare only a few ops): one engine, one backend.
  const tf = faceapi.tf as unknown as typeof Tfjs;

  before(async () => {
    entry = resolveModel(await loadManifest(join(repoRoot, 'models/manifest.json')), 'faceapi-resnet-128').entry;
    modelBytes = await convertFaceApiRecognizer(weightsManifestPath, entry);
    session = await ort.InferenceSession.create(modelBytes, { graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
    // face-api's own network, executed by TFJS on the wasm backend: the reference.
    await tf.setBackend('wasm');
    await tf.ready();
    await faceapi.nets.faceRecognitionNet.loadFromDisk(dirname(weightsManifestPath));
  });

  after(async () => {
    await session?.release();
    faceapi.nets.faceRecognitionNet.dispose();
  });

  async function compare(t: TestContext, label: string, pixels: Float32Array): Promise<void> {
    // A 150×150 tensor skips face-api's resize; forwardInput then normalises and runs the network.
    const image = tf.tensor3d(pixels, [SIDE, SIDE, 3], 'float32');
    const descriptor = faceapi.nets.faceRecognitionNet.forwardInput(await faceapi.toNetInput(image));
    const reference = (await descriptor.data()) as Float32Array;
    image.dispose();
    descriptor.dispose();

    const feeds = { [entry.input.name]: new ort.Tensor('float32', toModelInput(pixels, entry), [1, 3, SIDE, SIDE]) };
    const outputName = entry.outputs[0]!.name;
    const result = await session.run(feeds);
    const actual = result[outputName]!.data as Float32Array;

    assert.equal(actual.length, 128);
    assert.equal(reference.length, 128);
    const error = maxRelativeError(actual, reference);
    t.diagnostic(`${label}: max relative error ${error.toExponential(2)}`);
    assert.ok(error <= MAX_RELATIVE_ERROR, `${label}: max relative error ${error} > ${MAX_RELATIVE_ERROR}`);
  }

  test('matches face-api on seeded random image 1', (t) => compare(t, 'random seed 1', randomImage(1)));
  test('matches face-api on seeded random image 2', (t) => compare(t, 'random seed 2', randomImage(2)));
  test('matches face-api on a real face crop (sample1.jpg)', async (t) => compare(t, 'sample1 face', await faceCrop()));

  test('is deterministic: two conversions give identical bytes', async () => {
    const again = await convertFaceApiRecognizer(weightsManifestPath, entry);
    assert.ok(Buffer.from(again).equals(Buffer.from(modelBytes)));
  });

  test('rejects a truncated weights file, naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lintel-faceapi-'));
    try {
      const manifestCopy = join(dir, 'face_recognition_model-weights_manifest.json');
      await copyFile(weightsManifestPath, manifestCopy);
      const bin = await readFile(join(dirname(weightsManifestPath), 'face_recognition_model.bin'));
      await writeFile(join(dir, 'face_recognition_model.bin'), bin.subarray(0, bin.length - 1000));
      await assert.rejects(convertFaceApiRecognizer(manifestCopy, entry), /face_recognition_model\.bin.*truncated/s);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('rejects a manifest entry whose normalisation is not face-api\'s', async () => {
    const wrong: ModelEntry = { ...entry, input: { ...entry.input, std: [256, 256, 256] } };
    await assert.rejects(convertFaceApiRecognizer(weightsManifestPath, wrong), /normalisation.*std \[256, 256, 256\]/);
  });
});
