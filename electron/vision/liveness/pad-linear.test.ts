import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createSeededRandom } from '../matcher/seeded-random.js';
import { createRgbImage } from '../frame/rgb-image.js';
import { syntheticObservation } from './active/synthetic-face.js';
import { measureFaceColour } from './face-colour.js';
import { fitLogistic, padLinearClipFeatures, padLinearScore, parsePadLinearModel, type PadLinearModel } from './pad-linear.js';

describe('trained linear cue', () => {
  it('fitLogistic finds the direction that separates two classes, and the penalty shrinks it', () => {
    const random = createSeededRandom(3);
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 200; i++) {
      const label = i % 2;
      // Feature 0 tells the classes apart, feature 1 is noise.
      x.push([(label ? 1 : -1) + (random() - 0.5), random() - 0.5]);
      y.push(label);
    }
    const loose = fitLogistic(x, y, new Array(200).fill(1), { l2: 0.1 });
    const tight = fitLogistic(x, y, new Array(200).fill(1), { l2: 100 });
    assert.ok(loose.weights[0]! > 5 * Math.abs(loose.weights[1]!), JSON.stringify(loose));
    assert.ok(Math.abs(loose.bias) < 1, `bias ${loose.bias}`);
    assert.ok(tight.weights[0]! > 0 && tight.weights[0]! < loose.weights[0]!);
    // Weighting one class up moves the boundary toward the other.
    const heavy = fitLogistic(x, y, y.map((label) => (label ? 5 : 1)), { l2: 0.1 });
    assert.ok(heavy.bias > loose.bias);
    assert.throws(() => fitLogistic(x, y.slice(1), new Array(200).fill(1)), /200 rows, 199 labels/);
  });

  it('scores standardised features; a missing feature gives no score; a damaged file is refused by name', () => {
    const model: PadLinearModel = { features: ['minifasnet-v2', 'glare'], mean: [0, -5], std: [2, 1], weights: [1, -0.5], bias: 0.25, threshold: 0, origin: 'test' };
    assert.equal(padLinearScore(model, { 'minifasnet-v2': 2, glare: -4 }), 0.25 + 1 - 0.5);
    assert.equal(padLinearScore(model, { 'minifasnet-v2': 2 }), null);
    assert.deepEqual(parsePadLinearModel(JSON.parse(JSON.stringify(model))), model);
    assert.throws(() => parsePadLinearModel({ ...model, weights: [1] }, 'pad-linear.json'), /pad-linear.json: weights has 1 values for 2 features/);
    assert.throws(() => parsePadLinearModel({ ...model, features: ['minifasnet-v2', 'colour'] }), /features\.1/);
    assert.throws(() => parsePadLinearModel({ ...model, std: [2, 0] }), /std\.1/);
  });

  it('makes clip features from frames: model logits averaged, motion over the frames, absent where a frame lacks a measure', () => {
    const frames = [0, 4, 8].map((yawDeg, k) => ({
      mesh: syntheticObservation({ timestampMs: k * 800, yawDeg, kind: 'photo' }),
      values: { 'minifasnet-v2': k === 1 ? 0.5 : 0.9, 'glare-blob': 0.01 },
    }));
    const features = padLinearClipFeatures(frames, ['minifasnet-v2', 'motion', 'glare', 'edges']);
    assert.ok(Math.abs(features['minifasnet-v2']! - (2 * Math.log(9)) / 3) < 1e-9);
    // A photo moved as a plane: the residual is at the mesh's floor, the log near ln(1e-4).
    assert.ok(features.motion! < -8, `motion ${features.motion}`);
    assert.ok(Math.abs(features.glare! - Math.log(0.0101)) < 1e-9);
    assert.equal(features.edges, undefined);
    assert.equal(padLinearClipFeatures(frames.slice(0, 1), ['motion']).motion, undefined);
  });
});

describe('face colour', () => {
  function image(pixel: (x: number, y: number) => [number, number, number]) {
    const img = createRgbImage(96, 96);
    for (let y = 0; y < 96; y++) for (let x = 0; x < 96; x++) img.data.set(pixel(x, y), (y * 96 + x) * 3);
    return img;
  }

  it('a grey face has no chroma spread or saturation; fine detail is sharper than a smooth ramp of the same contrast', () => {
    const box = { x: 8, y: 8, width: 80, height: 80 };
    const grey = measureFaceColour(image((x) => [x * 2, x * 2, x * 2]), box);
    assert.ok(grey.cbStd < 0.6 && grey.crStd < 0.6, JSON.stringify(grey));
    assert.equal(grey.saturationMean, 0);
    const checks = measureFaceColour(image((x, y) => ((x >> 1) + (y >> 1)) % 2 ? [200, 60, 60] : [60, 60, 200]), box);
    const ramp = measureFaceColour(image((x) => [60 + (140 * x) / 95, 60, 200 - (140 * x) / 95]), box);
    assert.ok(checks.sharpnessLog > ramp.sharpnessLog + 2, `${checks.sharpnessLog} vs ${ramp.sharpnessLog}`);
    assert.ok(checks.saturationMean > 0.6 && checks.crStd > 20, JSON.stringify(checks));
    assert.throws(() => measureFaceColour(image(() => [0, 0, 0]), { x: 0, y: 0, width: 0, height: 10 }), /positive size/);
  });
});
