// The hub service with the site broker it runs itself, against real Mosquitto and PostgreSQL: a revocation
// made by another process (`lintel hub revoke-terminal`) cuts the door off at once, and events a door sent while
// the hub was down arrive when it is back.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { MqttClient } from 'mqtt';

import { decodeSigned, encodeMessage, eventsAckSchema, eventsMessageSchema, siteTopics, type TerminalBundle } from '../shared/fleet/index.js';
import { HubService } from './hub-service.js';
import { connectMqtt } from './link/mqtt-connection.js';
import { enrollTerminal, initHubFolder, revokeTerminalCertificates } from './pki/hub-folder.js';
import { HubStoreFixture, testEvent } from './test/hub-store-fixture.js';
import { findMosquitto, freePort } from './test/mosquitto-server.js';

const skip = findMosquitto() ? false : 'needs mosquitto (apt-get install -y mosquitto)';

describe('hub service', { skip }, () => {
  const fixture = new HubStoreFixture();
  let dataDir: string;
  let databaseUrl: string;
  let service: HubService | undefined;
  const clients: MqttClient[] = [];
  const topics = siteTopics('service-site');

  before(async () => {
    await fixture.start();
    dataDir = mkdtempSync(join(tmpdir(), 'lintel-hub-service-'));
    await initHubFolder(dataDir, { siteId: 'service-site', brokerPort: await freePort() });
    databaseUrl = await fixture.createDatabase();
  });

  after(async () => {
    await Promise.all(clients.map((client) => client.endAsync(true)));
    await service?.stop();
    await fixture.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function startService(): Promise<HubService> {
    return HubService.start({ dataDir, databaseUrl, manageBroker: true, headPollMs: 100 });
  }

  async function door(bundle: TerminalBundle, clientId: string, persistent = false): Promise<MqttClient> {
    const client = await connectMqtt(
      { brokerUrl: bundle.brokerUrl, caCertPem: bundle.caCertPem, certPem: bundle.certPem, keyPem: bundle.keyPem },
      // A persistent door reconnects (the broker restarts under it) and keeps its session, as a real door does.
      { clientId, reconnectPeriodMs: persistent ? 200 : 0, sessionExpirySeconds: persistent ? 3600 : 0 },
    );
    clients.push(client);
    return client;
  }

  test('events a door sends while the hub is down are stored and acknowledged once it is back', async () => {
    service = await startService();
    const { bundle } = await enrollTerminal(dataDir, 'door-1');
    await service.store.registerTerminal({ id: 'door-1' });
    const door1 = await door(bundle, 'door-1', true);
    const acks: number[] = [];
    door1.on('message', (topic, payload) => {
      if (topic === topics.terminalIn('door-1', 'events-ack')) acks.push(decodeSigned(payload, bundle.hubPublicKeyPem, eventsAckSchema).upToSeq);
    });
    await door1.subscribeAsync(topics.terminalInAll('door-1'), { qos: 1 });

    // The hub goes away; the broker keeps the hub's session and queues what the door sends meanwhile, also
    // across its own restart.
    await service.link.close();
    await door1.publishAsync(topics.terminalOut('door-1', 'events'), encodeMessage(eventsMessageSchema, { events: [testEvent(1), testEvent(2)] }), { qos: 1 });
    assert.equal((await service.store.queryEvents({ terminalId: 'door-1' })).events.length, 0);
    await service.stop();

    service = await startService();
    await waitFor(() => acks.includes(2) || false, 'the ack of the queued events');
    assert.equal((await service.store.queryEvents({ terminalId: 'door-1' })).events.length, 2);
  });

  test('a door revoked by another process is cut off at once: writes refused, no reconnect', async () => {
    assert.ok(service);
    const { bundle } = await enrollTerminal(dataDir, 'door-2');
    await service.store.registerTerminal({ id: 'door-2' });
    const door2 = await door(bundle, 'door-2');
    await door2.publishAsync(topics.terminalOut('door-2', 'events'), encodeMessage(eventsMessageSchema, { events: [testEvent(1)] }), { qos: 1 });

    // What `lintel hub revoke-terminal` does; the running hub sees the new CRL and reloads its broker.
    await revokeTerminalCertificates(dataDir, 'door-2');
    await service.store.revokeTerminal('door-2');
    await waitFor(async () => {
      try {
        await door2.publishAsync(topics.terminalOut('door-2', 'events'), encodeMessage(eventsMessageSchema, { events: [testEvent(2)] }), { qos: 1 });
        return false;
      } catch (error) {
        return /Not authorized/.test((error as Error).message);
      }
    }, 'the broker to refuse the revoked door');
    await assert.rejects(door(bundle, 'door-2-again'), /certificate revoked/);
  });
});

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
