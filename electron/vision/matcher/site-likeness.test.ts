import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { createSeededRandom, randomUnitVector } from './seeded-random.js';
import { crossPersonSimilarities, galleryReferenceOf, measureSiteLikeness, MIN_SITE_PERSONS, poissonLower, rateLower, wilsonLower, type PersonTemplate } from './site-likeness.js';

const DIMENSION = 64;

/**
 * People whose samples lie around a personal direction; `shared` of each is a direction common to everyone (a site's
 * camera, light and background), which makes strangers alike: cosine between two people's means ≈ shared².
 */
function site(persons: number, samplesEach: number, shared: number, seed = 7): PersonTemplate[] {
  const random = createSeededRandom(seed);
  const common = randomUnitVector(random, DIMENSION);
  const out: PersonTemplate[] = [];
  for (let p = 0; p < persons; p++) {
    const own = randomUnitVector(random, DIMENSION);
    for (let s = 0; s < samplesEach; s++) {
      const noise = randomUnitVector(random, DIMENSION);
      const template = new Float32Array(DIMENSION);
      for (let i = 0; i < DIMENSION; i++) template[i] = shared * common[i]! + Math.sqrt(1 - shared * shared) * (0.9 * own[i]! + 0.3 * noise[i]!);
      out.push({ personId: `p${p}`, template });
    }
  }
  return out;
}

/** A one-level reference. */
const at = (similarity: number, fmr: number): { levels: { similarity: number; fmr: number }[] } => ({ levels: [{ similarity, fmr }] });

describe('measureSiteLikeness', () => {
  test('a site like the dev gallery applies nothing; one whose strangers look alike applies its lower bound', () => {
    // The dev gallery: one photo each, nothing shared. 89,700 comparisons: levels 1e-2 and 1e-3 (≥ 10 reaching), not 1e-4.
    const dev = site(300, 1, 0, 1);
    const reference = galleryReferenceOf(dev);
    assert.equal(reference.comparisons, 300 * 299);
    assert.deepEqual(reference.levels.map((l) => l.fmr), [1e-2, 1e-3]);
    // One photo each: a pair compares the same both ways, so the k-th highest may tie with its twin.
    const own = measureSiteLikeness(dev, reference, { maxComparisons: Infinity })!;
    own.levels.forEach((level) => {
      const extra = level.reaching - Math.ceil(level.fmr * 300 * 299);
      assert.ok(extra === 0 || extra === 1, `the dev gallery reaches its own reference at ${level.fmr}`);
    });

    const like = measureSiteLikeness(site(120, 5, 0, 2), reference)!;
    assert.equal(like.persons, 120);
    assert.ok(like.levels.every((l) => l.factor > 0.2 && l.factor < 4), `same population: factors ${like.levels.map((l) => l.factor)} near 1`);
    assert.equal(like.applied, 1, 'not surely above 1: nothing applied');

    const alike = measureSiteLikeness(site(120, 5, 0.35, 3), reference)!;
    assert.ok(alike.levels[0]!.factor > 5, `a shared component brings strangers closer: factor ${alike.levels[0]!.factor}`);
    assert.ok(alike.levels.every((l) => l.factorLower < l.factor));
    assert.equal(alike.applied, Math.max(...alike.levels.map((l) => l.factorLower)));
    assert.ok(alike.applied > 1);
  });

  test('counts every sample against every other person’s mean, or a seeded subset of the samples beyond the limit', () => {
    const templates = site(12, 3, 0.2);
    const all = measureSiteLikeness(templates, at(0.1, 0.01))!;
    assert.equal(all.comparisons, 36 * 11);
    const subset = measureSiteLikeness(templates, at(0.1, 0.01), { maxComparisons: 100, seed: 3 })!;
    assert.equal(subset.comparisons, 9 * 11, 'whole samples, each against every other person: 9 of the 36 fit in 100');
    assert.deepEqual(measureSiteLikeness(templates, at(0.1, 0.01), { maxComparisons: 100, seed: 3 }), subset, 'same seed, same subset');
    assert.ok(Math.abs(subset.levels[0]!.reaching / subset.comparisons - all.levels[0]!.reaching / all.comparisons) < 0.2, 'the subset estimates the share');
    // A large site: among a seeded subset of its people; all of them still count as the site's.
    const fewer = measureSiteLikeness(templates, at(0.1, 0.01), { maxPersons: 10, seed: 3 })!;
    assert.equal(fewer.persons, 12);
    assert.equal(fewer.comparisons, 30 * 9);
  });

  test('means compared as the door compares them: with a length exponent, fewer strangers reach a level', () => {
    const templates = site(40, 3, 0.2);
    const cosine = measureSiteLikeness(templates, at(0.15, 0.01))!;
    const kept = measureSiteLikeness(templates, at(0.15, 0.01), { lengthExponent: 1 })!;
    assert.equal(kept.comparisons, cosine.comparisons);
    assert.ok(kept.levels[0]!.reaching < cosine.levels[0]!.reaching, `${kept.levels[0]!.reaching} against ${cosine.levels[0]!.reaching}`);
  });

  test('the lower bound counts pairs of people, not comparisons, and holds for all levels together', () => {
    const templates = site(MIN_SITE_PERSONS, 20, 0.3, 5);
    const measured = measureSiteLikeness(templates, at(0.2, 0.01))!;
    const pairs = (MIN_SITE_PERSONS * (MIN_SITE_PERSONS - 1)) / 2;
    const level = measured.levels[0]!;
    const share = level.reaching / measured.comparisons;
    assert.ok(level.reaching > 100, `${level.reaching} comparisons reach it`);
    assert.ok(Math.abs(level.factorLower - rateLower(share * pairs, pairs) / 0.01) < 1e-9);
    assert.ok(level.factorLower < rateLower(level.reaching, measured.comparisons) / 0.01, 'a small site raises little on a few close pairs');
    // Three levels: each bound at a 1.67 % tail, so the same level bounds lower than alone.
    const three = measureSiteLikeness(templates, { levels: [{ similarity: 0.2, fmr: 0.01 }, { similarity: 0.5, fmr: 0.001 }, { similarity: 0.7, fmr: 0.0001 }] })!;
    assert.ok(Math.abs(three.levels[0]!.factorLower - rateLower(share * pairs, pairs, 2) / 0.01) < 1e-9);
    assert.ok(three.levels[0]!.factorLower < level.factorLower);
  });

  test('a reference keeps the levels at least ten comparisons reach, and needs the first', () => {
    assert.throws(() => galleryReferenceOf(site(20, 1, 0), [1e-2]), /380 cross-person comparisons are too few for a reference at FMR 0\.01/);
    assert.deepEqual(galleryReferenceOf(site(40, 1, 0)).levels.map((l) => l.fmr), [1e-2], '1,560 comparisons: 16 reach 1e-2, 2 reach 1e-3');
    assert.equal(crossPersonSimilarities(site(1, 3, 0), 100).similarities.length, 0);
  });

  test('too few people say nothing; a reference out of range is refused', () => {
    assert.equal(measureSiteLikeness(site(MIN_SITE_PERSONS - 1, 5, 0.5), at(0.2, 0.01)), null);
    assert.throws(() => measureSiteLikeness([], at(0.2, 0)), /reference FMR must lie in \(0, 1\)/);
    assert.throws(() => measureSiteLikeness([], { levels: [] }), /at least one level/);
    const four = { levels: [1e-2, 1e-3, 1e-4, 1e-5].map((fmr) => ({ fmr, similarity: 0.5 })) };
    assert.throws(() => measureSiteLikeness(site(MIN_SITE_PERSONS, 1, 0), four), /at most 3 levels/);
  });
});

describe('rate lower bounds', () => {
  test('Poisson exact: P(X ≥ x) = alpha at the bound', () => {
    // x = 1: −ln(1 − alpha); x = 7 at 5 %: 3.285 (tables of the Poisson confidence limits).
    assert.ok(Math.abs(poissonLower(1, 0.05) - -Math.log(0.95)) < 1e-9);
    assert.ok(Math.abs(poissonLower(7, 0.05) - 3.285) < 1e-3);
    assert.equal(poissonLower(0, 0.05), 0);
  });

  test('few events: Poisson on the whole events seen; many: Wilson', () => {
    // 0.6 of an event is none seen; one of 105 is a rate of at least 0.0513 / 105, where Wilson would claim four times more.
    assert.equal(rateLower(0.6, 105), 0);
    assert.ok(Math.abs(rateLower(1, 105) - poissonLower(1, 0.05) / 105) < 1e-12);
    assert.ok(wilsonLower(1, 105) > 4 * rateLower(1, 105));
    assert.equal(rateLower(500, 50_000), wilsonLower(500, 50_000));
  });
});

describe('wilsonLower', () => {
  test('known values', () => {
    assert.equal(wilsonLower(0, 100), 0);
    // 10 of 100, one-sided 95 % (z = 1.6449): (0.11353 − 0.05117) / 1.02706 = 0.0607.
    assert.ok(Math.abs(wilsonLower(10, 100) - 0.0607) < 1e-4, String(wilsonLower(10, 100)));
    assert.equal(wilsonLower(3, 0), 0);
  });
});
