import type pg from 'pg';

/** One schema step of the hub's database; `up` runs inside a transaction that also records the version. */
export interface HubMigration {
  /** 1, 2, 3…: the schema version once this step is applied. */
  readonly version: number;
  /** What the step does, for logs and errors. */
  readonly name: string;
  up(client: pg.PoolClient): Promise<void>;
}
