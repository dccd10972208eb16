import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { buildOpenSetProtocol, ProtocolError, readErrata, readLabels, undoSpreadsheetDate } from './open-set-protocol.js';

let root: string;
const people = { Alice: 3, Bob: 1, Carol: 8, Dan: 2 };

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'lintel-protocol-'));
  for (const [name, count] of Object.entries(people)) {
    await mkdir(path.join(root, 'lfw', name), { recursive: true });
    for (let i = 1; i <= count; i++) await writeFile(path.join(root, 'lfw', name, `${name}_${String(i).padStart(4, '0')}.jpg`), '');
  }
  await writeFile(path.join(root, 'lfw', 'Alice', 'notes.txt'), 'not an image');
  await mkdir(path.join(root, 'ff', 'images'), { recursive: true });
  for (let i = 1; i <= 5; i++) await writeFile(path.join(root, 'ff', 'images', `${i}.jpg`), '');
  await writeFile(path.join(root, 'ff', 'labels.csv'), 'file,age,gender,race\n1.jpg,20-29,Male,White\n2.jpg,30-39,Female,"East Asian"\n3.jpg,03-Sep,Female,Black\n4.jpg,Oct-19,Male,Indian\n');
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

const names = (images: readonly string[]): string[] => images.map((i) => path.basename(i));

describe('buildOpenSetProtocol', () => {
  test('enroll 1: the first image of everyone with two or more, up to 5 further as mated searches, the rest non-mated', async () => {
    const protocol = await buildOpenSetProtocol({ imagesDir: path.join(root, 'lfw'), nonMatedDirs: [path.join(root, 'ff')] });
    assert.deepEqual(
      protocol.subjects.map((s) => [s.id, names(s.images)]),
      [
        ['Alice', ['Alice_0001.jpg']],
        ['Carol', ['Carol_0001.jpg']],
        ['Dan', ['Dan_0001.jpg']],
      ],
    );
    assert.deepEqual(
      protocol.mated.map((m) => [m.mateId, path.basename(m.image)]),
      [
        ['Alice', 'Alice_0002.jpg'],
        ['Alice', 'Alice_0003.jpg'],
        ...[2, 3, 4, 5, 6].map((i) => ['Carol', `Carol_000${i}.jpg`]),
        ['Dan', 'Dan_0002.jpg'],
      ],
    );
    assert.deepEqual(names(protocol.nonMated.map((m) => m.image)), ['Bob_0001.jpg', '1.jpg', '2.jpg', '3.jpg', '4.jpg', '5.jpg']);
    assert.deepEqual(protocol.nonMated[2]!.labels, { race: 'East Asian', gender: 'Female', age: '30-39' });
    assert.deepEqual(protocol.nonMated[5]!.labels, {}, 'an image labels.csv does not list has no labels');
    assert.equal(protocol.summary.nonMatedFromImagesDir, 1);
    assert.equal(protocol.summary.nonMatedFromFolders, 5);
  });

  test('enroll 3: only people with more than three images are enrolled; the others are all non-mated', async () => {
    const protocol = await buildOpenSetProtocol({ imagesDir: path.join(root, 'lfw'), enrollCount: 3, matedPerPerson: 2 });
    assert.deepEqual(protocol.subjects.map((s) => [s.id, names(s.images)]), [['Carol', ['Carol_0001.jpg', 'Carol_0002.jpg', 'Carol_0003.jpg']]]);
    assert.deepEqual(names(protocol.mated.map((m) => m.image)), ['Carol_0004.jpg', 'Carol_0005.jpg']);
    assert.equal(protocol.nonMated.length, 3 + 1 + 2);
  });

  test('half 1 and half 2 take alternate enrollable people; people who cannot enroll stay searches in both', async () => {
    const [first, second] = await Promise.all(([1, 2] as const).map((half) => buildOpenSetProtocol({ imagesDir: path.join(root, 'lfw'), half })));
    assert.deepEqual(first!.subjects.map((s) => s.id), ['Alice', 'Dan']);
    assert.deepEqual(second!.subjects.map((s) => s.id), ['Carol']);
    assert.deepEqual([...new Set(second!.mated.map((m) => m.mateId))], ['Carol'], 'the other half leaves with its mated searches');
    for (const protocol of [first!, second!]) assert.deepEqual(names(protocol.nonMated.map((m) => m.image)), ['Bob_0001.jpg']);
  });

  test('a folder given as distractors and as non-mated searches is split in alternate halves', async () => {
    const ff = path.join(root, 'ff');
    const protocol = await buildOpenSetProtocol({ imagesDir: path.join(root, 'lfw'), nonMatedDirs: [ff], distractorDirs: [ff] });
    const distractors = protocol.subjects.filter((s) => s.distractor);
    assert.deepEqual(distractors.map((d) => names(d.images)[0]), ['1.jpg', '3.jpg', '5.jpg']);
    assert.deepEqual(distractors[0]!.id, 'distractor:ff/images/1.jpg');
    const strangers = protocol.nonMated.filter((m) => m.image.startsWith(ff));
    assert.deepEqual(names(strangers.map((m) => m.image)), ['2.jpg', '4.jpg']);
    assert.deepEqual(protocol.summary.splitFolders, [ff]);
    const enrolled = new Set(protocol.subjects.flatMap((s) => s.images));
    assert.ok(protocol.nonMated.every((m) => !enrolled.has(m.image)), 'no image is both enrolled and a stranger');
  });

  test('distractors alone are all enrolled', async () => {
    const protocol = await buildOpenSetProtocol({ imagesDir: path.join(root, 'lfw'), distractorDirs: [path.join(root, 'ff')] });
    assert.equal(protocol.summary.distractors, 5);
    assert.equal(protocol.summary.enrolledPeople, 3);
  });

  test('nobody to enroll, or a folder that is not there, is a ProtocolError', async () => {
    await assert.rejects(buildOpenSetProtocol({ imagesDir: path.join(root, 'lfw'), enrollCount: 8 }), ProtocolError);
    await assert.rejects(buildOpenSetProtocol({ imagesDir: path.join(root, 'absent') }), ProtocolError);
  });

  test('labels.csv is optional', async () => {
    assert.equal((await readLabels(path.join(root, 'lfw'), ['race'])).size, 0);
  });

  test('age bands a spreadsheet turned into dates are read as bands', async () => {
    const protocol = await buildOpenSetProtocol({ imagesDir: path.join(root, 'lfw'), nonMatedDirs: [path.join(root, 'ff')] });
    assert.deepEqual(protocol.nonMated.slice(3, 5).map((s) => s.labels['age']), ['3-9', '10-19']);
    assert.equal(undoSpreadsheetDate('more than 70'), 'more than 70');
    assert.equal(undoSpreadsheetDate('20-29'), '20-29');
    assert.equal(undoSpreadsheetDate('12-Foo'), '12-Foo');
  });

  test('errata: a listed image is left out everywhere, before who is enrolled is decided; unknown entries are reported', async () => {
    const errata = [
      // Dan has two images: without his first, he has one and becomes a stranger.
      { image: 'Dan/Dan_0001.jpg', shows: 'Carol', note: 'mislabelled' },
      { image: 'Carol/Carol_0001.jpg', shows: 'Alice', note: 'mislabelled' },
      { image: 'images/2.jpg', shows: 'Alice', note: 'a public figure' },
      { image: 'Nobody/Nobody_0001.jpg', shows: 'Alice', note: 'typo' },
    ];
    const protocol = await buildOpenSetProtocol({ imagesDir: path.join(root, 'lfw'), nonMatedDirs: [path.join(root, 'ff')], errata });
    assert.deepEqual(
      protocol.subjects.map((s) => [s.id, names(s.images)]),
      [
        ['Alice', ['Alice_0001.jpg']],
        ['Carol', ['Carol_0002.jpg']],
      ],
    );
    assert.deepEqual(names(protocol.nonMated.map((m) => m.image)), ['Bob_0001.jpg', 'Dan_0002.jpg', '1.jpg', '3.jpg', '4.jpg', '5.jpg']);
    assert.equal(protocol.summary.leftOutByErrata, 3);
    assert.deepEqual(protocol.summary.errataNotFound, ['Nobody/Nobody_0001.jpg']);
  });

  test('readErrata: image, shows, note; comments skipped; anything malformed named by line', async () => {
    const file = path.join(root, 'errata.csv');
    await writeFile(file, '# why\nimage,shows,note\nA/A_0001.jpg,B,"same person, two names"\n\n');
    assert.deepEqual(await readErrata(file), [{ image: 'A/A_0001.jpg', shows: 'B', note: 'same person, two names' }]);
    await writeFile(file, 'image,shows,note\nA/A_0001.jpg,B\n');
    await assert.rejects(readErrata(file), (error: Error) => error instanceof ProtocolError && /line 2/.test(error.message));
    await writeFile(file, 'image,shows,note\n../A_0001.jpg,B,outside\n');
    await assert.rejects(readErrata(file), /line 2/);
    await writeFile(file, 'file,who\n');
    await assert.rejects(readErrata(file), /image,shows,note/);
    await assert.rejects(readErrata(path.join(root, 'absent.csv')), /cannot read the errata .*ENOENT/);
  });

  test('the dev protocol errata file reads', async () => {
    const errata = await readErrata(path.join(import.meta.dirname, 'errata', 'dev-protocol.csv'));
    assert.ok(errata.length > 0);
    assert.equal(new Set(errata.map((e) => e.image)).size, errata.length, 'no image listed twice');
  });
});
