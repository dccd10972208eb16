// Enrollment from photo files on real photos: LFW (beside the checkout) and face-api's demo group photo.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';

import { decodeImageFile, encodePng } from '../../vision/frame/decode.js';
import type { FaceMatcher } from '../../vision/matcher/face-matcher.js';
import type { FacePipeline } from '../../vision/pipeline/face-pipeline.js';
import { StoreError } from '../store/errors.js';
import type { TerminalStore } from '../store/store.js';
import { enrollFromPhotos } from './enroll-photos.js';
import { DEMO_DIR, lfwPhoto, loadTestPipeline, makeTempDir, openStoreWithGallery, pasteScaled } from './test/helpers.js';

describe('enrollFromPhotos on real photos', () => {
  let pipeline: FacePipeline | undefined;
  let missing = '';
  const cleanups: (() => void)[] = [];

  before(async () => {
    ({ pipeline, missing } = await loadTestPipeline());
  });
  after(async () => {
    await pipeline?.close();
    for (const cleanup of cleanups) cleanup();
  });

  /** A fresh store with an attached matcher, or undefined after marking the test skipped. */
  function setup(t: TestContext): { pipeline: FacePipeline; store: TerminalStore; matcher: FaceMatcher; dir: string } | undefined {
    if (!pipeline) {
      t.skip(missing);
      return undefined;
    }
    const dir = makeTempDir((fn) => cleanups.push(fn));
    const matcher = pipeline.createMatcher();
    const store = openStoreWithGallery(join(dir, 'data'), matcher);
    t.after(() => store.close());
    return { pipeline, store, matcher, dir };
  }

  it('enrolls one photo, then identifies another photo of the same person as them and a different person as nobody', async (t) => {
    const env = setup(t);
    if (!env) return;
    const { store, matcher } = env;
    const result = await enrollFromPhotos({ ...env, person: { name: 'Colin Powell', externalId: 'E-100', groups: ['staff'] }, photos: [lfwPhoto('Colin_Powell', 1)] });
    assert.equal(result.outcome, 'enrolled', JSON.stringify(result.photos));
    if (result.outcome !== 'enrolled') return;
    assert.equal(result.photos[0]?.status, 'enrolled');
    assert.match(result.photos[0]?.detail ?? '', /px between the eyes/);
    assert.deepEqual(result.person.groups, ['staff']);
    const [stored] = store.samples.listForPerson(result.person.id);
    assert.deepEqual(stored?.modelIds, [matcher.modelId]);
    const crop = store.samples.getCrop(result.sampleIds[0] as string);
    assert.equal(crop?.subarray(0, 2).toString('hex'), 'ffd8', 'the aligned crop is stored as a JPEG');

    const probe = async (file: string) => {
      const image = await decodeImageFile(file);
      const [face] = (await env.pipeline.analyse(image)).faces;
      assert.ok(face, `a face in ${file}`);
      return matcher.identify((await env.pipeline.extract(image, face)).template.vector)[0];
    };
    const same = await probe(lfwPhoto('Colin_Powell', 2));
    assert.equal(same?.id, result.person.id);
    assert.ok(same?.match, `similarity ${same?.similarity} reaches the identification threshold`);
    const other = await probe(lfwPhoto('Tony_Blair', 2));
    assert.ok(!other?.match, `Tony Blair is not identified as anyone (${JSON.stringify(other)})`);
  });

  it('says when the photos look like a young child\'s, and not for an adult', async (t) => {
    const env = setup(t);
    if (!env) return;
    const child = await enrollFromPhotos({ ...env, person: { name: 'Aiko' }, photos: [lfwPhoto('Princess_Aiko', 1), lfwPhoto('Princess_Aiko', 2)] });
    assert.equal(child.outcome, 'enrolled', JSON.stringify(child.photos));
    if (child.outcome !== 'enrolled') return;
    assert.ok(child.youngChild && child.youngChild.estimatedAgeYears < 6, JSON.stringify(child.youngChild));
    const adult = await enrollFromPhotos({ ...env, person: { name: 'Colin Powell' }, photos: [lfwPhoto('Colin_Powell', 1)] });
    assert.equal(adult.outcome, 'enrolled');
    assert.equal(adult.outcome === 'enrolled' ? adult.youngChild : 'refused', undefined);
  });

  it('refuses a second photo of an enrolled person under another name, naming them; allowDuplicate enrolls with the warning', async (t) => {
    const env = setup(t);
    if (!env) return;
    const first = await enrollFromPhotos({ ...env, person: { name: 'Colin Powell', externalId: 'E-100' }, photos: [lfwPhoto('Colin_Powell', 1)] });
    assert.equal(first.outcome, 'enrolled');

    const second = await enrollFromPhotos({ ...env, person: { name: 'C. L. Powell' }, photos: [lfwPhoto('Colin_Powell', 2), lfwPhoto('Tony_Blair', 2)] });
    assert.equal(second.outcome, 'refused');
    assert.ok(second.outcome === 'refused' && second.reason === 'duplicate-of');
    assert.equal(second.duplicates[0]?.name, 'Colin Powell');
    assert.match(second.duplicates[0]?.message ?? '', /already enrolled as Colin Powell \(E-100\)/);
    // The matching photo names them; the innocent one is refused with its person.
    assert.deepEqual(second.photos.map((photo) => photo.status), ['duplicate', 'duplicate']);
    assert.equal(second.photos[0]?.duplicateOf?.name, 'Colin Powell');
    assert.match(second.photos[1]?.detail ?? '', /^not enrolled: another photo is already enrolled as Colin Powell/);
    assert.equal(env.store.persons.list().total, 1);

    const forced = await enrollFromPhotos({ ...env, person: { name: 'C. L. Powell' }, photos: [lfwPhoto('Colin_Powell', 2)], allowDuplicate: true });
    assert.equal(forced.outcome, 'enrolled');
    assert.equal(forced.duplicates[0]?.name, 'Colin Powell');
    assert.match(forced.photos[0]?.detail ?? '', /warning: already enrolled as Colin Powell/);
  });

  it('refuses a group photo, but takes a clearly dominant face and says the bystander was ignored', async (t) => {
    const env = setup(t);
    if (!env) return;
    const group = await enrollFromPhotos({ ...env, person: { name: 'Somebody' }, photos: [join(DEMO_DIR, 'sample1.jpg')] });
    assert.equal(group.outcome, 'refused');
    assert.ok(group.outcome === 'refused' && group.reason === 'no-usable-photo');
    assert.equal(group.photos[0]?.status, 'several-faces');
    assert.match(group.photos[0]?.detail ?? '', /^3 faces and none clearly the subject/);

    // Colin Powell twice life size in front, Tony Blair at half size in the background: 4× the inter-ocular distance.
    const canvas = pasteScaled(await decodeImageFile(lfwPhoto('Colin_Powell', 1)), 2, 900, 600, 0, 50);
    pasteScaled(await decodeImageFile(lfwPhoto('Tony_Blair', 2)), 0.5, 900, 600, 650, 200, canvas);
    const file = join(env.dir, 'with-bystander.png');
    await writeFile(file, await encodePng(canvas));
    const dominant = await enrollFromPhotos({ ...env, person: { name: 'Colin Powell' }, photos: [file] });
    assert.equal(dominant.outcome, 'enrolled', JSON.stringify(dominant.photos));
    assert.match(dominant.photos[0]?.detail ?? '', /1 smaller face\(s\) in the background ignored/);
    // It is Colin Powell's face that was enrolled.
    const image = await decodeImageFile(lfwPhoto('Colin_Powell', 2));
    const [face] = (await env.pipeline.analyse(image)).faces;
    assert.ok(face);
    const hit = env.matcher.identify((await env.pipeline.extract(image, face)).template.vector)[0];
    assert.ok(dominant.outcome === 'enrolled' && hit?.id === dominant.person.id && hit.match);
  });

  it('refuses a taken external id before reading any photo, and stops on abort with nothing written', async (t) => {
    const env = setup(t);
    if (!env) return;
    env.store.persons.create({ name: 'Ann', externalId: 'E-7' });
    await assert.rejects(
      enrollFromPhotos({ ...env, person: { name: 'Bob', externalId: ' E-7 ' }, photos: ['/nonexistent.jpg'] }),
      (error: unknown) => error instanceof StoreError && error.code === 'conflict',
    );
    const controller = new AbortController();
    await assert.rejects(
      enrollFromPhotos({
        ...env,
        person: { name: 'Colin Powell' },
        photos: [lfwPhoto('Colin_Powell', 1), lfwPhoto('Colin_Powell', 2)],
        signal: controller.signal,
        onPhoto: (index) => (index === 1 ? controller.abort() : undefined),
      }),
      (error: unknown) => error instanceof Error && error.name === 'AbortError',
    );
    assert.equal(env.store.persons.list().total, 1);
  });
});
