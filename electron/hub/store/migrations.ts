import type pg from 'pg';

import { HubStoreError } from './errors.js';
import { migration0001 } from './migrations/0001-site-schema.js';
import { migration0002 } from './migrations/0002-admins-and-sessions.js';
import { migration0003 } from './migrations/0003-event-card.js';
import { migration0004 } from './migrations/0004-sample-age.js';
import type { HubMigration } from './migrations/migration.js';

export type { HubMigration } from './migrations/migration.js';

/** Every hub migration, in order; the last one's version is the schema this code writes. */
export const HUB_MIGRATIONS: readonly HubMigration[] = [migration0001, migration0002, migration0003, migration0004];

/** Any constant: the advisory lock two hub processes starting together queue on. */
const MIGRATION_LOCK_KEY = 0x4c4e544c;

/**
 * Brings the database to the latest version, each migration in its own transaction together with its row in
 * `schema_migrations`, so a failure leaves the previous version. Refuses a database newer than the code
 * ('schema-too-new'). Returns the versions applied.
 */
export async function runHubMigrations(pool: pg.Pool, migrations: readonly HubMigration[] = HUB_MIGRATIONS): Promise<number[]> {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`hub migration list out of order: entry ${index} (${migration.name}) has version ${migration.version}`);
  });
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    for (const migration of migrations) {
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
        const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
        const current = rows[0]?.version ?? 0;
        if (current > migrations.length) {
          throw new HubStoreError('schema-too-new', `the hub database has schema version ${current}, newer than this Lintel understands (${migrations.length}): run the Lintel version that wrote it`);
        }
        if (current < migration.version) {
          await migration.up(client);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
          applied.push(migration.version);
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        if (error instanceof HubStoreError) throw error;
        throw new HubStoreError('migration-failed', `hub migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`, { cause: error });
      }
    }
  } finally {
    client.release();
  }
  return applied;
}
