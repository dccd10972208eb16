import type { HubMigration } from './migration.js';

/** The hub's administrators (password hashes peppered with the hub's key) and their sessions (token hashes only). */
export const migration0002: HubMigration = {
  version: 2,
  name: 'admins-and-sessions',
  async up(client) {
    await client.query(`
      CREATE TABLE admins (
        username text PRIMARY KEY CHECK (username ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
        salt bytea NOT NULL,
        hash bytea NOT NULL,
        scrypt_cost integer NOT NULL,
        failed_attempts integer NOT NULL DEFAULT 0,
        locked_until_ms bigint,
        created_at_ms bigint NOT NULL,
        last_login_at_ms bigint
      );

      -- The cookie holds the token; the database only its SHA-256, so a copied database opens no session.
      CREATE TABLE admin_sessions (
        token_hash bytea PRIMARY KEY,
        username text NOT NULL REFERENCES admins (username) ON DELETE CASCADE,
        created_at_ms bigint NOT NULL,
        expires_at_ms bigint NOT NULL
      );
      CREATE INDEX admin_sessions_by_expiry ON admin_sessions (expires_at_ms);
    `);
  },
};
