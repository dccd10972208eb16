import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';

import {
  changePageSchema,
  decodeSigned,
  encodeSigned,
  FleetMessageError,
  generateSigningKeyPair,
  type ChangeInput,
  type ChangePage,
} from '../../shared/fleet/index.js';
import { TerminalStore } from '../store/store.js';
import { ARCFACE_ALIGNMENT, FAST_SCRYPT, fakeJpeg, fakeTemplate, tempDir } from '../store/test/test-helpers.js';
import { applyPage } from './apply-page.js';
import { personChange } from './test/hub-changes.js';

const hubKeys = generateSigningKeyPair();

function openJoinedStore(t: { after(fn: () => void): void }): TerminalStore {
  const store = TerminalStore.open({ dataDir: tempDir(t), admin: { scrypt: FAST_SCRYPT } });
  t.after(() => store.close());
  store.hubSync.join({ siteId: 'acme', terminalId: 'door-1', hubPublicKeyPem: hubKeys.publicKeyPem });
  return store;
}

/** The page through the wire: signed by the hub, verified and parsed as the terminal receives it. */
function received(page: { requestId?: string; changes: ChangeInput[]; lastSeq: number; headSeq: number }): ChangePage {
  const bytes = encodeSigned(changePageSchema, { requestId: randomUUID(), ...page }, hubKeys.privateKeyPem);
  return decodeSigned(bytes, hubKeys.publicKeyPem, changePageSchema);
}

describe('applyPage', () => {
  test('applies persons with their samples and templates, moves the cursor to lastSeq, ignores entities kept elsewhere', (t) => {
    const store = openJoinedStore(t);
    const ann = randomUUID();
    const page = received({
      changes: [
        personChange(1, ann, 1, 'Ann'),
        { seq: 2, entity: 'group', id: 'staff', version: 1, op: 'upsert', payload: { name: 'staff', description: null } },
      ],
      lastSeq: 2,
      headSeq: 5,
    });
    const result = applyPage(store, page);
    assert.deepEqual({ put: result.put, appliedSeq: result.appliedSeq, ignored: result.ignored }, { put: [ann], appliedSeq: 2, ignored: 1 });
    const person = store.persons.get(ann);
    assert.equal(person?.name, 'Ann');
    assert.deepEqual(person?.credential, { facilityCode: 13, cardNumber: 4242 });
    const [sample] = store.samples.listForPerson(ann);
    assert.deepEqual(sample?.modelIds, ['model-a']);
    assert.deepEqual(store.samples.templatesOfPerson(ann, 'model-a')[0]?.template, fakeTemplate('Ann', 64));
    assert.ok(store.samples.getCrop(sample!.id)?.equals(fakeJpeg('crop-Ann')));
    assert.equal(store.hubSync.link()?.appliedSeq, 2);
  });

  test('an empty page moves the cursor to its lastSeq; a replayed page changes nothing and never moves it back', (t) => {
    const store = openJoinedStore(t);
    const ann = randomUUID();
    const first = received({ changes: [personChange(3, ann, 2, 'Ann')], lastSeq: 3, headSeq: 3 });
    applyPage(store, first);
    assert.equal(applyPage(store, received({ changes: [], lastSeq: 7, headSeq: 7 })).appliedSeq, 7);
    const replay = applyPage(store, first);
    assert.deepEqual({ skipped: replay.skipped, appliedSeq: replay.appliedSeq }, { skipped: 1, appliedSeq: 7 });
    assert.equal(store.hubSync.link()?.appliedSeq, 7);
  });

  test('a tombstone erases the person here; samples of a model the terminal does not run wait for the rebuild', (t) => {
    const store = openJoinedStore(t);
    const ann = randomUUID();
    const bob = randomUUID();
    applyPage(store, received({ changes: [personChange(1, ann, 1, 'Ann'), personChange(2, bob, 1, 'Bob', { modelId: 'other-model', cardNumber: 4343 })], lastSeq: 2, headSeq: 3 }));
    assert.deepEqual(store.samples.rebuildProgress('model-a'), { totalCount: 2, doneCount: 1 }, 'Bob’s sample lacks a model-a template');
    const [toRebuild] = [...store.samples.templatesToRebuild('model-a')];
    assert.deepEqual({ personId: toRebuild?.personId, alignment: toRebuild?.alignment }, { personId: bob, alignment: ARCFACE_ALIGNMENT }, 'its crop keeps the alignment the hub recorded');
    const result = applyPage(store, received({ changes: [{ seq: 3, entity: 'person', id: ann, version: 2, op: 'delete', payload: null }], lastSeq: 3, headSeq: 3 }));
    assert.deepEqual(result.erased, [ann]);
    assert.equal(store.persons.get(ann), undefined);
    assert.equal(store.persons.get(bob)?.name, 'Bob');
  });

  test('the site’s schedules replace the door’s for their groups, in the page’s transaction; a deleted one goes', (t) => {
    const store = openJoinedStore(t);
    const policy = store.settings.get('access.policy');
    store.settings.update({ 'access.policy': { ...policy, schedules: { cleaners: [{ days: [6, 7], from: '06:00', to: '08:00' }], visitors: [{ days: [1], from: '09:00', to: '10:00' }] } } });
    const staffWindows = [{ days: [1, 2, 3, 4, 5], from: '07:00', to: '19:00' }];
    const result = applyPage(
      store,
      received({
        changes: [
          { seq: 1, entity: 'schedule', id: 'staff', version: 1, op: 'upsert', payload: { group: 'staff', windows: staffWindows } },
          { seq: 2, entity: 'schedule', id: 'visitors', version: 2, op: 'delete', payload: null },
        ],
        lastSeq: 2,
        headSeq: 2,
      }),
    );
    assert.deepEqual(result.schedules, ['staff', 'visitors']);
    const schedules = store.settings.get('access.policy').schedules;
    assert.deepEqual(Object.keys(schedules).sort(), ['cleaners', 'staff'], 'a group the hub does not schedule keeps the door’s own');
    assert.deepEqual(schedules['staff'], staffWindows);
    assert.equal(store.hubSync.link()?.appliedSeq, 2);
  });

  test('this door’s policy sets its allowed groups and its settings, the site’s settings are kept, another door’s policy is not', (t) => {
    const store = openJoinedStore(t);
    const result = applyPage(
      store,
      received({
        changes: [
          { seq: 1, entity: 'site-settings', id: 'site', version: 1, op: 'upsert', payload: { settings: { 'events.retentionDays': 30, 'door.showDiagnostics': false } } },
          { seq: 2, entity: 'door-policy', id: 'door-1', version: 1, op: 'upsert', payload: { terminalId: 'door-1', allowedGroups: ['staff'], settings: { 'door.showDiagnostics': true } } },
          { seq: 3, entity: 'door-policy', id: 'door-2', version: 1, op: 'upsert', payload: { terminalId: 'door-2', allowedGroups: ['visitors'], settings: {} } },
        ],
        lastSeq: 3,
        headSeq: 3,
      }),
    );
    assert.deepEqual({ settingsChanged: result.settingsChanged, ignored: result.ignored }, { settingsChanged: true, ignored: 1 });
    assert.deepEqual(store.settings.get('access.policy').allowedGroups, ['staff']);
    assert.deepEqual(store.hubSync.hubSettings(), { site: { 'events.retentionDays': 30, 'door.showDiagnostics': false }, door: { 'door.showDiagnostics': true } });

    // The hub deletes the door's policy: everyone enabled may pass again; the site's settings stay.
    const removed = applyPage(store, received({ changes: [{ seq: 4, entity: 'door-policy', id: 'door-1', version: 2, op: 'delete', payload: null }], lastSeq: 4, headSeq: 4 }));
    assert.equal(removed.settingsChanged, true);
    assert.equal(store.settings.get('access.policy').allowedGroups, null);
    assert.deepEqual(store.hubSync.hubSettings().door, {});
    assert.deepEqual(store.hubSync.hubSettings().site, { 'events.retentionDays': 30, 'door.showDiagnostics': false });
    assert.equal(applyPage(store, received({ changes: [], lastSeq: 4, headSeq: 4 })).settingsChanged, false);
  });

  test('a page signed by another key is dropped before it reaches the store', () => {
    const stranger = generateSigningKeyPair();
    const bytes = encodeSigned(changePageSchema, { requestId: randomUUID(), changes: [], lastSeq: 0, headSeq: 0 }, stranger.privateKeyPem);
    assert.throws(() => decodeSigned(bytes, hubKeys.publicKeyPem, changePageSchema), (error: unknown) => error instanceof FleetMessageError && error.problem === 'bad-signature');
  });

  test('a sample the hub sends with its age estimate is stored with it (sealed); one without waits for the door’s own', (t) => {
    const store = openJoinedStore(t);
    const mia = randomUUID();
    const ann = randomUUID();
    applyPage(store, received({ changes: [personChange(1, mia, 1, 'Mia', { estimatedAgeYears: 3.5, cardNumber: 1 }), personChange(2, ann, 1, 'Ann', { cardNumber: 2 })], lastSeq: 2, headSeq: 2 }));
    assert.deepEqual(store.samples.listForPerson(mia).map((s) => s.estimatedAgeYears), [3.5]);
    assert.equal(store.samples.youngChildOf(mia)?.estimatedAgeYears, 3.5);
    assert.deepEqual(store.samples.listForPerson(ann).map((s) => s.estimatedAgeYears), [null]);
    assert.deepEqual([...store.samples.samplesWithoutAge()].map((s) => s.sampleId), store.samples.listForPerson(ann).map((s) => s.id));
  });

  test('a page the store refuses (a credential two people hold) applies nothing and keeps the cursor', (t) => {
    const store = openJoinedStore(t);
    const page = received({ changes: [personChange(1, randomUUID(), 1, 'Ann'), personChange(2, randomUUID(), 1, 'Bob')], lastSeq: 2, headSeq: 2 });
    assert.throws(() => applyPage(store, page), /credential facility 13 card 4242 already belongs to another person/);
    assert.equal(store.persons.list().total, 0);
    assert.equal(store.hubSync.link()?.appliedSeq, 0);
  });
});
