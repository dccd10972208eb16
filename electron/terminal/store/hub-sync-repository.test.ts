import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { Gallery } from '../../vision/matcher/gallery.js';
import { DATABASE_FILE_NAME } from './database.js';
import { StoreError } from './errors.js';
import { TerminalStore, type SyncedWrite } from './store.js';
import { ARCFACE_ALIGNMENT, FAST_SCRYPT, fakeJpeg, fakeQuality, fakeSample, fakeTemplate, tempDir } from './test/test-helpers.js';

function openStore(t: { after(fn: () => void): void }, dataDir = tempDir(t)): TerminalStore {
  const store = TerminalStore.open({ dataDir, admin: { scrypt: FAST_SCRYPT } });
  t.after(() => store.close());
  return store;
}

const hasCode = (code: string) => (error: unknown): boolean => error instanceof StoreError && error.code === code;
const HUB = { siteId: 'acme', terminalId: 'door-1', hubPublicKeyPem: '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----' };

/** A hub person write with `sampleSeeds.length` samples of model-a. */
function putPerson(id: string, version: number, name: string, sampleSeeds: readonly string[], extra: Partial<SyncedWrite & { kind: 'put-person' }> = {}): SyncedWrite {
  return {
    kind: 'put-person',
    id,
    version,
    createdAtMs: 1_000,
    updatedAtMs: 1_000 + version,
    person: { name, groups: ['staff'] },
    samples: sampleSeeds.map((seed) => ({
      id: `00000000-0000-4000-8000-${seed.padStart(12, '0')}`,
      createdAtMs: 2_000,
      quality: fakeQuality(),
      alignedJpeg: fakeJpeg(`hub-crop:${seed};`),
      alignment: ARCFACE_ALIGNMENT,
      templates: [{ modelId: 'model-a', template: fakeTemplate(seed, 64) }],
    })),
    ...extra,
  } as SyncedWrite;
}

describe('HubSyncRepository and TerminalStore.applySynced', () => {
  test('join records the hub once; another site or hub key is refused', (t) => {
    const store = openStore(t);
    assert.equal(store.hubSync.link(), undefined);
    const link = store.hubSync.join(HUB);
    assert.equal(link.appliedSeq, 0);
    assert.deepEqual(store.hubSync.join(HUB), link, 'joining again (a restart) changes nothing');
    assert.throws(() => store.hubSync.join({ ...HUB, siteId: 'other' }), (error: unknown) => hasCode('conflict')(error) && /site acme, the bundle says other/.test((error as Error).message));
    assert.throws(() => store.hubSync.join({ ...HUB, hubPublicKeyPem: 'x' }), /another hub's signing key/);
  });

  test('a first join is refused while people enrolled here are in the store: the hub does not merge', (t) => {
    const store = openStore(t);
    const local = store.persons.create({ name: 'Local Ann' });
    assert.throws(() => store.hubSync.join(HUB), (error: unknown) => hasCode('conflict')(error) && /holds 1 person enrolled here.*enroll them on the hub, delete them here, then join/.test((error as Error).message));
    assert.equal(store.hubSync.link(), undefined);
    store.deletePerson(local.id);
    assert.equal(store.hubSync.join(HUB).siteId, 'acme');
  });

  test('events are queued for the hub only once joined, in their own transaction, and leave only on acknowledgement', (t) => {
    const store = openStore(t);
    store.events.append({ atMs: 1, decision: 'denied', reason: 'unknown-face' });
    store.hubSync.join(HUB);
    assert.equal(store.hubSync.pendingEventCount(), 0, 'an event from before joining is not the hub’s');
    // Made after joining only for this test: a door of a site gets its people from the hub.
    const ann = store.persons.create({ name: 'Ann' });
    const granted = store.events.append({ atMs: 10, decision: 'granted', reason: 'match', personId: ann.id, similarity: 0.8, modelId: 'model-a', snapshotJpeg: fakeJpeg('snap') });
    store.events.append({ atMs: 11, decision: 'denied', reason: 'liveness-failed', livenessCue: 'planar' });
    store.events.append({ atMs: 12, decision: 'denied', reason: 'unknown-face' });
    const pending = store.hubSync.pendingEvents(10);
    assert.equal(pending.length, 3);
    assert.deepEqual(pending.map((event) => event.seq), [...pending.map((event) => event.seq)].sort((a, b) => a - b));
    assert.equal(new Set(pending.map((event) => event.uuid)).size, 3);
    for (const { uuid } of pending) assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual(
      { eventId: pending[0]!.eventId, personId: pending[0]!.personId, similarity: pending[0]!.similarity, snapshot: pending[0]!.snapshotJpeg?.equals(fakeJpeg('snap')) },
      { eventId: granted, personId: ann.id, similarity: 0.8, snapshot: true },
    );
    assert.equal(pending[1]!.livenessCue, 'planar');
    assert.equal(store.hubSync.pendingEvents(2).length, 2, 'limit');
    // The first two acknowledged: the third waits; a repeated or stale ack removes nothing more.
    assert.equal(store.hubSync.acknowledgeEvents(pending[1]!.seq), 2);
    assert.equal(store.hubSync.acknowledgeEvents(pending[1]!.seq), 0);
    assert.deepEqual(store.hubSync.pendingEvents(10).map((event) => event.uuid), [pending[2]!.uuid]);
    assert.equal(store.events.query().events.length, 4, 'the local log keeps every event');
  });

  test('an erased person leaves queued events without their id, card or snapshot', (t) => {
    const store = openStore(t);
    store.hubSync.join(HUB);
    const ann = store.persons.create({ name: 'Ann' });
    store.events.append({ atMs: 10, decision: 'granted', reason: 'match', personId: ann.id, card: { facilityCode: 1, cardNumber: 2 }, snapshotJpeg: fakeJpeg('snap') });
    store.events.append({ atMs: 11, decision: 'denied', reason: 'unknown-card', card: { facilityCode: null, cardNumber: 77 } });
    assert.deepEqual(store.hubSync.pendingEvents(10)[0]?.card, { facilityCode: 1, cardNumber: 2 });
    store.deletePerson(ann.id);
    const [event, unknownCard] = store.hubSync.pendingEvents(10);
    assert.equal(event?.personId, null);
    assert.equal(event?.snapshotJpeg, null);
    assert.equal(event?.card, null, 'the card would name them');
    assert.deepEqual(unknownCard?.card, { facilityCode: null, cardNumber: 77 }, 'a card nobody holds goes to the hub');
  });

  test('a page of person writes is applied with its cursor in one transaction; replays and older versions change nothing', (t) => {
    const store = openStore(t);
    store.hubSync.join(HUB);
    const gallery = new Gallery({ dimension: 64, kernel: 'js' });
    store.attachGallery('model-a', gallery);
    const annId = randomUUID();
    const bobId = randomUUID();
    const result = store.applySynced([putPerson(annId, 3, 'Ann', ['1', '2']), putPerson(bobId, 1, 'Bob', ['3'])], () => store.hubSync.setAppliedSeq(7));
    assert.deepEqual(result, { put: [annId, bobId], erased: [], skipped: 0 });
    assert.equal(store.hubSync.link()?.appliedSeq, 7);
    assert.equal(store.persons.get(annId)?.name, 'Ann');
    assert.deepEqual(store.persons.get(annId)?.groups, ['staff']);
    assert.equal(store.persons.hubVersionOf(annId), 3);
    assert.equal(store.samples.listForPerson(annId).length, 2);
    assert.ok(store.samples.getCrop('00000000-0000-4000-8000-000000000001')?.equals(fakeJpeg('hub-crop:1;')), 'the crop is re-sealed with this terminal’s key');
    assert.equal(gallery.size, 3, 'the gallery follows');
    assert.equal(readFileSync(join(store.dataDir, DATABASE_FILE_NAME)).includes(Buffer.from('hub-crop:1;')), false, 'nothing biometric in clear on disk');

    // The same page again, and an older version: skipped.
    assert.equal(store.applySynced([putPerson(annId, 3, 'Ann again', ['1'])]).skipped, 1);
    assert.equal(store.applySynced([putPerson(annId, 2, 'Ann older', ['1'])]).skipped, 1);
    assert.equal(store.persons.get(annId)?.name, 'Ann');

    // A newer version replaces the whole record: a sample dropped, a new one added, disabled.
    store.applySynced([putPerson(annId, 4, 'Ann B.', ['2', '4'], { person: { name: 'Ann B.', enabled: false, groups: [] } })]);
    assert.deepEqual(
      { name: store.persons.get(annId)?.name, enabled: store.persons.get(annId)?.enabled, groups: store.persons.get(annId)?.groups },
      { name: 'Ann B.', enabled: false, groups: [] },
    );
    assert.deepEqual(store.samples.listForPerson(annId).map((sample) => sample.id).sort(), ['00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000004']);
    assert.equal(gallery.size, 3);
  });

  test('a bad write refuses the whole page: no person of it and no cursor move', (t) => {
    const store = openStore(t);
    store.hubSync.join(HUB);
    const good = putPerson(randomUUID(), 1, 'Ann', ['1']);
    const bad = putPerson(randomUUID(), 1, 'Bob', ['2']);
    const broken = { ...bad, samples: [{ ...(bad as unknown as { samples: object[] }).samples[0], alignedJpeg: Buffer.from('not a jpeg') }] } as unknown as SyncedWrite;
    assert.throws(() => store.applySynced([good, broken], () => store.hubSync.setAppliedSeq(5)), hasCode('invalid'));
    assert.equal(store.persons.list().total, 0);
    assert.equal(store.hubSync.link()?.appliedSeq, 0);
  });

  test('an erasure from the hub erases like a local one: samples, gallery rows, event snapshots and reference', (t) => {
    const store = openStore(t);
    store.hubSync.join(HUB);
    const gallery = new Gallery({ dimension: 64, kernel: 'js' });
    store.attachGallery('model-a', gallery);
    const annId = randomUUID();
    store.applySynced([putPerson(annId, 1, 'Ann', ['1'])]);
    const eventId = store.events.append({ atMs: 10, decision: 'granted', reason: 'match', personId: annId, snapshotJpeg: fakeJpeg('snap') });
    const result = store.applySynced([{ kind: 'erase-person', id: annId }, { kind: 'erase-person', id: randomUUID() }], () => store.hubSync.setAppliedSeq(9));
    assert.deepEqual(result.erased, [annId], 'a person never synced here is nothing to erase');
    assert.equal(store.persons.get(annId), undefined);
    assert.equal(store.samples.listForPerson(annId).length, 0);
    assert.equal(gallery.size, 0);
    assert.equal(store.events.get(eventId)?.personId, null);
    assert.notEqual(store.events.get(eventId)?.personErasedAtMs, null);
    assert.equal(store.events.getSnapshot(eventId), undefined);
    assert.equal(store.hubSync.link()?.appliedSeq, 9);
  });

  test('the cursor never moves back', (t) => {
    const store = openStore(t);
    store.hubSync.join(HUB);
    store.applySynced([], () => store.hubSync.setAppliedSeq(10));
    assert.throws(() => store.applySynced([], () => store.hubSync.setAppliedSeq(4)), /cannot move back/);
  });

  test('a local sample keeps working beside synced ones, and queued enrollments are sealed until answered', (t) => {
    const store = openStore(t);
    store.hubSync.join(HUB);
    const requestId = randomUUID();
    store.hubSync.queueEnrollRequest(requestId, { requestId, person: { name: 'Cy' }, samples: [{ cropJpegBase64: fakeJpeg('enroll-crop').toString('base64') }] });
    store.enrollPerson({ name: 'Local' }, [fakeSample('x', 'model-a', 64)]);
    const [queued] = store.hubSync.pendingEnrollRequests();
    assert.equal((queued?.body as { person: { name: string } }).person.name, 'Cy');
    assert.equal(readFileSync(join(store.dataDir, DATABASE_FILE_NAME)).includes(Buffer.from('"Cy"')), false, 'the queued request is sealed');
    store.hubSync.enrollRequestFailed(requestId, 'hub unreachable');
    assert.equal(store.hubSync.pendingEnrollRequests()[0]?.attempts, 1);
    assert.equal(store.hubSync.enrollRequestAnswered(requestId), true);
    assert.equal(store.hubSync.pendingEnrollRequests().length, 0);
  });
});
