import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { watchFileSettled } from './watch-file.js';

const dir = mkdtempSync(join(tmpdir(), 'lintel-watch-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const settled = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('an atomic write of the file is one change once its events settle; other files in the folder are not', async () => {
  const file = join(dir, 'cue.json');
  let changes = 0;
  const stop = watchFileSettled(file, 100, () => changes++, (error) => assert.fail(error));
  try {
    writeFileSync(join(dir, 'other.json'), '{}');
    await settled(300);
    assert.equal(changes, 0, 'another file');
    // Written twice in quick succession through a temporary file, as writeFileAtomic does.
    for (const content of ['{"a":1}', '{"a":2}']) {
      writeFileSync(join(dir, 'cue.json.tmp'), content);
      renameSync(join(dir, 'cue.json.tmp'), file);
    }
    await settled(400);
    assert.equal(changes, 1);
    rmSync(file);
    await settled(400);
    assert.equal(changes, 2, 'a removal is a change too');
  } finally {
    stop();
  }
  writeFileSync(file, '{}');
  await settled(300);
  assert.equal(changes, 2, 'nothing after stop');
});
