import type Database from 'better-sqlite3';

import { StoreError } from './errors.js';
import { LINTEL_APPLICATION_ID, migration0001 } from './migrations/0001-persons-and-samples.js';
import { migration0002 } from './migrations/0002-events.js';
import { migration0003 } from './migrations/0003-settings-and-admins.js';
import { migration0004 } from './migrations/0004-event-liveness-cue.js';
import { migration0005 } from './migrations/0005-person-credentials.js';
import { migration0006 } from './migrations/0006-login-attempts-and-pairing.js';
import { migration0007 } from './migrations/0007-sample-alignment.js';
import { migration0008 } from './migrations/0008-hub-sync.js';
import { migration0009 } from './migrations/0009-event-card.js';
import { migration0010 } from './migrations/0010-sample-age.js';
import type { Migration } from './migrations/migration.js';

export type { Migration } from './migrations/migration.js';
export { LINTEL_APPLICATION_ID } from './migrations/0001-persons-and-samples.js';

/** Every migration, in order; the last one's version is the schema this code writes. */
export const MIGRATIONS: readonly Migration[] = [migration0001, migration0002, migration0003, migration0004, migration0005, migration0006, migration0007, migration0008, migration0009, migration0010];

/** The schema version this code writes (`PRAGMA user_version` after all migrations). */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The database's schema version (`PRAGMA user_version`; 0 for a new file). */
export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Throws a StoreError unless `db` is empty or a Lintel database no newer than `latestVersion`:
 * 'not-lintel' for another application's file, 'schema-too-new' for one written by a newer Lintel.
 */
export function assertKnownSchema(db: Database.Database, latestVersion = SCHEMA_VERSION): void {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const version = schemaVersion(db);
  if (applicationId === 0 && version === 0) {
    const tables = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get()?.n ?? 0;
    if (tables > 0) throw new StoreError('not-lintel', `${db.name} holds ${tables} tables but is not a Lintel database`);
    return;
  }
  if (applicationId !== LINTEL_APPLICATION_ID) {
    throw new StoreError('not-lintel', `${db.name} is not a Lintel database (application_id 0x${applicationId.toString(16)})`);
  }
  if (version > latestVersion) {
    throw new StoreError(
      'schema-too-new',
      `${db.name} has schema version ${version}, newer than this Lintel understands (${latestVersion}): ` +
        'install the Lintel version that wrote it, or restore a backup made by this one',
    );
  }
}

/**
 * Brings `db` to the latest version: each pending migration runs in its own transaction together with
 * `PRAGMA user_version`, so a failure leaves the database at the previous version, never between two.
 * Refuses a database newer than the code (see assertKnownSchema). Returns the versions applied.
 */
export function runMigrations(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`migration list out of order: entry ${index} (${migration.name}) has version ${migration.version}, expected ${index + 1}`);
    }
  });
  assertKnownSchema(db, migrations.length);
  const applied: number[] = [];
  for (const migration of migrations.slice(schemaVersion(db))) {
    try {
      // IMMEDIATE: take the write lock first, so a second process opening the same file waits instead of
      // both running the same step.
      db.transaction(() => {
        if (schemaVersion(db) >= migration.version) return;
        migration.up(db);
        db.pragma(`user_version = ${migration.version}`);
        applied.push(migration.version);
      }).immediate();
    } catch (error) {
      throw new StoreError('migration-failed', `migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`, { cause: error });
    }
  }
  return applied;
}
