// Schema of `outbox.db`, the webhook queue. Its own file with its own numbered steps on `user_version` (the store's
// style, not the store's list): the queue is the door module's business, it churns (a row per event, deleted on
// delivery) where lintel.db is the record, and a backup or restore of lintel.db must neither carry nor replay it.
import type Database from 'better-sqlite3';

/** `PRAGMA application_id` of an outbox ('LNTO'): not lintel.db ('LNTL'), not a stranger's file. */
export const OUTBOX_APPLICATION_ID = 0x4c4e544f;

/** One schema step; `up` runs in a transaction that also sets `PRAGMA user_version = version`. */
export interface OutboxMigration {
  /** 1, 2, 3…: `user_version` once applied. */
  readonly version: number;
  readonly name: string;
  up(db: Database.Database): void;
}

/** Every step, in order. */
export const OUTBOX_MIGRATIONS: readonly OutboxMigration[] = [
  {
    version: 1,
    name: 'deliveries',
    up(db) {
      db.pragma(`application_id = ${OUTBOX_APPLICATION_ID}`);
      db.exec(`
        CREATE TABLE deliveries (
          -- AUTOINCREMENT: ids only grow, so id order is enqueue order and a delivery id is never reused.
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          -- The webhook's configured name; several webhooks share the file.
          queue TEXT NOT NULL CHECK (length(queue) BETWEEN 1 AND 64),
          event_id INTEGER NOT NULL,
          -- The exact bytes POSTed (and signed) on every attempt.
          body TEXT NOT NULL CHECK (json_valid(body)),
          state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'dead')),
          attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
          created_at_ms INTEGER NOT NULL,
          next_attempt_at_ms INTEGER NOT NULL,
          last_status INTEGER,
          last_error TEXT,
          dead_at_ms INTEGER,
          CHECK ((state = 'dead') = (dead_at_ms IS NOT NULL))
        ) STRICT;
        CREATE INDEX deliveries_by_queue ON deliveries (queue, state, id);
      `);
    },
  },
];

/** Error codes of the outbox file. */
export type OutboxErrorCode = 'not-outbox' | 'schema-too-new' | 'migration-failed';

/** The outbox file cannot be used; the message says why and what to do. */
export class OutboxError extends Error {
  override readonly name = 'OutboxError';

  constructor(
    readonly code: OutboxErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Brings the outbox to the latest version, each step in its own IMMEDIATE transaction with its user_version.
 * Refuses another application's file and one written by a newer Lintel (OutboxError). Returns the versions applied.
 */
export function migrateOutbox(db: Database.Database, migrations: readonly OutboxMigration[] = OUTBOX_MIGRATIONS): number[] {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`outbox migration list out of order: ${migration.name} has version ${migration.version}, expected ${index + 1}`);
  });
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  if (applicationId === 0 && version === 0) {
    const tables = db.prepare<[], number>("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").pluck().get() ?? 0;
    if (tables > 0) throw new OutboxError('not-outbox', `${db.name} holds ${tables} tables but is not a Lintel outbox`);
  } else if (applicationId !== OUTBOX_APPLICATION_ID) {
    throw new OutboxError('not-outbox', `${db.name} is not a Lintel outbox (application_id 0x${applicationId.toString(16)})`);
  } else if (version > migrations.length) {
    throw new OutboxError(
      'schema-too-new',
      `${db.name} has schema version ${version}, newer than this Lintel understands (${migrations.length}): ` +
        'run the Lintel version that wrote it, or delete the file (undelivered webhook events are lost)',
    );
  }
  const applied: number[] = [];
  for (const migration of migrations.slice(version)) {
    try {
      db.transaction(() => {
        // Another connection (a second webhook) may have applied it while this one waited for the lock.
        if ((db.pragma('user_version', { simple: true }) as number) >= migration.version) return;
        migration.up(db);
        db.pragma(`user_version = ${migration.version}`);
        applied.push(migration.version);
      }).immediate();
    } catch (error) {
      throw new OutboxError('migration-failed', `${db.name}: outbox migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`, { cause: error });
    }
  }
  return applied;
}
