// Bulk import on real photos: a temp folder built from LFW (beside the checkout), bad files, a flat image and
// face-api's demo group photo; a CSV; an abort; and an import killed with SIGKILL and resumed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

import { decodeImageFile, encodePng } from '../../vision/frame/decode.js';
import type { FaceMatcher } from '../../vision/matcher/face-matcher.js';
import type { FacePipeline } from '../../vision/pipeline/face-pipeline.js';
import { TerminalStore } from '../store/store.js';
import { importCsv, importFolder, type ImportReport } from './bulk-import.js';
import { DEMO_DIR, flatImage, LFW_IMAGES, lfwPhoto, loadTestPipeline, makeTempDir, openStoreWithGallery, pasteScaled } from './test/helpers.js';

const CHILD = fileURLToPath(new URL('./test/import-child.ts', import.meta.url));

/** Status of every result, keyed by the file's path relative to `root`. */
function statusesOf(report: ImportReport, root: string): Record<string, string> {
  return Object.fromEntries(report.results.map((result) => [relative(root, result.file), result.status]));
}

describe('bulk import on real photos', () => {
  let pipeline: FacePipeline | undefined;
  let missing = '';
  const cleanups: (() => void)[] = [];
  /** The mixed folder of the first tests, built once. */
  let mixedRoot = '';

  before(async () => {
    ({ pipeline, missing } = await loadTestPipeline());
    if (!pipeline) return;
    mixedRoot = join(makeTempDir((fn) => cleanups.push(fn)), 'people');
    const folder = (name: string): string => {
      const path = join(mixedRoot, name);
      mkdirSync(path, { recursive: true });
      return path;
    };
    for (const index of [1, 2, 3]) copyFileSync(lfwPhoto('Colin_Powell', index), join(folder('Colin_Powell'), `Colin_Powell_000${index}.jpg`));
    const tony = folder('Tony_Blair');
    for (const index of [2, 3]) copyFileSync(lfwPhoto('Tony_Blair', index), join(tony, `Tony_Blair_000${index}.jpg`));
    const jpeg = readFileSync(lfwPhoto('Tony_Blair', 4));
    writeFileSync(join(tony, 'broken.jpg'), jpeg.subarray(0, Math.floor(jpeg.length * 0.4)));
    writeFileSync(join(tony, 'fake.jpg'), 'this is not a photo\n');
    writeFileSync(join(tony, 'notes.txt'), 'taken at the 2004 summit\n');
    writeFileSync(join(tony, '.DS_Store'), 'junk');
    writeFileSync(join(folder('Flat_Wall'), 'flat.png'), await encodePng(flatImage(320, 240)));
    copyFileSync(join(DEMO_DIR, 'sample1.jpg'), join(folder('Group_Photo'), 'sample1.jpg'));
    // Hugo Chavez at half size on a wider frame: about 18 px between the eyes.
    writeFileSync(join(folder('Far_Away'), 'far.png'), await encodePng(pasteScaled(await decodeImageFile(lfwPhoto('Hugo_Chavez', 1)), 0.5, 500, 400, 180, 140)));
    folder('Empty_Folder');
    folder('.hidden');
    copyFileSync(lfwPhoto('Hugo_Chavez', 2), join(mixedRoot, 'stray.jpg'));
    writeFileSync(join(mixedRoot, 'README.txt'), 'photos of the staff\n');
  });

  after(async () => {
    await pipeline?.close();
    for (const cleanup of cleanups) cleanup();
  });

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

  it('imports a folder past bad files, with a status per file, progress, and a second run that skips who is there', async (t) => {
    const env = setup(t);
    if (!env) return;
    const progress: [number, number, string | undefined][] = [];
    const report = await importFolder({ ...env, root: mixedRoot, onProgress: (done, total, current) => progress.push([done, total, current && relative(mixedRoot, current)]) });
    const expected = {
      'stray.jpg': 'invalid',
      'Colin_Powell/Colin_Powell_0001.jpg': 'enrolled',
      'Colin_Powell/Colin_Powell_0002.jpg': 'enrolled',
      'Colin_Powell/Colin_Powell_0003.jpg': 'enrolled',
      'Far_Away/far.png': 'too-small',
      'Flat_Wall/flat.png': 'no-face',
      'Group_Photo/sample1.jpg': 'several-faces',
      'Tony_Blair/Tony_Blair_0002.jpg': 'enrolled',
      'Tony_Blair/Tony_Blair_0003.jpg': 'enrolled',
      'Tony_Blair/broken.jpg': 'unreadable',
      'Tony_Blair/fake.jpg': 'unreadable',
      'Tony_Blair/notes.txt': 'unreadable',
    };
    assert.deepEqual(statusesOf(report, mixedRoot), expected, JSON.stringify(report.results, null, 1));
    const detail = (file: string): string => report.results.find((result) => relative(mixedRoot, result.file) === file)?.detail ?? '';
    assert.match(detail('Tony_Blair/broken.jpg'), /corrupt or truncated/);
    assert.match(detail('Tony_Blair/fake.jpg'), /not a supported image/);
    assert.match(detail('Tony_Blair/notes.txt'), /not a photo \(\.txt\)/);
    assert.match(detail('Far_Away/far.png'), /face too small: 1\d px between the eyes, at least 32 needed/);
    assert.equal(report.results.find((result) => result.file.endsWith('0001.jpg'))?.person, 'Colin Powell');

    assert.deepEqual(
      report.persons.map(({ person, status, sampleCount }) => [person, status, sampleCount]),
      [
        ['Colin Powell', 'enrolled', 3],
        ['Empty Folder', 'invalid', 0],
        ['Far Away', 'refused', 0],
        ['Flat Wall', 'refused', 0],
        ['Group Photo', 'refused', 0],
        ['Tony Blair', 'enrolled', 2],
      ],
    );
    const { summary } = report;
    assert.deepEqual([summary.filesTotal, summary.filesDone, summary.personsEnrolled, summary.samplesEnrolled, summary.photosRead], [12, 12, 2, 5, 10]);
    assert.equal(summary.byStatus.unreadable, 3);
    assert.equal(summary.aborted, false);
    assert.ok(summary.photosPerSecond > 0);
    assert.deepEqual(progress.at(-1), [12, 12, undefined]);
    assert.ok(progress.every(([done], i) => i === 0 || done >= (progress[i - 1]?.[0] ?? 0)), 'progress only moves forward');
    assert.ok(progress.some(([, , current]) => current === 'Tony_Blair/fake.jpg'));

    const tony = env.store.persons.list({ search: 'Tony Blair' }).persons[0];
    assert.equal(tony?.sampleCount, 2);
    assert.equal(env.matcher.gallery.templateCount, 5);

    const again = await importFolder({ ...env, root: mixedRoot });
    const statuses = statusesOf(again, mixedRoot);
    assert.equal(statuses['Colin_Powell/Colin_Powell_0002.jpg'], 'skipped');
    assert.equal(statuses['Tony_Blair/Tony_Blair_0003.jpg'], 'skipped');
    assert.equal(statuses['Flat_Wall/flat.png'], 'no-face', 'who failed before is tried again');
    assert.equal(again.summary.personsSkipped, 2);
    assert.equal(again.summary.photosRead, 3);
    assert.equal(env.store.persons.list().total, 2);
    assert.equal(env.matcher.gallery.templateCount, 5);
  });

  it('says in the person\'s line when their photos look like a young child\'s', async (t) => {
    const env = setup(t);
    if (!env) return;
    const root = join(env.dir, 'family');
    for (const [name, indices] of [['Princess_Aiko', [1, 2]], ['Colin_Powell', [1]]] as const) {
      mkdirSync(join(root, name), { recursive: true });
      for (const index of indices) copyFileSync(lfwPhoto(name, index), join(root, name, `${name}_000${index}.jpg`));
    }
    const report = await importFolder({ ...env, root });
    const line = (person: string): string => report.persons.find((p) => p.person === person)?.detail ?? '';
    assert.match(line('Princess Aiko'), /^2 of 2 photo\(s\) enrolled; looks like a young child \(about \d years\): the door asks for card and face$/);
    assert.equal(line('Colin Powell'), '1 of 1 photo(s) enrolled');
  });

  it('imports a CSV: several rows per id, a quoted name with a comma, bad rows reported; a re-run skips by id', async (t) => {
    const env = setup(t);
    if (!env) return;
    const photos = join(env.dir, 'photos');
    mkdirSync(photos);
    copyFileSync(lfwPhoto('Colin_Powell', 1), join(photos, 'cp1.jpg'));
    copyFileSync(lfwPhoto('Colin_Powell', 2), join(photos, 'cp 2.jpg'));
    copyFileSync(lfwPhoto('Colin_Powell', 3), join(photos, 'cp3.jpg'));
    copyFileSync(lfwPhoto('Tony_Blair', 2), join(photos, 'tb2.jpg'));
    const csvPath = join(env.dir, 'staff.csv');
    writeFileSync(
      csvPath,
      [
        'ID,Name,Photo,Note',
        'E1,"Powell, Colin",photos/cp1.jpg,first',
        'E1,"Powell, Colin","photos/cp 2.jpg","second, with a comma"',
        'E2,Tony Blair,photos/tb2.jpg,',
        'E1,Colin Powell,photos/cp3.jpg,another name',
        'E3,Nobody,,',
        'E4,Missing File,photos/none.jpg,',
        '',
      ].join('\r\n'),
    );
    const report = await importCsv({ ...env, csvPath });
    assert.deepEqual(
      report.results.map(({ line, person, status }) => [line, person, status]),
      [
        [6, 'Nobody', 'invalid'],
        [2, 'Powell, Colin', 'enrolled'],
        [3, 'Powell, Colin', 'enrolled'],
        [5, 'Colin Powell', 'invalid'],
        [4, 'Tony Blair', 'enrolled'],
        [7, 'Missing File', 'unreadable'],
      ],
    );
    assert.match(report.results[3]?.detail ?? '', /id E1 is named "Powell, Colin" on an earlier line/);
    assert.match(report.results[5]?.detail ?? '', /no such file/);
    const colin = env.store.persons.getByExternalId('E1');
    assert.equal(colin?.name, 'Powell, Colin');
    assert.equal(env.store.samples.listForPerson(colin?.id ?? '').length, 2);

    const again = await importCsv({ ...env, csvPath });
    assert.deepEqual(
      again.persons.map(({ externalId, status }) => [externalId, status]),
      [['E1', 'skipped'], ['E2', 'skipped'], ['E4', 'refused']],
    );
    assert.equal(env.store.persons.list().total, 2);

    writeFileSync(join(env.dir, 'bad.csv'), 'id,name\nE1,Ann\n');
    await assert.rejects(importCsv({ ...env, csvPath: join(env.dir, 'bad.csv') }), /CSV line 1: no "photo" column/);
  });

  it('imports card credentials from the optional card and facility columns, checked against the card format', async (t) => {
    const env = setup(t);
    if (!env) return;
    const photos = join(env.dir, 'photos');
    mkdirSync(photos);
    copyFileSync(lfwPhoto('Colin_Powell', 1), join(photos, 'cp1.jpg'));
    copyFileSync(lfwPhoto('Tony_Blair', 2), join(photos, 'tb2.jpg'));
    copyFileSync(lfwPhoto('Tony_Blair', 3), join(photos, 'tb3.jpg'));
    const csvPath = join(env.dir, 'cards.csv');
    writeFileSync(csvPath, ['id,name,photo,facility,card', 'E1,Colin Powell,photos/cp1.jpg,13,13067', 'E2,Tony Blair,photos/tb2.jpg,300,1', 'E3,Nobody,photos/tb3.jpg,,12a', ''].join('\n'));
    const report = await importCsv({ ...env, csvPath });
    assert.deepEqual(
      report.persons.map(({ externalId, status }) => [externalId, status]),
      [['E1', 'enrolled'], ['E2', 'invalid']],
    );
    assert.match(report.persons[1]?.detail ?? '', /credential\.facilityCode must be a whole number from 0 to 255 in format wiegand26, got 300/);
    assert.match(report.results.find((result) => result.line === 4)?.detail ?? '', /line 4: card must be a whole number/);
    assert.deepEqual(env.store.persons.getByExternalId('E1')?.credential, { facilityCode: 13, cardNumber: 13067 });
  });

  it('stops on abort between photos, keeps whole persons only, and a re-run completes the rest', async (t) => {
    const env = setup(t);
    if (!env) return;
    const controller = new AbortController();
    const report = await importFolder({
      ...env,
      root: mixedRoot,
      signal: controller.signal,
      onProgress: (_done, _total, current) => (current?.endsWith('Tony_Blair_0003.jpg') ? controller.abort() : undefined),
    });
    assert.equal(report.summary.aborted, true);
    assert.deepEqual(env.store.persons.list().persons.map((person) => [person.name, person.sampleCount]), [['Colin Powell', 3]]);
    assert.ok(!report.results.some((result) => result.person === 'Tony Blair'), 'the person in progress has no results');
    const resumed = await importFolder({ ...env, root: mixedRoot });
    assert.deepEqual(resumed.persons.filter((person) => person.status !== 'refused' && person.status !== 'invalid').map((person) => [person.person, person.status]), [
      ['Colin Powell', 'skipped'],
      ['Tony Blair', 'enrolled'],
    ]);
  });

  it('leaves every person whole or absent when the importing process is killed, and a re-run completes it', async (t) => {
    const env = setup(t);
    if (!env) return;
    // Forty LFW people with two to four photos each.
    const root = join(env.dir, 'lfw40');
    const people = readdirSync(LFW_IMAGES)
      .sort()
      .filter((name) => readdirSync(join(LFW_IMAGES, name)).length >= 2)
      .slice(0, 40);
    for (const name of people) {
      mkdirSync(join(root, name), { recursive: true });
      for (const file of readdirSync(join(LFW_IMAGES, name)).sort().slice(0, 4)) copyFileSync(join(LFW_IMAGES, name, file), join(root, name, file));
    }
    // What a complete import gives, in this process: the sample count of everyone enrolled.
    const reference = await importFolder({ ...env, root });
    const expected = new Map(reference.persons.filter((person) => person.status === 'enrolled').map((person) => [person.person, person.sampleCount]));
    assert.ok(expected.size >= 30, `${expected.size} of 40 enrolled in the reference run`);

    const dataDir = join(env.dir, 'killed');
    const reported = await new Promise<string[]>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, root], { stdio: ['ignore', 'pipe', 'pipe'] });
      const decided: string[] = [];
      let buffered = '';
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          const [status, name] = line.split('\t');
          if (status === 'enrolled' && name) decided.push(name);
          if (decided.length === 15 && child.exitCode === null) child.kill('SIGKILL');
        }
      });
      // 'close', not 'exit': lines still in the pipe when the child died are commits too.
      child.on('close', (code, signal) => (signal === 'SIGKILL' ? resolve(decided) : reject(new Error(`the import ended by itself (code ${code}): ${stderr}`))));
    });

    const killed = TerminalStore.open({ dataDir });
    try {
      assert.equal(killed.integrityCheck(), 'ok');
      const { persons } = killed.persons.list({ limit: 500 });
      for (const name of reported) assert.ok(persons.some((person) => person.name === name), `${name} was reported enrolled but is gone`);
      // At most the person whose commit raced the kill is there unreported.
      assert.ok(persons.length >= reported.length && persons.length <= reported.length + 1, `${persons.length} persons after ${reported.length} reported`);
      for (const person of persons) assert.equal(person.sampleCount, expected.get(person.name), `${person.name} is half imported`);
    } finally {
      killed.close();
    }

    const matcher = env.pipeline.createMatcher();
    const resumedStore = openStoreWithGallery(dataDir, matcher);
    try {
      const resumed = await importFolder({ store: resumedStore, pipeline: env.pipeline, matcher, root });
      assert.ok(resumed.summary.personsSkipped >= reported.length);
      const { persons } = resumedStore.persons.list({ limit: 500 });
      assert.deepEqual(new Map(persons.map((person) => [person.name, person.sampleCount])), expected);
    } finally {
      resumedStore.close();
    }
  });
});
