import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import Database from 'better-sqlite3';

import { StoreError } from './errors.js';
import { LINTEL_APPLICATION_ID, MIGRATIONS, runMigrations, SCHEMA_VERSION, schemaVersion, type Migration } from './migrations.js';
import { ARCFACE_ALIGNMENT, tempDir } from './test/test-helpers.js';

function freshDb(t: { after(fn: () => void): void }): Database.Database {
  const db = new Database(join(tempDir(t), 'test.db'));
  db.pragma('foreign_keys = ON');
  t.after(() => db.close());
  return db;
}

/** Column names of a table, in order. */
function columns(db: Database.Database, table: string): string[] {
  return (db.pragma(`table_info(${table})`) as { name: string }[]).map((column) => column.name);
}

function isStrict(db: Database.Database, table: string): boolean {
  return (db.pragma(`table_list(${table})`) as { strict: number }[])[0]?.strict === 1;
}

const upTo = (version: number): Migration[] => MIGRATIONS.slice(0, version);

describe('migrations', () => {
  test('0001 persons-and-samples: marks the file as Lintel and creates strict persons, groups, samples, templates', (t) => {
    const db = freshDb(t);
    assert.deepEqual(runMigrations(db, upTo(1)), [1]);
    assert.equal(schemaVersion(db), 1);
    assert.equal(db.pragma('application_id', { simple: true }), LINTEL_APPLICATION_ID);
    assert.deepEqual(columns(db, 'meta'), ['key', 'value']);
    assert.deepEqual(columns(db, 'persons'), [
      'id', 'name', 'name_folded', 'external_id', 'enabled', 'valid_from_ms', 'valid_until_ms', 'created_at_ms', 'updated_at_ms',
    ]);
    assert.deepEqual(columns(db, 'person_groups'), ['person_id', 'group_name']);
    assert.deepEqual(columns(db, 'samples'), ['id', 'person_id', 'quality_json', 'crop', 'created_at_ms']);
    assert.deepEqual(columns(db, 'templates'), ['sample_id', 'model_id', 'dimension', 'template', 'created_at_ms']);
    for (const table of ['meta', 'persons', 'person_groups', 'samples', 'templates']) assert.ok(isStrict(db, table), table);
    // STRICT: a string is not silently stored in an INTEGER column.
    const insert = db.prepare('INSERT INTO persons (id, name, name_folded, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?)');
    assert.throws(() => insert.run('p1', 'Ann', 'ann', 'yesterday', 0), /cannot store TEXT value in INTEGER column/);
    insert.run('p1', 'Ann', 'ann', 1, 1);
    db.prepare("INSERT INTO samples (id, person_id, quality_json, crop, created_at_ms) VALUES ('s1', 'p1', '{}', x'00', 1)").run();
    db.prepare("INSERT INTO templates (sample_id, model_id, dimension, template, created_at_ms) VALUES ('s1', 'm', 4, x'00', 1)").run();
    db.prepare("DELETE FROM persons WHERE id = 'p1'").run();
    assert.equal(db.prepare('SELECT count(*) FROM templates').pluck().get(), 0, 'samples and templates cascade');
  });

  test('0002 events: adds the log beside existing persons; erasing a person keeps their events', (t) => {
    const db = freshDb(t);
    runMigrations(db, upTo(1));
    db.prepare("INSERT INTO persons (id, name, name_folded, created_at_ms, updated_at_ms) VALUES ('p1', 'Ann', 'ann', 1, 1)").run();
    assert.deepEqual(runMigrations(db, upTo(2)), [2]);
    assert.deepEqual(columns(db, 'events'), [
      'id', 'at_ms', 'decision', 'reason', 'person_id', 'person_erased_at_ms', 'model_id', 'similarity', 'liveness_score', 'quality_json',
    ]);
    assert.deepEqual(columns(db, 'event_snapshots'), ['event_id', 'jpeg']);
    assert.ok(isStrict(db, 'events') && isStrict(db, 'event_snapshots'));
    db.prepare("INSERT INTO events (at_ms, decision, reason, person_id) VALUES (5, 'granted', 'match', 'p1')").run();
    db.prepare("INSERT INTO event_snapshots (event_id, jpeg) VALUES (1, x'ff')").run();
    assert.throws(() => db.prepare("INSERT INTO events (at_ms, decision, reason) VALUES (5, 'maybe', 'x')").run(), /CHECK constraint failed/);
    db.prepare("DELETE FROM persons WHERE id = 'p1'").run();
    assert.deepEqual(db.prepare('SELECT person_id, reason FROM events').get(), { person_id: null, reason: 'match' });
  });

  test('0003 settings-and-admins: adds settings and admin credentials, earlier data intact', (t) => {
    const db = freshDb(t);
    runMigrations(db, upTo(2));
    db.prepare("INSERT INTO events (at_ms, decision, reason) VALUES (5, 'denied', 'unknown-face')").run();
    assert.deepEqual(runMigrations(db, upTo(3)), [3]);
    assert.equal(schemaVersion(db), 3);
    assert.deepEqual(columns(db, 'settings'), ['key', 'value_json', 'updated_at_ms']);
    assert.deepEqual(columns(db, 'admins'), [
      'username', 'kind', 'scheme', 'salt', 'hash', 'scrypt_cost', 'scrypt_block_size', 'scrypt_parallelization',
      'failed_attempts', 'locked_until_ms', 'last_login_at_ms', 'created_at_ms', 'updated_at_ms',
    ]);
    assert.ok(isStrict(db, 'settings') && isStrict(db, 'admins'));
    assert.throws(() => db.prepare("INSERT INTO settings (key, value_json, updated_at_ms) VALUES ('k', '{oops', 1)").run(), /CHECK constraint failed/);
    assert.equal(db.prepare('SELECT count(*) FROM events').pluck().get(), 1);
  });

  test('0004 event-liveness-cue: a cue column beside the reason, earlier events without one', (t) => {
    const db = freshDb(t);
    runMigrations(db, upTo(3));
    db.prepare("INSERT INTO events (at_ms, decision, reason) VALUES (5, 'denied', 'liveness-failed')").run();
    assert.deepEqual(runMigrations(db, upTo(4)), [4]);
    assert.equal(columns(db, 'events').at(-1), 'liveness_cue');
    assert.equal(db.prepare('SELECT liveness_cue FROM events').pluck().get(), null);
    db.prepare("INSERT INTO events (at_ms, decision, reason, liveness_cue) VALUES (6, 'denied', 'liveness-failed', 'wrong-direction')").run();
    assert.throws(() => db.prepare("INSERT INTO events (at_ms, decision, reason, liveness_cue) VALUES (6, 'denied', 'x', 'Held a photo')").run(), /CHECK constraint failed/);
    assert.ok(isStrict(db, 'events'));
  });

  test('0005 person-credentials: a card credential beside each person, unique, no facility code without a card', (t) => {
    const db = freshDb(t);
    runMigrations(db, upTo(4));
    db.prepare("INSERT INTO persons (id, name, name_folded, created_at_ms, updated_at_ms) VALUES ('p1', 'Ann', 'ann', 1, 1)").run();
    assert.deepEqual(runMigrations(db, upTo(5)), [5]);
    assert.deepEqual(columns(db, 'persons').slice(-2), ['credential_facility_code', 'credential_card_number']);
    assert.deepEqual(db.prepare('SELECT credential_facility_code AS f, credential_card_number AS c FROM persons').get(), { f: null, c: null });
    const insert = db.prepare("INSERT INTO persons (id, name, name_folded, credential_facility_code, credential_card_number, created_at_ms, updated_at_ms) VALUES (?, 'x', 'x', ?, ?, 1, 1)");
    insert.run('p2', 13, 13067);
    insert.run('p3', 14, 13067);
    insert.run('p4', null, 13067);
    assert.throws(() => insert.run('p5', 13, 13067), /UNIQUE constraint failed: index 'persons_by_credential'/);
    assert.throws(() => insert.run('p6', null, 13067), /UNIQUE constraint failed/);
    assert.throws(() => insert.run('p7', 1, null), /a credential facility code needs a card number/);
    assert.throws(() => db.prepare("UPDATE persons SET credential_facility_code = 1 WHERE id = 'p1'").run(), /a credential facility code needs a card number/);
    assert.throws(() => insert.run('p8', null, -1), /CHECK constraint failed/);
    assert.ok(isStrict(db, 'persons'));
  });

  test('0007 sample-alignment: each sample records the alignment of the extractor that enrolled it (its oldest template)', (t) => {
    const db = freshDb(t);
    runMigrations(db, upTo(6));
    db.prepare("INSERT INTO persons (id, name, name_folded, created_at_ms, updated_at_ms) VALUES ('p1', 'Ann', 'ann', 1, 1)").run();
    const sample = db.prepare("INSERT INTO samples (id, person_id, quality_json, crop, created_at_ms) VALUES (?, 'p1', '{}', x'00', 1)");
    const template = db.prepare("INSERT INTO templates (sample_id, model_id, dimension, template, created_at_ms) VALUES (?, ?, 4, x'00', ?)");
    // Enrolled by MobileFaceNet, then rebuilt for FaceRes: the crop is MobileFaceNet's (ArcFace 112).
    sample.run('arcface');
    template.run('arcface', 'mobilefacenet-192', 10);
    template.run('arcface', 'faceres-1024', 20);
    // Enrolled by FaceRes, then rebuilt for MobileFaceNet: the crop is FaceRes's (dlib, 224 px).
    sample.run('dlib-224');
    template.run('dlib-224', 'faceres-1024', 10);
    template.run('dlib-224', 'mobilefacenet-192', 20);
    sample.run('dlib-150');
    template.run('dlib-150', 'faceapi-resnet-128', 10);
    // An extractor an administrator added: its alignment was never written down, so none is invented.
    sample.run('added');
    template.run('added', 'site-extractor', 10);
    assert.deepEqual(runMigrations(db, upTo(7)), [7]);
    assert.equal(columns(db, 'samples').at(-1), 'alignment_json');
    const alignments = Object.fromEntries(
      db.prepare<[], { id: string; alignment_json: string | null }>('SELECT id, alignment_json FROM samples').all().map((row) => [row.id, row.alignment_json === null ? null : (JSON.parse(row.alignment_json) as { sizePx: number; fivePointsPx: number[][] })]),
    );
    assert.deepEqual(alignments['arcface'], ARCFACE_ALIGNMENT);
    assert.equal(alignments['dlib-224']?.sizePx, 224);
    assert.deepEqual(alignments['dlib-224']?.fivePointsPx[0], [77.839, 76.6566]);
    assert.equal(alignments['dlib-150']?.sizePx, 150);
    assert.equal(alignments['added'], null);
    assert.throws(() => db.prepare("UPDATE samples SET alignment_json = 'not json' WHERE id = 'added'").run(), /CHECK constraint failed/);
  });

  test('0008 hub-sync: events written once joined are queued for the hub in their own transaction; people get a hub version', (t) => {
    const db = freshDb(t);
    runMigrations(db, upTo(7));
    db.prepare("INSERT INTO persons (id, name, name_folded, created_at_ms, updated_at_ms) VALUES ('p1', 'Ann', 'ann', 1, 1)").run();
    const insertEvent = db.prepare("INSERT INTO events (at_ms, decision, reason) VALUES (?, 'denied', 'unknown-face')");
    insertEvent.run(1);
    assert.deepEqual(runMigrations(db, upTo(8)), [8]);
    for (const table of ['hub_link', 'hub_event_outbox', 'hub_enroll_requests']) assert.ok(isStrict(db, table), table);
    assert.equal(columns(db, 'persons').at(-1), 'hub_version');
    assert.equal(db.prepare("SELECT hub_version FROM persons WHERE id = 'p1'").pluck().get(), null, 'a person enrolled before joining is no hub person');
    insertEvent.run(2);
    assert.equal(db.prepare('SELECT count(*) FROM hub_event_outbox').pluck().get(), 0, 'not joined: nothing queued');
    db.prepare("INSERT INTO hub_link (id, site_id, terminal_id, hub_public_key_pem, joined_at_ms) VALUES (1, 'acme', 'door-1', 'key', 3)").run();
    assert.throws(() => db.prepare("INSERT INTO hub_link (id, site_id, terminal_id, hub_public_key_pem, joined_at_ms) VALUES (2, 'x', 'y', 'key', 3)").run(), /CHECK constraint failed/);
    insertEvent.run(4);
    insertEvent.run(5);
    const queued = db.prepare<[], { seq: number; event_id: number; uuid: string }>('SELECT seq, event_id, uuid FROM hub_event_outbox ORDER BY seq').all();
    assert.equal(queued.length, 2);
    assert.ok(queued[0]!.seq < queued[1]!.seq);
    assert.notEqual(queued[0]!.uuid, queued[1]!.uuid);
    db.prepare('DELETE FROM events WHERE at_ms = 4').run();
    assert.equal(db.prepare('SELECT count(*) FROM hub_event_outbox').pluck().get(), 1, 'an event gone by retention leaves the outbox with it');
  });

  test('0009 event-card: events keep the card shown; a facility code alone is refused; earlier events have none', (t) => {
    const db = freshDb(t);
    runMigrations(db, upTo(8));
    db.prepare("INSERT INTO events (at_ms, decision, reason) VALUES (1, 'denied', 'unknown-face')").run();
    assert.deepEqual(runMigrations(db, upTo(9)), [9]);
    assert.deepEqual(columns(db, 'events').slice(-2), ['card_facility_code', 'card_number']);
    assert.deepEqual(db.prepare('SELECT card_facility_code, card_number FROM events').get(), { card_facility_code: null, card_number: null });
    const insert = db.prepare("INSERT INTO events (at_ms, decision, reason, card_facility_code, card_number) VALUES (2, 'denied', 'unknown-card', ?, ?)");
    insert.run(12, 34567);
    insert.run(null, 777);
    assert.throws(() => insert.run(12, null), /facility code needs a card number/);
    assert.throws(() => insert.run(null, -1), /CHECK constraint failed/);
    const plan = db.prepare<[], { detail: string }>('EXPLAIN QUERY PLAN SELECT id FROM events WHERE card_number = 777 ORDER BY at_ms DESC, id DESC').all();
    assert.ok(plan.some((step) => step.detail.includes('events_by_card')), JSON.stringify(plan));
  });

  test('0010 sample-age: samples get a sealed age estimate, none for those enrolled before', (t) => {
    const db = freshDb(t);
    runMigrations(db, upTo(9));
    db.prepare("INSERT INTO persons (id, name, name_folded, created_at_ms, updated_at_ms) VALUES ('p1', 'Ann', 'ann', 1, 1)").run();
    db.prepare("INSERT INTO samples (id, person_id, quality_json, crop, created_at_ms) VALUES ('s1', 'p1', '{}', x'00', 1)").run();
    assert.deepEqual(runMigrations(db, upTo(10)), [10]);
    assert.equal(columns(db, 'samples').at(-1), 'age_estimate');
    assert.equal(db.prepare("SELECT age_estimate FROM samples WHERE id = 's1'").pluck().get(), null, 'estimated later, from the crop');
  });

  test('the list is complete: every migration once, in order, and the schema version is the last', () => {
    assert.deepEqual(MIGRATIONS.map((migration) => migration.version), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(SCHEMA_VERSION, 10);
  });

  test('running again applies nothing', (t) => {
    const db = freshDb(t);
    assert.deepEqual(runMigrations(db), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(runMigrations(db), []);
  });

  test('a failing migration rolls back whole and leaves the previous version', (t) => {
    const db = freshDb(t);
    const broken: Migration = {
      version: SCHEMA_VERSION + 1,
      name: 'broken',
      up(connection) {
        connection.exec('CREATE TABLE half_done (x INTEGER) STRICT');
        connection.exec('INSERT INTO no_such_table VALUES (1)');
      },
    };
    assert.throws(() => runMigrations(db, [...MIGRATIONS, broken]), (error: unknown) => error instanceof StoreError && error.code === 'migration-failed' && error.message.includes(`${SCHEMA_VERSION + 1} (broken)`));
    assert.equal(schemaVersion(db), SCHEMA_VERSION);
    assert.equal(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'").pluck().get(), 0);
  });

  test('refuses a database newer than the code', (t) => {
    const db = freshDb(t);
    runMigrations(db);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    assert.throws(() => runMigrations(db), (error: unknown) => error instanceof StoreError && error.code === 'schema-too-new' && error.message.includes(`version ${SCHEMA_VERSION + 1}, newer`));
  });

  test("refuses another application's database", (t) => {
    const db = freshDb(t);
    db.exec('CREATE TABLE photos (id INTEGER)');
    assert.throws(() => runMigrations(db), (error: unknown) => error instanceof StoreError && error.code === 'not-lintel');
    db.pragma('application_id = 1234');
    assert.throws(() => runMigrations(db), (error: unknown) => error instanceof StoreError && error.code === 'not-lintel');
  });

  test('refuses a migration list with gaps', (t) => {
    const db = freshDb(t);
    assert.throws(() => runMigrations(db, [MIGRATIONS[0]!, MIGRATIONS[2]!]), /out of order/);
  });
});
