import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { l2Normalize } from '../matcher/similarity.js';
import { analyseImpostors } from './impostor-analysis.js';

/** Unit vector at `angleDeg` in the plane: cosine between two of them is cos(difference). */
function planar(angleDeg: number): Float32Array {
  const rad = (angleDeg * Math.PI) / 180;
  return l2Normalize(Float32Array.of(Math.cos(rad), Math.sin(rad), 0));
}

describe('analyseImpostors', () => {
  // Four people, two images each: a person's images are 10° apart, people 60° apart.
  const embeddings = new Map<string, Float32Array>();
  ['ann', 'bob', 'cyd', 'dan'].forEach((person, p) => {
    embeddings.set(`${person}/1`, planar(p * 60));
    embeddings.set(`${person}/2`, planar(p * 60 + 10));
  });
  const personOf = (image: string): string => image.split('/')[0] as string;

  it('counts every image pair once, split into same- and different-person pairs', () => {
    const analysis = analyseImpostors(embeddings, personOf, [0.01]);
    assert.equal(analysis.imageCount, 8);
    assert.equal(analysis.personCount, 4);
    assert.equal(analysis.genuinePairCount, 4);
    assert.equal(analysis.impostorPairCount, 28 - 4);
  });

  it('places the threshold just above the highest impostor score when no false accept is allowed', () => {
    const [point] = analyseImpostors(embeddings, personOf, [0.01]).points;
    assert.ok(point);
    // Closest different people: 50° apart (e.g. ann/2 at 10° and bob/1 at 60°).
    const highestImpostor = Math.cos((50 * Math.PI) / 180);
    assert.ok(point.threshold > highestImpostor && point.threshold < highestImpostor + 1e-5, `threshold ${point.threshold}`);
    assert.equal(point.falseAccepts, 0);
    assert.equal(point.tar, 1);
  });

  it('allows at most floor(FAR × pairs) false accepts, never splitting tied scores', () => {
    // 24 impostor pairs at FAR 0.25 → 6 allowed. Highest scores: three pairs 50° apart, then six tied at 60°;
    // accepting all 9 would exceed 6, so the threshold sits just above the 60° tie and accepts the three.
    const [point] = analyseImpostors(embeddings, personOf, [0.25]).points;
    assert.ok(point);
    assert.equal(point.falseAccepts, 3);
    assert.ok(point.threshold > Math.cos((60 * Math.PI) / 180) && point.threshold < Math.cos((50 * Math.PI) / 180));
  });

  it('checks each half of the people against the threshold chosen on the other half', () => {
    const [point] = analyseImpostors(embeddings, personOf, [0.01]).points;
    assert.ok(point);
    // Halves by name order: {ann, cyd} and {bob, dan}; each half's people are 120° apart.
    assert.ok(Math.abs(point.heldOut.thresholdOnA - Math.cos((110 * Math.PI) / 180)) < 1e-5);
    assert.equal(point.heldOut.farOnB, 0);
    assert.equal(point.heldOut.farOnA, 0);
  });
});
