import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { StoreError } from './errors.js';
import { runMigrations } from './migrations.js';

/** Name of the database file inside the data folder. */
export const DATABASE_FILE_NAME = 'lintel.db';

/** Options of `openDatabase`. */
export interface OpenDatabaseOptions {
  /** Folder of the database and key; created with mode 0700 when absent. */
  readonly dataDir: string;
  /** How long a statement waits for another connection's lock, ms; default 5000. */
  readonly busyTimeoutMs?: number;
  /** Apply pending migrations; default true. */
  readonly migrate?: boolean;
}

/**
 * Opens (creating when absent) `<dataDir>/lintel.db`: WAL, foreign keys on, secure_delete on, synchronous
 * NORMAL (grant events raise it to FULL for their own commit, see EventsRepository), migrations applied.
 */
export function openDatabase(options: OpenDatabaseOptions): Database.Database {
  const { dataDir, busyTimeoutMs = 5000, migrate = true } = options;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, DATABASE_FILE_NAME);
  // Create the file ourselves: SQLite would use 0644, and its -wal/-shm copy the database file's mode.
  closeSync(openSync(path, 'a', 0o600));
  const db = new Database(path, { timeout: busyTimeoutMs });
  try {
    configureConnection(db);
    if (migrate) runMigrations(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** The connection settings every Lintel connection needs; exported for backup validation. */
export function configureConnection(db: Database.Database): void {
  const journalMode = db.pragma('journal_mode = WAL', { simple: true });
  if (journalMode !== 'wal') throw new Error(`${db.name}: cannot switch to WAL (journal_mode is ${String(journalMode)}); is the folder on a network share?`);
  // NORMAL in WAL: a crash of the process loses nothing and a power cut at most the last commits, never
  // consistency. Doors opened are the exception (FULL, see EventsRepository).
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Deleted rows are overwritten with zeros, so an erased person's blobs do not linger in free pages.
  db.pragma('secure_delete = ON');
  // After a bulk import the WAL can grow large; cap what stays on flash after a checkpoint.
  db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
  db.pragma('trusted_schema = OFF');
}

/**
 * Ties the database to a key file: records the key's fingerprint on first use, and afterwards refuses
 * (StoreError 'key-mismatch') a key other than the one its blobs were sealed with, instead of failing on
 * the first template read.
 */
export function bindKey(db: Database.Database, keyId: string): void {
  db.transaction(() => {
    const stored = db.prepare<[], string>("SELECT value FROM meta WHERE key = 'key_id'").pluck().get();
    if (stored === undefined) {
      db.prepare("INSERT INTO meta (key, value) VALUES ('key_id', ?)").run(keyId);
    } else if (stored !== keyId) {
      throw new StoreError(
        'key-mismatch',
        `${db.name} was encrypted with another key file (key id ${stored}, this one is ${keyId}): install the lintel.key that belongs to it`,
      );
    }
  }).immediate();
}
