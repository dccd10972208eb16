import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';

import { writeFileAtomic } from './write-file-atomic.js';

describe('writeFileAtomic', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'lintel-atomic-'));
  after(() => rm(dir, { recursive: true, force: true }));

  test('replaces the file whole and leaves no temporary file', async () => {
    const file = path.join(dir, 'report.json');
    await writeFile(file, 'old, and longer than the new content');
    await writeFileAtomic(file, 'new');
    assert.equal(await readFile(file, 'utf8'), 'new');
    assert.deepEqual(await readdir(dir), ['report.json']);
  });

  test('a rename that fails throws and removes the temporary file', async () => {
    const target = path.join(dir, 'occupied');
    await mkdir(path.join(target, 'child'), { recursive: true });
    await assert.rejects(writeFileAtomic(target, 'text'));
    assert.deepEqual((await readdir(dir)).sort(), ['occupied', 'report.json']);
  });
});
