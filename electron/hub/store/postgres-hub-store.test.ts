import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import pg from 'pg';

import { changePageSchema, type PersonPayload } from '../../shared/fleet/index.js';
import { HubStoreFixture, TEST_QUALITY, testEvent, testJpeg, testSample } from '../test/hub-store-fixture.js';
import { HubStoreError } from './errors.js';
import type { ChangePage } from './hub-store.js';
import { HUB_MIGRATIONS, runHubMigrations } from './migrations.js';
import { openHubStore } from './postgres-hub-store.js';

const fixture = new HubStoreFixture();
before(() => fixture.start());
after(() => fixture.stop());

/** The page as the hub sends it, checked by the same schema the terminals parse it with. */
function asWire(page: ChangePage): ChangePage {
  return changePageSchema.parse({ requestId: randomUUID(), ...page });
}

const rejectsWith = (code: string) => (error: unknown) => error instanceof HubStoreError && error.code === code;

describe('change log paging', () => {
  test('an empty log gives an empty page at seq 0', async () => {
    const store = await fixture.openStore();
    assert.deepEqual(await store.changesAfter(0), { changes: [], lastSeq: 0, headSeq: 0 });
    assert.equal(await store.headSeq(), 0);
  });

  test('pages by count in increasing seq, each person whole; the last page ends at the head', async () => {
    const store = await fixture.openStore();
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await store.createPerson({ name: `Person ${i}`, groups: ['staff'], samples: [await testSample(i)] }));
    assert.equal(await store.headSeq(), 5);

    const first = asWire(await store.changesAfter(0, { maxChanges: 2 }));
    assert.deepEqual(first.changes.map((change) => change.seq), [1, 2]);
    assert.equal(first.lastSeq, 2);
    assert.equal(first.headSeq, 5);
    const second = asWire(await store.changesAfter(first.lastSeq, { maxChanges: 2 }));
    assert.deepEqual(second.changes.map((change) => change.seq), [3, 4]);
    const third = asWire(await store.changesAfter(second.lastSeq, { maxChanges: 2 }));
    assert.deepEqual(third.changes.map((change) => change.seq), [5]);
    assert.equal(third.lastSeq, 5);
    assert.deepEqual(await store.changesAfter(5), { changes: [], lastSeq: 5, headSeq: 5 });

    const person = first.changes[0]?.payload as PersonPayload;
    assert.equal(person.id, created[0]?.id);
    assert.deepEqual(person.groups, ['staff']);
    assert.equal(person.samples.length, 1);
    const sample = person.samples[0];
    assert.deepEqual(Buffer.from(sample?.cropJpegBase64 ?? '', 'base64'), await testJpeg());
    assert.deepEqual(sample?.quality, TEST_QUALITY);
    const expected = (await testSample(0)).templates[0]?.template;
    const template = sample?.templates[0];
    assert.equal(template?.dimension, 128);
    assert.deepEqual(new Float32Array(new Uint8Array(Buffer.from(template?.templateBase64 ?? '', 'base64')).buffer), expected);
  });

  test('a page stops near maxBytes but always carries one change', async () => {
    const store = await fixture.openStore();
    for (let i = 0; i < 4; i++) await store.createPerson({ name: `Big ${i}`, samples: [await testSample(i), await testSample(i + 10)] });
    const one = JSON.stringify((await store.changesAfter(0, { maxChanges: 1 })).changes[0]).length;
    const page = asWire(await store.changesAfter(0, { maxBytes: Math.floor(one * 2.5) }));
    assert.equal(page.changes.length, 2);
    assert.equal(page.lastSeq, 2);
    const tiny = asWire(await store.changesAfter(0, { maxBytes: 10 }));
    assert.equal(tiny.changes.length, 1);
    assert.equal(tiny.lastSeq, 1);
  });

  test('a superseded change is gone: the entity comes once, at its newest version', async () => {
    const store = await fixture.openStore();
    const anna = await store.createPerson({ name: 'Anna' });
    await store.createPerson({ name: 'Ben' });
    await store.updatePerson(anna.id, { enabled: false });
    const page = asWire(await store.changesAfter(0));
    assert.deepEqual(
      page.changes.map((change) => [change.seq, change.id, change.version]),
      [
        [2, page.changes[0]?.id, 1],
        [3, anna.id, 2],
      ],
    );
    assert.equal((page.changes[1]?.payload as PersonPayload).enabled, false);
    // A terminal that had seq 1 (Anna's first version) gets her newest state.
    const since1 = asWire(await store.changesAfter(1));
    assert.deepEqual(since1.changes.map((change) => change.id), [page.changes[0]?.id, anna.id]);
  });

  test('a deleted person is a tombstone: op delete, payload null, and no sample left in the database', async () => {
    const store = await fixture.openStore();
    const gone = await store.createPerson({ name: 'Gone', samples: [await testSample()] });
    await store.deletePerson(gone.id);
    const page = asWire(await store.changesAfter(0));
    assert.equal(page.changes.length, 1);
    assert.deepEqual(page.changes[0], { seq: 2, entity: 'person', id: gone.id, version: 2, op: 'delete', payload: null });
    const { rows } = await store.database.query<{ n: number }>('SELECT (SELECT count(*) FROM samples) + (SELECT count(*) FROM templates) AS n');
    assert.equal(rows[0]?.n, 0);
    await assert.rejects(store.getPerson(gone.id), rejectsWith('not-found'));
  });

  test('a sample keeps its age estimate sealed; a person whose samples look like a young child is marked in the list', async () => {
    const store = await fixture.openStore();
    const child = await store.createPerson({ name: 'Mia', samples: [{ ...(await testSample(1)), estimatedAgeYears: 2.5 }, { ...(await testSample(2)), estimatedAgeYears: 3.5 }] });
    const adult = await store.createPerson({ name: 'Ada', samples: [{ ...(await testSample(3)), estimatedAgeYears: 41 }] });
    const unknown = await store.createPerson({ name: 'Una', samples: [await testSample(4)] });
    const listed = new Map((await store.listPersons()).persons.map((person) => [person.id, person.youngChild ?? false]));
    assert.deepEqual([listed.get(child.id), listed.get(adult.id), listed.get(unknown.id)], [true, false, false]);
    assert.equal((await store.getPerson(child.id)).youngChild, true);
    assert.ok(!('youngChild' in child), 'a person written is no summary');
    const { rows } = await store.database.query<{ age_estimate: Buffer }>('SELECT age_estimate FROM samples WHERE person_id = $1', [child.id]);
    assert.equal(rows.length, 2);
    assert.ok(rows.every((row) => row.age_estimate.indexOf(Buffer.from(new Float64Array([2.5]).buffer)) === -1), 'not stored in clear');
  });

  test('concurrent writes take consecutive seqs, each committed before the next is handed out', async () => {
    const store = await fixture.openStore();
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.createPerson({ name: `Parallel ${i}` })));
    const page = await store.changesAfter(0);
    assert.deepEqual(
      page.changes.map((change) => change.seq),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  test('a write in progress holds the next seq back: a reader never sees seq n+1 before n commits', async () => {
    const store = await fixture.openStore();
    await store.createPerson({ name: 'First' });
    // Another writer mid-transaction: it took the head's lock and its seq (2) but has not committed.
    const slow = await store.database.connect();
    try {
      await slow.query('BEGIN');
      await slow.query('SELECT head_seq FROM change_head FOR UPDATE');
      await slow.query('UPDATE change_head SET head_seq = head_seq + 1');
      await slow.query("INSERT INTO changes (seq, entity, entity_id, version, op, payload, created_at_ms) VALUES (2, 'group', 'slow', 1, 'upsert', '{\"name\":\"slow\",\"description\":null}', 0)");
      let fastDone = false;
      const fast = store.createPerson({ name: 'Fast' }).then((person) => {
        fastDone = true;
        return person;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(fastDone, false, 'the second writer waits for the first');
      assert.deepEqual(await store.changesAfter(1), { changes: [], lastSeq: 1, headSeq: 1 });
      await slow.query('COMMIT');
      const person = await fast;
      const page = await store.changesAfter(1);
      assert.deepEqual(page.changes.map((change) => [change.seq, change.id]), [
        [2, 'slow'],
        [3, person.id],
      ]);
    } finally {
      slow.release();
    }
  });

  test('documents are checked against the fleet payloads and versioned; a delete is a tombstone', async () => {
    const store = await fixture.openStore();
    await store.putDocument('group', 'staff', { name: 'staff', description: 'Everyone on the payroll' });
    await store.putDocument('schedule', 'staff', { group: 'staff', windows: [{ days: [1, 2, 3, 4, 5], from: '07:00', to: '19:00' }] });
    const again = await store.putDocument('group', 'staff', { name: 'staff', description: null });
    assert.equal(again.version, 2);
    await assert.rejects(store.putDocument('group', 'staff', { name: 'visitors' }), rejectsWith('invalid'));
    await assert.rejects(store.putDocument('schedule', 'staff', { group: 'staff', windows: [{ days: [8], from: '07:00', to: '19:00' }] }), rejectsWith('invalid'));
    await assert.rejects(store.putDocument('site-settings', 'other', { settings: {} }), rejectsWith('invalid'));
    const removed = await store.deleteDocument('schedule', 'staff');
    const page = asWire(await store.changesAfter(0));
    assert.deepEqual(
      page.changes.map((change) => [change.entity, change.op, change.version]),
      [
        ['group', 'upsert', 2],
        ['schedule', 'delete', 2],
      ],
    );
    assert.equal(page.lastSeq, removed.seq);
    const rewritten = await store.putDocument('schedule', 'staff', { group: 'staff', windows: [{ days: [6], from: '09:00', to: '12:00' }] });
    assert.equal(rewritten.version, 3, 'a document written again continues after its tombstone');
    assert.deepEqual((await store.listDocuments('group')).map((document) => document.body), [{ name: 'staff', description: null }]);
  });

  test('a write or delete with the version its writer read is refused once the document moved on, and changes nothing', async () => {
    const store = await fixture.openStore();
    const first = await store.putDocument('group', 'night', { name: 'night', description: null }, null);
    await assert.rejects(store.putDocument('group', 'night', { name: 'night', description: 'again' }, null), rejectsWith('conflict'), 'a second create');
    const second = await store.putDocument('group', 'night', { name: 'night', description: 'Night shift' }, first.version);
    await assert.rejects(store.putDocument('group', 'night', { name: 'night', description: 'stale' }, first.version), rejectsWith('conflict'), 'a save over a newer version');
    await assert.rejects(store.deleteDocument('group', 'night', first.version), rejectsWith('conflict'), 'a delete of an older version');
    assert.deepEqual(await store.listDocuments('group').then((documents) => documents.filter((document) => document.id === 'night')), [{ id: 'night', version: second.version, body: { name: 'night', description: 'Night shift' } }]);
    const head = (await store.changesAfter(0)).lastSeq;
    assert.equal(head, second.seq, 'a refused write appends no change');
    await store.deleteDocument('group', 'night', second.version);
    await assert.rejects(store.putDocument('group', 'night', { name: 'night', description: null }, second.version), rejectsWith('conflict'), 'a save of a deleted document');
  });

  test('a group renamed in one transaction takes its schedule, the door policies and its members along', async () => {
    const store = await fixture.openStore();
    const group = await store.putDocument('group', 'staff', { name: 'staff', description: 'Employees' });
    await store.putDocument('schedule', 'staff', { group: 'staff', windows: [{ days: [1, 2, 3, 4, 5], from: '07:00', to: '19:00' }] });
    await store.putDocument('door-policy', 'door-1', { terminalId: 'door-1', allowedGroups: ['staff', 'cleaners'], settings: { 'events.retentionDays': 30 } });
    await store.putDocument('door-policy', 'door-2', { terminalId: 'door-2', allowedGroups: ['cleaners'] });
    const ada = await store.createPerson({ name: 'Ada', groups: ['staff', 'cleaners'] });
    const bob = await store.createPerson({ name: 'Bob', groups: ['cleaners'] });
    await store.putDocument('group', 'visitors', { name: 'visitors', description: null });
    await assert.rejects(store.renameGroup('staff', 'visitors'), rejectsWith('conflict'), 'a name taken by another group');
    await assert.rejects(store.renameGroup('staff', 'employees', group.version + 1), rejectsWith('conflict'), 'a group changed since it was read');
    await assert.rejects(store.renameGroup('nobody', 'employees'), rejectsWith('not-found'));
    const before = (await store.changesAfter(0)).lastSeq;

    const renamed = await store.renameGroup('staff', 'employees', group.version);
    assert.deepEqual({ ...renamed, seq: undefined }, { version: 1, seq: undefined, scheduleMoved: true, doorPolicies: ['door-1'], members: 1 });
    const bodies = async (entity: 'group' | 'schedule' | 'door-policy') => Object.fromEntries((await store.listDocuments(entity)).map((document) => [document.id, document.body]));
    assert.deepEqual(Object.keys(await bodies('group')), ['employees', 'visitors']);
    assert.deepEqual((await bodies('group')).employees, { name: 'employees', description: 'Employees' });
    assert.deepEqual(await bodies('schedule'), { employees: { group: 'employees', windows: [{ days: [1, 2, 3, 4, 5], from: '07:00', to: '19:00' }] } });
    assert.deepEqual((await bodies('door-policy'))['door-1'], { terminalId: 'door-1', allowedGroups: ['employees', 'cleaners'], settings: { 'events.retentionDays': 30 } });
    assert.deepEqual((await store.getPerson(ada.id)).groups, ['cleaners', 'employees']);
    assert.equal((await store.getPerson(ada.id)).version, ada.version + 1);
    assert.equal((await store.getPerson(bob.id)).version, bob.version, 'a person not in the group is not written');
    const page = asWire(await store.changesAfter(before));
    assert.deepEqual(
      page.changes.map((change) => `${change.entity} ${change.id} ${change.op}`).sort(),
      ['door-policy door-1 upsert', 'group employees upsert', 'group staff delete', `person ${ada.id} upsert`, 'schedule employees upsert', 'schedule staff delete'].sort(),
    );
    assert.equal(page.lastSeq, renamed.seq, 'the old group goes last');
  });
});

describe('cursors and erasure accounting', () => {
  test('recordApplied moves a cursor forward only, and refuses unknown, revoked and impossible cursors', async () => {
    const store = await fixture.openStore();
    await store.registerTerminal({ id: 'door-1', name: 'Front door' });
    for (let i = 0; i < 3; i++) await store.createPerson({ name: `P${i}` });
    await store.recordApplied('door-1', 2);
    await store.recordApplied('door-1', 1);
    assert.equal((await store.getTerminal('door-1')).appliedSeq, 2);
    await assert.rejects(store.recordApplied('door-1', 4), rejectsWith('invalid'));
    await assert.rejects(store.recordApplied('door-9', 1), rejectsWith('not-found'));
    await store.revokeTerminal('door-1');
    await assert.rejects(store.recordApplied('door-1', 3), rejectsWith('revoked'));
    await assert.rejects(store.registerTerminal({ id: 'Door 1' }), rejectsWith('invalid'));
  });

  test('"erased on N of N" follows the cursors; revoked and later terminals do not count; the tombstone goes when all passed', async () => {
    const store = await fixture.openStore();
    for (const id of ['door-a', 'door-b', 'door-c']) await store.registerTerminal({ id });
    const person = await store.createPerson({ name: 'To erase', samples: [await testSample()] });
    await store.createPerson({ name: 'Stays' });
    const progress = await store.deletePerson(person.id);
    assert.deepEqual([progress.erasedOn, progress.of, progress.pendingTerminalIds], [0, 3, ['door-a', 'door-b', 'door-c']]);
    assert.equal(progress.seq, 3);

    await store.registerTerminal({ id: 'door-late' });
    await store.recordApplied('door-a', 3);
    await store.recordApplied('door-b', 2);
    let now = await store.erasureProgress(person.id);
    assert.deepEqual([now.erasedOn, now.of, now.pendingTerminalIds], [1, 3, ['door-b', 'door-c']]);

    await store.revokeTerminal('door-c');
    now = await store.erasureProgress(person.id);
    assert.deepEqual([now.erasedOn, now.of], [1, 2]);

    await store.recordApplied('door-b', 3);
    // door-late (cursor 0) still holds the tombstone back; it is kept until every active terminal passed it.
    assert.equal((await store.changesAfter(0)).changes.some((change) => change.op === 'delete'), true);
    await store.recordApplied('door-late', 3);
    assert.equal((await store.changesAfter(0)).changes.some((change) => change.op === 'delete'), false);
    now = await store.erasureProgress(person.id);
    assert.deepEqual([now.erasedOn, now.of, now.pendingTerminalIds], [2, 2, []]);
    assert.equal((await store.listErasures())[0]?.personId, person.id);
    // The head stays where it was, and a terminal behind the pruned tombstone still reaches it.
    assert.deepEqual(await store.changesAfter(2), { changes: [], lastSeq: 3, headSeq: 3 });
    await assert.rejects(store.erasureProgress(randomUUID()), rejectsWith('not-found'));
  });
});

describe('events', () => {
  test('insert is idempotent per terminal and uuid, and the ack covers the batch', async () => {
    const store = await fixture.openStore();
    await store.registerTerminal({ id: 'door-1' });
    await store.registerTerminal({ id: 'door-2' });
    const batch = [testEvent(1), testEvent(2), testEvent(3)];
    assert.deepEqual(await store.insertEvents('door-1', batch), { upToSeq: 3 });
    assert.deepEqual(await store.insertEvents('door-1', [...batch, testEvent(4)]), { upToSeq: 4 });
    // The same uuid from another terminal is another event.
    await store.insertEvents('door-2', [batch[0] ?? testEvent(1)]);
    const { events } = await store.queryEvents();
    assert.equal(events.length, 5);
    assert.deepEqual(events.filter((event) => event.terminalId === 'door-1').map((event) => event.terminalSeq), [4, 3, 2, 1]);
    assert.equal((await store.getTerminal('door-1')).eventsAckedSeq, 4);
    assert.deepEqual(await store.insertEvents('door-1', []), { upToSeq: 0 });
    await assert.rejects(store.insertEvents('door-9', [testEvent(1)]), rejectsWith('not-found'));
    await store.revokeTerminal('door-2');
    await assert.rejects(store.insertEvents('door-2', [testEvent(2)]), rejectsWith('revoked'));
    await assert.rejects(store.insertEvents('door-1', [testEvent(5, { similarity: 3 })]), rejectsWith('invalid'));
    await assert.rejects(
      store.insertEvents('door-1', [testEvent(5), testEvent(6, { card: { facilityCode: null, cardNumber: -1 } })]),
      (error) => rejectsWith('invalid')(error) && /events\[1\]\.card\.cardNumber/.test((error as Error).message),
    );
    // Nothing of the refused batch was stored.
    assert.equal((await store.queryEvents({ terminalId: 'door-1' })).events.length, 4);
  });

  test('the card shown is stored with its event, and the card-number filter finds it whatever the facility code', async () => {
    const store = await fixture.openStore();
    await store.registerTerminal({ id: 'door-1' });
    await store.registerTerminal({ id: 'door-2' });
    const largest = { facilityCode: 2 ** 48 - 1, cardNumber: 2 ** 48 - 1 };
    await store.insertEvents('door-1', [
      testEvent(1, { decision: 'denied', reason: 'unknown-card', similarity: null, card: { facilityCode: 12, cardNumber: 34567 } }),
      testEvent(2, { card: { facilityCode: null, cardNumber: 34567 } }),
      testEvent(3),
      testEvent(4, { card: largest }),
    ]);
    await store.insertEvents('door-2', [testEvent(1, { atMs: 1_700_000_001_500, decision: 'denied', reason: 'card-no-face', similarity: null, card: { facilityCode: 7, cardNumber: 34567 } })]);
    const cards = async (query: Parameters<typeof store.queryEvents>[0]) =>
      (await store.queryEvents(query)).events.map((event) => [`${event.terminalId}#${event.terminalSeq}`, event.card]);
    assert.deepEqual(await cards({ terminalId: 'door-1' }), [
      ['door-1#4', largest],
      ['door-1#3', null],
      ['door-1#2', { facilityCode: null, cardNumber: 34567 }],
      ['door-1#1', { facilityCode: 12, cardNumber: 34567 }],
    ]);
    assert.deepEqual(await cards({ cardNumber: 34567 }), [
      ['door-1#2', { facilityCode: null, cardNumber: 34567 }],
      ['door-2#1', { facilityCode: 7, cardNumber: 34567 }],
      ['door-1#1', { facilityCode: 12, cardNumber: 34567 }],
    ]);
    assert.deepEqual(await cards({ cardNumber: 34567, decision: 'denied', terminalId: 'door-1' }), [['door-1#1', { facilityCode: 12, cardNumber: 34567 }]]);
    assert.deepEqual(await cards({ cardNumber: 12 }), []);
    // The cursor pages within the filter.
    const first = await store.queryEvents({ cardNumber: 34567, limit: 2 });
    assert.ok(first.next);
    assert.deepEqual(await cards({ cardNumber: 34567, limit: 2, before: first.next }), [['door-1#1', { facilityCode: 12, cardNumber: 34567 }]]);
    await assert.rejects(store.queryEvents({ cardNumber: -1 }), rejectsWith('invalid'));
    // The table itself refuses a facility code without a card number.
    await assert.rejects(store.database.query('UPDATE events SET card_number = NULL WHERE card_facility_code = 12'), /events_card_facility_needs_number/);
  });

  test("erasing a person clears their card from the events, and from an event of theirs that arrives later", async () => {
    const store = await fixture.openStore();
    await store.registerTerminal({ id: 'door-1' });
    const card = { facilityCode: 12, cardNumber: 34567 };
    const person = await store.createPerson({ name: 'Eve', credentials: [card] });
    await store.insertEvents('door-1', [
      testEvent(1, { personId: person.id, card }),
      testEvent(2, { decision: 'denied', reason: 'card-face-mismatch', personId: person.id, card }),
      // Another card, shown before it was anyone's: not linked to the person, so kept.
      testEvent(3, { decision: 'denied', reason: 'unknown-card', similarity: null, card: { facilityCode: 12, cardNumber: 777 } }),
    ]);
    assert.equal((await store.queryEvents({ cardNumber: 34567 })).events.length, 2);

    await store.deletePerson(person.id);
    const after = (await store.queryEvents()).events.map((event) => [event.terminalSeq, event.personId, event.card]);
    assert.deepEqual(after, [
      [3, null, { facilityCode: 12, cardNumber: 777 }],
      [2, null, null],
      [1, null, null],
    ]);
    assert.deepEqual((await store.queryEvents({ cardNumber: 34567 })).events, []);
    const { rows } = await store.database.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE card_facility_code = 12 AND card_number = 34567');
    assert.equal(rows[0]?.n, 0);
    // From a door that was offline during the erasure.
    await store.insertEvents('door-1', [testEvent(4, { personId: person.id, card })]);
    const late = (await store.queryEvents()).events[0];
    assert.deepEqual([late?.terminalSeq, late?.personId, late?.card], [4, null, null]);
  });

  test('snapshots are sealed at rest and open again; an erased person keeps no name and no snapshot', async () => {
    const store = await fixture.openStore();
    await store.registerTerminal({ id: 'door-1' });
    const person = await store.createPerson({ name: 'Carla' });
    const jpeg = await testJpeg();
    await store.insertEvents('door-1', [testEvent(1, { personId: person.id, snapshotJpegBase64: jpeg.toString('base64') })]);
    const [event] = (await store.queryEvents({ personId: person.id })).events;
    assert.equal(event?.personName, 'Carla');
    assert.equal(event?.hasSnapshot, true);
    const stored = await store.database.query<{ snapshot: Buffer }>('SELECT snapshot FROM events');
    assert.notDeepEqual(stored.rows[0]?.snapshot.subarray(0, 2), Buffer.from([0xff, 0xd8]));
    assert.deepEqual(await store.eventSnapshot(event?.id ?? 0), jpeg);

    await store.deletePerson(person.id);
    const after = (await store.queryEvents()).events[0];
    assert.deepEqual([after?.personId, after?.personName, after?.hasSnapshot], [null, null, false]);
    // An event from a terminal that was offline during the erasure arrives later: stored without the person.
    await store.insertEvents('door-1', [testEvent(2, { personId: person.id, snapshotJpegBase64: jpeg.toString('base64') })]);
    const late = (await store.queryEvents()).events[0];
    assert.deepEqual([late?.terminalSeq, late?.personId, late?.hasSnapshot], [2, null, false]);
  });

  test('query filters by door, decision, person and time, newest first, with a cursor', async () => {
    const store = await fixture.openStore();
    await store.registerTerminal({ id: 'door-1' });
    await store.registerTerminal({ id: 'door-2' });
    const person = await store.createPerson({ name: 'Dev' });
    await store.insertEvents('door-1', [testEvent(1, { personId: person.id }), testEvent(2, { decision: 'denied', reason: 'unknown', similarity: null }), testEvent(3, { personId: person.id })]);
    await store.insertEvents('door-2', [testEvent(1, { atMs: 1_700_000_002_500 })]);
    const ids = async (query: Parameters<typeof store.queryEvents>[0]) => (await store.queryEvents(query)).events.map((event) => `${event.terminalId}#${event.terminalSeq}`);
    assert.deepEqual(await ids({ terminalId: 'door-2' }), ['door-2#1']);
    assert.deepEqual(await ids({ decision: 'denied' }), ['door-1#2']);
    assert.deepEqual(await ids({ personId: person.id }), ['door-1#3', 'door-1#1']);
    assert.deepEqual(await ids({ fromMs: 1_700_000_002_000, untilMs: 1_700_000_003_000 }), ['door-2#1', 'door-1#2']);
    const first = await store.queryEvents({ limit: 3 });
    assert.deepEqual(first.events.map((event) => `${event.terminalId}#${event.terminalSeq}`), ['door-1#3', 'door-2#1', 'door-1#2']);
    assert.ok(first.next);
    assert.deepEqual(await ids({ limit: 3, before: first.next }), ['door-1#1']);
  });
});

describe('persons at rest and enrollment at a door', () => {
  test('crops and templates are sealed in PostgreSQL: no JPEG, no raw floats', async () => {
    const store = await fixture.openStore();
    const sample = await testSample(7);
    await store.createPerson({ name: 'Sealed', samples: [sample] });
    const { rows } = await store.database.query<{ crop: Buffer; template: Buffer }>('SELECT s.crop, t.template FROM samples s JOIN templates t ON t.sample_id = s.id');
    const row = rows[0];
    assert.ok(row);
    assert.notDeepEqual(row.crop.subarray(0, 2), Buffer.from([0xff, 0xd8]));
    assert.equal(row.crop.includes((await testJpeg()).subarray(100, 132)), false);
    const raw = Buffer.from(sample.templates[0]?.template.buffer ?? new ArrayBuffer(0));
    assert.equal(row.template.includes(raw.subarray(0, 32)), false);
  });

  test('the same external id or card for two persons is a conflict naming the field', async () => {
    const store = await fixture.openStore();
    const first = await store.createPerson({ name: 'First', externalId: 'E-1', credentials: [{ facilityCode: 12, cardNumber: 3456 }] });
    await assert.rejects(store.createPerson({ name: 'Second', externalId: 'E-1' }), (error) => rejectsWith('conflict')(error) && /external id/.test((error as Error).message));
    await assert.rejects(store.createPerson({ name: 'Third', credentials: [{ facilityCode: 12, cardNumber: 3456 }] }), (error) => rejectsWith('conflict')(error) && /credential/.test((error as Error).message));
    await assert.rejects(store.createPerson({ name: '' }), rejectsWith('invalid'));
    await assert.rejects(store.createPerson({ name: 'Bad\u0007bell' }), rejectsWith('invalid'));
    assert.equal(await store.headSeq(), 1, 'a refused write appends no change');
    const updated = await store.updatePerson(first.id, { credentials: [], groups: ['night', 'day', 'night'] });
    assert.deepEqual([updated.credentials, updated.groups, updated.version], [[], ['day', 'night'], 2]);
  });

  test('an enrollment request from a door makes one person even when resent; it syncs back with its samples and their age', async () => {
    const store = await fixture.openStore();
    await store.registerTerminal({ id: 'door-1' });
    const sample = await testSample(3);
    const template = sample.templates[0]?.template ?? new Float32Array(0);
    const request = {
      requestId: randomUUID(),
      person: { name: 'Enrolled at the door', groups: ['visitors'] },
      samples: [
        {
          id: randomUUID(),
          createdAtMs: 1_700_000_000_000,
          alignment: null,
          quality: TEST_QUALITY,
          cropJpegBase64: Buffer.from(sample.alignedJpeg).toString('base64'),
          templates: [{ modelId: 'mobilefacenet', dimension: 128, templateBase64: Buffer.from(template.buffer).toString('base64') }],
          estimatedAgeYears: 3.2,
        },
      ],
    };
    const first = await store.enrollFromTerminal('door-1', request);
    const again = await store.enrollFromTerminal('door-1', request);
    assert.equal(again.personId, first.personId);
    const page = asWire(await store.changesAfter(0));
    assert.equal(page.changes.length, 1);
    const person = page.changes[0]?.payload as PersonPayload;
    assert.deepEqual([person.id, person.name, person.groups, person.samples[0]?.id], [first.personId, 'Enrolled at the door', ['visitors'], request.samples[0]?.id]);
    // The door's age estimate: the hub's list marks the young child, and the other doors get it with the sample.
    assert.ok(Math.abs((person.samples[0]?.estimatedAgeYears ?? 0) - 3.2) < 1e-9);
    assert.equal((await store.getPerson(first.personId)).youngChild, true);
    await assert.rejects(store.enrollFromTerminal('door-9', { ...request, requestId: randomUUID() }), rejectsWith('not-found'));
    const broken = { ...request, requestId: randomUUID(), samples: [{ ...request.samples[0]!, id: randomUUID(), cropJpegBase64: 'bm90IGEganBlZw==' }] };
    await assert.rejects(store.enrollFromTerminal('door-1', broken), rejectsWith('invalid'));
  });

  test('a terminal state must be the fleet state message', async () => {
    const store = await fixture.openStore();
    await store.registerTerminal({ id: 'door-1', certSerial: '01ab' });
    await store.setTerminalState('door-1', { online: true, modelId: 'mobilefacenet', appVersion: '0.1.0', appliedSeq: 0, door: {}, atMs: 1 });
    const terminal = await store.getTerminal('door-1');
    assert.equal(terminal.state?.online, true);
    assert.equal(terminal.certSerial, '01ab');
    await assert.rejects(store.setTerminalState('door-1', { online: 'yes' } as never), rejectsWith('invalid'));
  });
});

describe('migrations', () => {
  test('run once, and a database newer than the code is refused', async () => {
    const connectionString = await fixture.createDatabase();
    const pool = new pg.Pool({ connectionString });
    try {
      assert.deepEqual(await runHubMigrations(pool), [1, 2, 3, 4]);
      assert.deepEqual(await runHubMigrations(pool), []);
      await pool.query("INSERT INTO schema_migrations (version, name) VALUES ($1, 'from the future')", [HUB_MIGRATIONS.length + 1]);
      await assert.rejects(runHubMigrations(pool), rejectsWith('schema-too-new'));
    } finally {
      await pool.end();
    }
  });

  test('a hub with events from before cards upgrades in place: its events keep everything and carry no card', async () => {
    const connectionString = await fixture.createDatabase();
    const pool = new pg.Pool({ connectionString });
    try {
      assert.deepEqual(await runHubMigrations(pool, HUB_MIGRATIONS.slice(0, 2)), [1, 2]);
      await pool.query("INSERT INTO terminals (id, name, registered_at_ms, registered_at_seq) VALUES ('door-1', 'door-1', 1, 0)");
      await pool.query(
        `INSERT INTO events (terminal_id, uuid, terminal_seq, at_ms, decision, reason, received_at_ms)
         VALUES ('door-1', $1, 1, 1700000000000, 'denied', 'unknown', 1700000000500)`,
        [randomUUID()],
      );
    } finally {
      await pool.end();
    }
    const store = await openHubStore({ connectionString, masterKey: fixture.masterKey });
    try {
      const [event] = (await store.queryEvents()).events;
      assert.deepEqual([event?.terminalSeq, event?.reason, event?.card], [1, 'unknown', null]);
      await store.insertEvents('door-1', [testEvent(2, { card: { facilityCode: null, cardNumber: 5 } })]);
      assert.deepEqual((await store.queryEvents({ cardNumber: 5 })).events.map((found) => found.terminalSeq), [2]);
    } finally {
      await store.close();
    }
  });
});

describe('a PostgreSQL restart', () => {
  test('breaks idle connections without stopping the hub, and the next call works on a new one', async () => {
    const broken: Error[] = [];
    const connectionString = await fixture.createDatabase();
    const { openHubStore } = await import('./postgres-hub-store.js');
    const store = await openHubStore({ connectionString, masterKey: fixture.masterKey, adminScryptCost: 2 ** 10, onConnectionError: (error) => broken.push(error) });
    try {
      await store.createPerson({ name: 'Before' });
      // What a restart does to the hub's idle connections.
      const admin = new pg.Client({ connectionString });
      await admin.connect();
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
      await admin.end();
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.ok(broken.length > 0, 'the broken connection was reported');
      await store.createPerson({ name: 'After' });
      assert.equal((await store.listPersons()).total, 2);
    } finally {
      await store.close();
    }
  });
});
