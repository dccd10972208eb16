// TerminalStore.addSamples: more samples for an enrolled person, or a re-enrollment in place of theirs, all or
// nothing, with the attached gallery following.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { Gallery } from '../../vision/matcher/gallery.js';
import { StoreError } from './errors.js';
import { TerminalStore } from './store.js';
import { FAST_SCRYPT, fakeSample, tempDir } from './test/test-helpers.js';

function openStore(t: { after(fn: () => void): void }): TerminalStore {
  const store = TerminalStore.open({ dataDir: tempDir(t), admin: { scrypt: FAST_SCRYPT } });
  t.after(() => store.close());
  return store;
}

describe('TerminalStore.addSamples', () => {
  test('adds samples to a person and the gallery follows', (t) => {
    const store = openStore(t);
    const gallery = new Gallery({ dimension: 128, kernel: 'js' });
    const ann = store.enrollPerson({ name: 'Ann' }, [fakeSample('ann-1')]);
    store.attachGallery('model-a', gallery);
    const ids = store.addSamples(ann.person.id, [fakeSample('ann-2'), fakeSample('ann-3')]);
    assert.equal(ids.length, 2);
    assert.deepEqual(
      store.samples.listForPerson(ann.person.id).map((sample) => sample.id),
      [...ann.sampleIds, ...ids],
    );
    assert.equal(store.galleryCount('model-a').templates, 3);
    // The templates the site's likeness is measured on: every one, with its person, decrypted.
    const { persons, templates } = store.galleryTemplates('model-a');
    assert.equal(persons, 1);
    assert.deepEqual(templates.map((t) => t.personId), [ann.person.id, ann.person.id, ann.person.id]);
    assert.ok(templates.every((t) => t.template instanceof Float32Array && t.template.length === 128));
    assert.deepEqual(store.galleryTemplates('model-b'), { persons: 0, templates: [] });
  });

  test('the site-likeness read decrypts the templates of a seeded subset of people only, whole', (t) => {
    const store = openStore(t);
    const enrolled = Array.from({ length: 12 }, (_, p) => store.enrollPerson({ name: `P${p}` }, [fakeSample(`p${p}-a`), fakeSample(`p${p}-b`)]));
    store.enrollPerson({ name: 'Other model' }, [fakeSample('other', 'model-b')]);
    const expected = new Map(enrolled.map((e, p) => [e.person.id, [store.samples.templatesOfPerson(e.person.id, 'model-a').map((x) => [...x.template]), p] as const]));

    const all = store.galleryTemplates('model-a', 100);
    assert.equal(all.persons, 12);
    assert.deepEqual(
      all.templates.map((x) => x.personId),
      enrolled.flatMap((e) => [e.person.id, e.person.id]),
      'every template, in the order enrolled',
    );

    const some = store.galleryTemplates('model-a', 5);
    assert.equal(some.persons, 12, 'counts everyone with a template');
    const chosen = [...new Set(some.templates.map((x) => x.personId))];
    assert.equal(chosen.length, 5);
    for (const id of chosen) {
      assert.deepEqual(
        some.templates.filter((x) => x.personId === id).map((x) => [...x.template]),
        expected.get(id)![0],
        'each chosen person with all their templates',
      );
    }
    assert.deepEqual(store.galleryTemplates('model-a', 5), some, 'the same seed chooses the same people');
    assert.notDeepEqual(
      new Set(store.galleryTemplates('model-a', 5, 2).templates.map((x) => x.personId)),
      new Set(chosen),
      'another seed, other people',
    );

    store.deletePerson(chosen[0]!);
    assert.equal(store.galleryTemplates('model-a', 100).persons, 11);
  });

  test('replace puts the new samples in place of all the old ones', (t) => {
    const store = openStore(t);
    const ann = store.enrollPerson({ name: 'Ann' }, [fakeSample('ann-1'), fakeSample('ann-2')]);
    const [fresh] = store.addSamples(ann.person.id, [fakeSample('ann-new')], { replace: true });
    assert.deepEqual(
      store.samples.listForPerson(ann.person.id).map((sample) => sample.id),
      [fresh],
    );
    for (const old of ann.sampleIds) assert.equal(store.samples.getCrop(old), undefined, 'the old crops are gone');
  });

  test('a bad sample leaves the person as they were, even when replacing', (t) => {
    const store = openStore(t);
    const ann = store.enrollPerson({ name: 'Ann' }, [fakeSample('ann-1')]);
    assert.throws(() => store.addSamples(ann.person.id, [fakeSample('ann-2'), { ...fakeSample('ann-3'), alignedJpeg: Buffer.from('not a jpeg') }], { replace: true }), /not a JPEG/);
    assert.deepEqual(
      store.samples.listForPerson(ann.person.id).map((sample) => sample.id),
      ann.sampleIds,
    );
  });

  test('no such person: not-found, nothing written', (t) => {
    const store = openStore(t);
    assert.throws(
      () => store.addSamples('0b6f7f0e-8a4c-4c43-9a4e-2f1b6b1c9d01', [fakeSample('x')]),
      (error) => error instanceof StoreError && error.code === 'not-found',
    );
    assert.equal(store.stats().samples, 0);
  });
});
