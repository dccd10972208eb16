// The terminal's hub link against the real Mosquitto (the site's TLS, client certificates and ACL): the hub's side
// is played by a small stand-in speaking the same messages with the hub's certificate and signing key, so each
// test can drop or withhold what a real hub would send.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import type { MqttClient } from 'mqtt';

import {
  changePageSchema,
  decodeMessage,
  encodeSigned,
  enrollRequestSchema,
  enrollResultSchema,
  eventsAckSchema,
  eventsMessageSchema,
  generateSigningKeyPair,
  headSchema,
  pullRequestSchema,
  siteTopics,
  terminalStateSchema,
  type ChangeInput,
  type EnrollRequest,
  type SiteTopics,
  type TerminalBundle,
  type TerminalState,
  type WireEvent,
} from '../../shared/fleet/index.js';
import { connectMqtt } from '../../hub/link/mqtt-connection.js';
import { enrollTerminal, loadHubIdentity, type HubIdentity } from '../../hub/pki/hub-folder.js';
import { findMosquitto, startMosquittoServer, type MosquittoServer } from '../../hub/test/mosquitto-server.js';
import { TerminalStore } from '../store/store.js';
import { FAST_SCRYPT, fakeJpeg, fakeQuality, tempDir } from '../store/test/test-helpers.js';
import type { AppliedPage } from './apply-page.js';
import { HubLink, type HubLinkOptions } from './hub-link.js';
import { personChange } from './test/hub-changes.js';

const skip = findMosquitto() ? false : 'needs mosquitto (apt-get install -y mosquitto)';

/** Polls `condition` every 20 ms until it holds; fails naming `what` after `timeoutMs`. */
async function eventually(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The hub's side of the protocol, in memory: a change log, the events it stored, and switches to misbehave. */
class HubStandIn {
  readonly changes: ChangeInput[] = [];
  /** Events stored, by uuid: a second copy of one would be a duplicate insert. */
  readonly events = new Map<string, WireEvent>();
  readonly insertsTried: string[] = [];
  readonly enrollments: EnrollRequest[] = [];
  readonly applied: number[] = [];
  readonly states: TerminalState[] = [];
  /** While true, event batches are stored but not acknowledged (an ack lost on the way). */
  withholdAcks = false;
  /** Signs with this key instead of the hub's (a forger). */
  forgeWith: string | undefined;

  private constructor(
    private readonly client: MqttClient,
    private readonly topics: SiteTopics,
    private readonly signingKeyPem: string,
  ) {}

  static async start(identity: HubIdentity, server: MosquittoServer): Promise<HubStandIn> {
    const client = await connectMqtt(
      { brokerUrl: server.url, caCertPem: identity.caCertPem, certPem: identity.clientCertPem, keyPem: identity.clientKeyPem },
      { clientId: `hub-${randomUUID()}`, sessionExpirySeconds: 0, reconnectPeriodMs: 200 },
    );
    const hub = new HubStandIn(client, siteTopics(server.siteId), identity.signingKeyPem);
    client.on('message', (topic, payload) => hub.onMessage(topic, payload));
    await client.subscribeAsync(hub.topics.everyTerminalOut, { qos: 1 });
    return hub;
  }

  get headSeq(): number {
    return this.changes.at(-1)?.seq ?? 0;
  }

  async append(...changes: ChangeInput[]): Promise<void> {
    this.changes.push(...changes);
    await this.client.publishAsync(this.topics.head, encodeSigned(headSchema, { headSeq: this.headSeq, atMs: Date.now() }, this.key()), { qos: 1, retain: true });
  }

  async close(): Promise<void> {
    await this.client.publishAsync(this.topics.head, '', { qos: 1, retain: true });
    await this.client.endAsync(true);
  }

  private key(): string {
    return this.forgeWith ?? this.signingKeyPem;
  }

  private onMessage(topic: string, payload: Buffer): void {
    const from = this.topics.parseTerminalOut(topic);
    if (!from) return;
    const reply = (name: 'changes' | 'events-ack' | 'enroll-result', bytes: Buffer): void => void this.client.publish(this.topics.terminalIn(from.terminalId, name), bytes, { qos: 1 });
    switch (from.name) {
      case 'pull': {
        const request = decodeMessage(payload, pullRequestSchema);
        const page = this.changes.filter((change) => change.seq > request.afterSeq).slice(0, request.maxChanges);
        const lastSeq = page.at(-1)?.seq ?? request.afterSeq;
        reply('changes', encodeSigned(changePageSchema, { requestId: request.requestId, changes: page, lastSeq, headSeq: this.headSeq }, this.key()));
        return;
      }
      case 'events': {
        const { events } = decodeMessage(payload, eventsMessageSchema);
        for (const event of events) {
          this.insertsTried.push(event.uuid);
          if (!this.events.has(event.uuid)) this.events.set(event.uuid, event);
        }
        if (!this.withholdAcks) reply('events-ack', encodeSigned(eventsAckSchema, { upToSeq: events.at(-1)!.seq }, this.key()));
        return;
      }
      case 'enroll': {
        const request = decodeMessage(payload, enrollRequestSchema);
        this.enrollments.push(request);
        reply('enroll-result', encodeSigned(enrollResultSchema, { requestId: request.requestId, ok: true, personId: randomUUID() }, this.key()));
        return;
      }
      case 'applied':
        this.applied.push((JSON.parse(payload.toString('utf8')) as { appliedSeq: number }).appliedSeq);
        return;
      case 'state':
        if (payload.length > 0) this.states.push(decodeMessage(payload, terminalStateSchema));
        return;
    }
  }
}

describe('HubLink over the real Mosquitto', { skip }, () => {
  let server: MosquittoServer;
  let identity: HubIdentity;
  let hub: HubStandIn;
  let doorCount = 0;

  before(async () => {
    server = await startMosquittoServer({ siteId: 'link-site' });
    identity = loadHubIdentity(server.hubDir);
    hub = await HubStandIn.start(identity, server);
  });

  after(async () => {
    await hub?.close();
    await server?.stop();
  });

  /** A fresh terminal (its own store and certificate) linked to the broker. */
  async function openTerminal(
    t: { after(fn: () => void | Promise<void>): void },
    options: Partial<HubLinkOptions> = {},
    running: { modelId: string } = { modelId: 'model-a' },
  ): Promise<{ store: TerminalStore; link: HubLink; appliedPages: AppliedPage[]; bundle: TerminalBundle }> {
    const store = TerminalStore.open({ dataDir: tempDir(t), admin: { scrypt: FAST_SCRYPT } });
    const { bundle } = await enrollTerminal(server.hubDir, `door-${++doorCount}`);
    const appliedPages: AppliedPage[] = [];
    const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const link = HubLink.start({
      bundle: { ...bundle, brokerUrl: server.url },
      host: { store, logger: quiet, appVersion: '0.1.0', runningModelId: () => running.modelId, doorState: () => ({}), afterApplied: (page) => appliedPages.push(page), remoteOpen: async () => undefined },
      reconnectPeriodMs: 200,
      answerTimeoutMs: 1_000,
      outboxPollMs: 100,
      ...options,
    });
    t.after(async () => {
      await link.close();
      store.close();
    });
    return { store, link, appliedPages, bundle };
  }

  test('catches up page by page to the head, applies the people and reports its cursor and state', async (t) => {
    const ann = randomUUID();
    const bob = randomUUID();
    const cy = randomUUID();
    await hub.append(personChange(hub.headSeq + 1, ann, 1, 'Ann', { cardNumber: 1 }), personChange(hub.headSeq + 2, bob, 1, 'Bob', { cardNumber: 2 }), personChange(hub.headSeq + 3, cy, 1, 'Cy', { cardNumber: 3 }));
    const { store, link, appliedPages } = await openTerminal(t, { maxChangesPerPage: 2 });
    await eventually('the cursor at the head', () => store.hubSync.link()?.appliedSeq === hub.headSeq);
    assert.deepEqual([ann, bob, cy].map((id) => store.persons.get(id)?.name), ['Ann', 'Bob', 'Cy']);
    assert.ok(appliedPages.filter((page) => page.put.length > 0).length >= 2, 'two pages of at most two changes');
    assert.equal(link.status.connected, true);
    await eventually('the applied cursor at the hub', () => hub.applied.includes(hub.headSeq));
    await eventually('an online state with the cursor', () => hub.states.some((state) => state.online && state.appliedSeq === hub.headSeq && state.modelId === 'model-a'));

    // A later change: the signed head moves, the terminal pulls and erases.
    await hub.append({ seq: hub.headSeq + 1, entity: 'person', id: bob, version: 2, op: 'delete', payload: null });
    await eventually('Bob erased', () => store.persons.get(bob) === undefined);
    assert.ok(appliedPages.some((page) => page.erased.includes(bob)));
  });

  test('events reach the hub exactly once: a lost ack makes the terminal resend, the hub keeps one copy, the outbox empties on the ack', async (t) => {
    const { store, link } = await openTerminal(t);
    await eventually('connected', () => link.status.connected);
    hub.withholdAcks = true;
    const ids = [1, 2, 3].map((i) => store.events.append({ atMs: Date.now(), decision: i === 1 ? 'granted' : 'denied', reason: i === 1 ? 'match' : 'unknown-face', snapshotJpeg: fakeJpeg(`snap-${i}`) }));
    const uuids = store.hubSync.pendingEvents(10).map((event) => event.uuid);
    assert.equal(uuids.length, 3);
    link.eventsWritten();
    await eventually('a resend after the lost ack', () => hub.insertsTried.filter((uuid) => uuid === uuids[0]).length >= 2);
    assert.equal(store.hubSync.pendingEventCount(), 3, 'nothing leaves the outbox without an ack');
    hub.withholdAcks = false;
    await eventually('the outbox empty', () => store.hubSync.pendingEventCount() === 0);
    for (const uuid of uuids) assert.ok(hub.events.has(uuid));
    assert.equal(hub.events.get(uuids[0]!)?.snapshotJpegBase64, fakeJpeg('snap-1').toString('base64'));
    assert.equal(store.events.query().events.length, ids.length, 'the local log keeps them');
  });

  test('an event’s snapshot attached just after the decision (the door opened first) travels with it', async (t) => {
    const { store, link } = await openTerminal(t);
    await eventually('connected', () => link.status.connected);
    const eventId = store.events.append({ atMs: Date.now(), decision: 'granted', reason: 'match' });
    const [queued] = store.hubSync.pendingEvents(1);
    link.eventsWritten();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(store.events.attachSnapshot(eventId, fakeJpeg('late-snap')), true);
    await eventually('the event at the hub', () => hub.events.has(queued!.uuid));
    assert.equal(hub.events.get(queued!.uuid)?.snapshotJpegBase64, fakeJpeg('late-snap').toString('base64'));
  });

  test('a head or page signed by another key is dropped: nothing applied, the cursor stays, the reason is kept', async (t) => {
    const { store, link } = await openTerminal(t);
    await eventually('caught up', () => link.status.connected && store.hubSync.link()?.appliedSeq === hub.headSeq);
    const before = store.hubSync.link()?.appliedSeq;
    hub.forgeWith = generateSigningKeyPair().privateKeyPem;
    const forged = randomUUID();
    try {
      await hub.append(personChange(hub.headSeq + 1, forged, 1, 'Mallory', { cardNumber: 99 }));
      await eventually('the forgery noticed', () => /bad-signature/.test(link.status.lastError ?? ''));
    } finally {
      hub.forgeWith = undefined;
    }
    assert.equal(store.persons.get(forged), undefined);
    assert.equal(store.hubSync.link()?.appliedSeq, before);
  });

  test('an enrollment and an event made across a broker restart are queued and reach the hub once it is back', async (t) => {
    const { store, link, bundle } = await openTerminal(t);
    await eventually('connected', () => link.status.connected);
    await eventually('caught up', () => store.hubSync.link()?.appliedSeq === hub.headSeq);
    await server.restart();
    const requestId = link.requestEnrollment({
      person: { name: 'Dee' },
      samples: [{ id: randomUUID(), createdAtMs: Date.now(), alignment: null, quality: fakeQuality(), cropJpegBase64: fakeJpeg('dee').toString('base64'), templates: [] }],
    });
    const eventId = store.events.append({ atMs: Date.now(), decision: 'denied', reason: 'unknown-face' });
    await eventually('the enrollment at the hub', () => hub.enrollments.some((request) => request.requestId === requestId), 20_000);
    await eventually('the enrollment answered and unqueued', () => store.hubSync.pendingEnrollRequests().length === 0);
    await eventually('the event acknowledged', () => store.hubSync.pendingEventCount() === 0, 20_000);
    assert.ok([...hub.events.values()].some((event) => event.atMs === store.events.get(eventId)?.atMs));
    assert.equal(hub.enrollments.find((request) => request.requestId === requestId)?.person.name, 'Dee');
    assert.ok(bundle.terminalId.startsWith('door-'));
  });

  test('a change of extractor reaches the hub’s view of the door without waiting for a change', async (t) => {
    const running = { modelId: 'model-a' };
    const { link, bundle } = await openTerminal(t, {}, running);
    await eventually('connected', () => link.status.connected);
    running.modelId = 'model-b';
    await eventually('a state naming model-b', () => hub.states.some((state) => state.online && state.modelId === 'model-b'));
    assert.ok(bundle.terminalId);
  });

  test('closing says offline on the retained state', async (t) => {
    const { link, bundle } = await openTerminal(t);
    await eventually('connected', () => link.status.connected);
    const seen = hub.states.length;
    await link.close();
    await eventually('an offline state', () => hub.states.slice(seen).some((state) => !state.online));
    assert.ok(bundle.terminalId);
  });
});
