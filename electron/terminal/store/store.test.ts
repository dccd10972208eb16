import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import Database from 'better-sqlite3';

import type { AlignmentTemplate } from '../../vision/align/align-face.js';
import { Gallery } from '../../vision/matcher/gallery.js';
import { KEY_FILE_NAME } from './crypto.js';
import { DATABASE_FILE_NAME } from './database.js';
import { StoreError } from './errors.js';
import type { SampleInput } from './samples-repository.js';
import { TerminalStore, type RebuildProgress } from './store.js';
import { ARCFACE_ALIGNMENT, FAST_SCRYPT, fakeJpeg, fakeQuality, fakeSample, fakeTemplate, tempDir } from './test/test-helpers.js';

function openStore(t: { after(fn: () => void): void }, dataDir = tempDir(t)): TerminalStore {
  const store = TerminalStore.open({ dataDir, admin: { scrypt: FAST_SCRYPT } });
  t.after(() => store.close());
  return store;
}

const hasCode = (code: string) => (error: unknown): boolean => error instanceof StoreError && error.code === code;

/** A template extractor stand-in: the template is a hash of the crop, so a rebuilt one can be predicted. */
async function fakeExtract(crop: { alignedJpeg: Buffer; alignment: AlignmentTemplate }): Promise<Float32Array> {
  await Promise.resolve();
  assert.deepEqual(crop.alignment, ARCFACE_ALIGNMENT, 'the rebuild passes the alignment the sample recorded');
  return fakeTemplate(createHash('sha256').update(crop.alignedJpeg).digest('hex'), 64);
}

describe('TerminalStore', () => {
  test('opens, closes and reopens with the same key; refuses to invent a key for an existing database', (t) => {
    const dataDir = tempDir(t);
    const first = TerminalStore.open({ dataDir });
    const person = first.persons.create({ name: 'Ann' });
    first.close();
    const second = TerminalStore.open({ dataDir });
    assert.equal(second.persons.get(person.id)?.name, 'Ann');
    assert.equal(second.integrityCheck(), 'ok');
    second.close();
    rmSync(join(dataDir, KEY_FILE_NAME));
    assert.throws(() => TerminalStore.open({ dataDir }), (error: unknown) => hasCode('key-file')(error) && /missing/.test((error as Error).message));
    assert.equal(existsSync(join(dataDir, KEY_FILE_NAME)), false);
  });

  test('a card credential is checked against the configured format, unique, and erased with the person', (t) => {
    const dataDir = tempDir(t);
    const store = openStore(t, dataDir);
    const ann = store.persons.create({ name: 'Ann', credential: { facilityCode: 13, cardNumber: 13067 } });
    assert.deepEqual(ann.credential, { facilityCode: 13, cardNumber: 13067 });
    assert.equal(store.persons.getByCredential({ facilityCode: 13, cardNumber: 13067 })?.id, ann.id);
    // wiegand26 (the default): facility 0–255, card 0–65535; each refusal names its field.
    assert.throws(
      () => store.persons.create({ name: 'Bob', credential: { facilityCode: 256, cardNumber: 70_000 } }),
      (error: unknown) =>
        hasCode('invalid')(error) &&
        /^credential\.cardNumber must be a whole number from 0 to 65535 in format wiegand26, got 70000; credential\.facilityCode must be a whole number from 0 to 255 in format wiegand26, got 256$/.test((error as Error).message),
    );
    assert.throws(() => store.persons.create({ name: 'Bob', credential: { cardNumber: 5 } }), (error: unknown) => hasCode('invalid')(error) && /credential\.facilityCode is required/.test((error as Error).message));
    assert.throws(
      () => store.persons.create({ name: 'Bob', credential: { facilityCode: 13, cardNumber: 13067 } }),
      (error: unknown) => hasCode('conflict')(error) && /credential facility 13 card 13067 already belongs to another person/.test((error as Error).message),
    );
    const bob = store.persons.create({ name: 'Bob', credential: { facilityCode: 14, cardNumber: 13067 } });
    // A wider format lets the same numbers through; the check follows the setting at once.
    store.settings.set('credentials.format', 'wiegand34');
    assert.equal(store.persons.update(bob.id, { credential: { facilityCode: 60_000, cardNumber: 1 } }).credential?.facilityCode, 60_000);
    assert.equal(store.persons.update(bob.id, { name: 'Bob B' }).credential?.facilityCode, 60_000);
    assert.equal(store.persons.update(bob.id, { credential: null }).credential, null);
    assert.equal(store.persons.listCredentials().length, 1);

    const raw = new Database(join(dataDir, DATABASE_FILE_NAME), { readonly: true });
    t.after(() => raw.close());
    store.deletePerson(ann.id);
    assert.equal(raw.prepare<[], number>('SELECT count(*) FROM persons WHERE credential_card_number IS NOT NULL').pluck().get(), 0);
    assert.equal(store.persons.getByCredential({ facilityCode: 13, cardNumber: 13067 }), undefined);
  });

  test('enrollPerson is all or nothing', (t) => {
    const store = openStore(t);
    function* samples(): Generator<SampleInput> {
      yield fakeSample('a');
      yield { ...fakeSample('b'), alignedJpeg: Buffer.from('not a jpeg') };
    }
    assert.throws(() => store.enrollPerson({ name: 'Ann', externalId: 'E1' }, samples()), /not a JPEG/);
    assert.equal(store.persons.list().total, 0);
    assert.equal([...store.samples.templatesForModel('model-a')].length, 0);
    const { person, sampleIds } = store.enrollPerson({ name: 'Ann', externalId: 'E1' }, [fakeSample('a'), fakeSample('b')]);
    assert.equal(sampleIds.length, 2);
    assert.equal(store.persons.list().persons[0]?.sampleCount, 2);
    assert.equal(person.externalId, 'E1');
  });

  test('an attached gallery follows enrollments, sample and person deletions, and rebuilt templates', (t) => {
    const store = openStore(t);
    const ann = store.enrollPerson({ name: 'Ann' }, [fakeSample('ann-1'), fakeSample('ann-2')]);
    const bob = store.enrollPerson({ name: 'Bob' }, [fakeSample('bob-1')]);
    const gallery = new Gallery({ dimension: 128, kernel: 'js' });
    assert.equal(store.attachGallery('model-a', gallery), 3);
    assert.deepEqual(gallery.search(fakeTemplate('bob-1'), { topK: 1 })[0]?.id, bob.person.id);

    const cy = store.enrollPerson({ name: 'Cy' }, [fakeSample('cy-1'), fakeSample('cy-other-model', 'model-b', 64)]);
    assert.equal(gallery.size, 4);
    assert.equal(gallery.search(fakeTemplate('cy-1'), { topK: 1 })[0]?.id, cy.person.id);
    store.addSample(bob.person.id, fakeSample('bob-2'));
    assert.equal(gallery.size, 5);
    assert.throws(() => store.addSample(bob.person.id, fakeSample('bob-3', 'model-a', 64)), /has 128 floats, this one 64/);

    assert.equal(store.deleteSample(ann.sampleIds[0]!), true);
    assert.equal(gallery.size, 4);
    assert.deepEqual(store.deletePerson(ann.person.id), { deleted: true, walTruncated: true });
    assert.equal(gallery.has(ann.person.id), false);
    assert.equal(gallery.size, 3);
    assert.deepEqual(store.deletePerson(ann.person.id), { deleted: false, walTruncated: true });

    store.detachGallery(gallery);
    store.deletePerson(bob.person.id);
    assert.equal(gallery.has(bob.person.id), true, 'a detached gallery is left alone');
  });

  test('deleting a person leaves no trace of their name, templates, crops or snapshots in the database files', (t) => {
    const dataDir = tempDir(t);
    const store = openStore(t, dataDir);
    const name = 'Zoë Quintessa-Brightwater';
    const externalId = 'EMP-778899';
    const others = [store.enrollPerson({ name: 'Alan Neighbour' }, [fakeSample('alan-1', 'model-a', 512)])];
    const victim = store.enrollPerson({ name, externalId, groups: ['night-shift'] }, [
      { template: new Float32Array(512).fill(1234.5678), modelId: 'model-a', quality: fakeQuality(), alignedJpeg: fakeJpeg('VICTIM-CROP-PATTERN;', 6000), alignment: ARCFACE_ALIGNMENT },
      { template: new Float32Array(512).fill(-8765.4321), modelId: 'model-a', quality: fakeQuality(), alignedJpeg: fakeJpeg('VICTIM-CROP-PATTERN-2;', 3000), alignment: ARCFACE_ALIGNMENT },
    ]);
    others.push(store.enrollPerson({ name: 'Beth Neighbour' }, [fakeSample('beth-1', 'model-a', 512)]));
    const eventId = store.events.append({ atMs: 1, decision: 'granted', reason: 'match', personId: victim.person.id, snapshotJpeg: fakeJpeg('VICTIM-SNAPSHOT;', 5000) });
    store.events.append({ atMs: 2, decision: 'granted', reason: 'match', personId: others[0]!.person.id, snapshotJpeg: fakeJpeg('ALAN-SNAPSHOT;', 5000) });

    // The sealed blobs as stored: what an attacker with the raw file would look for.
    const reader = new Database(join(dataDir, DATABASE_FILE_NAME), { readonly: true });
    const blobs = [
      ...reader.prepare<[string], Buffer>('SELECT crop FROM samples WHERE person_id = ?').pluck().all(victim.person.id),
      ...reader.prepare<[string], Buffer>('SELECT t.template FROM templates t JOIN samples s ON s.id = t.sample_id WHERE s.person_id = ?').pluck().all(victim.person.id),
      ...reader.prepare<[number], Buffer>('SELECT jpeg FROM event_snapshots WHERE event_id = ?').pluck().all(eventId),
    ];
    reader.close();
    assert.equal(blobs.length, 5);
    // 32-byte pieces every 256 bytes: a blob larger than a page is split over overflow pages.
    const pieces = blobs.flatMap((blob) => Array.from({ length: Math.floor(blob.length / 256) }, (_, i) => blob.subarray(i * 256, i * 256 + 32)));
    const texts = [name, 'zoe quintessa-brightwater', externalId, 'night-shift'].map((text) => Buffer.from(text, 'utf8'));
    const rawFiles = (): Buffer => Buffer.concat(['', '-wal', '-shm'].map((suffix) => join(dataDir, DATABASE_FILE_NAME + suffix)).filter(existsSync).map((path) => readFileSync(path)));

    const before = rawFiles();
    // A piece across the end of an overflow page is not contiguous in the file: at most one per 4 KiB page.
    const present = pieces.filter((piece) => before.includes(piece));
    const pageEnds = blobs.reduce((sum, blob) => sum + Math.ceil(blob.length / 4096), 0);
    assert.ok(present.length >= pieces.length - pageEnds, `control: the sealed pieces are in the files before deletion (${present.length} of ${pieces.length})`);
    assert.ok(texts.every((text) => before.includes(text)), 'control: the name is in the files before deletion');
    assert.equal(before.includes(Buffer.from('VICTIM-CROP-PATTERN')), false, 'crops are never stored in clear');

    assert.deepEqual(store.deletePerson(victim.person.id), { deleted: true, walTruncated: true });
    const after = rawFiles();
    assert.equal(statSync(join(dataDir, `${DATABASE_FILE_NAME}-wal`)).size, 0);
    for (const piece of present) assert.equal(after.includes(piece), false, 'a sealed piece of their data survived');
    for (const text of texts) assert.equal(after.includes(text), false, `"${text.toString()}" survived`);
    assert.ok(after.includes(Buffer.from('Beth Neighbour')), 'other people are untouched');

    const event = store.events.get(eventId);
    assert.deepEqual([event?.personId, event?.hasSnapshot, event?.personErasedAtMs !== null], [null, false, true]);
    assert.equal(store.samples.templatesOfPerson(others[0]!.person.id, 'model-a').length, 1);
    assert.equal(store.integrityCheck(), 'ok');
  });

  test('rebuilds templates for a new model from the stored crops, with progress, resumably', async (t) => {
    const store = openStore(t);
    const ann = store.enrollPerson({ name: 'Ann' }, [fakeSample('ann-1'), fakeSample('ann-2')]);
    store.enrollPerson({ name: 'Bob' }, [fakeSample('bob-1'), fakeSample('bob-2'), fakeSample('bob-3')]);
    const newGallery = new Gallery({ dimension: 64, kernel: 'js' });
    assert.equal(store.attachGallery('model-b', newGallery), 0);

    const controller = new AbortController();
    const seen: RebuildProgress[] = [];
    const first = await store.rebuildTemplates({
      modelId: 'model-b',
      extract: fakeExtract,
      signal: controller.signal,
      onProgress: (progress) => {
        seen.push(progress);
        if (progress.doneCount === 2) controller.abort();
      },
    });
    assert.deepEqual(seen, [{ totalCount: 5, doneCount: 1, failedCount: 0 }, { totalCount: 5, doneCount: 2, failedCount: 0 }]);
    assert.deepEqual(first, { totalCount: 5, doneCount: 2, failedCount: 0, failures: [], aborted: true });
    assert.equal(newGallery.size, 2, 'the new gallery fills as templates are written');
    assert.throws(() => store.pruneTemplates('model-b'), /3 samples have no template/);

    let calls = 0;
    const second = await store.rebuildTemplates({
      modelId: 'model-b',
      extract: async (crop) => {
        calls++;
        if (calls === 1) throw new Error('no face found in the crop');
        return fakeExtract(crop);
      },
    });
    assert.equal(calls, 3, 'only what was missing');
    assert.deepEqual([second.doneCount, second.failedCount, second.failures[0]?.message, second.aborted], [4, 1, 'no face found in the crop', false]);

    const third = await store.rebuildTemplates({ modelId: 'model-b', extract: fakeExtract });
    assert.deepEqual([third.doneCount, third.totalCount], [5, 5]);
    const expected = await fakeExtract({ alignedJpeg: store.samples.getCrop(ann.sampleIds[0]!)!, alignment: ARCFACE_ALIGNMENT });
    assert.deepEqual(store.samples.templatesOfPerson(ann.person.id, 'model-b')[0]?.template, expected);

    const oldGallery = new Gallery({ dimension: 128, kernel: 'js' });
    store.attachGallery('model-a', oldGallery);
    assert.throws(() => store.pruneTemplates('model-b'), /gallery of model model-a is attached/);
    store.detachGallery(oldGallery);
    assert.equal(store.pruneTemplates('model-b'), 5);
    assert.deepEqual(store.samples.templateCounts(), [{ modelId: 'model-b', templateCount: 5 }]);
    assert.equal(newGallery.size, 5);
  });

  test('estimates the missing ages from the stored crops: failures are reported and retried next time, an abort stops between samples', async (t) => {
    const store = openStore(t);
    const ann = store.enrollPerson({ name: 'Ann' }, [fakeSample('ann-1'), { ...fakeSample('ann-2'), estimatedAgeYears: 30 }, fakeSample('ann-3')]);
    const crops: Buffer[] = [];
    const first = await store.estimateMissingAges({
      estimate: async ({ alignedJpeg, alignment }) => {
        crops.push(alignedJpeg);
        assert.deepEqual(alignment, ARCFACE_ALIGNMENT);
        if (crops.length === 1) throw new Error('no face in the crop');
        return 4;
      },
    });
    assert.deepEqual(crops, [ann.sampleIds[0], ann.sampleIds[2]].map((id) => store.samples.getCrop(id!)), 'only the samples without one, each once');
    assert.deepEqual([first.estimatedCount, first.failures.map((failure) => [failure.sampleId, failure.message])], [1, [[ann.sampleIds[0], 'no face in the crop']]]);
    assert.equal(store.samples.countWithoutAgeEstimate(), 1);

    const abort = new AbortController();
    abort.abort();
    assert.equal((await store.estimateMissingAges({ estimate: async () => 5, signal: abort.signal })).estimatedCount, 0);
    const second = await store.estimateMissingAges({ estimate: async () => 5 });
    assert.deepEqual([second.estimatedCount, second.failures], [1, []]);
    assert.deepEqual(store.samples.ageEstimatesOf(ann.person.id).sort((a, b) => a - b), [4, 5, 30]);
  });
});
