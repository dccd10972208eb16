import type { Migration } from './migration.js';

/** A random RFC 4122 version-4 UUID in SQL: the trigger below names each event for the hub without a round trip to Node. */
const SQL_UUID_V4 = `lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' ||
  substr('89AB', 1 + (random() & 3), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))`;

/**
 * The terminal's side of a site hub: which hub it joined and how far it applied the hub's change log, which
 * people the hub manages (the hub is their one writer), the events waiting for the hub's acknowledgement, and
 * enrollments made at this door waiting to reach the hub.
 */
export const migration0008: Migration = {
  version: 8,
  name: 'hub-sync',
  up(db) {
    db.exec(`
      -- At most one row: the hub this terminal joined. applied_seq is the cursor in the hub's change log.
      CREATE TABLE hub_link (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        site_id TEXT NOT NULL CHECK (length(site_id) BETWEEN 1 AND 64),
        terminal_id TEXT NOT NULL CHECK (length(terminal_id) BETWEEN 1 AND 64),
        -- The hub's Ed25519 key (PEM, SPKI): every change page must verify against it.
        hub_public_key_pem TEXT NOT NULL,
        applied_seq INTEGER NOT NULL DEFAULT 0 CHECK (applied_seq >= 0),
        joined_at_ms INTEGER NOT NULL
      ) STRICT;

      -- The version of the hub's record a synced person is at; NULL for a person enrolled here before joining.
      ALTER TABLE persons ADD COLUMN hub_version INTEGER CHECK (hub_version IS NULL OR hub_version >= 0);

      -- Events not yet acknowledged by the hub. seq is this terminal's event sequence (AUTOINCREMENT: never
      -- reused, so an acknowledgement "up to seq n" can never cover an event it did not see); uuid is what the
      -- hub inserts idempotently by. A row leaves only on the hub's ack (or with its event, by retention).
      CREATE TABLE hub_event_outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id INTEGER NOT NULL UNIQUE REFERENCES events (id) ON DELETE CASCADE,
        uuid TEXT NOT NULL UNIQUE CHECK (length(uuid) = 36)
      ) STRICT;
      -- In the event's own transaction, whichever path wrote it (a decision, the exit button, a remote open): an
      -- event logged while joined is queued for the hub as durably as it is logged.
      CREATE TRIGGER events_into_hub_outbox AFTER INSERT ON events WHEN EXISTS (SELECT 1 FROM hub_link)
        BEGIN INSERT INTO hub_event_outbox (event_id, uuid) VALUES (NEW.id, ${SQL_UUID_V4}); END;

      -- Enrollments made at this door while joined: the hub writes people, so each is a request kept until the
      -- hub answered. The body is the request's JSON (faces and templates), sealed with the store's key.
      CREATE TABLE hub_enroll_requests (
        request_id TEXT PRIMARY KEY CHECK (length(request_id) = 36),
        body BLOB NOT NULL,
        created_at_ms INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        last_error TEXT
      ) STRICT;
    `);
  },
};
