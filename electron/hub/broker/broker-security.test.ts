// The site broker's refusals, against the real Mosquitto: a terminal cannot write or read outside its own
// topics, a certificate of another CA and a revoked one (a door's or Home Assistant's) do not get in, a broker of
// another site is not trusted.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { MqttClient } from 'mqtt';

import { siteTopics } from '../../shared/fleet/topics.js';
import { connectMqtt, type MqttTlsIdentity } from '../link/mqtt-connection.js';
import { enrollTerminal, initHubFolder, issueHomeAssistantCertificate, loadHubIdentity, revokeHomeAssistantCertificates, revokeTerminalCertificates } from '../pki/hub-folder.js';
import { findMosquitto, startMosquittoServer, type MosquittoServer } from '../test/mosquitto-server.js';

const skip = findMosquitto() ? false : 'needs mosquitto (apt-get install -y mosquitto)';

describe('site broker security', { skip }, () => {
  let server: MosquittoServer;
  const clients: MqttClient[] = [];
  const temporaryDirs: string[] = [];
  let topics: ReturnType<typeof siteTopics>;
  let hubIdentity: MqttTlsIdentity;
  const terminal: Record<string, MqttTlsIdentity> = {};

  before(async () => {
    server = await startMosquittoServer({ siteId: 'acl-site' });
    topics = siteTopics(server.siteId);
    const hub = loadHubIdentity(server.hubDir);
    hubIdentity = { brokerUrl: server.url, caCertPem: hub.caCertPem, certPem: hub.clientCertPem, keyPem: hub.clientKeyPem };
    for (const id of ['door-1', 'door-2', 'door-3']) {
      const { bundle } = await enrollTerminal(server.hubDir, id);
      terminal[id] = { brokerUrl: server.url, caCertPem: bundle.caCertPem, certPem: bundle.certPem, keyPem: bundle.keyPem };
    }
  });

  after(async () => {
    await Promise.all(clients.map((client) => client.endAsync(true)));
    await server?.stop();
    for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true });
  });

  async function connect(identity: MqttTlsIdentity, clientId: string): Promise<MqttClient> {
    const client = await connectMqtt(identity, { clientId, reconnectPeriodMs: 0, sessionExpirySeconds: 0 });
    clients.push(client);
    return client;
  }

  /** Collects what `client` receives on `filter`; `untilMarker` resolves when `marker` arrives. */
  async function collect(client: MqttClient, filter: string, marker: string) {
    const received: { topic: string; payload: string }[] = [];
    let markerSeen!: () => void;
    const untilMarker = new Promise<void>((resolve) => (markerSeen = resolve));
    client.on('message', (topic, payload) => {
      if (!matchesFilter(filter, topic)) return;
      received.push({ topic, payload: payload.toString() });
      if (payload.toString() === marker) markerSeen();
    });
    await client.subscribeAsync(filter, { qos: 1 });
    return { received, untilMarker };
  }

  test('a terminal cannot publish into another terminal\'s outbox, nor forge the hub\'s head', async () => {
    const hub = await connect(hubIdentity, 'hub');
    const door1 = await connect(terminal['door-1']!, 'door-1');
    const marker = 'door-1 own message';
    const outbox = await collect(hub, topics.everyTerminalOut, marker);
    const heads = await collect(hub, topics.head, 'real head');
    // MQTT 5: the broker answers a refused QoS 1 publish with PUBACK "Not authorized" and drops it.
    await assert.rejects(door1.publishAsync(topics.terminalOut('door-2', 'events'), 'forged by door-1', { qos: 1 }), /Not authorized/);
    await assert.rejects(door1.publishAsync(topics.head, 'forged head', { qos: 1, retain: true }), /Not authorized/);
    await assert.rejects(door1.publishAsync(topics.terminalIn('door-2', 'changes'), 'forged page', { qos: 1 }), /Not authorized/);
    // QoS 1 from one client keeps its order: once the later message arrived, the refused ones would have too.
    await door1.publishAsync(topics.terminalOut('door-1', 'events'), marker, { qos: 1 });
    await outbox.untilMarker;
    await hub.publishAsync(topics.head, 'real head', { qos: 1, retain: true });
    await heads.untilMarker;
    assert.deepEqual(outbox.received, [{ topic: topics.terminalOut('door-1', 'events'), payload: marker }]);
    assert.deepEqual(heads.received.map((message) => message.payload), ['real head']);
  });

  test('a terminal reads the hub\'s topics and its own inbox, never another terminal\'s', async () => {
    const hub = await connect(hubIdentity, 'hub-2');
    const door3 = await connect(terminal['door-3']!, 'door-3');
    const marker = 'for door-3';
    const seen = await collect(door3, `lintel/${server.siteId}/#`, marker);
    await hub.publishAsync(topics.terminalIn('door-2', 'changes'), 'for door-2', { qos: 1 });
    await hub.publishAsync(topics.terminalOut('door-2', 'events'), 'door-2 events', { qos: 1 });
    await hub.publishAsync(topics.terminalIn('door-3', 'changes'), marker, { qos: 1 });
    await seen.untilMarker;
    const payloads = seen.received.map((message) => message.payload);
    assert.ok(payloads.includes(marker));
    assert.ok(!payloads.includes('for door-2') && !payloads.includes('door-2 events'), `door-3 saw ${JSON.stringify(payloads)}`);
  });

  test('a certificate from another CA is refused by the broker', async () => {
    const otherDir = mkdtempSync(join(tmpdir(), 'lintel-other-hub-'));
    temporaryDirs.push(otherDir);
    await initHubFolder(otherDir, { siteId: 'acl-site' });
    const { bundle } = await enrollTerminal(otherDir, 'door-1');
    // Trusts the real broker's CA, so only the broker's check of the client certificate can refuse it.
    const impostor = { brokerUrl: server.url, caCertPem: terminal['door-1']!.caCertPem, certPem: bundle.certPem, keyPem: bundle.keyPem };
    await assert.rejects(connect(impostor, 'door-1-impostor'));
  });

  test('a terminal refuses a broker whose certificate another CA signed', async () => {
    const otherDir = mkdtempSync(join(tmpdir(), 'lintel-other-hub-'));
    temporaryDirs.push(otherDir);
    await initHubFolder(otherDir, { siteId: 'acl-site' });
    const otherBroker = await startMosquittoServer({ hubDir: otherDir });
    try {
      await assert.rejects(connect({ ...terminal['door-1']!, brokerUrl: otherBroker.url }, 'door-1-astray'), /certificate/i);
    } finally {
      await otherBroker.stop();
    }
  });

  test('a revoked terminal is cut off on reload: its writes are dropped at once, it cannot reconnect, others can', async () => {
    const hub = await connect(hubIdentity, 'hub-3');
    const door2 = await connect(terminal['door-2']!, 'door-2');
    const marker = 'door-1 after the revocation';
    const outbox = await collect(hub, topics.everyTerminalOut, marker);
    const revoked = await revokeTerminalCertificates(server.hubDir, 'door-2');
    assert.equal(revoked.length, 1);
    await server.reload(['door-2']);
    await assert.rejects(door2.publishAsync(topics.terminalOut('door-2', 'events'), 'door-2 after the revocation', { qos: 1 }), /Not authorized/);
    const door1 = await connect(terminal['door-1']!, 'door-1-again');
    await door1.publishAsync(topics.terminalOut('door-1', 'events'), marker, { qos: 1 });
    await outbox.untilMarker;
    assert.deepEqual(outbox.received.map((message) => message.payload), [marker]);

    // SIGHUP re-read the CRL too: the certificate no longer gets through the TLS handshake.
    await assert.rejects(connect(terminal['door-2']!, 'door-2-again'), /certificate revoked/);
    await connect(terminal['door-3']!, 'door-3-after-reload');
    await server.restart();
    await assert.rejects(connect(terminal['door-2']!, 'door-2-after-restart'), /certificate revoked/);
  });

  test("Home Assistant's revoked certificate no longer gets in; the doors' still do", async () => {
    const out = mkdtempSync(join(tmpdir(), 'lintel-ha-cert-'));
    temporaryDirs.push(out);
    const files = await issueHomeAssistantCertificate(server.hubDir, out);
    const homeAssistant: MqttTlsIdentity = { brokerUrl: server.url, caCertPem: readFileSync(files.caPath, 'utf8'), certPem: readFileSync(files.certPath, 'utf8'), keyPem: readFileSync(files.keyPath, 'utf8') };
    await connect(homeAssistant, 'homeassistant');
    assert.equal((await revokeHomeAssistantCertificates(server.hubDir)).length, 1);
    await server.reload(['door-2']);
    await assert.rejects(connect(homeAssistant, 'homeassistant-again'), /certificate revoked/);
    await connect(terminal['door-1']!, 'door-1-after-ha-revoked');
  });
});

/** MQTT topic filter matching (+ one level, # the rest), for telling apart what one client's subscriptions received. */
function matchesFilter(filter: string, topic: string): boolean {
  const filterLevels = filter.split('/');
  const topicLevels = topic.split('/');
  for (let i = 0; i < filterLevels.length; i++) {
    if (filterLevels[i] === '#') return true;
    if (i >= topicLevels.length || (filterLevels[i] !== '+' && filterLevels[i] !== topicLevels[i])) return false;
  }
  return filterLevels.length === topicLevels.length;
}
