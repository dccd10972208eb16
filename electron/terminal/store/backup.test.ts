import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import Database from 'better-sqlite3';

import { KEY_FILE_NAME } from './crypto.js';
import { DATABASE_FILE_NAME } from './database.js';
import { StoreError } from './errors.js';
import { MIGRATIONS, runMigrations, SCHEMA_VERSION } from './migrations.js';
import { TerminalStore } from './store.js';
import { FAST_SCRYPT, fakeJpeg, fakeSample, tempDir } from './test/test-helpers.js';

const open = (dataDir: string): TerminalStore => TerminalStore.open({ dataDir, admin: { scrypt: FAST_SCRYPT } });
const hasCode = (code: string) => (error: unknown): boolean => error instanceof StoreError && error.code === code;

/** A data folder with one person, one event with a snapshot, an admin and a setting; returns the person's id. */
async function populate(dataDir: string): Promise<{ personId: string; sampleId: string; eventId: number }> {
  const store = open(dataDir);
  try {
    const { person, sampleIds } = store.enrollPerson({ name: 'Ann', groups: ['staff'] }, [fakeSample('ann-1')]);
    const eventId = store.events.append({ atMs: 5, decision: 'granted', reason: 'match', personId: person.id, snapshotJpeg: fakeJpeg('snap;') });
    store.settings.set('terminal.name', 'Front door');
    await store.admins.create('admin', 'pin', '482913');
    return { personId: person.id, sampleId: sampleIds[0]!, eventId };
  } finally {
    store.close();
  }
}

describe('backup and restore', () => {
  test('round trip: one private file, restored whole over later changes', async (t) => {
    const dataDir = tempDir(t);
    const backupDir = tempDir(t);
    const { personId, sampleId, eventId } = await populate(dataDir);
    const store = open(dataDir);
    const backupPath = join(backupDir, 'lintel-backup.db');
    const progress: number[] = [];
    const result = await store.backup(backupPath, ({ remainingPages }) => progress.push(remainingPages));
    assert.equal(result.schemaVersion, SCHEMA_VERSION);
    assert.equal(result.bytes, statSync(backupPath).size);
    assert.ok(progress.length > 0 && progress.at(-1) === 0);
    assert.deepEqual(readdirSync(backupDir), ['lintel-backup.db'], 'one file: no -wal, no temp file left');
    assert.equal(statSync(backupPath).mode & 0o777, 0o600);
    assert.equal(readFileSync(backupPath).subarray(0, 16).toString(), 'SQLite format 3\0');

    store.deletePerson(personId);
    store.persons.create({ name: 'Bob' });
    store.close();

    assert.deepEqual(TerminalStore.restore({ dataDir, backupPath }), { schemaVersion: SCHEMA_VERSION });
    assert.deepEqual(readdirSync(dataDir).sort(), [DATABASE_FILE_NAME, KEY_FILE_NAME].sort(), 'the previous database is gone once the new one opened');
    const restored = open(dataDir);
    t.after(() => restored.close());
    assert.deepEqual(restored.persons.list().persons.map((person) => person.name), ['Ann']);
    assert.deepEqual(restored.samples.getCrop(sampleId), fakeSample('ann-1').alignedJpeg);
    assert.deepEqual(restored.samples.templatesOfPerson(personId, 'model-a')[0]?.template, fakeSample('ann-1').template);
    assert.deepEqual(restored.events.getSnapshot(eventId), fakeJpeg('snap;'));
    assert.equal(restored.settings.get('terminal.name'), 'Front door');
    assert.deepEqual(await restored.admins.verify('admin', '482913'), { ok: true });
    assert.equal(restored.integrityCheck(), 'ok');
  });

  test('refuses what is not a Lintel backup of a known version sealed with this key, and keeps the database', async (t) => {
    const dataDir = tempDir(t);
    const elsewhere = tempDir(t);
    await populate(dataDir);
    const refuse = (backupPath: string, code: string, pattern: RegExp): void => {
      assert.throws(() => TerminalStore.restore({ dataDir, backupPath }), (error: unknown) => hasCode(code)(error) && pattern.test((error as Error).message));
    };

    const text = join(elsewhere, 'notes.txt');
    writeFileSync(text, 'not a database at all, just some text that is long enough to look like a file header');
    refuse(text, 'backup-invalid', /not a readable SQLite database|not an SQLite database/);
    refuse(join(elsewhere, 'missing.db'), 'backup-invalid', /cannot read backup/);

    const other = new Database(join(elsewhere, 'other.db'));
    other.exec('CREATE TABLE photos (id INTEGER)');
    other.close();
    refuse(join(elsewhere, 'other.db'), 'not-lintel', /not a Lintel database/);

    const newer = new Database(join(elsewhere, 'newer.db'));
    runMigrations(newer);
    newer.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    newer.close();
    refuse(join(elsewhere, 'newer.db'), 'schema-too-new', /newer than this Lintel/);

    await populate(join(elsewhere, 'other-terminal'));
    const foreign = open(join(elsewhere, 'other-terminal'));
    await foreign.backup(join(elsewhere, 'foreign.db'));
    foreign.close();
    refuse(join(elsewhere, 'foreign.db'), 'key-mismatch', /another key file/);

    assert.deepEqual(readdirSync(dataDir).sort(), [DATABASE_FILE_NAME, KEY_FILE_NAME].sort(), 'no staged file left behind');
    const keyless = tempDir(t);
    assert.throws(() => TerminalStore.restore({ dataDir: keyless, backupPath: join(elsewhere, 'foreign.db') }), hasCode('key-file'));
    assert.deepEqual(readdirSync(keyless), [], 'no key invented for a backup');
    const store = open(dataDir);
    t.after(() => store.close());
    assert.deepEqual(store.persons.list().persons.map((person) => person.name), ['Ann']);
  });

  test('a backup from an older schema version is migrated on restore', async (t) => {
    const dataDir = tempDir(t);
    const elsewhere = tempDir(t);
    await populate(dataDir);
    const oldPath = join(elsewhere, 'v1.db');
    const old = new Database(oldPath);
    runMigrations(old, MIGRATIONS.slice(0, 1));
    old.prepare("INSERT INTO persons (id, name, name_folded, created_at_ms, updated_at_ms) VALUES ('p-old', 'Old Timer', 'old timer', 1, 1)").run();
    old.close();
    assert.deepEqual(TerminalStore.restore({ dataDir, backupPath: oldPath }), { schemaVersion: SCHEMA_VERSION });
    const store = open(dataDir);
    t.after(() => store.close());
    assert.equal(store.persons.get('p-old')?.name, 'Old Timer');
    assert.equal(store.events.query().events.length, 0);
    assert.equal(existsSync(join(dataDir, `${DATABASE_FILE_NAME}.previous`)), false);
  });
});
