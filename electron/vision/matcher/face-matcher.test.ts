import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { FaceMatcher } from './face-matcher.js';
import { l2Normalize } from './similarity.js';

/** Unit vector in 3-D at `angleDeg` from the x axis in the x–y plane. */
function at(angleDeg: number): Float32Array {
  const rad = (angleDeg * Math.PI) / 180;
  return l2Normalize(Float32Array.of(Math.cos(rad), Math.sin(rad), 0));
}

describe('FaceMatcher', () => {
  // cos 20° ≈ 0.940, cos 30° ≈ 0.866, cos 40° ≈ 0.766.
  const thresholds = { verifySimilarity: Math.cos((35 * Math.PI) / 180), identifySimilarity: Math.cos((25 * Math.PI) / 180) };

  it('compares mean templates with the length exponent its curve holds', () => {
    const curve = {
      points: [
        { similarity: 0.5, fmr: 1e-2, fnir: 0.01 },
        { similarity: 0.9, fmr: 1e-4, fnir: 0.1 },
      ],
      protocol: { description: 'test', gallerySize: 10, matedSearches: 10, nonMatedSearches: 10, comparisons: 100, measuredOn: '2026-12-04' },
      meanTemplate: { lengthExponent: 1, description: 'test', measuredOn: '2026-12-04' },
    };
    const matcher = new FaceMatcher('m', 3, thresholds, { curve });
    matcher.gallery.addMany([
      { id: 'ann', template: at(0) },
      { id: 'ann', template: at(60) },
    ]);
    // The mean of 0° and 60° points at 30° and is cos 30° long: at 30° the similarity is that length.
    assert.ok(Math.abs(matcher.gallery.similarityTo('ann', at(30))! - Math.cos(Math.PI / 6)) < 1e-6);
    const plain = new FaceMatcher('m', 3, thresholds);
    plain.gallery.addMany([
      { id: 'ann', template: at(0) },
      { id: 'ann', template: at(60) },
    ]);
    assert.ok(Math.abs(plain.gallery.similarityTo('ann', at(30))! - 1) < 1e-6, 'without a curve: the cosine');
  });

  it('verifies 1:1 against the verification threshold', () => {
    const matcher = new FaceMatcher('m', 3, thresholds);
    assert.equal(matcher.verify(at(0), at(30)).match, true);
    assert.equal(matcher.verify(at(0), at(40)).match, false);
    assert.ok(Math.abs(matcher.verify(at(0), at(30)).similarity - Math.cos(Math.PI / 6)) < 1e-6);
  });

  it('identifies 1:N: a hit between the thresholds is reported but is not a match, below both it is left out', () => {
    const matcher = new FaceMatcher('m', 3, thresholds);
    matcher.gallery.add('ann', at(0));
    matcher.gallery.add('bob', at(90));
    assert.deepEqual(
      matcher.identify(at(20)).map(({ id, match }) => ({ id, match })),
      [{ id: 'ann', match: true }],
    );
    assert.deepEqual(
      matcher.identify(at(30)).map(({ id, match }) => ({ id, match })),
      [{ id: 'ann', match: false }],
    );
    assert.deepEqual(matcher.identify(at(45)), []);
  });

  it('returns the best ids first, one hit per id, each by the mean of their templates', () => {
    const matcher = new FaceMatcher('m', 3, { verifySimilarity: -1, identifySimilarity: 0.9 });
    matcher.gallery.add('ann', at(0));
    matcher.gallery.add('ann', at(5));
    matcher.gallery.add('bob', at(50));
    const hits = matcher.identify(at(6), 5);
    assert.deepEqual(hits.map((hit) => hit.id), ['ann', 'bob']);
    // Ann's row is the mean of her samples at 0° and 5°, i.e. 2.5°: 3.5° from the probe.
    assert.ok(Math.abs((hits[0]?.similarity ?? 0) - Math.cos((3.5 * Math.PI) / 180)) < 1e-6);
  });
});
