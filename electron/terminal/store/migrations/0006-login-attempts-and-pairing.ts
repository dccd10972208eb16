import type { Migration } from './migration.js';

/**
 * Failed logins per source and username, whether or not the username exists, so an unknown name is throttled
 * exactly like a known one and nobody can lock an admin out from elsewhere (the admins table's own counters are
 * no longer used). Pairing codes: single-use and short-lived, only their SHA-256 kept; `lintel pair` mints them
 * from another process, which is why they live here and not in memory.
 */
export const migration0006: Migration = {
  version: 6,
  name: 'login-attempts-and-pairing',
  up(db) {
    db.exec(`
      CREATE TABLE login_attempts (
        source TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 128),
        username TEXT NOT NULL CHECK (length(username) BETWEEN 1 AND 64),
        failed_attempts INTEGER NOT NULL CHECK (failed_attempts >= 1),
        locked_until_ms INTEGER,
        updated_at_ms INTEGER NOT NULL,
        PRIMARY KEY (source, username)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX login_attempts_by_username ON login_attempts (username);
      CREATE INDEX login_attempts_by_age ON login_attempts (updated_at_ms);

      CREATE TABLE pairing_codes (
        code_sha256 TEXT PRIMARY KEY CHECK (length(code_sha256) = 43),
        expires_at_ms INTEGER NOT NULL,
        created_at_ms INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
