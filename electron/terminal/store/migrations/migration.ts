import type Database from 'better-sqlite3';

/** One schema step. `up` runs inside a transaction that also sets `PRAGMA user_version = version`. */
export interface Migration {
  /** 1, 2, 3…: the `user_version` the database has once this step is applied. */
  readonly version: number;
  /** What the step does, for logs and errors, e.g. 'events'. */
  readonly name: string;
  up(db: Database.Database): void;
}
