import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { thresholdFor, type IdentificationCurve } from '../../vision/matcher/identification-curve.js';
import { IdentifyThreshold, matchScoreOf, type GalleryCounter } from './identify-threshold.js';

// FMR = 10^(4 − 10·s) on 0.5..0.8, as in identification-curve.test.ts.
const curve: IdentificationCurve = {
  points: [
    { similarity: 0.5, fmr: 1e-1, fnir: 0.01 },
    { similarity: 0.6, fmr: 1e-2, fnir: 0.02 },
    { similarity: 0.7, fmr: 1e-3, fnir: 0.05 },
    { similarity: 0.8, fmr: 1e-4, fnir: 0.2 },
  ],
  protocol: { description: 'hand-made', gallerySize: 826, matedSearches: 2000, nonMatedSearches: 7000, comparisons: 5_000_000, measuredOn: '2026-12-02' },
};
const fixed = { verifySimilarity: 0.4, identifySimilarity: 0.75 };

/** A store stand-in: a gallery of one template per person, and a revision that moves with it; counts the counts. */
class FakeGallery implements GalleryCounter {
  galleryRevision = 0;
  counts = 0;
  constructor(
    private size: number,
    private templatesPerPerson = 1,
  ) {}
  set(size: number, templatesPerPerson = 1): void {
    this.size = size;
    this.templatesPerPerson = templatesPerPerson;
    this.galleryRevision++;
  }
  galleryCount(): { persons: number; templates: number } {
    this.counts++;
    return { persons: this.size, templates: this.size * this.templatesPerPerson };
  }
}

describe('IdentifyThreshold', () => {
  test('follows the gallery: more people, a stricter threshold, counted again only when the revision moves', () => {
    const gallery = new FakeGallery(10);
    const threshold = new IdentifyThreshold({ modelId: 'm', fixed, curve, gallery });
    assert.equal(threshold.similarity, thresholdFor(curve, 10, 1e-3));
    assert.equal(threshold.similarity, thresholdFor(curve, 10, 1e-3));
    assert.equal(gallery.counts, 1, 'no recount while nothing changed');
    const at10 = threshold.similarity;
    gallery.set(1000);
    assert.equal(threshold.similarity, thresholdFor(curve, 1000, 1e-3));
    assert.ok(threshold.similarity > at10);
    assert.equal(gallery.counts, 2);
    const state = threshold.state();
    assert.equal(state.source, 'curve');
    assert.equal(state.gallerySize, 1000);
    assert.ok(Math.abs(state.expected!.fpir - 1e-3) < 1e-12, 'expected FPIR at the threshold is the target');
    assert.match(state.curveProtocol ?? '', /^Measured on 2026-12-02 by hand-made: a dev gallery of 826 people/);
    assert.equal(state.note, undefined);
    gallery.set(1000, 5);
    assert.equal(threshold.similarity, thresholdFor(curve, 1000, 1e-3), 'five templates a person averaged into one: one comparison a person');
    assert.deepEqual([threshold.state().gallerySize, threshold.state().galleryTemplates], [1000, 5000]);
  });

  test('a new target applies to the next read', () => {
    const threshold = new IdentifyThreshold({ modelId: 'm', fixed, curve, gallery: new FakeGallery(100) });
    const strict = threshold.similarity;
    threshold.setTargetFpir(1e-2);
    assert.equal(threshold.similarity, thresholdFor(curve, 100, 1e-2));
    assert.ok(threshold.similarity < strict);
    assert.throws(() => threshold.setTargetFpir(0), RangeError);
    assert.throws(() => threshold.setTargetFpir(1), RangeError);
  });

  test('never below the verification threshold (the search leaves out hits below it)', () => {
    const threshold = new IdentifyThreshold({ modelId: 'm', fixed: { verifySimilarity: 0.65, identifySimilarity: 0.75 }, curve, gallery: new FakeGallery(1), targetFpir: 1e-1 });
    assert.ok(thresholdFor(curve, 1, 1e-1) < 0.65);
    assert.equal(threshold.similarity, 0.65);
  });

  test('after a card, one comparison: a gallery of one at the same target, never below the verification threshold, whatever the gallery or an override', () => {
    const gallery = new FakeGallery(10_000);
    const threshold = new IdentifyThreshold({ modelId: 'm', fixed: { verifySimilarity: 0.1, identifySimilarity: 0.75 }, curve, gallery, override: 0.99 });
    assert.equal(threshold.oneToOneSimilarity, thresholdFor(curve, 1, 1e-3));
    assert.ok(threshold.oneToOneSimilarity < thresholdFor(curve, 10_000, 1e-3), 'far below the search of ten thousand');
    assert.equal(threshold.state().oneToOneSimilarity, threshold.oneToOneSimilarity);
    threshold.setTargetFpir(1e-2);
    assert.equal(threshold.oneToOneSimilarity, thresholdFor(curve, 1, 1e-2));
    const floored = new IdentifyThreshold({ modelId: 'm', fixed: { verifySimilarity: 0.99, identifySimilarity: 0.995 }, curve, gallery });
    assert.equal(floored.oneToOneSimilarity, 0.99);
    assert.equal(new IdentifyThreshold({ modelId: 'no-curve-model', fixed, gallery }).oneToOneSimilarity, fixed.verifySimilarity);
  });

  test('no curve: the fixed threshold whatever the gallery, and a note saying so', () => {
    const gallery = new FakeGallery(10);
    const threshold = new IdentifyThreshold({ modelId: 'no-curve-model', fixed, gallery });
    assert.equal(threshold.similarity, 0.75);
    gallery.set(10_000);
    assert.equal(threshold.similarity, 0.75);
    const state = threshold.state();
    assert.equal(state.source, 'fixed');
    assert.equal(state.expected, null);
    assert.equal(state.curveProtocol, null);
    assert.match(state.note ?? '', /no identification curve for no-curve-model in the manifest: its fixed threshold 0\.75/);
  });

  test("an administrator's override wins, is shown as one, and can be lifted", () => {
    const threshold = new IdentifyThreshold({ modelId: 'm', fixed, curve, gallery: new FakeGallery(100), override: 0.95 });
    assert.equal(threshold.similarity, 0.95);
    const state = threshold.state();
    assert.equal(state.source, 'override');
    assert.equal(state.thresholdSimilarity, 0.95);
    assert.match(state.note ?? '', /set by hand \(recognition\.identifySimilarity 0\.95\); the curve would give 0\.9000/);
    assert.ok(state.expected!.fpir < 1e-3, 'the expected rates are those of the override');
    threshold.setOverride(undefined);
    assert.equal(threshold.similarity, thresholdFor(curve, 100, 1e-3));
  });

  test("raised where the site's enrolled faces look more alike than the dev gallery, measured again as the gallery grows", async () => {
    // Every person's template leans on one shared direction, so strangers here reach the dev gallery's 1-in-100
    // similarity far more often than 1 in 100.
    const shared = new Float32Array([1, 0, 0, 0]);
    const personTemplate = (p: number): Float32Array => {
      const t = new Float32Array(shared);
      t[1 + (p % 3)] = 0.3 + 0.01 * p;
      return t;
    };
    class SiteGallery extends FakeGallery {
      reads = 0;
      galleryTemplates(): { persons: number; templates: { personId: string; template: Float32Array }[] } {
        this.reads++;
        return { persons: this.persons, templates: Array.from({ length: this.persons }, (_, p) => ({ personId: `p${p}`, template: personTemplate(p) })) };
      }
      get persons(): number {
        return this.galleryCount().persons;
      }
    }
    const withReference: IdentificationCurve = { ...curve, galleryReference: { comparisons: 300_000, levels: [{ fmr: 1e-2, similarity: 0.6 }] } };
    const gallery = new SiteGallery(12);
    // A lax target keeps the raised threshold inside the curve's range (no clamp at cosine 1).
    const threshold = new IdentifyThreshold({ modelId: 'm', fixed, curve: withReference, gallery, targetFpir: 1e-1 });
    const state = threshold.state();
    const likeness = state.siteLikeness!;
    assert.equal(likeness.persons, 12);
    assert.equal(likeness.levels[0]!.reaching, likeness.comparisons, 'every stranger here reaches the reference');
    assert.ok(likeness.applied > 1 && likeness.applied === likeness.levels[0]!.factorLower);
    assert.equal(threshold.similarity, thresholdFor(withReference, 12, 1e-1, likeness.applied));
    assert.ok(threshold.similarity > thresholdFor(withReference, 12, 1e-1) + 0.15, 'stricter than the curve alone');
    assert.ok(Math.abs(state.expected!.fpir - 1e-1) < 1e-9, 'the expected FPIR counts the site: still the target');
    assert.match(likeness.note, /^Faces enrolled here look more alike than the dev data's: 132 of 132 comparisons of the 12 people enrolled here with one another reach the dev gallery's 1-in-100 similarity, 100× as often \(at least 81×\); the threshold is raised/);
    assert.equal(threshold.oneToOneSimilarity, thresholdFor(withReference, 1, 1e-1, likeness.applied));
    assert.equal(gallery.reads, 1);
    gallery.set(14);
    void threshold.similarity;
    assert.equal(gallery.reads, 1, 'two more people: not read again');
    gallery.set(20);
    const before = threshold.similarity;
    assert.equal(gallery.reads, 1, 'grown by 5 % and at least 5 people: measured again, but not on the search that noticed it');
    await threshold.likenessSettled();
    assert.equal(gallery.reads, 2);
    assert.equal(threshold.state().siteLikeness!.persons, 20);
    assert.notEqual(threshold.similarity, before, 'the new measure applies from the next read');
    assert.equal(threshold.similarity, thresholdFor(withReference, 20, 1e-1, threshold.state().siteLikeness!.applied));

    // Without a reference for the extractor (or without templates to read) nothing is measured.
    const plain = new IdentifyThreshold({ modelId: 'm', fixed, curve, gallery: new SiteGallery(12) });
    assert.equal(plain.state().siteLikeness, null);
    assert.equal(plain.similarity, thresholdFor(curve, 12, 1e-3));
  });

  test('a measure that fails leaves the curve alone in force, and says why', () => {
    const broken: GalleryCounter = {
      galleryRevision: 1,
      galleryCount: () => ({ persons: 12, templates: 12 }),
      galleryTemplates: () => {
        throw new Error('template of sample s1 does not open');
      },
    };
    const withReference: IdentificationCurve = { ...curve, galleryReference: { comparisons: 300_000, levels: [{ fmr: 1e-2, similarity: 0.6 }] } };
    const threshold = new IdentifyThreshold({ modelId: 'm', fixed, curve: withReference, gallery: broken });
    assert.equal(threshold.similarity, thresholdFor(curve, 12, 1e-3));
    assert.equal(threshold.state().siteLikeness, null);
    assert.match(threshold.state().note ?? '', /could not be measured \(template of sample s1 does not open\): the threshold follows the curve alone/);
  });

  test("match scores come from the curve of the event's model", () => {
    const curves = new Map([['m', curve]]);
    assert.equal(matchScoreOf(curves, 'm', 0.7), 30);
    assert.equal(matchScoreOf(curves, 'other', 0.7), null);
    assert.equal(matchScoreOf(curves, null, 0.7), null);
    assert.equal(matchScoreOf(curves, 'm', null), null);
  });
});
