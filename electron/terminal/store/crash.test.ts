import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { DATABASE_FILE_NAME } from './database.js';
import { TerminalStore } from './store.js';
import { tempDir } from './test/test-helpers.js';

const FIXTURE = fileURLToPath(new URL('./test/crash-fixture.ts', import.meta.url));

/**
 * Runs the fixture until its output satisfies `killWhen`, then SIGKILLs it. Returns the highest person
 * index it reported committed.
 */
function runAndKill(dataDir: string, pauseAt: number, killWhen: (line: string) => boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dataDir, String(pauseAt)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let lastCommitted = -1;
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const committed = /^committed (\d+)$/.exec(line);
        if (committed) lastCommitted = Number(committed[1]);
        if (killWhen(line)) child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(lastCommitted);
      else reject(new Error(`fixture exited by itself (code ${code}): ${stderr}`));
    });
  });
}

/** Reopens the store and checks every person is whole; returns the number of persons. */
function assertConsistent(dataDir: string, lastCommitted: number): number {
  const store = TerminalStore.open({ dataDir });
  try {
    assert.equal(store.integrityCheck(), 'ok');
    const { persons, total } = store.persons.list({ limit: 500 });
    assert.equal(persons.length, total);
    const indices = new Set<number>();
    for (const person of persons) {
      const index = Number(/^person-(\d+)$/.exec(person.name)?.[1]);
      indices.add(index);
      assert.equal(person.sampleCount, 1 + (index % 4), `${person.name} is half imported`);
      assert.equal(store.samples.templatesOfPerson(person.id, 'model-a').length, person.sampleCount);
    }
    // Everything reported committed survived; at most the one in flight committed unreported.
    for (let i = 0; i <= lastCommitted; i++) assert.ok(indices.has(i), `person-${i} was committed but is gone`);
    assert.ok(total === lastCommitted + 1 || total === lastCommitted + 2, `${total} persons after ${lastCommitted + 1} commits`);
    // And the store still takes writes.
    store.persons.create({ name: 'after the crash' });
    return total;
  } finally {
    store.close();
  }
}

describe('kill -9 during bulk import', () => {
  test('killed inside a transaction whose pages already spilled into the WAL: the half person is gone', async (t) => {
    const dataDir = tempDir(t);
    const pauseAt = 10;
    const lastCommitted = await runAndKill(dataDir, pauseAt, (line) => line === `paused ${pauseAt}`);
    assert.equal(lastCommitted, pauseAt - 1);
    // The ten committed persons fill under 1 MB of WAL; the rest are frames of the paused transaction,
    // spilled without a commit record: recovery must ignore them.
    assert.ok(statSync(join(dataDir, `${DATABASE_FILE_NAME}-wal`)).size > 3_000_000, 'the uncommitted transaction reached the WAL');
    assert.equal(assertConsistent(dataDir, lastCommitted), pauseAt);
  });

  test('killed at an arbitrary moment, twice over: every person whole, every reported commit kept', async (t) => {
    const dataDir = tempDir(t);
    let lastCommitted = await runAndKill(dataDir, -1, (line) => line === 'committed 40');
    assertConsistent(dataDir, lastCommitted);
    // The second run starts numbering at 0 again; names repeat but external ids would clash, so use a new folder.
    const second = tempDir(t);
    lastCommitted = await runAndKill(second, -1, (line) => line === 'committed 120');
    assertConsistent(second, lastCommitted);
  });
});
