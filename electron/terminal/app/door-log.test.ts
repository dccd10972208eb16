// What the door keeps of its decisions, on real models and LFW photos: on a full disk it denies (an event that
// cannot be written opens nothing) and says so in its health; a deleted person leaves the recent decisions.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';

import type Database from 'better-sqlite3';

import type { StreamMessageOf } from '../../shared/contract/streams.js';
import { enrollFromPhotos } from '../enrollment/enroll-photos.js';
import { lfwPhoto, missingForRealPhotos } from '../enrollment/test/helpers.js';
import type { AppLogger, TerminalApp } from './terminal-app.js';
import { makeWallCamera, openTestApp } from './test/open-test-app.js';

const PERSON = 'Colin_Powell';

describe('the door log on real photos', () => {
  let missing = '';
  let app: TerminalApp | undefined;
  let dir = '';
  let cameras = 0;
  let personId = '';
  const logged: { level: string; message: string; details: Readonly<Record<string, unknown>> }[] = [];
  const logger: AppLogger = {
    info: (message, details = {}) => void logged.push({ level: 'info', message, details }),
    warn: (message, details = {}) => void logged.push({ level: 'warn', message, details }),
    error: (message, details) => void logged.push({ level: 'error', message, details }),
  };

  /** Puts photos of the person in front of the camera: a new folder, so a new track and a new decision. */
  async function showPerson(indices: readonly number[]): Promise<void> {
    const folder = join(dir, `camera-${++cameras}`);
    mkdirSync(folder);
    for (const index of indices) copyFileSync(lfwPhoto(PERSON, index), join(folder, `${index}.jpg`));
    await (app as TerminalApp).updateSettings({ 'camera.uri': `file:${folder}?fps=5` });
  }

  function nextDecision(timeoutMs: number): Promise<StreamMessageOf<'decision'>['decision'] | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => (stop(), resolve(undefined)), timeoutMs);
      const stop = (app as TerminalApp).subscribe((message) => {
        if (message.kind !== 'decision') return;
        clearTimeout(timer);
        stop();
        resolve(message.decision);
      });
    });
  }

  /** The store's own connection: its page limit stands in for a full disk (SQLITE_FULL, as the disk gives it). */
  const database = (): Database.Database => ((app as TerminalApp).store as unknown as { db: Database.Database }).db;

  before(async () => {
    missing = await missingForRealPhotos();
    if (missing) return;
    dir = mkdtempSync(join(tmpdir(), 'lintel-door-log-'));
    app = await openTestApp({ dataDir: join(dir, 'data'), defaultCameraUri: await makeWallCamera(dir), liveness: { mode: 'off' }, logger });
    const service = app.requireService();
    const enrolled = await enrollFromPhotos({ store: app.store, pipeline: service.analyser, matcher: service.matcher, person: { name: 'Colin Powell' }, photos: [lfwPhoto(PERSON, 1)] });
    assert.equal(enrolled.outcome, 'enrolled');
    if (enrolled.outcome === 'enrolled') personId = enrolled.person.id;
  });

  after(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const ready = (t: TestContext): boolean => {
    if (missing) t.skip(missing);
    return !missing;
  };

  test('on a full disk the door stays shut and says "storage full"; the next event written clears it', async (t) => {
    if (!ready(t)) return;
    const terminal = app as TerminalApp;
    const db = database();
    // Fill the database up to a limit of its current size: free pages and the events' last page first.
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    let filler = 0;
    for (;;) {
      try {
        terminal.store.events.append({ atMs: Date.now(), decision: 'denied', reason: 'unknown' });
        filler++;
      } catch (error) {
        assert.equal((error as { code?: string }).code, 'SQLITE_FULL');
        break;
      }
    }
    const doorEventsBefore = logged.filter((line) => line.message === 'door.event').length;
    const decided = nextDecision(12_000);
    await showPerson([2, 3]);
    assert.equal(await decided, undefined, 'no decision reaches the screen: none could be logged');
    const health = terminal.health();
    assert.equal(health.storage.status, 'full', `${filler} filler events, then: ${JSON.stringify(health.storage)}`);
    assert.match(health.storage.status === 'full' ? health.storage.message : '', /door denies everyone/);
    assert.equal(logged.filter((line) => line.message === 'door.event').length, doorEventsBefore, 'the door outputs did not move');
    assert.equal(logged.filter((line) => line.message === 'storage.full').length, 1, 'logged once, not per face');

    db.pragma('max_page_count = 1073741823');
    const granted = nextDecision(20_000);
    await showPerson([3, 2]);
    const decision = await granted;
    assert.equal(decision?.decision, 'granted');
    assert.equal(decision?.person?.id, personId);
    assert.deepEqual(terminal.health().storage, { status: 'ok' });
    assert.ok(logged.some((line) => line.message === 'storage.recovered'));
  });

  test('a deleted person leaves the recent decisions', async (t) => {
    if (!ready(t)) return;
    const terminal = app as TerminalApp;
    if (!terminal.decisions(50).some((decision) => decision.person?.id === personId)) {
      const granted = nextDecision(20_000);
      await showPerson([2, 3]);
      assert.equal((await granted)?.person?.id, personId);
    }
    assert.equal(terminal.deletePerson(personId), true);
    assert.deepEqual(terminal.decisions(50).filter((decision) => decision.person?.id === personId), []);
  });
});
