import type { Migration } from './migration.js';

/** Settings as JSON values by key, and admin credentials (scrypt hash, its parameters, lockout state). */
export const migration0003: Migration = {
  version: 3,
  name: 'settings-and-admins',
  up(db) {
    db.exec(`
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value_json TEXT NOT NULL CHECK (json_valid(value_json)),
        updated_at_ms INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE admins (
        username TEXT PRIMARY KEY CHECK (length(username) BETWEEN 1 AND 64),
        kind TEXT NOT NULL CHECK (kind IN ('pin', 'password')),
        -- How hash was made, so a later scheme can be introduced and old hashes upgraded at login.
        scheme TEXT NOT NULL,
        salt BLOB NOT NULL,
        hash BLOB NOT NULL,
        scrypt_cost INTEGER NOT NULL,
        scrypt_block_size INTEGER NOT NULL,
        scrypt_parallelization INTEGER NOT NULL,
        failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
        locked_until_ms INTEGER,
        last_login_at_ms INTEGER,
        created_at_ms INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL
      ) STRICT;
    `);
  },
};
