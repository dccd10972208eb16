import pg from 'pg';

/** PostgreSQL's OIDs of the types parsed differently from node-postgres' defaults. */
const INT8_OID = 20;

/**
 * bigint columns (ms timestamps, seqs) as numbers: every value the hub stores is below 2^53, and node-postgres'
 * default (a string) would leak into every row type. Per pool, not the global `pg.types`, so nothing else changes.
 */
const hubTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID && format !== 'binary' ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * A pool for the hub's database. `max` defaults to 8 connections. A connection that breaks while idle (PostgreSQL
 * restarted, the network dropped it) is reported to `onIdleError` and left out of the pool; without a listener
 * node-postgres would throw it as an uncaught error and stop the hub.
 */
export function createHubPool(connectionString: string, max = 8, onIdleError: (error: Error) => void = () => undefined): pg.Pool {
  // A database that does not answer fails a call within 10 s instead of holding it for ever.
  const pool = new pg.Pool({ connectionString, max, types: hubTypes, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000 });
  pool.on('error', onIdleError);
  return pool;
}

/** Transaction isolation of `inTransaction`. */
export type Isolation = 'read committed' | 'repeatable read read only';

/** Runs `work` in one transaction on one pooled connection: COMMIT when it resolves, ROLLBACK when it throws. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, isolation: Isolation = 'read committed'): Promise<T> {
  const client = await pool.connect();
  // A connection whose ROLLBACK failed is in an unknown state: destroyed instead of returned to the pool.
  let broken: Error | undefined;
  try {
    await client.query(`BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}`);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
