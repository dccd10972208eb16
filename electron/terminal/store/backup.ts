import { randomBytes } from 'node:crypto';
import { closeSync, copyFileSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';

import Database from 'better-sqlite3';

import { fsyncDirectory } from './crypto.js';
import { bindKey, configureConnection, DATABASE_FILE_NAME, openDatabase } from './database.js';
import { StoreError } from './errors.js';
import { assertKnownSchema, runMigrations, schemaVersion } from './migrations.js';

/** Progress of a backup, in database pages; the last report has remainingPages 0. */
export interface BackupProgress {
  readonly totalPages: number;
  readonly remainingPages: number;
}

/** What `backupDatabase` wrote. */
export interface BackupResult {
  readonly path: string;
  readonly bytes: number;
  readonly schemaVersion: number;
  readonly durationMs: number;
}

/** Pages copied per step of a backup: between steps the event loop runs, so the door keeps working. */
const PAGES_PER_STEP = 256;

/**
 * Copies the whole database into one self-contained file at `destPath` (mode 0600), consistent even while
 * the terminal writes: SQLite's online backup into a temporary file beside the destination, switched to a
 * rollback journal so no -wal file belongs with it, fsynced, then renamed over `destPath`.
 *
 * The backup holds names, groups and the event log in clear, and templates, face crops and snapshots
 * sealed with the key in `lintel.key`, which is NOT in the backup. An operator must keep a copy of
 * `<dataDir>/lintel.key` (32 bytes, made on first start) somewhere safe and apart from the backups: without
 * it a backup restores persons and the log but no face can be recognised and no admin PIN checked; with it,
 * whoever holds a backup holds everyone's biometric data.
 */
export async function backupDatabase(db: Database.Database, destPath: string, onProgress?: (progress: BackupProgress) => void): Promise<BackupResult> {
  const startMs = performance.now();
  const tempPath = join(dirname(destPath), `.${basename(destPath)}.partial-${process.pid}-${randomBytes(4).toString('hex')}`);
  // Made first with 0600: SQLite would create it world-readable, and the names inside are personal data.
  closeSync(openSync(tempPath, 'wx', 0o600));
  try {
    await db.backup(tempPath, {
      progress: ({ totalPages, remainingPages }) => {
        onProgress?.({ totalPages, remainingPages });
        return PAGES_PER_STEP;
      },
    });
    const copy = new Database(tempPath);
    let version: number;
    let totalPages: number;
    try {
      copy.pragma('journal_mode = DELETE');
      version = schemaVersion(copy);
      totalPages = copy.pragma('page_count', { simple: true }) as number;
    } finally {
      copy.close();
    }
    fsyncFile(tempPath);
    renameSync(tempPath, destPath);
    fsyncDirectory(dirname(destPath));
    onProgress?.({ totalPages, remainingPages: 0 });
    return { path: destPath, bytes: statSync(destPath).size, schemaVersion: version, durationMs: performance.now() - startMs };
  } catch (error) {
    removeDatabaseFiles(tempPath);
    throw error;
  }
}

/** Options of `restoreDatabase`. */
export interface RestoreOptions {
  /** The data folder whose `lintel.db` is replaced. The TerminalStore on it must be closed. */
  readonly dataDir: string;
  /** A file made by `backupDatabase`. */
  readonly backupPath: string;
  /** Fingerprint of the installed key (`deriveKeys(key).keyId`); a backup sealed with another key is refused. */
  readonly keyId: string;
}

/**
 * Replaces `<dataDir>/lintel.db` with a backup. The backup is first copied into the data folder and checked
 * there — a Lintel database (application_id), a schema version this code knows (older ones are migrated),
 * `quick_check` ok, sealed with the installed key — and only then swapped in. The old database is kept as
 * `lintel.db.previous` until the new one opens, and put back if it does not. Throws a StoreError
 * ('backup-invalid', 'not-lintel', 'schema-too-new', 'key-mismatch') and leaves the old database in place.
 *
 * Restoring brings back everyone the backup holds, including people erased after it was made: erasures
 * since then must be made again.
 */
export function restoreDatabase(options: RestoreOptions): { schemaVersion: number } {
  const { dataDir, backupPath, keyId } = options;
  const livePath = join(dataDir, DATABASE_FILE_NAME);
  const stagedPath = `${livePath}.restoring`;
  const previousPath = `${livePath}.previous`;
  removeDatabaseFiles(stagedPath);
  try {
    copyFileSync(backupPath, stagedPath);
  } catch (error) {
    throw new StoreError('backup-invalid', `cannot read backup ${backupPath}: ${(error as Error).message}`, { cause: error });
  }
  try {
    validateStaged(stagedPath, backupPath, keyId);
    fsyncFile(stagedPath);
  } catch (error) {
    removeDatabaseFiles(stagedPath);
    throw error;
  }

  removeDatabaseFiles(previousPath);
  // The -wal goes with its database: left beside the restored file, SQLite would replay the old
  // database's frames into it.
  moveDatabaseFiles(livePath, previousPath);
  renameSync(stagedPath, livePath);
  fsyncDirectory(dataDir);
  try {
    const db = openDatabase({ dataDir });
    try {
      bindKey(db, keyId);
      const version = schemaVersion(db);
      db.close();
      removeDatabaseFiles(previousPath);
      return { schemaVersion: version };
    } catch (error) {
      db.close();
      throw error;
    }
  } catch (error) {
    removeDatabaseFiles(livePath);
    moveDatabaseFiles(previousPath, livePath);
    fsyncDirectory(dataDir);
    throw new StoreError('backup-invalid', `the restored database did not open, the previous one is back: ${(error as Error).message}`, { cause: error });
  }
}

function validateStaged(stagedPath: string, backupPath: string, keyId: string): void {
  let db: Database.Database;
  try {
    db = new Database(stagedPath, { fileMustExist: true });
  } catch (error) {
    throw new StoreError('backup-invalid', `${backupPath} is not an SQLite database: ${(error as Error).message}`, { cause: error });
  }
  try {
    let check: unknown;
    try {
      check = db.pragma('quick_check', { simple: true });
    } catch (error) {
      throw new StoreError('backup-invalid', `${backupPath} is not a readable SQLite database: ${(error as Error).message}`, { cause: error });
    }
    if (check !== 'ok') throw new StoreError('backup-invalid', `${backupPath} is damaged (quick_check: ${String(check)})`);
    assertKnownSchema(db);
    if (schemaVersion(db) === 0) throw new StoreError('not-lintel', `${backupPath} is an empty database, not a Lintel backup`);
    configureConnection(db);
    runMigrations(db);
    bindKey(db, keyId);
  } finally {
    db.close();
  }
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

const SIDE_FILES = ['', '-wal', '-shm', '-journal'];

function moveDatabaseFiles(fromPath: string, toPath: string): void {
  for (const suffix of SIDE_FILES) {
    try {
      renameSync(fromPath + suffix, toPath + suffix);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

function removeDatabaseFiles(path: string): void {
  for (const suffix of SIDE_FILES) rmSync(path + suffix, { force: true });
}
