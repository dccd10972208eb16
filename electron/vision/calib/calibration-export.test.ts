import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { listPhotos } from './calibration-export.js';

describe('listPhotos', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lintel-photos-'));
    for (const person of ['Ann_A', 'Bob_B', 'Cid_C']) {
      await mkdir(join(dir, person));
      for (const n of [1, 2]) await writeFile(join(dir, person, `${person}_000${n}.jpg`), '');
    }
    await writeFile(join(dir, 'notes.txt'), '');
    await writeFile(join(dir, 'group.PNG'), '');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds images in every subfolder, skips other files, and leaves out the excluded people', async () => {
    const all = (await listPhotos(dir)).map((file) => relative(dir, file));
    assert.equal(all.length, 7);
    assert.ok(all.includes('group.PNG'));
    assert.ok(!all.includes('notes.txt'));
    const kept = (await listPhotos(dir, new Set(['Bob_B']))).map((file) => relative(dir, file));
    assert.equal(kept.length, 5);
    assert.ok(kept.every((file) => !file.startsWith('Bob_B')));
  });

  it('has a fixed order that does not follow the alphabet', async () => {
    const first = await listPhotos(dir);
    assert.deepEqual(await listPhotos(dir), first);
    assert.notDeepEqual(first, [...first].sort());
  });
});
