import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import type { InferenceBackend, ModelSession, OutputTensor } from '../backend/inference-backend.js';
import { createRgbImage, type RgbImage } from '../frame/rgb-image.js';
import { parseManifest, type BlazefaceDecoding, type ModelEntry, type ResolvedModel } from '../models/manifest.js';
import { generateAnchors } from './anchors.js';
import { decodeBlazeface, FaceDetector } from './face-detector.js';

const EPS = 1e-9;
const INPUT_PX = 64;
const VALUES_PER_ANCHOR = 4 + 2 * 1;

/** A tiny BlazeFace: 64-px input, one 32-px grid (2×2 cells × 2 anchors), one key point, outputs split in two. */
const DECODING: BlazefaceDecoding = {
  kind: 'blazeface',
  scoreOutputs: ['scores_a', 'scores_b'],
  boxOutputs: ['boxes_a', 'boxes_b'],
  strides: [32],
  keypointCount: 1,
  scoreClippingThreshold: 100,
  minScore: 0.5,
  iouThreshold: 0.3,
};
const ANCHORS = generateAnchors(INPUT_PX, DECODING.strides);

const sigmoid = (logit: number): number => 1 / (1 + Math.exp(-logit));

function assertNear(actual: number, expected: number, what: string, eps = EPS): void {
  assert.ok(Math.abs(actual - expected) <= eps, `${what}: expected ${expected}, got ${actual}`);
}

/**
 * Raw outputs for the 8 anchors: every logit `background`, except the anchors in `faces`, which get their
 * logit and box values (dx, dy, w, h, keypoint dx, keypoint dy). Listed in an order unlike the decoding's,
 * because the decoder must find outputs by name.
 */
function rawOutputs(faces: ReadonlyMap<number, { logit: number; box: readonly number[] }>, background = -10): OutputTensor[] {
  const scores = new Float32Array(ANCHORS.length).fill(background);
  const boxes = new Float32Array(ANCHORS.length * VALUES_PER_ANCHOR);
  for (const [index, { logit, box }] of faces) {
    scores[index] = logit;
    boxes.set(box, index * VALUES_PER_ANCHOR);
  }
  const half = ANCHORS.length / 2;
  return [
    { name: 'boxes_b', shape: [1, half, VALUES_PER_ANCHOR], data: boxes.slice(half * VALUES_PER_ANCHOR) },
    { name: 'scores_b', shape: [1, half, 1], data: scores.slice(half) },
    { name: 'scores_a', shape: [1, half, 1], data: scores.slice(0, half) },
    { name: 'boxes_a', shape: [1, half, VALUES_PER_ANCHOR], data: boxes.slice(0, half * VALUES_PER_ANCHOR) },
  ];
}

// Anchor 5 is the second anchor of cell (col 0, row 1): centre (0.25, 0.75) → (16, 48) px. It sits in the
// second half of the outputs, so decoding it right also checks that the halves are joined in order.
const FACE_ANCHOR = 5;
const FACE = { logit: 3, box: [2, -4, 20, 10, -5, 6] };

describe('decodeBlazeface', () => {
  it('decodes an anchor into a box and key point in input pixels, offset from the anchor centre', () => {
    const detections = decodeBlazeface(rawOutputs(new Map([[FACE_ANCHOR, FACE]])), DECODING, ANCHORS, INPUT_PX, 0.5);
    assert.equal(detections.length, 1);
    const [face] = detections;
    assert.ok(face);
    // Centre (16 + 2, 48 − 4) = (18, 44), size 20 × 10.
    assertNear(face.xMinPx, 8, 'xMin');
    assertNear(face.yMinPx, 39, 'yMin');
    assertNear(face.xMaxPx, 28, 'xMax');
    assertNear(face.yMaxPx, 49, 'yMax');
    assert.equal(face.keypointsPx.length, 1);
    assertNear(face.keypointsPx[0]?.x ?? Number.NaN, 11, 'key point x');
    assertNear(face.keypointsPx[0]?.y ?? Number.NaN, 54, 'key point y');
  });

  it('reports the sigmoid of the logit as the score', () => {
    const [face] = decodeBlazeface(rawOutputs(new Map([[FACE_ANCHOR, FACE]])), DECODING, ANCHORS, INPUT_PX, 0.5);
    assertNear(face?.score ?? Number.NaN, sigmoid(3), 'score', 1e-7);
  });

  it('drops anchors whose score is below minScore and keeps one exactly at it', () => {
    const faces = new Map([
      [0, { logit: 2, box: [0, 0, 4, 4, 0, 0] }], // 0.881
      [3, { logit: 2.4, box: [0, 0, 4, 4, 0, 0] }], // 0.917
      [6, { logit: Math.log(0.9 / 0.1), box: [0, 0, 4, 4, 0, 0] }], // exactly 0.9 (up to float32)
    ]);
    const kept = decodeBlazeface(rawOutputs(faces), DECODING, ANCHORS, INPUT_PX, 0.9);
    // Anchor 3 is in cell (1, 0), anchor 6 in cell (1, 1): x centre 48, y centres 16 and 48.
    assert.deepEqual(
      kept.map((face) => [face.xMinPx, face.yMinPx]),
      [
        [46, 14],
        [46, 46],
      ],
    );
    assert.ok(kept.every((face) => face.score >= 0.9 - 1e-6));
    assert.equal(decodeBlazeface(rawOutputs(faces), DECODING, ANCHORS, INPUT_PX, 0.95).length, 0);
  });

  it('clips logits at +scoreClippingThreshold before the sigmoid', () => {
    const decoding: BlazefaceDecoding = { ...DECODING, scoreClippingThreshold: 2 };
    const kept = decodeBlazeface(rawOutputs(new Map([[FACE_ANCHOR, { ...FACE, logit: 50 }]])), decoding, ANCHORS, INPUT_PX, 0.5);
    assert.equal(kept.length, 1);
    assertNear(kept[0]?.score ?? Number.NaN, sigmoid(2), 'score of a logit clipped to +2');
  });

  it('clips logits at −scoreClippingThreshold before the minScore test, as MediaPipe does', () => {
    const decoding: BlazefaceDecoding = { ...DECODING, scoreClippingThreshold: 2 };
    // minScore 0.1 is logit −2.197: every logit, even −50, is clipped to −2 first and so passes.
    const kept = decodeBlazeface(rawOutputs(new Map(), -50), decoding, ANCHORS, INPUT_PX, 0.1);
    assert.equal(kept.length, ANCHORS.length);
    for (const face of kept) assertNear(face.score, sigmoid(-2), 'score of a logit clipped to −2');
    assert.equal(decodeBlazeface(rawOutputs(new Map(), -50), decoding, ANCHORS, INPUT_PX, 0.2).length, 0);
  });

  it('throws when the outputs do not hold one score and one box record per anchor', () => {
    const outputs = rawOutputs(new Map());
    const shortScores = outputs.map((output) => (output.name === 'scores_b' ? { ...output, data: output.data.slice(1) } : output));
    assert.throws(() => decodeBlazeface(shortScores, DECODING, ANCHORS, INPUT_PX, 0.5), /7 scores and 48 box values for 8 anchors/);
    const longBoxes = outputs.map((output) => (output.name === 'boxes_a' ? { ...output, data: new Float32Array(output.data.length + 2) } : output));
    assert.throws(() => decodeBlazeface(longBoxes, DECODING, ANCHORS, INPUT_PX, 0.5), /8 scores and 50 box values for 8 anchors/);
  });

  it('names a missing output', () => {
    const outputs = rawOutputs(new Map()).filter((output) => output.name !== 'boxes_b');
    assert.throws(() => decodeBlazeface(outputs, DECODING, ANCHORS, INPUT_PX, 0.5), /detector output boxes_b is missing/);
  });
});

/** A fake backend whose session returns fixed outputs and records the images it was given. */
class FakeBackend implements InferenceBackend {
  readonly name = 'onnx-cpu' as const;
  readonly inputs: RgbImage[] = [];
  closed = false;

  constructor(private readonly outputs: OutputTensor[]) {}

  async load(model: ResolvedModel): Promise<ModelSession> {
    return {
      modelId: model.id,
      backend: this.name,
      run: async (image) => {
        this.inputs.push(image);
        return this.outputs;
      },
      close: async () => {
        this.closed = true;
      },
    };
  }
}

function tinyDetectorModel(): ResolvedModel {
  const manifestUrl = new URL('../../../models/manifest.json', import.meta.url);
  const manifest = parseManifest(readFileSync(manifestUrl, 'utf8'), manifestUrl.pathname);
  const real = manifest.models['blazeface-256'];
  assert.ok(real, 'the manifest has no blazeface-256');
  const entry: ModelEntry = { ...real, input: { ...real.input, widthPx: INPUT_PX, heightPx: INPUT_PX }, decoding: DECODING };
  return { id: 'tiny-blazeface', entry, onnxPath: '/nonexistent/tiny-blazeface.onnx' };
}

describe('FaceDetector', () => {
  it('maps decoded detections from the letterboxed input back to source pixels', async () => {
    const backend = new FakeBackend(rawOutputs(new Map([[FACE_ANCHOR, FACE]])));
    const detector = await FaceDetector.create({ model: tinyDetectorModel(), backend });
    // 128×64 → scale 0.5, content 64×32 placed 16 px down: source = 2 · (input − (0, 16)).
    const { detections, durationMs } = await detector.detect(createRgbImage(128, 64));
    assert.equal(backend.inputs[0]?.widthPx, INPUT_PX);
    assert.equal(backend.inputs[0]?.heightPx, INPUT_PX);
    assert.ok(durationMs >= 0);
    assert.equal(detections.length, 1);
    const [face] = detections;
    assert.ok(face);
    assertNear(face.boxPx.x, 16, 'box x');
    assertNear(face.boxPx.y, 46, 'box y');
    assertNear(face.boxPx.width, 40, 'box width');
    assertNear(face.boxPx.height, 20, 'box height');
    assertNear(face.keypointsPx[0]?.x ?? Number.NaN, 22, 'key point x');
    assertNear(face.keypointsPx[0]?.y ?? Number.NaN, 76, 'key point y');
    await detector.close();
    assert.ok(backend.closed);
  });

  it('drops a detection without size, which the fitter could not crop', async () => {
    const faces = new Map([
      [7, { logit: 4, box: [0, 0, 0, 0, 0, 0] }],
      [3, { logit: 2, box: [0, 0, 8, 8, 0, 0] }],
    ]);
    const detector = await FaceDetector.create({ model: tinyDetectorModel(), backend: new FakeBackend(rawOutputs(faces)) });
    const { detections } = await detector.detect(createRgbImage(INPUT_PX, INPUT_PX));
    assert.deepEqual(detections.map((face) => face.score), [sigmoid(2)]);
  });

  it('returns at most maxFaces, best first', async () => {
    const faces = new Map([
      [0, { logit: 1, box: [0, 0, 8, 8, 0, 0] }],
      [7, { logit: 4, box: [0, 0, 8, 8, 0, 0] }],
      [3, { logit: 2, box: [0, 0, 8, 8, 0, 0] }],
    ]);
    const detector = await FaceDetector.create({ model: tinyDetectorModel(), backend: new FakeBackend(rawOutputs(faces)), maxFaces: 2 });
    const { detections } = await detector.detect(createRgbImage(INPUT_PX, INPUT_PX));
    // Anchor 7 (centre 48, 48) then anchor 3 (centre 48, 16); anchor 0 is cut.
    assert.deepEqual(
      detections.map((face) => [face.score, face.boxPx.x, face.boxPx.y]),
      [
        [sigmoid(4), 44, 44],
        [sigmoid(2), 44, 12],
      ],
    );
  });

  it('refuses a model that is not a BlazeFace detector', async () => {
    const model = tinyDetectorModel();
    const extractor: ResolvedModel = { ...model, entry: { ...model.entry, decoding: { kind: 'embedding', size: 128, metric: 'cosine' } } };
    await assert.rejects(FaceDetector.create({ model: extractor, backend: new FakeBackend([]) }), /is not a BlazeFace detector/);
  });
});
