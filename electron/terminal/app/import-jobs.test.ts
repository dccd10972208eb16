import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import sharp from 'sharp';

import { FaceMatcher } from '../../vision/matcher/face-matcher.js';
import type { EnrollmentAnalyser } from '../enrollment/photo-sample.js';
import { TerminalStore } from '../store/store.js';
import { ImportJobs, type ImportJob } from './import-jobs.js';

/** An analysis that never answers: a job stuck on one photo (a hung worker, a stalled read). */
const stuck: EnrollmentAnalyser = { analyse: () => new Promise(() => undefined), extract: () => new Promise(() => undefined) };

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const startMs = Date.now();
  while (!check()) {
    if (Date.now() - startMs > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('ImportJobs', () => {
  let dir: string;
  let store: TerminalStore;
  const matcher = new FaceMatcher('fake', 4, { verifySimilarity: 0.5, identifySimilarity: 0.5 });
  const failures: unknown[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lintel-import-jobs-'));
    store = TerminalStore.open({ dataDir: join(dir, 'data') });
    for (const name of ['Ann_Lee', 'Bo_Chen']) {
      mkdirSync(join(dir, 'people', name), { recursive: true });
      await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } }).jpeg().toFile(join(dir, 'people', name, '1.jpg'));
    }
  });

  after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('cancel ends a job at once, even one stuck on a photo, and another may start', async () => {
    const jobs = new ImportJobs((message, details) => failures.push({ message, details }));
    const options = { store, pipeline: stuck, matcher, roots: [dir] };
    const job = jobs.start({ kind: 'folder', path: join(dir, 'people') }, options);
    await until(() => job.current !== undefined);
    assert.equal(jobs.cancel(job.importId).state, 'aborted');
    assert.equal(jobs.get(job.importId).current, undefined);
    const next = jobs.start({ kind: 'folder', path: join(dir, 'people') }, options);
    assert.equal(next.state, 'running');
    assert.equal(jobs.cancel(next.importId).state, 'aborted');
    assert.deepEqual(failures, []);
  });

  it('stopped resolves once a cancelled job’s work has ended: after the worker gives up its photo, and quietly', async () => {
    let giveUp: ((error: Error) => void) | undefined;
    const waiting: EnrollmentAnalyser = { analyse: () => new Promise((_resolve, reject) => (giveUp = reject)), extract: () => new Promise(() => undefined) };
    const jobs = new ImportJobs((message, details) => failures.push({ message, details }));
    const job = jobs.start({ kind: 'folder', path: join(dir, 'people') }, { store, pipeline: waiting, matcher, roots: [dir] });
    // Cancelled once the worker holds its photo: a job cancelled before that has nothing to wait for.
    await until(() => giveUp !== undefined);
    jobs.cancelAll();
    let stopped = false;
    const whenStopped = jobs.stopped().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(stopped, false, 'the job still waits for its photo');
    giveUp?.(new Error('the inference client is closed'));
    await whenStopped;
    assert.equal(job.state, 'aborted');
    assert.deepEqual(failures, [], 'a cancelled job failing against the closed worker is no failure');
  });

  it('a job refused by the roots fails with the reason; an erased person leaves its results', async () => {
    const jobs = new ImportJobs((message, details) => failures.push({ message, details }));
    const outside = jobs.start({ kind: 'folder', path: join(dir, 'people') }, { store, pipeline: stuck, matcher, roots: [join(dir, 'data')] });
    await until(() => outside.state !== 'running');
    assert.equal(outside.state, 'failed');
    assert.match(outside.failure ?? '', /outside the import folders/);
    failures.length = 0;

    // Both are enrolled already: the import skips them, naming them, without analysing a photo.
    const ann = store.persons.create({ name: 'Ann Lee' });
    const bo = store.persons.create({ name: 'Bo Chen' });
    const done: ImportJob = jobs.start({ kind: 'folder', path: join(dir, 'people') }, { store, pipeline: stuck, matcher, roots: [dir] });
    await until(() => done.state !== 'running');
    assert.deepEqual(done.persons.map((person) => [person.person, person.status]), [['Ann Lee', 'skipped'], ['Bo Chen', 'skipped']]);
    jobs.erasePerson(ann.id);
    assert.deepEqual(done.persons[0], { person: '', status: 'skipped', sampleCount: 0, detail: 'erased' });
    assert.equal(done.persons[1]?.personId, bo.id);
    assert.ok(!JSON.stringify(jobs.get(done.importId)).includes('Ann'));
  });
});
