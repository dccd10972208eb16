import type { Migration } from './migration.js';

/** The access log, and its snapshots (sealed JPEG) in a table of their own so erasing a face keeps the event. */
export const migration0002: Migration = {
  version: 2,
  name: 'events',
  up(db) {
    db.exec(`
      CREATE TABLE events (
        -- AUTOINCREMENT: an id is never reused, so a cursor or an exported log line names one event forever.
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at_ms INTEGER NOT NULL,
        decision TEXT NOT NULL CHECK (decision IN ('granted', 'denied')),
        reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 64),
        person_id TEXT REFERENCES persons (id) ON DELETE SET NULL,
        -- Set when the person was erased: the log still says a known person came, not who.
        person_erased_at_ms INTEGER,
        model_id TEXT,
        similarity REAL CHECK (similarity IS NULL OR similarity BETWEEN -1 AND 1),
        liveness_score REAL CHECK (liveness_score IS NULL OR liveness_score BETWEEN 0 AND 1),
        quality_json TEXT CHECK (quality_json IS NULL OR json_valid(quality_json))
      ) STRICT;
      CREATE INDEX events_by_time ON events (at_ms, id);
      CREATE INDEX events_by_person ON events (person_id, at_ms, id);
      CREATE INDEX events_by_decision ON events (decision, at_ms, id);

      CREATE TABLE event_snapshots (
        event_id INTEGER PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
        jpeg BLOB NOT NULL
      ) STRICT;
    `);
  },
};
