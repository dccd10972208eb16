// A person's faces on real photos (LFW beside the checkout): upload verdicts, adding, replacing, and the
// duplicate check against everyone else.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';

import type { FaceMatcher } from '../../vision/matcher/face-matcher.js';
import type { FacePipeline } from '../../vision/pipeline/face-pipeline.js';
import { StoreError } from '../store/errors.js';
import type { TerminalStore } from '../store/store.js';
import { enrollFromPhotos } from './enroll-photos.js';
import { addPhotosToPerson, checkPhoto } from './person-samples.js';
import { DEMO_DIR, lfwPhoto, loadTestPipeline, makeTempDir, openStoreWithGallery } from './test/helpers.js';

describe('a person’s samples on real photos', () => {
  let pipeline: FacePipeline | undefined;
  let missing = '';
  const cleanups: (() => void)[] = [];

  before(async () => {
    ({ pipeline, missing } = await loadTestPipeline({ needLfw: true }));
  });
  after(async () => {
    await pipeline?.close();
    for (const cleanup of cleanups) cleanup();
  });

  function setup(t: TestContext): { pipeline: FacePipeline; store: TerminalStore; matcher: FaceMatcher } | undefined {
    if (!pipeline) {
      t.skip(missing);
      return undefined;
    }
    const dir = makeTempDir((fn) => cleanups.push(fn));
    const matcher = pipeline.createMatcher();
    const store = openStoreWithGallery(join(dir, 'data'), matcher);
    t.after(() => store.close());
    return { pipeline, store, matcher };
  }

  const upload = async (file: string, name = file.split('/').at(-1) ?? 'photo'): Promise<{ name: string; bytes: Uint8Array }> => ({ name, bytes: await readFile(file) });

  it('tells each uploaded photo’s verdict without storing anything: usable, not an image, several faces', async (t) => {
    const env = setup(t);
    if (!env) return;
    const usable = await checkPhoto(env.pipeline, await upload(lfwPhoto('Colin_Powell', 1)));
    assert.equal(usable.status, 'usable', usable.detail);
    assert.match(usable.detail, /px between the eyes/);
    assert.ok(usable.quality && usable.quality.interOcularPx > 0);

    const text = await checkPhoto(env.pipeline, { name: 'notes.jpg', bytes: new TextEncoder().encode('not a photo at all') });
    assert.equal(text.status, 'unreadable');
    assert.equal(text.file, 'notes.jpg');

    const group = await checkPhoto(env.pipeline, await upload(join(DEMO_DIR, 'sample1.jpg')));
    assert.notEqual(group.status, 'usable', `a group photo is not one person's: ${group.detail}`);
    assert.equal(env.store.stats().samples, 0, 'checking stores nothing');
  });

  it('adds photos to a person, re-enrolls in place of theirs, and refuses another person’s face unless allowed', async (t) => {
    const env = setup(t);
    if (!env) return;
    const { store, matcher } = env;
    const powell = await enrollFromPhotos({ ...env, person: { name: 'Colin Powell' }, photos: [lfwPhoto('Colin_Powell', 1)] });
    const blair = await enrollFromPhotos({ ...env, person: { name: 'Tony Blair' }, photos: [lfwPhoto('Tony_Blair', 2)] });
    assert.ok(powell.outcome === 'enrolled' && blair.outcome === 'enrolled', JSON.stringify([powell, blair]));
    const personId = powell.person.id;
    const [firstSample] = store.samples.listForPerson(personId);

    const added = await addPhotosToPerson({ ...env, personId, photos: [lfwPhoto('Colin_Powell', 2), lfwPhoto('Colin_Powell', 3)] });
    assert.equal(added.outcome, 'added', JSON.stringify(added.photos));
    assert.equal(store.samples.listForPerson(personId).length, 3);
    assert.equal(store.galleryCount(matcher.modelId).templates, 4, 'the gallery follows the store');

    const other = await addPhotosToPerson({ ...env, personId, photos: [lfwPhoto('Tony_Blair', 3)] });
    assert.ok(other.outcome === 'refused' && other.reason === 'duplicate-of', JSON.stringify(other));
    assert.equal(other.duplicates[0]?.name, 'Tony Blair');
    assert.equal(other.photos[0]?.status, 'duplicate');
    assert.equal(store.samples.listForPerson(personId).length, 3, 'nothing written');

    const nothingUsable = await addPhotosToPerson({ ...env, personId, photos: [{ name: 'x.jpg', bytes: new Uint8Array([1, 2, 3]) }], replace: true });
    assert.ok(nothingUsable.outcome === 'refused' && nothingUsable.reason === 'no-usable-photo');
    assert.equal(store.samples.listForPerson(personId).length, 3, 'a re-enrollment without a usable photo keeps the old samples');

    const replaced = await addPhotosToPerson({ ...env, personId, photos: [lfwPhoto('Colin_Powell', 4)], replace: true });
    assert.equal(replaced.outcome, 'added');
    const now = store.samples.listForPerson(personId);
    assert.equal(now.length, 1);
    assert.notEqual(now[0]?.id, firstSample?.id);
    assert.equal(store.galleryCount(matcher.modelId).templates, 2);

    await assert.rejects(addPhotosToPerson({ ...env, personId: '0b6f7f0e-8a4c-4c43-9a4e-2f1b6b1c9d01', photos: [lfwPhoto('Colin_Powell', 2)] }), (error) => error instanceof StoreError && error.code === 'not-found');
  });
});
