import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { FaceMatcher } from '../../vision/matcher/face-matcher.js';
import type { FaceQuality } from '../../vision/quality/face-quality.js';
import type { SampleInput } from '../store/samples-repository.js';
import { ARCFACE_ALIGNMENT } from '../store/test/test-helpers.js';
import { enrollSamples, findDuplicates } from './duplicates.js';
import { makeTempDir, openStoreWithGallery } from './test/helpers.js';

const QUALITY: FaceQuality = { interOcularPx: 62, yawDeg: -3, pitchDeg: -5, rollDeg: 1, sharpness: 180, brightness: 121, contrast: 44, presence: 0.99, detectorScore: 0.93 };
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0]);

/** A deterministic pseudo-random unit-ish vector (LCG), so tests need no models. */
function vector(seed: number, dimension = 128): Float32Array {
  const out = new Float32Array(dimension);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < dimension; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 32 - 0.5;
  }
  return out;
}

/** `base` plus a little of another vector: the same face, another photo (cosine ≈ 0.99). */
function near(base: Float32Array, seed: number): Float32Array {
  const noise = vector(seed, base.length);
  return base.map((value, i) => value + 0.1 * (noise[i] as number));
}

const sample = (template: Float32Array, modelId = 'model-a'): SampleInput => ({ template, modelId, quality: QUALITY, alignedJpeg: JPEG, alignment: ARCFACE_ALIGNMENT });

describe('duplicate check', () => {
  const matcher = new FaceMatcher('model-a', 128, { verifySimilarity: 0.9, identifySimilarity: 0.95 });
  const dirs: (() => void)[] = [];
  after(() => dirs.forEach((cleanup) => cleanup()));
  const store = openStoreWithGallery(makeTempDir((fn) => dirs.push(fn)), matcher);
  after(() => store.close());
  const ann = vector(1);
  const bob = vector(2);

  it('enrolls a new face, then refuses the same face under another name, naming who it is', () => {
    const first = enrollSamples({ store, matcher, person: { name: 'Ann Lee', externalId: 'A-1' }, samples: [sample(ann), sample(near(ann, 10))] });
    assert.equal(first.outcome, 'enrolled');
    assert.deepEqual([matcher.gallery.size, matcher.gallery.templateCount], [1, 2], 'the attached gallery follows the store');

    const again = enrollSamples({ store, matcher, person: { name: 'Anne Lee' }, samples: [sample(vector(3)), sample(near(ann, 11))] });
    assert.equal(again.outcome, 'refused');
    assert.ok(again.outcome === 'refused' && again.reason === 'duplicate-of');
    const [warning] = again.duplicates;
    assert.equal(warning?.name, 'Ann Lee');
    assert.equal(warning?.externalId, 'A-1');
    assert.deepEqual(warning?.sampleIndices, [1]);
    assert.match(warning?.message ?? '', /^already enrolled as Ann Lee \(A-1\): similarity 0\.9\d\d in 1 of 2 sample/);
    assert.equal(store.persons.list({ search: 'Anne' }).total, 0, 'nothing written');
  });

  it('enrolls anyway with allowDuplicate, still returning the warning', () => {
    const twin = enrollSamples({ store, matcher, person: { name: 'Ann Lee (twin)' }, samples: [sample(near(ann, 12))], allowDuplicate: true });
    assert.equal(twin.outcome, 'enrolled');
    assert.equal(twin.duplicates[0]?.name, 'Ann Lee');
  });

  it('names nobody for a new face, skips a person being added to, and refuses an empty sample list', () => {
    assert.deepEqual(findDuplicates(matcher, store.persons, [sample(bob)]), []);
    const annId = store.persons.getByExternalId('A-1')?.id;
    // The twin still matches: excluding Ann leaves the next best hit.
    const others = findDuplicates(matcher, store.persons, [sample(ann)], { excludePersonId: annId });
    assert.deepEqual(others.map((warning) => warning.name), ['Ann Lee (twin)']);
    assert.deepEqual(enrollSamples({ store, matcher, person: { name: 'Nobody' }, samples: [] }), { outcome: 'refused', reason: 'no-samples', duplicates: [] });
  });

  it('refuses to compare templates of another model', () => {
    assert.throws(() => findDuplicates(matcher, store.persons, [sample(bob, 'model-b')]), /model-b cannot be checked against a gallery of model-a/);
  });

  it("names the match score from the extractor's curve where it has one, keeping the raw similarity", () => {
    // FMR 10^(−3 − 20·(s − 0.9)) on 0.9..1: a similarity s scores 30 + 200·(s − 0.9).
    const curve = {
      points: [
        { similarity: 0.9, fmr: 1e-3, fnir: 0 },
        { similarity: 1, fmr: 1e-5, fnir: 1 },
      ],
      protocol: { description: 'hand-made', gallerySize: 1, matedSearches: 1, nonMatedSearches: 1, comparisons: 1, measuredOn: '2026-12-02' },
    };
    const scored = new FaceMatcher('model-a', 128, matcher.thresholds, { curve });
    const scoredStore = openStoreWithGallery(makeTempDir((fn) => dirs.push(fn)), scored);
    after(() => scoredStore.close());
    scoredStore.enrollPerson({ name: 'Ann Lee' }, [sample(ann)]);
    const [warning] = findDuplicates(scored, scoredStore.persons, [sample(near(ann, 13))]);
    assert.ok(warning);
    assert.equal(warning.matchScore, Math.round(30 + 200 * (warning.similarity - 0.9)));
    assert.match(warning.message, new RegExp(`^already enrolled as Ann Lee: match score ${warning.matchScore}/100 in 1 of 1 sample`));
    assert.equal(findDuplicates(matcher, store.persons, [sample(near(ann, 13))])[0]?.matchScore, null, 'no curve, no score');
  });
});
