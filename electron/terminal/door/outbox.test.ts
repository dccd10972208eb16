import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import Database from 'better-sqlite3';

import { OUTBOX_FILE_NAME, Outbox } from './outbox.js';
import { migrateOutbox, OUTBOX_APPLICATION_ID, OUTBOX_MIGRATIONS, OutboxError } from './outbox-migrations.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lintel-outbox-'));
  dirs.push(dir);
  return dir;
}

const body = (eventId: number): string => JSON.stringify({ id: eventId });

describe('Outbox file', () => {
  it('is its own STRICT, WAL SQLite file (mode 0600), at user_version 1 with its own application_id', () => {
    const dataDir = tempDir();
    const outbox = Outbox.open({ dataDir, queue: 'webhook' });
    assert.equal(outbox.path, join(dataDir, OUTBOX_FILE_NAME));
    assert.equal(statSync(outbox.path).mode & 0o777, 0o600);
    outbox.close();

    const db = new Database(join(dataDir, OUTBOX_FILE_NAME));
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('user_version', { simple: true }), OUTBOX_MIGRATIONS.length);
      assert.equal(db.pragma('application_id', { simple: true }), OUTBOX_APPLICATION_ID);
      const sql = db.prepare<[], string>("SELECT sql FROM sqlite_schema WHERE name = 'deliveries'").pluck().get();
      assert.match(sql ?? '', /\) STRICT$/);
      assert.deepEqual(migrateOutbox(db), [], 'a second run applies nothing');
    } finally {
      db.close();
    }
  });

  it('sets synchronous=FULL on its connection: a queued event is fsynced before enqueue returns', () => {
    const outbox = Outbox.open({ dataDir: tempDir(), queue: 'webhook' });
    // Read through the private connection: the pragma is per connection.
    const db = (outbox as unknown as { db: Database.Database }).db;
    assert.equal(db.pragma('synchronous', { simple: true }), 2);
    outbox.close();
  });

  it("refuses another application's database and one written by a newer Lintel", () => {
    const dataDir = tempDir();
    const foreign = new Database(join(dataDir, OUTBOX_FILE_NAME));
    foreign.exec('CREATE TABLE notes (text TEXT)');
    foreign.close();
    assert.throws(() => Outbox.open({ dataDir, queue: 'webhook' }), (error: unknown) => error instanceof OutboxError && error.code === 'not-outbox');

    const newerDir = tempDir();
    Outbox.open({ dataDir: newerDir, queue: 'webhook' }).close();
    const newer = new Database(join(newerDir, OUTBOX_FILE_NAME));
    newer.pragma(`user_version = ${OUTBOX_MIGRATIONS.length + 1}`);
    newer.close();
    assert.throws(
      () => Outbox.open({ dataDir: newerDir, queue: 'webhook' }),
      (error: unknown) => error instanceof OutboxError && error.code === 'schema-too-new' && /newer than this Lintel/.test(error.message),
    );
  });
});

describe('Outbox queue', () => {
  it('hands out the oldest pending delivery; retries count attempts; dead letters keep status and reason', () => {
    let nowMs = 1_000;
    const outbox = Outbox.open({ dataDir: tempDir(), queue: 'webhook', nowMs: () => nowMs });
    const first = outbox.enqueue(1, body(1));
    outbox.enqueue(2, body(2));
    assert.deepEqual(outbox.head(), { id: first.id, eventId: 1, body: body(1), attempts: 0, createdAtMs: 1_000, nextAttemptAtMs: 1_000 });

    outbox.retryLater(first.id, 5_000, 503, 'HTTP 503');
    assert.deepEqual({ ...outbox.head(), body: undefined }, { id: first.id, eventId: 1, body: undefined, attempts: 1, createdAtMs: 1_000, nextAttemptAtMs: 5_000 });

    nowMs = 6_000;
    outbox.deadLetter(first.id, 400, 'HTTP 400 Bad Request');
    assert.equal(outbox.head()?.eventId, 2);
    assert.deepEqual(outbox.counts(), { pending: 1, dead: 1 });
    assert.deepEqual(outbox.deadLetters(), [{ id: first.id, eventId: 1, body: body(1), attempts: 2, createdAtMs: 1_000, lastStatus: 400, lastError: 'HTTP 400 Bad Request', deadAtMs: 6_000 }]);

    outbox.delivered(outbox.head()?.id ?? -1);
    assert.equal(outbox.head(), undefined);
    outbox.close();
  });

  it('keeps queues apart in one file', () => {
    const dataDir = tempDir();
    const a = Outbox.open({ dataDir, queue: 'a' });
    const b = Outbox.open({ dataDir, queue: 'b' });
    a.enqueue(1, body(1));
    b.enqueue(2, body(2));
    assert.equal(a.head()?.eventId, 1);
    assert.equal(b.head()?.eventId, 2);
    a.delivered(b.head()?.id ?? -1);
    assert.deepEqual(b.counts(), { pending: 1, dead: 0 }, "a cannot delete b's row");
    a.close();
    b.close();
  });

  it('at the limit drops dead letters first, then the oldest pending rows', () => {
    const outbox = Outbox.open({ dataDir: tempDir(), queue: 'webhook', limit: 3 });
    const first = outbox.enqueue(1, body(1));
    outbox.enqueue(2, body(2));
    outbox.deadLetter(first.id, 400, 'bad');
    outbox.enqueue(3, body(3));
    assert.deepEqual(outbox.enqueue(4, body(4)).droppedDead, 1);
    assert.deepEqual(outbox.counts(), { pending: 3, dead: 0 });
    const fifth = outbox.enqueue(5, body(5));
    assert.deepEqual({ droppedPending: fifth.droppedPending, droppedDead: fifth.droppedDead }, { droppedPending: 1, droppedDead: 0 });
    assert.equal(outbox.head()?.eventId, 3);
    outbox.close();
  });

  it('on reopening, pending rows are due at once (a restart retries now, whatever the clock did)', () => {
    const dataDir = tempDir();
    const before = Outbox.open({ dataDir, queue: 'webhook', nowMs: () => 1_000 });
    const { id } = before.enqueue(1, body(1));
    // As if written under a clock far ahead (no RTC, then NTP set it back).
    before.retryLater(id, 9_999_999_999, null, 'ECONNREFUSED');
    before.close();
    const after = Outbox.open({ dataDir, queue: 'webhook', nowMs: () => 2_000 });
    assert.equal(after.head()?.nextAttemptAtMs, 2_000);
    assert.equal(after.head()?.attempts, 1);
    after.close();
  });

  it('erasePerson blanks the person in every queue of the file, pending and dead', () => {
    const dataDir = tempDir();
    const a = Outbox.open({ dataDir, queue: 'a' });
    const b = Outbox.open({ dataDir, queue: 'b' });
    const withPerson = JSON.stringify({ id: 1, personId: 'p-7', personName: 'Zoë' });
    a.enqueue(1, withPerson);
    const dead = b.enqueue(1, withPerson);
    b.deadLetter(dead.id, 400, 'bad');
    b.enqueue(2, JSON.stringify({ id: 2, personId: 'p-8', personName: 'Other' }));
    assert.equal(a.erasePerson('p-7'), 2);
    assert.deepEqual(JSON.parse(a.head()?.body ?? ''), { id: 1, personId: null, personName: null });
    assert.deepEqual(JSON.parse(b.deadLetters()[0]?.body ?? ''), { id: 1, personId: null, personName: null });
    assert.equal(JSON.parse(b.head()?.body ?? '').personName, 'Other');
    assert.equal(a.erasePerson('p-7'), 0);
    a.close();
    b.close();
  });
});
