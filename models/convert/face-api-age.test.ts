import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

import type * as Tfjs from '@tensorflow/tfjs';
import * as faceapi from '@vladmandic/face-api/dist/face-api.node-wasm.js';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';

import { loadManifest, resolveModel, type ModelEntry } from '../../electron/vision/models/manifest.js';
import { createSeededRandom } from '../../electron/vision/matcher/seeded-random.js';
import { convertFaceApiAge, FACE_API_AGE_INPUT_PX } from './face-api-age.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const faceApiDir = join(repoRoot, 'node_modules/@vladmandic/face-api');
const weightsManifestPath = join(faceApiDir, 'model/age_gender_model-weights_manifest.json');
const SIDE = FACE_API_AGE_INPUT_PX;
/** Years: float32 sums over a different operation order. */
const MAX_AGE_DIFFERENCE_YEARS = 0.01;

function randomImage(seed: number): Float32Array {
  const next = createSeededRandom(seed);
  return Float32Array.from({ length: SIDE * SIDE * 3 }, () => Math.floor(next() * 256));
}

/** A face of face-api's sample1.jpg (1920×1280), cut square and resized to 112×112 RGB, HWC. */
async function faceCrop(region: { left: number; top: number; width: number; height: number }): Promise<Float32Array> {
  const { data } = await sharp(join(faceApiDir, 'demo/sample1.jpg')).extract(region).resize(SIDE, SIDE).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return Float32Array.from(data);
}

function toModelInput(pixels: Float32Array, entry: ModelEntry): Float32Array {
  const out = new Float32Array(3 * SIDE * SIDE);
  for (let i = 0; i < SIDE * SIDE; i++) for (let c = 0; c < 3; c++) out[c * SIDE * SIDE + i] = ((pixels[i * 3 + c] as number) - entry.input.mean[c]!) / entry.input.std[c]!;
  return out;
}

describe('convertFaceApiAge', () => {
  let entry: ModelEntry;
  let modelBytes: Uint8Array;
  let session: ort.InferenceSession;
  const tf = faceapi.tf as unknown as typeof Tfjs;

  before(async () => {
    entry = resolveModel(await loadManifest(join(repoRoot, 'models/manifest.json')), 'faceapi-age').entry;
    modelBytes = await convertFaceApiAge(weightsManifestPath, entry);
    session = await ort.InferenceSession.create(modelBytes, { graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
    // face-api's own network, executed by TFJS on the wasm backend: the reference.
    await tf.setBackend('wasm');
    await tf.ready();
    await faceapi.nets.ageGenderNet.loadFromDisk(dirname(weightsManifestPath));
  });

  after(async () => {
    await session?.release();
    faceapi.nets.ageGenderNet.dispose();
  });

  async function compare(t: TestContext, label: string, pixels: Float32Array): Promise<number> {
    // A 112×112 tensor skips face-api's resize.
    const image = tf.tensor3d(pixels, [SIDE, SIDE, 3], 'float32');
    const { age: reference } = (await faceapi.nets.ageGenderNet.predictAgeAndGender(image)) as { age: number };
    image.dispose();
    const feeds = { [entry.input.name]: new ort.Tensor('float32', toModelInput(pixels, entry), [1, 3, SIDE, SIDE]) };
    const actual = (await session.run(feeds))[entry.outputs[0]!.name]!.data as Float32Array;
    assert.equal(actual.length, 1);
    const difference = Math.abs((actual[0] as number) - reference);
    t.diagnostic(`${label}: ${actual[0]!.toFixed(3)} years against face-api's ${reference.toFixed(3)}`);
    assert.ok(difference <= MAX_AGE_DIFFERENCE_YEARS, `${label}: ${actual[0]} against ${reference}`);
    return actual[0] as number;
  }

  test('matches face-api on seeded random images', async (t) => {
    await compare(t, 'random seed 1', randomImage(1));
    await compare(t, 'random seed 2', randomImage(2));
  });

  test('matches face-api on real faces, and reads them as adults', async (t) => {
    for (const region of [
      { left: 390, top: 320, width: 260, height: 260 },
      { left: 1020, top: 260, width: 260, height: 260 },
    ]) {
      const years = await compare(t, `sample1 ${region.left},${region.top}`, await faceCrop(region));
      assert.ok(years > 15 && years < 70, `${years} years`);
    }
  });

  test('converts the same bytes twice and leaves the gender head out', async () => {
    const again = await convertFaceApiAge(weightsManifestPath, entry);
    assert.ok(Buffer.from(again).equals(Buffer.from(modelBytes)));
    assert.deepEqual(session.outputNames, ['age']);
    assert.equal(Buffer.from(modelBytes).includes(Buffer.from('fc/gender')), false);
  });

  test('refuses another network\'s weights and a manifest entry that does not fit', async () => {
    const recogniser = join(faceApiDir, 'model/face_recognition_model-weights_manifest.json');
    await assert.rejects(convertFaceApiAge(recogniser, entry), /weight "entry_flow\/conv_in\/filters" missing/);
    await assert.rejects(convertFaceApiAge(weightsManifestPath, { ...entry, input: { ...entry.input, widthPx: 150, heightPx: 150 } }), /resizes to 112×112/);
    await assert.rejects(convertFaceApiAge(weightsManifestPath, { ...entry, outputs: [{ name: 'age', shape: [1, 2] }] }), /one \[1, 1\] age/);
    assert.ok((await readFile(weightsManifestPath, 'utf8')).includes('fc/gender'), 'the file has a gender head to leave out');
  });
});
