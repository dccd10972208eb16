import type { HubMigration } from './migration.js';

/**
 * The site: persons with groups, credentials and face samples (crop and templates sealed), the documents that
 * sync (groups, schedules, door policies, site settings), terminals with their cursors, the change log with its
 * head, erasures, the site-wide event log, and enrollment requests from doors.
 */
export const migration0001: HubMigration = {
  version: 1,
  name: 'site-schema',
  async up(client) {
    await client.query(`
      CREATE TABLE persons (
        id uuid PRIMARY KEY,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        external_id text UNIQUE CHECK (external_id IS NULL OR length(external_id) BETWEEN 1 AND 200),
        enabled boolean NOT NULL DEFAULT true,
        valid_from_ms bigint,
        valid_until_ms bigint,
        version integer NOT NULL CHECK (version > 0),
        created_at_ms bigint NOT NULL,
        updated_at_ms bigint NOT NULL,
        CHECK (valid_from_ms IS NULL OR valid_until_ms IS NULL OR valid_from_ms < valid_until_ms)
      );
      CREATE INDEX persons_by_name ON persons (lower(name), id);

      CREATE TABLE person_groups (
        person_id uuid NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
        group_name text NOT NULL CHECK (length(group_name) BETWEEN 1 AND 64),
        PRIMARY KEY (person_id, group_name)
      );
      CREATE INDEX person_groups_by_group ON person_groups (group_name, person_id);

      CREATE TABLE credentials (
        person_id uuid NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
        facility_code integer CHECK (facility_code IS NULL OR facility_code >= 0),
        card_number bigint NOT NULL CHECK (card_number >= 0)
      );
      CREATE INDEX credentials_by_person ON credentials (person_id);
      -- NULLs are distinct in a unique index: -1 stands for "no facility code" so two such cards still clash.
      CREATE UNIQUE INDEX credentials_unique ON credentials (card_number, coalesce(facility_code, -1));

      -- The aligned crop (sealed JPEG) outlives any extractor: terminals running another model rebuild from it.
      CREATE TABLE samples (
        id uuid PRIMARY KEY,
        person_id uuid NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
        crop bytea NOT NULL,
        alignment jsonb,
        quality jsonb NOT NULL,
        created_at_ms bigint NOT NULL
      );
      CREATE INDEX samples_by_person ON samples (person_id);

      CREATE TABLE templates (
        sample_id uuid NOT NULL REFERENCES samples (id) ON DELETE CASCADE,
        model_id text NOT NULL CHECK (length(model_id) BETWEEN 1 AND 100),
        dimension integer NOT NULL CHECK (dimension BETWEEN 1 AND 4096),
        template bytea NOT NULL,
        PRIMARY KEY (sample_id, model_id)
      );

      CREATE TABLE groups (id text PRIMARY KEY, version integer NOT NULL, body jsonb NOT NULL, updated_at_ms bigint NOT NULL);
      CREATE TABLE schedules (id text PRIMARY KEY, version integer NOT NULL, body jsonb NOT NULL, updated_at_ms bigint NOT NULL);
      CREATE TABLE door_policies (id text PRIMARY KEY, version integer NOT NULL, body jsonb NOT NULL, updated_at_ms bigint NOT NULL);
      CREATE TABLE site_settings (id text PRIMARY KEY, version integer NOT NULL, body jsonb NOT NULL, updated_at_ms bigint NOT NULL);

      CREATE TABLE terminals (
        -- The certificate's CN and one MQTT topic level (TERMINAL_ID_PATTERN).
        id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        cert_serial text,
        revoked boolean NOT NULL DEFAULT false,
        applied_seq bigint NOT NULL DEFAULT 0,
        events_acked_seq bigint NOT NULL DEFAULT 0,
        state jsonb,
        last_seen_ms bigint,
        registered_at_ms bigint NOT NULL,
        -- The head when the terminal joined: erasures before it never reached it and are not counted against it.
        registered_at_seq bigint NOT NULL
      );

      -- One row: the newest seq. Every synced write locks it first, so seqs commit in order and a reader never
      -- sees seq n+1 before n (a bigserial would allow that, and a terminal's cursor would skip n for ever).
      CREATE TABLE change_head (
        only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
        head_seq bigint NOT NULL
      );
      INSERT INTO change_head (head_seq) VALUES (0);

      -- One row per entity (the newest): a superseded change is replaced by the next one with a higher seq, so a
      -- terminal catching up reads each entity once. A person's row carries no payload: the page builder reads the
      -- current person and samples and unseals them, so nothing biometric is copied into the log.
      CREATE TABLE changes (
        seq bigint PRIMARY KEY,
        entity text NOT NULL CHECK (entity IN ('person', 'group', 'schedule', 'door-policy', 'credential', 'site-settings')),
        entity_id text NOT NULL,
        version integer NOT NULL,
        op text NOT NULL CHECK (op IN ('upsert', 'delete')),
        payload jsonb,
        created_at_ms bigint NOT NULL,
        UNIQUE (entity, entity_id)
      );

      -- Kept after the tombstone is dropped, so "erased on N of N" stays answerable. Holds no personal data.
      CREATE TABLE erasures (
        person_id uuid PRIMARY KEY,
        seq bigint NOT NULL,
        erased_at_ms bigint NOT NULL
      );

      CREATE TABLE events (
        id bigserial PRIMARY KEY,
        terminal_id text NOT NULL REFERENCES terminals (id),
        uuid uuid NOT NULL,
        terminal_seq bigint NOT NULL,
        at_ms bigint NOT NULL,
        decision text NOT NULL CHECK (decision IN ('granted', 'denied')),
        reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 64),
        person_id uuid,
        -- Set when the person was erased: the log still says a known person came, not who.
        person_erased boolean NOT NULL DEFAULT false,
        similarity real CHECK (similarity IS NULL OR similarity BETWEEN -1 AND 1),
        liveness_score real CHECK (liveness_score IS NULL OR liveness_score BETWEEN 0 AND 1),
        liveness_cue text,
        quality jsonb,
        model_id text,
        snapshot bytea,
        received_at_ms bigint NOT NULL,
        UNIQUE (terminal_id, uuid)
      );
      CREATE INDEX events_by_time ON events (at_ms, id);
      CREATE INDEX events_by_terminal ON events (terminal_id, at_ms, id);
      CREATE INDEX events_by_person ON events (person_id, at_ms, id);
      CREATE INDEX events_by_decision ON events (decision, at_ms, id);

      -- A door's enrollment request, remembered so a request resent after a reconnect makes no second person.
      CREATE TABLE enroll_requests (
        terminal_id text NOT NULL REFERENCES terminals (id),
        request_id uuid NOT NULL,
        person_id uuid NOT NULL,
        created_at_ms bigint NOT NULL,
        PRIMARY KEY (terminal_id, request_id)
      );
    `);
  },
};
