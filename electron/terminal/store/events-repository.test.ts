import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';

import type Database from 'better-sqlite3';

import { openDatabase } from './database.js';
import { StoreError } from './errors.js';
import { EventsRepository, type Decision, type EventInput } from './events-repository.js';
import { PersonsRepository } from './persons-repository.js';
import { fakeJpeg, fakeQuality, tempDir } from './test/test-helpers.js';

interface Setup {
  db: Database.Database;
  persons: PersonsRepository;
  events: EventsRepository;
  writes: { decision: Decision; synchronousLevel: number }[];
}

function setup(t: { after(fn: () => void): void }): Setup {
  const db = openDatabase({ dataDir: tempDir(t) });
  t.after(() => db.close());
  const writes: Setup['writes'] = [];
  const events = new EventsRepository(db, randomBytes(32), () => 9999, {
    insideWrite: (decision, synchronousLevel) => writes.push({ decision, synchronousLevel }),
  });
  return { db, persons: new PersonsRepository(db), events, writes };
}

const hasCode = (code: string) => (error: unknown): boolean => error instanceof StoreError && error.code === code;

describe('EventsRepository', () => {
  test('granted events commit with synchronous=FULL, denied ones with NORMAL, and the level is restored', (t) => {
    const { db, events, writes } = setup(t);
    events.append({ atMs: 1, decision: 'granted', reason: 'match' });
    events.append({ atMs: 2, decision: 'denied', reason: 'unknown-face' });
    assert.deepEqual(writes, [
      { decision: 'granted', synchronousLevel: 2 },
      { decision: 'denied', synchronousLevel: 1 },
    ]);
    assert.equal(db.pragma('synchronous', { simple: true }), 1);
  });

  test('a granted event inside another transaction is refused rather than committed at NORMAL', (t) => {
    const { db, events } = setup(t);
    assert.throws(() => db.transaction(() => events.append({ atMs: 1, decision: 'granted', reason: 'match' }))(), /inside another transaction/);
    assert.equal(db.pragma('synchronous', { simple: true }), 1);
    assert.equal(events.query().events.length, 0);
  });

  test('stores every figure and the snapshot sealed, and joins the current name', (t) => {
    const { db, persons, events } = setup(t);
    const ann = persons.create({ name: 'Ann' });
    const snapshot = fakeJpeg('snapshot;', 3000);
    const input: EventInput = {
      atMs: 1_700_000_000_000, decision: 'granted', reason: 'match', personId: ann.id, modelId: 'model-a',
      similarity: 0.71, livenessScore: 0.98, quality: fakeQuality(), snapshotJpeg: snapshot,
    };
    const id = events.append(input);
    assert.deepEqual(events.get(id), {
      id, atMs: input.atMs, decision: 'granted', reason: 'match', personId: ann.id, personName: 'Ann', personErasedAtMs: null,
      modelId: 'model-a', similarity: 0.71, livenessScore: 0.98, livenessCue: null, card: null, quality: fakeQuality(), hasSnapshot: true,
    });
    assert.deepEqual(events.getSnapshot(id), snapshot);
    const raw = db.prepare<[number], Buffer>('SELECT jpeg FROM event_snapshots WHERE event_id = ?').pluck().get(id)!;
    assert.equal(raw.indexOf(snapshot.subarray(4, 40)), -1);
    const spoof = events.append({ atMs: 2, decision: 'denied', reason: 'liveness-failed', personId: ann.id, livenessCue: 'planar' });
    assert.deepEqual([events.get(spoof)?.reason, events.get(spoof)?.livenessCue, events.get(spoof)?.personName], ['liveness-failed', 'planar', 'Ann']);
    const bare = events.append({ atMs: 1, decision: 'denied', reason: 'no-face' });
    assert.equal(events.get(bare)?.hasSnapshot, false);
    assert.equal(events.getSnapshot(bare), undefined);
  });

  test('a person erased between match and log is logged as erased, not lost', (t) => {
    const { events } = setup(t);
    const id = events.append({ atMs: 1, decision: 'granted', reason: 'match', personId: 'erased-meanwhile' });
    assert.deepEqual([events.get(id)?.personId, events.get(id)?.personErasedAtMs], [null, 9999]);
  });

  test('a snapshot attached after the event is stored sealed, but not to an erased person\'s or a missing event', (t) => {
    const { persons, events } = setup(t);
    const ann = persons.create({ name: 'Ann' });
    const bob = persons.create({ name: 'Bob' });
    const annEvent = events.append({ atMs: 1, decision: 'granted', reason: 'match', personId: ann.id });
    const bobEvent = events.append({ atMs: 2, decision: 'granted', reason: 'match', personId: bob.id });
    assert.equal(events.get(annEvent)?.hasSnapshot, false);
    const snapshot = fakeJpeg('late;', 2000);
    assert.equal(events.attachSnapshot(annEvent, snapshot), true);
    assert.deepEqual(events.getSnapshot(annEvent), snapshot);
    persons.erase(bob.id);
    assert.equal(events.attachSnapshot(bobEvent, snapshot), false);
    assert.equal(events.getSnapshot(bobEvent), undefined);
    assert.equal(events.attachSnapshot(12345, snapshot), false);
  });

  test('keeps the card shown, finds one card\'s events, and forgets the card with its erased holder', (t) => {
    const { persons, events } = setup(t);
    const ann = persons.create({ name: 'Ann' });
    const foreign = events.append({ atMs: 1, decision: 'denied', reason: 'unknown-card', card: { facilityCode: 12, cardNumber: 34567 } });
    const noFacility = events.append({ atMs: 2, decision: 'denied', reason: 'unknown-card', card: { facilityCode: null, cardNumber: 34567 } });
    const annCard = events.append({ atMs: 3, decision: 'denied', reason: 'card-face-mismatch', personId: ann.id, card: { facilityCode: 12, cardNumber: 4242 } });
    events.append({ atMs: 4, decision: 'denied', reason: 'unknown' });
    assert.deepEqual(events.get(foreign)?.card, { facilityCode: 12, cardNumber: 34567 });
    assert.deepEqual(events.get(noFacility)?.card, { facilityCode: null, cardNumber: 34567 });
    assert.deepEqual(
      events.query({ cardNumber: 34567 }).events.map((event) => event.id),
      [noFacility, foreign],
      'any facility code',
    );
    assert.deepEqual(events.query({ cardNumber: 1 }).events, []);
    persons.erase(ann.id);
    assert.deepEqual([events.get(annCard)?.personId, events.get(annCard)?.card], [null, null], 'the card would name the erased holder');
    assert.deepEqual(events.get(foreign)?.card, { facilityCode: 12, cardNumber: 34567 }, 'nobody\'s card stays');
    assert.throws(() => events.append({ atMs: 5, decision: 'denied', reason: 'unknown-card', card: { facilityCode: null, cardNumber: -1 } }), hasCode('invalid'));
    assert.throws(() => events.append({ atMs: 5, decision: 'denied', reason: 'unknown-card', card: { facilityCode: 1.5, cardNumber: 1 } }), hasCode('invalid'));
    assert.throws(() => events.append({ atMs: 5, decision: 'denied', reason: 'unknown-card', card: { facilityCode: null, cardNumber: 2 ** 48 } }), hasCode('invalid'));
  });

  test('refuses prose reasons and figures out of range', (t) => {
    const { events } = setup(t);
    assert.throws(() => events.append({ atMs: 1, decision: 'denied', reason: 'Ann Lee was refused' }), hasCode('invalid'));
    assert.throws(() => events.append({ atMs: 1, decision: 'denied', reason: 'x', similarity: 1.5 }), hasCode('invalid'));
    assert.throws(() => events.append({ atMs: 1, decision: 'denied', reason: 'x', livenessScore: -0.1 }), hasCode('invalid'));
    assert.throws(() => events.append({ atMs: 1, decision: 'denied', reason: 'liveness-failed', livenessCue: 'Held a photo' }), hasCode('invalid'));
    assert.throws(() => events.append({ atMs: 1.5, decision: 'denied', reason: 'x' }), hasCode('invalid'));
    assert.throws(() => events.append({ atMs: 1, decision: 'denied', reason: 'x', snapshotJpeg: Buffer.from('png') }), /not a JPEG/);
  });

  test('query filters by time, person and decision, newest first, with a cursor across equal times', (t) => {
    const { persons, events } = setup(t);
    const ann = persons.create({ name: 'Ann' });
    const ids: number[] = [];
    for (let i = 0; i < 10; i++) {
      // Pairs of equal times: the cursor must not skip or repeat an event of the same millisecond.
      ids.push(events.append({ atMs: 1000 + Math.floor(i / 2), decision: i % 3 === 0 ? 'granted' : 'denied', reason: 'r', personId: i < 4 ? ann.id : null }));
    }
    const seen: number[] = [];
    let page = events.query({ limit: 3 });
    for (;;) {
      seen.push(...page.events.map((event) => event.id));
      if (!page.nextCursor) break;
      page = events.query({ limit: 3, after: page.nextCursor });
    }
    assert.deepEqual(seen, [...ids].reverse());
    const idsOf = (query: Parameters<EventsRepository['query']>[0]): number[] => events.query(query).events.map((event) => event.id);
    assert.deepEqual(idsOf({ personId: ann.id }), ids.slice(0, 4).reverse());
    assert.deepEqual(idsOf({ decision: 'granted' }), [ids[9], ids[6], ids[3], ids[0]]);
    assert.deepEqual(idsOf({ fromMs: 1001, untilMs: 1003 }), ids.slice(2, 6).reverse());
    assert.equal(events.query({ limit: 10 }).nextCursor, null);
    assert.throws(() => events.query({ limit: 0 }), hasCode('invalid'));
  });

  test('retention deletes old snapshots, then old events', (t) => {
    const { events } = setup(t);
    const old = events.append({ atMs: 100, decision: 'denied', reason: 'r', snapshotJpeg: fakeJpeg('a') });
    const recent = events.append({ atMs: 300, decision: 'denied', reason: 'r', snapshotJpeg: fakeJpeg('b') });
    assert.equal(events.deleteSnapshotsOlderThan(200), 1);
    assert.deepEqual([events.get(old)?.hasSnapshot, events.get(recent)?.hasSnapshot], [false, true]);
    assert.equal(events.deleteOlderThan(200), 1);
    assert.deepEqual(events.query().events.map((event) => event.id), [recent]);
  });
});
