import type { Migration } from './migration.js';

/** `PRAGMA application_id` of a Lintel database ('LNTL'): tells our file from any other SQLite file. */
export const LINTEL_APPLICATION_ID = 0x4c4e544c;

/** Persons, their groups, face samples (sealed aligned crop) and templates (sealed, one per sample and model). */
export const migration0001: Migration = {
  version: 1,
  name: 'persons-and-samples',
  up(db) {
    db.pragma(`application_id = ${LINTEL_APPLICATION_ID}`);
    db.exec(`
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE persons (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        -- Lower-cased, accents stripped, so a search for "zoe" finds "Zoë" (SQLite's NOCASE is ASCII only).
        name_folded TEXT NOT NULL,
        external_id TEXT UNIQUE CHECK (external_id IS NULL OR length(external_id) BETWEEN 1 AND 100),
        enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
        valid_from_ms INTEGER,
        valid_until_ms INTEGER,
        created_at_ms INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL,
        CHECK (valid_from_ms IS NULL OR valid_until_ms IS NULL OR valid_from_ms < valid_until_ms)
      ) STRICT;
      CREATE INDEX persons_by_name ON persons (name_folded, id);

      CREATE TABLE person_groups (
        person_id TEXT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
        group_name TEXT NOT NULL CHECK (length(group_name) BETWEEN 1 AND 64),
        PRIMARY KEY (person_id, group_name)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX person_groups_by_group ON person_groups (group_name, person_id);

      -- A sample is one enrolled photo: the aligned crop (sealed JPEG) outlives any one extractor, so
      -- templates can be rebuilt from it when the default model changes.
      CREATE TABLE samples (
        id TEXT PRIMARY KEY,
        person_id TEXT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
        quality_json TEXT NOT NULL CHECK (json_valid(quality_json)),
        crop BLOB NOT NULL,
        created_at_ms INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX samples_by_person ON samples (person_id);

      -- One template per sample and model: a rebuild adds the new model's templates beside the old ones, so
      -- the terminal keeps recognising people until the switch, and an interrupted rebuild resumes.
      CREATE TABLE templates (
        sample_id TEXT NOT NULL REFERENCES samples (id) ON DELETE CASCADE,
        model_id TEXT NOT NULL CHECK (length(model_id) BETWEEN 1 AND 100),
        dimension INTEGER NOT NULL CHECK (dimension > 0),
        template BLOB NOT NULL,
        created_at_ms INTEGER NOT NULL,
        PRIMARY KEY (sample_id, model_id)
      ) STRICT;
      CREATE INDEX templates_by_model ON templates (model_id);
    `);
  },
};
