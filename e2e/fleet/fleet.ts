// A whole site on this machine with the real servers: a throwaway PostgreSQL and Mosquitto (the site's TLS, CRL
// and ACL), the hub (its PostgreSQL store and its MQTT link) and doors that are real `lintel serve --hub`
// processes. The hub runs inside the test process so the suite can restart it and read its store.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { HubLink } from '../../electron/hub/link/hub-link.js';
import { enrollTerminal, initHubFolder, loadHubIdentity, type HubIdentity } from '../../electron/hub/pki/hub-folder.js';
import { openHubStore, type PostgresHubStore } from '../../electron/hub/store/postgres-hub-store.js';
import { findMosquitto, freePort, startMosquittoServer, type MosquittoServer } from '../../electron/hub/test/mosquitto-server.js';
import { startPostgresServer, type PostgresServer } from '../../electron/hub/test/postgres-server.js';
import { missingPrerequisite } from '../support/terminal.js';
import { Door } from './door.js';

/** Why the fleet suite cannot run here, or undefined when it can. */
export function missingFleetPrerequisite(): string | undefined {
  if (!findMosquitto()) return 'needs mosquitto (apt-get install -y mosquitto)';
  return missingPrerequisite();
}

/** Polls `condition` every 100 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function eventually(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The hub: its store on PostgreSQL and its MQTT link, restartable. */
export class Hub {
  store!: PostgresHubStore;
  private link: HubLink | undefined;

  constructor(
    private readonly identity: HubIdentity,
    private readonly brokerUrl: string,
    private readonly connectionString: string,
    private readonly masterKey: Buffer,
  ) {}

  async start(): Promise<void> {
    this.store = await openHubStore({ connectionString: this.connectionString, masterKey: this.masterKey, poolSize: 4 });
    this.link = await HubLink.start({
      identity: { brokerUrl: this.brokerUrl, caCertPem: this.identity.caCertPem, certPem: this.identity.clientCertPem, keyPem: this.identity.clientKeyPem },
      siteId: this.identity.config.siteId,
      signingKeyPem: this.identity.signingKeyPem,
      store: this.store,
      headPollMs: 200,
      homeAssistant: false,
    });
  }

  /** Tells the link the change log grew (a write made through the store). */
  async changed(): Promise<void> {
    await this.link?.notifyChanged();
  }

  async stop(): Promise<void> {
    await this.link?.close();
    this.link = undefined;
    await this.store?.close();
  }
}

/** The site under test. */
export class Fleet {
  private constructor(
    readonly workDir: string,
    readonly postgres: PostgresServer,
    readonly broker: MosquittoServer,
    readonly hub: Hub,
    readonly doors: readonly Door[],
  ) {}

  /** Starts the servers, the hub and one door per id (each registered at the hub and given its bundle). */
  static async start(terminalIds: readonly string[]): Promise<Fleet> {
    const workDir = mkdtempSync(join(tmpdir(), 'lintel-fleet-'));
    const hubDir = join(workDir, 'hub');
    const stops: (() => Promise<void>)[] = [];
    try {
      const postgres = await startPostgresServer({ durable: true });
      stops.push(() => postgres.stop());
      await initHubFolder(hubDir, { siteId: 'e2e-site', brokerPort: await freePort() });
      const broker = await startMosquittoServer({ hubDir });
      stops.push(() => broker.stop());
      const hub = new Hub(loadHubIdentity(hubDir), broker.url, postgres.connectionString, randomBytes(32));
      await hub.start();
      stops.push(() => hub.stop());
      const doors: Door[] = [];
      for (const terminalId of terminalIds) {
        const { bundle, serialHex } = await enrollTerminal(hubDir, terminalId);
        await hub.store.registerTerminal({ id: terminalId, certSerial: serialHex });
        const door = await Door.start(bundle, broker.port, workDir);
        doors.push(door);
        stops.push(() => door.stop());
      }
      return new Fleet(workDir, postgres, broker, hub, doors);
    } catch (error) {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
      rmSync(workDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** The hub folder (CA, bundles, broker files). */
  get hubDir(): string {
    return this.broker.hubDir;
  }

  door(terminalId: string): Door {
    const door = this.doors.find((candidate) => candidate.terminalId === terminalId);
    if (!door) throw new Error(`no door ${terminalId}`);
    return door;
  }

  async stop(): Promise<void> {
    for (const door of this.doors) await door.stop().catch(() => undefined);
    await this.hub.stop().catch(() => undefined);
    await this.broker.stop().catch(() => undefined);
    await this.postgres.stop().catch(() => undefined);
    rmSync(this.workDir, { recursive: true, force: true });
  }
}
