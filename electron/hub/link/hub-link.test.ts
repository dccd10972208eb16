// The hub's MQTT side against the real Mosquitto and PostgreSQL: a terminal (a bare MQTT client with its
// bundle's certificate) sees the signed head, pulls signed pages, reports its cursor, sends events that are
// stored once and acknowledged, enrolls at the door; Home Assistant's OPEN reaches the door.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import type { MqttClient } from 'mqtt';
import type { z } from 'zod';

import {
  changePageSchema,
  commandSchema,
  decodeSigned,
  encodeMessage,
  enrollResultSchema,
  eventsAckSchema,
  eventsMessageSchema,
  headSchema,
  pullRequestSchema,
  siteTopics,
  type TerminalBundle,
} from '../../shared/fleet/index.js';
import { enrollTerminal, issueHomeAssistantCertificate, loadHubIdentity } from '../pki/hub-folder.js';
import type { PostgresHubStore } from '../store/postgres-hub-store.js';
import { HubStoreFixture, TEST_QUALITY, testEvent, testJpeg, testSample } from '../test/hub-store-fixture.js';
import { findMosquitto, startMosquittoServer, type MosquittoServer } from '../test/mosquitto-server.js';
import { homeAssistantTopics } from './home-assistant.js';
import { HubLink } from './hub-link.js';
import { connectMqtt } from './mqtt-connection.js';

const skip = findMosquitto() ? false : 'needs mosquitto (apt-get install -y mosquitto)';

/** A terminal's end of the link, as bare as possible: what arrives on its inbox and the head, verified. */
class TerminalEnd {
  private readonly waiters: { topic: string; resolve: (payload: Buffer) => void }[] = [];
  private readonly inbox: { topic: string; payload: Buffer }[] = [];

  private constructor(
    readonly client: MqttClient,
    readonly bundle: TerminalBundle,
  ) {
    client.on('message', (topic, payload) => {
      const waiter = this.waiters.findIndex((each) => each.topic === topic);
      if (waiter >= 0) this.waiters.splice(waiter, 1)[0]!.resolve(payload);
      else this.inbox.push({ topic, payload });
    });
  }

  static async connect(bundle: TerminalBundle, brokerUrl: string): Promise<TerminalEnd> {
    const client = await connectMqtt({ brokerUrl, caCertPem: bundle.caCertPem, certPem: bundle.certPem, keyPem: bundle.keyPem }, { clientId: bundle.terminalId, reconnectPeriodMs: 0, sessionExpirySeconds: 0 });
    const end = new TerminalEnd(client, bundle);
    const topics = siteTopics(bundle.siteId);
    await client.subscribeAsync([topics.head, topics.terminalInAll(bundle.terminalId)], { qos: 1 });
    return end;
  }

  /** The next signed message on `topic`, verified with the hub's key from the bundle and parsed. */
  async next<S extends z.ZodType>(topic: string, schema: S, where: (value: z.output<S>) => boolean = () => true): Promise<z.output<S>> {
    for (;;) {
      const queued = this.inbox.findIndex((each) => each.topic === topic);
      const payload = queued >= 0 ? this.inbox.splice(queued, 1)[0]!.payload : await new Promise<Buffer>((resolve) => this.waiters.push({ topic, resolve }));
      const value = decodeSigned(payload, this.bundle.hubPublicKeyPem, schema);
      if (where(value)) return value;
    }
  }
}

describe('hub link', { skip }, () => {
  const fixture = new HubStoreFixture();
  let broker: MosquittoServer;
  let store: PostgresHubStore;
  let link: HubLink;
  const clients: MqttClient[] = [];
  const logged: string[] = [];
  let topics: ReturnType<typeof siteTopics>;
  let door1: TerminalEnd;
  let door1Bundle: TerminalBundle;
  let adaId: string;

  before(async () => {
    await fixture.start();
    broker = await startMosquittoServer({ siteId: 'link-site' });
    topics = siteTopics(broker.siteId);
    store = await fixture.openStore();
    const hub = loadHubIdentity(broker.hubDir);
    ({ bundle: door1Bundle } = await enrollTerminal(broker.hubDir, 'door-1'));
    await store.registerTerminal({ id: 'door-1', name: 'Front door' });
    link = await HubLink.start({
      identity: { brokerUrl: broker.url, caCertPem: hub.caCertPem, certPem: hub.clientCertPem, keyPem: hub.clientKeyPem },
      siteId: broker.siteId,
      signingKeyPem: hub.signingKeyPem,
      store,
      headPollMs: 100,
      log: (level, message, fields) => logged.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`),
    });
    door1 = await TerminalEnd.connect(door1Bundle, broker.url);
    clients.push(door1.client);
  });

  after(async () => {
    await Promise.all(clients.map((client) => client.endAsync(true)));
    await link?.close();
    await broker?.stop();
    await fixture.stop();
  });

  test('the retained head is signed and follows the change log', async () => {
    assert.equal((await door1.next(topics.head, headSchema)).headSeq, 0);
    adaId = (await store.createPerson({ name: 'Ada', groups: ['staff'], samples: [await testSample(1)] })).id;
    await link.notifyChanged();
    assert.equal((await door1.next(topics.head, headSchema)).headSeq, 1);
  });

  test('a pull is answered with a signed page for that request; applied moves the cursor', async () => {
    const requestId = randomUUID();
    await door1.client.publishAsync(topics.terminalOut('door-1', 'pull'), encodeMessage(pullRequestSchema, { requestId, afterSeq: 0, maxChanges: 10 }), { qos: 1 });
    const page = await door1.next(topics.terminalIn('door-1', 'changes'), changePageSchema, (value) => value.requestId === requestId);
    assert.equal(page.changes.length, 1);
    assert.equal(page.changes[0]?.entity, 'person');
    assert.equal(page.lastSeq, 1);
    await door1.client.publishAsync(topics.terminalOut('door-1', 'applied'), JSON.stringify({ appliedSeq: page.lastSeq }), { qos: 1 });
    await waitFor(async () => (await store.getTerminal('door-1')).appliedSeq === 1);
  });

  test('events are stored once and acknowledged, also when sent again', async () => {
    const batch = { events: [testEvent(1), testEvent(2, { decision: 'denied', reason: 'unknown' })] };
    await door1.client.publishAsync(topics.terminalOut('door-1', 'events'), encodeMessage(eventsMessageSchema, batch), { qos: 1 });
    assert.equal((await door1.next(topics.terminalIn('door-1', 'events-ack'), eventsAckSchema)).upToSeq, 2);
    await door1.client.publishAsync(topics.terminalOut('door-1', 'events'), encodeMessage(eventsMessageSchema, batch), { qos: 1 });
    assert.equal((await door1.next(topics.terminalIn('door-1', 'events-ack'), eventsAckSchema)).upToSeq, 2);
    assert.equal((await store.queryEvents({ terminalId: 'door-1' })).events.length, 2);
  });

  test('an enrollment at the door becomes a person on the hub, and a bad one is answered with the reason', async () => {
    const sample = { id: randomUUID(), createdAtMs: 1, alignment: null, quality: TEST_QUALITY, cropJpegBase64: (await testJpeg()).toString('base64'), templates: [] };
    const requestId = randomUUID();
    await door1.client.publishAsync(topics.terminalOut('door-1', 'enroll'), JSON.stringify({ requestId, person: { name: 'Grace' }, samples: [sample] }), { qos: 1 });
    const result = await door1.next(topics.terminalIn('door-1', 'enroll-result'), enrollResultSchema, (value) => value.requestId === requestId);
    assert.ok(result.ok);
    assert.equal((await store.getPerson(result.personId)).name, 'Grace');
    assert.ok((await door1.next(topics.head, headSchema)).headSeq >= 2);

    const badId = randomUUID();
    const broken = { ...sample, id: randomUUID(), templates: [{ modelId: 'mobilefacenet', dimension: 2, templateBase64: Buffer.from(new Float32Array([Number.NaN, 1]).buffer).toString('base64') }] };
    await door1.client.publishAsync(topics.terminalOut('door-1', 'enroll'), JSON.stringify({ requestId: badId, person: { name: 'Broken' }, samples: [broken] }), { qos: 1 });
    const refused = await door1.next(topics.terminalIn('door-1', 'enroll-result'), enrollResultSchema, (value) => value.requestId === badId);
    assert.equal(refused.ok, false);
  });

  test('a terminal with a valid certificate that the hub has not registered is ignored', async () => {
    const { bundle } = await enrollTerminal(broker.hubDir, 'door-7');
    const door7 = await TerminalEnd.connect(bundle, broker.url);
    clients.push(door7.client);
    await door7.client.publishAsync(topics.terminalOut('door-7', 'events'), encodeMessage(eventsMessageSchema, { events: [testEvent(1)] }), { qos: 1 });
    await waitFor(async () => logged.some((line) => line.includes('not registered') && line.includes('door-7')));
    assert.equal((await store.queryEvents({ terminalId: 'door-7' })).events.length, 0);
  });

  test('Home Assistant sees the door, and its OPEN reaches the door as a signed command', async () => {
    const files = await issueHomeAssistantCertificate(broker.hubDir, `${broker.hubDir}/homeassistant`);
    const ha = await connectMqtt(
      { brokerUrl: broker.url, caCertPem: readFileSync(files.caPath, 'utf8'), certPem: readFileSync(files.certPath, 'utf8'), keyPem: readFileSync(files.keyPath, 'utf8') },
      { clientId: 'homeassistant', reconnectPeriodMs: 0, sessionExpirySeconds: 0 },
    );
    clients.push(ha);
    const received: { topic: string; payload: string }[] = [];
    const waiters: (() => void)[] = [];
    ha.on('message', (topic, payload) => {
      received.push({ topic, payload: payload.toString() });
      for (const wake of waiters.splice(0)) wake();
    });
    /** The payload of the first message on `topic` (matching `where`), waiting for it. */
    const message = async (topic: string, where: (payload: string) => boolean = () => true): Promise<string> => {
      for (;;) {
        const found = received.find((each) => each.topic === topic && each.payload.length > 0 && where(each.payload));
        if (found) return found.payload;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    };
    await ha.subscribeAsync(['homeassistant/#', `lintel/${broker.siteId}/ha/#`], { qos: 1 });
    const haTopics = homeAssistantTopics(broker.siteId).of('door-1');
    const lock = JSON.parse(await message('homeassistant/lock/lintel_link-site_door-1/config')) as Record<string, unknown>;
    assert.equal(lock?.command_topic, homeAssistantTopics(broker.siteId).of('door-1').lockSet);
    assert.equal((lock?.device as { name?: string }).name, 'Front door');

    await ha.publishAsync(homeAssistantTopics(broker.siteId).of('door-1').lockSet, 'OPEN', { qos: 1 });
    assert.equal((await door1.next(topics.terminalIn('door-1', 'command'), commandSchema)).command, 'open');

    // A door that reports a contact gets a door sensor; its decisions become events with the person's name.
    const state = { online: true, modelId: 'mobilefacenet', appVersion: '0.1.0', appliedSeq: 1, door: { open: false }, atMs: Date.now() };
    await door1.client.publishAsync(topics.terminalOut('door-1', 'state'), JSON.stringify(state), { qos: 1, retain: true });
    const sensor = JSON.parse(await message('homeassistant/binary_sensor/lintel_link-site_door-1/config')) as Record<string, unknown>;
    assert.equal(sensor.device_class, 'door');
    assert.equal(await message(haTopics.door), 'closed');
    assert.equal(await message(haTopics.availability, (payload) => payload === 'online'), 'online');
    const events = { events: [testEvent(3, { personId: adaId }), testEvent(4, { decision: 'denied', reason: 'unknown' })] };
    await door1.client.publishAsync(topics.terminalOut('door-1', 'events'), encodeMessage(eventsMessageSchema, events), { qos: 1 });
    const granted = JSON.parse(await message(haTopics.event, (payload) => payload.includes('granted'))) as Record<string, unknown>;
    const denied = JSON.parse(await message(haTopics.event, (payload) => payload.includes('denied'))) as Record<string, unknown>;
    assert.deepEqual([granted.event_type, granted.person, denied.event_type, denied.person], ['granted', 'Ada', 'denied', 'unknown']);

    // Home Assistant may not publish anywhere else.
    await assert.rejects(ha.publishAsync(topics.terminalIn('door-1', 'command'), 'open', { qos: 1 }), /Not authorized/);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
