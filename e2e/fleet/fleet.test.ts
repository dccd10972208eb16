// A site of three doors and a hub, with the real PostgreSQL, Mosquitto and `lintel serve` processes: people
// enrolled once are recognised at every door, a door cut off keeps deciding and catches up, an erasure reaches
// every door, the broker refuses what it must, and restarts lose no event. The tests share one site and run in
// order (each leaves it as the next expects).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { connectMqtt } from '../../electron/hub/link/mqtt-connection.js';
import { enrollTerminal, initHubFolder } from '../../electron/hub/pki/hub-folder.js';
import { encodeMessage, eventsMessageSchema, siteTopics } from '../../electron/shared/fleet/index.js';
import { lfwPhoto } from '../support/terminal.js';
import type { Door } from './door.js';
import { eventually, Fleet, missingFleetPrerequisite } from './fleet.js';

const skip = missingFleetPrerequisite();
const DOORS = ['door-1', 'door-2', 'door-3'] as const;

describe('a site of three doors and a hub', { skip }, () => {
  let fleet: Fleet;
  let colinId: string;

  before(async () => {
    fleet = await Fleet.start(DOORS);
  });
  after(async () => {
    await fleet?.stop();
  });

  /** Enrolls `lfwName` from photos 1–3 at `door` (a request to the hub) and waits until every door holds them; the hub's id. */
  async function enrollAtDoor(door: Door, lfwName: string): Promise<string> {
    const name = lfwName.replaceAll('_', ' ');
    const photos = [1, 2, 3].map((index) => ({ name: `${index}.jpg`, dataBase64: readFileSync(lfwPhoto(lfwName, index)).toString('base64') }));
    const enrolled = await door.terminal.call<{ outcome: string }>('enroll:photos', { person: { name }, photos });
    assert.equal(enrolled.outcome, 'enrolled', JSON.stringify(enrolled));
    let personId = '';
    await eventually(`${name} at the hub`, async () => {
      const { persons } = await fleet.hub.store.listPersons({ search: name });
      personId = persons[0]?.id ?? '';
      return personId !== '';
    });
    for (const other of fleet.doors) await eventually(`${name} at ${other.terminalId}`, async () => (await other.person(personId)) !== null);
    return personId;
  }

  /** The hub's events of `terminalId` from `fromMs` on. */
  async function hubEvents(terminalId: string, fromMs: number): Promise<{ uuid: string; atMs: number; decision: string }[]> {
    const page = await fleet.hub.store.queryEvents({ terminalId, fromMs, limit: 1000 });
    return [...page.events];
  }

  test('a person enrolled through the hub is granted at all three doors; disabled on the hub, denied at every door', async () => {
    colinId = await enrollAtDoor(fleet.door('door-1'), 'Colin_Powell');
    for (const door of fleet.doors) {
      const decision = await door.decide([lfwPhoto('Colin_Powell', 4)]);
      assert.deepEqual({ door: door.terminalId, decision: decision.decision, person: decision.person?.id }, { door: door.terminalId, decision: 'granted', person: colinId });
    }
    await fleet.hub.store.updatePerson(colinId, { enabled: false });
    for (const door of fleet.doors) {
      await eventually(`disabled at ${door.terminalId}`, async () => (await door.person(colinId))?.enabled === false);
      const decision = await door.decide([lfwPhoto('Colin_Powell', 5)]);
      assert.deepEqual({ door: door.terminalId, decision: decision.decision, reason: decision.reason }, { door: door.terminalId, decision: 'denied', reason: 'disabled' });
    }
    await fleet.hub.store.updatePerson(colinId, { enabled: true });
    for (const door of fleet.doors) await eventually(`enabled again at ${door.terminalId}`, async () => (await door.person(colinId))?.enabled === true);
  });

  test('a door policy on the hub lets only its groups through that door, the site’s settings reach every door, and both go again', async () => {
    const door2 = fleet.door('door-2');
    const showsDiagnostics = async (door: Door): Promise<boolean> =>
      (await door.terminal.call<{ settings: Record<string, unknown> }>('settings:get', {})).settings['door.showDiagnostics'] === true;
    await fleet.hub.store.putDocument('door-policy', 'door-2', { terminalId: 'door-2', allowedGroups: ['staff'], settings: {} });
    await fleet.hub.store.putDocument('site-settings', 'site', { settings: { 'door.showDiagnostics': true } });
    for (const door of fleet.doors) await eventually(`site settings at ${door.terminalId}`, () => showsDiagnostics(door));
    const refused = await door2.decide([lfwPhoto('Colin_Powell', 6)]);
    assert.deepEqual({ decision: refused.decision, reason: refused.reason }, { decision: 'denied', reason: 'not-allowed-here' }, 'Colin is in no group door-2 lets through');
    const elsewhere = await fleet.door('door-1').decide([lfwPhoto('Colin_Powell', 6)]);
    assert.equal(elsewhere.decision, 'granted', 'the policy is door-2’s alone');

    await fleet.hub.store.deleteDocument('door-policy', 'door-2');
    await fleet.hub.store.putDocument('site-settings', 'site', { settings: { 'door.showDiagnostics': false } });
    for (const door of fleet.doors) await eventually(`site settings changed at ${door.terminalId}`, async () => !(await showsDiagnostics(door)));
    const granted = await door2.decide([lfwPhoto('Colin_Powell', 7)]);
    assert.deepEqual({ decision: granted.decision, person: granted.person?.id }, { decision: 'granted', person: colinId });
  });

  test('a door cut off from the broker grants known people and logs locally; reconnected, its events reach the hub exactly once', async () => {
    const door = fleet.door('door-3');
    const sinceMs = Date.now();
    door.link.sever();
    try {
      const decision = await door.decide([lfwPhoto('Colin_Powell', 6)]);
      assert.equal(decision.decision, 'granted');
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      assert.equal((await hubEvents('door-3', sinceMs)).length, 0, 'nothing reached the hub while cut off');
    } finally {
      door.link.restore();
    }
    const local = await door.events(sinceMs);
    assert.ok(local.some((event) => event.decision === 'granted' && event.personId === colinId));
    await eventually('door-3’s events at the hub', async () => (await hubEvents('door-3', sinceMs)).length >= local.length);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const atHub = await hubEvents('door-3', sinceMs);
    assert.equal(atHub.length, local.length, 'each event once');
    assert.equal(new Set(atHub.map((event) => event.uuid)).size, atHub.length);
  });

  test('an erasure made while a door is offline reaches it on reconnect, and the hub shows 3 of 3', async () => {
    const tonyId = await enrollAtDoor(fleet.door('door-2'), 'Tony_Blair');
    const offline = fleet.door('door-2');
    offline.link.sever();
    try {
      await fleet.hub.store.deletePerson(tonyId);
      for (const door of fleet.doors.filter((candidate) => candidate !== offline)) {
        await eventually(`Tony Blair erased at ${door.terminalId}`, async () => (await door.person(tonyId)) === null);
      }
      await eventually('2 of 3 at the hub', async () => (await fleet.hub.store.erasureProgress(tonyId)).erasedOn === 2);
      const progress = await fleet.hub.store.erasureProgress(tonyId);
      assert.deepEqual({ erasedOn: progress.erasedOn, of: progress.of, pending: progress.pendingTerminalIds }, { erasedOn: 2, of: 3, pending: ['door-2'] });
      assert.notEqual(await offline.person(tonyId), null, 'the offline door still holds them');
    } finally {
      offline.link.restore();
    }
    await eventually('Tony Blair erased at door-2', async () => (await offline.person(tonyId)) === null);
    await eventually('3 of 3 at the hub', async () => (await fleet.hub.store.erasureProgress(tonyId)).erasedOn === 3);
  });

  test('a broker restart and a hub restart lose no event', async () => {
    const sinceMs = Date.now();
    const doors = [fleet.door('door-1'), fleet.door('door-2')];
    await fleet.hub.stop();
    for (const door of doors) assert.equal((await door.decide([lfwPhoto('Colin_Powell', 7)])).decision, 'granted');
    await fleet.broker.restart();
    for (const door of doors) assert.equal((await door.decide([lfwPhoto('Colin_Powell', 8)])).decision, 'granted');
    await fleet.hub.start();
    for (const door of doors) {
      const local = await door.events(sinceMs);
      await eventually(`${door.terminalId}’s events at the hub`, async () => (await hubEvents(door.terminalId, sinceMs)).length >= local.length);
      const atHub = await hubEvents(door.terminalId, sinceMs);
      assert.equal(atHub.length, local.length, `${door.terminalId}: each event once`);
    }
  });

  test('a certificate of another CA, a revoked one, and a door writing outside its topics are refused', async () => {
    const topics = siteTopics('e2e-site');
    // Another site's CA: the broker does not let its terminal in.
    const otherHub = `${fleet.workDir}/other-hub`;
    await initHubFolder(otherHub, { siteId: 'e2e-site', brokerPort: fleet.broker.port });
    const { bundle: foreign } = await enrollTerminal(otherHub, 'door-9');
    await assert.rejects(connectMqtt({ brokerUrl: fleet.broker.url, caCertPem: foreign.caCertPem, certPem: foreign.certPem, keyPem: foreign.keyPem }, { clientId: 'door-9', reconnectPeriodMs: 0, connectTimeoutMs: 5_000 }));

    // door-1's certificate writing door-2's events: the ACL lets nothing through, the hub stores nothing.
    const door1Bundle = JSON.parse(readFileSync(fleet.door('door-1').bundlePath, 'utf8')) as { caCertPem: string; certPem: string; keyPem: string };
    const impostor = await connectMqtt({ brokerUrl: fleet.broker.url, ...door1Bundle }, { clientId: 'door-1-impostor', reconnectPeriodMs: 0, sessionExpirySeconds: 0 });
    const forgedAtMs = Date.now();
    const forged = { uuid: '00000000-0000-4000-8000-00000000f00d', seq: 1_000_000, atMs: forgedAtMs, decision: 'granted' as const, reason: 'match', personId: null, similarity: null, livenessCue: null, snapshotJpegBase64: null };
    await impostor.publishAsync(topics.terminalOut('door-2', 'events'), encodeMessage(eventsMessageSchema, { events: [forged] }), { qos: 1 }).catch(() => undefined);
    await impostor.endAsync(true);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    assert.equal((await hubEvents('door-2', forgedAtMs)).some((event) => event.uuid === forged.uuid), false);

    // door-3 revoked: the broker refuses it from its restart on; what it decides stays local.
    fleet.hub.cli('revoke-terminal', 'door-3');
    // The test broker is not the hub's child: it reads the new CRL when it starts again.
    await fleet.broker.restart();
    const sinceMs = Date.now();
    const decision = await fleet.door('door-3').decide([lfwPhoto('Colin_Powell', 9)]);
    assert.equal(decision.decision, 'granted', 'the door still decides on its own');
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    assert.equal((await hubEvents('door-3', sinceMs)).length, 0, 'a revoked door reaches the hub no more');
  });
});
