// lintel import and identify on a data folder of their own, with real LFW photos, as a user runs them.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { packageRoot } from '../vision/models/paths.js';
import { runLintel } from './test/run-lintel.js';

const LFW_IMAGES = join(packageRoot(), '..', 'shared', 'data', 'lfw-dev', 'images');
const skip = existsSync(LFW_IMAGES) ? false : `LFW not found at ${LFW_IMAGES} (see ../shared/data/README.md)`;

describe('lintel import and identify', { skip }, () => {
  let dir = '';
  let dataDir = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lintel-data-cli-'));
    dataDir = join(dir, 'data');
    const people = join(dir, 'people');
    for (const [person, files] of [
      ['Akhmed_Zakayev', ['Akhmed_Zakayev_0001.jpg', 'Akhmed_Zakayev_0003.jpg']],
      ['Bill_Nelson', ['Bill_Nelson_0001.jpg', 'Bill_Nelson_0002.jpg']],
    ] as const) {
      await mkdir(join(people, person), { recursive: true });
      for (const file of files) await copyFile(join(LFW_IMAGES, person, file), join(people, person, file));
    }
    // Two rows that fail: a photo that belongs to nobody, and a text file posing as a photo.
    await copyFile(join(LFW_IMAGES, 'Bill_Nelson', 'Bill_Nelson_0002.jpg'), join(people, 'stray.jpg'));
    await writeFile(join(people, 'Bill_Nelson', 'notes.jpg'), 'not a photo\n');
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('import exits 1 when rows failed, and its summary counts the rows it listed', async () => {
    const run = await runLintel(['import', join(dir, 'people'), '--data', dataDir]);
    assert.equal(run.code, 1, `stdout: ${run.stdout}\nstderr: ${run.stderr}`);
    const rows = run.stdout.split('\n').filter((line) => /^(duplicate|no-face|several-faces|too-small|poor-quality|unreadable|invalid) /.test(line));
    assert.equal(rows.length, 2, run.stdout);
    assert.match(run.stdout, /2 person\(s\) enrolled with 4 sample\(s\), 0 refused, 0 invalid, 0 already enrolled; 2 of 6 file\(s\) failed/);
  });

  it('identify counts people, not samples, and names the closest person even below the threshold', async () => {
    const known = await runLintel(['identify', join(LFW_IMAGES, 'Akhmed_Zakayev', 'Akhmed_Zakayev_0002.jpg'), '--data', dataDir]);
    assert.equal(known.code, 0, known.stderr);
    const identified = JSON.parse(known.stdout) as { result: string; name: string; gallery: { persons: number; templates: number } };
    assert.equal(identified.result, 'identified', known.stdout);
    assert.equal(identified.name, 'Akhmed Zakayev');
    assert.deepEqual(identified.gallery, { persons: 2, templates: 4 });

    const stranger = await runLintel(['identify', join(LFW_IMAGES, 'Alfonso_Soriano', 'Alfonso_Soriano_0001.jpg'), '--data', dataDir]);
    assert.equal(stranger.code, 0, stranger.stderr);
    const unknown = JSON.parse(stranger.stdout) as {
      result: string;
      closest: { name: string; matchScore: number | null; similarity: number } | null;
      threshold: { similarity: number };
    };
    assert.equal(unknown.result, 'unknown', stranger.stdout);
    assert.ok(unknown.closest, `no closest person: ${stranger.stdout}`);
    assert.ok(['Akhmed Zakayev', 'Bill Nelson'].includes(unknown.closest.name), stranger.stdout);
    assert.ok(unknown.closest.similarity < unknown.threshold.similarity, stranger.stdout);
    assert.equal(typeof unknown.closest.matchScore, 'number', stranger.stdout);
  });

  it('compare says it used the 1:1 threshold, and what the door uses: 1:N, following the gallery size', async () => {
    const photos = ['Bill_Nelson_0001.jpg', 'Bill_Nelson_0002.jpg'].map((file) => join(LFW_IMAGES, 'Bill_Nelson', file));
    interface DoorThreshold {
      persons: number;
      similarity: number;
      source: string;
    }
    interface Report {
      threshold: number;
      thresholdKind: string;
      door: { thresholdKind: string; targetFpir: number; byGallerySize?: DoorThreshold[]; terminal?: DoorThreshold };
    }
    const plain = await runLintel(['compare', ...photos]);
    assert.equal(plain.code, 0, plain.stderr);
    const report = JSON.parse(plain.stdout) as Report;
    assert.match(report.thresholdKind, /^1:1 verification/);
    assert.match(report.door.thresholdKind, /^1:N identification/);
    const sizes = report.door.byGallerySize ?? [];
    assert.deepEqual(sizes.map((row) => row.persons), [100, 1000, 10_000], plain.stdout);
    // A larger gallery gives a stranger more chances: the door asks more of a match, and never less than 1:1.
    for (const [index, row] of sizes.entries()) {
      assert.ok(row.similarity >= report.threshold, plain.stdout);
      if (index > 0) assert.ok(row.similarity >= sizes[index - 1]!.similarity, plain.stdout);
    }

    const terminal = await runLintel(['compare', ...photos, '--data', dataDir]);
    assert.equal(terminal.code, 0, terminal.stderr);
    const atTerminal = JSON.parse(terminal.stdout) as Report;
    assert.equal(atTerminal.door.terminal?.persons, 2, terminal.stdout);
    assert.ok(atTerminal.door.terminal.similarity >= atTerminal.threshold, terminal.stdout);
  });
});
