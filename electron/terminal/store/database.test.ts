import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { bindKey, DATABASE_FILE_NAME, openDatabase } from './database.js';
import { StoreError } from './errors.js';
import { SCHEMA_VERSION, schemaVersion } from './migrations.js';
import { tempDir } from './test/test-helpers.js';

test('openDatabase: private folder and file, WAL, foreign keys, secure_delete, NORMAL sync, migrated', (t) => {
  const dataDir = join(tempDir(t), 'data');
  const db = openDatabase({ dataDir });
  t.after(() => db.close());
  assert.equal(statSync(dataDir).mode & 0o777, 0o700);
  assert.equal(statSync(join(dataDir, DATABASE_FILE_NAME)).mode & 0o777, 0o600);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
  assert.equal(db.pragma('secure_delete', { simple: true }), 1);
  assert.equal(db.pragma('synchronous', { simple: true }), 1);
  assert.equal(schemaVersion(db), SCHEMA_VERSION);
  db.prepare("INSERT INTO persons (id, name, name_folded, created_at_ms, updated_at_ms) VALUES ('p', 'P', 'p', 1, 1)").run();
  assert.equal(statSync(join(dataDir, `${DATABASE_FILE_NAME}-wal`)).mode & 0o777, 0o600);
});

test('bindKey records the first key and refuses another', (t) => {
  const db = openDatabase({ dataDir: tempDir(t) });
  t.after(() => db.close());
  bindKey(db, 'aaaaaaaaaaaaaaaa');
  bindKey(db, 'aaaaaaaaaaaaaaaa');
  assert.throws(() => bindKey(db, 'bbbbbbbbbbbbbbbb'), (error: unknown) => error instanceof StoreError && error.code === 'key-mismatch' && /another key file/.test(error.message));
});
