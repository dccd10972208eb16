import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createSeededRandom, randomUnitVector } from '../matcher/seeded-random.js';
import { l2Normalize } from '../matcher/similarity.js';
import { fitMeanLengthExponent } from './mean-template-fit.js';

const DIMENSION = 64;

/** a·x + b·y (+ c·z), normalised. */
function mix(parts: ReadonlyArray<readonly [number, Float32Array]>): Float32Array {
  const out = new Float32Array(DIMENSION);
  for (const [weight, v] of parts) for (let d = 0; d < DIMENSION; d++) out[d] = out[d]! + weight * v[d]!;
  return l2Normalize(out);
}

/**
 * Faces that share a direction (every face looks a little like every other) and a person's own, each sample with
 * its own nuisance (pose, light): averaging cancels the nuisance, so a normalised mean leans further towards the
 * shared direction than any one sample, and strangers come closer to it.
 */
function faces(seed: number): { strangers: Float32Array[]; identities: Float32Array[][] } {
  const random = createSeededRandom(seed);
  const shared = randomUnitVector(random, DIMENSION);
  const face = (own: Float32Array, nuisance: number): Float32Array => mix([[0.5, shared], [0.6, own], [nuisance, randomUnitVector(random, DIMENSION)]]);
  const strangers = Array.from({ length: 1000 }, () => face(randomUnitVector(random, DIMENSION), 0.6));
  const identities = Array.from({ length: 120 }, () => {
    const own = randomUnitVector(random, DIMENSION);
    return Array.from({ length: 3 }, () => face(own, 0.6));
  });
  return { strangers, identities };
}

test('means of differing samples let strangers closer than one photo; the fitted exponent takes it back', () => {
  const { strangers, identities } = faces(3);
  const fit = fitMeanLengthExponent(strangers, identities);
  assert.ok(fit);
  assert.equal(fit.persons, 120);
  assert.equal(fit.comparisons, 1000 * 120);
  assert.deepEqual(
    fit.levels.map((l) => l.fmr),
    [1e-3, 1e-4],
    '120,000 comparisons: at least 10 reach 1e-3 and 1e-4, not 1e-5',
  );
  assert.ok(fit.meanLength.median < 0.95 && fit.meanLength.p5 <= fit.meanLength.median && fit.meanLength.median <= fit.meanLength.p95);
  for (const level of fit.levels) {
    assert.ok(level.meanCosine > level.firstPhoto, `as a cosine the mean lets strangers closer at ${level.fmr}: ${level.meanCosine} against ${level.firstPhoto}`);
    assert.ok(Math.abs(level.fitted - level.firstPhoto) < Math.abs(level.meanCosine - level.firstPhoto), `the fit comes closer at ${level.fmr}`);
  }
  assert.ok(fit.lengthExponent > 0 && fit.lengthExponent <= 1, `exponent ${fit.lengthExponent}`);
});

test('identical samples make a mean as long as one: nothing to take back', () => {
  const { strangers, identities } = faces(4);
  const fit = fitMeanLengthExponent(
    strangers,
    identities.map(([first]) => [first!, first!, first!]),
  );
  assert.ok(fit);
  assert.equal(fit.lengthExponent, 0);
  for (const level of fit.levels) assert.ok(Math.abs(level.meanCosine - level.firstPhoto) < 1e-6);
});

test('no person of several samples, or too few comparisons for 1e-3: no fit', () => {
  const { strangers, identities } = faces(5);
  assert.equal(
    fitMeanLengthExponent(
      strangers,
      identities.map(([first]) => [first!]),
    ),
    null,
  );
  assert.equal(fitMeanLengthExponent(strangers.slice(0, 10), identities.slice(0, 10)), null, '100 comparisons reach 1e-3 not even once');
  assert.equal(fitMeanLengthExponent([], identities), null);
});
