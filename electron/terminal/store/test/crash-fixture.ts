// Child process of ../crash.test.ts: enrolls people in a loop until killed. Person i has 1 + i % 4 samples, so
// the parent can tell a complete person from a half-imported one. With a pause index, that person gets
// ten 1.9 MB samples, more than better-sqlite3's 16 MB page cache, so SQLite spills uncommitted pages into
// the WAL; the child then stops inside the transaction and waits there to be killed.
import { writeSync } from 'node:fs';

import type { SampleInput } from '../samples-repository.js';
import { TerminalStore } from '../store.js';
import { fakeJpeg, fakeSample } from './test-helpers.js';

const [dataDir, pauseArg] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: crash-fixture.ts <dataDir> [pauseAtPerson]');
const pauseAt = Number(pauseArg ?? -1);

/** Samples of person i; a generator, so the pause happens inside enrollPerson's transaction. */
function* samplesOf(i: number): Generator<SampleInput> {
  const count = i === pauseAt ? 11 : 1 + (i % 4);
  for (let j = 0; j < count; j++) {
    if (i === pauseAt && j === 10) {
      writeSync(1, `paused ${i}\n`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
    }
    const sample = fakeSample(`p${i}-s${j}`);
    yield i === pauseAt ? { ...sample, alignedJpeg: fakeJpeg(`big-${i}-${j};`, 1_900_000) } : sample;
  }
}

const store = TerminalStore.open({ dataDir });
for (let i = 0; ; i++) {
  store.enrollPerson({ name: `person-${i}`, externalId: `ext-${i}` }, samplesOf(i));
  writeSync(1, `committed ${i}\n`);
}
