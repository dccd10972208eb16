import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { buildOpenSetProtocol, ProtocolError, readLabels } from './open-set-protocol.js';

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
  await writeFile(path.join(root, 'ff', 'labels.csv'), 'file,age,gender,race\n1.jpg,20-29,Male,White\n2.jpg,30-39,Female,"East Asian"\n3.jpg,3-9,Female,Black\n4.jpg,50-59,Male,Indian\n');
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
    assert.deepEqual(protocol.nonMated[2]!.labels, { race: 'East Asian', gender: 'Female' });
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
});
