// The hub's composition root: its data folder (site, CA, keys), the PostgreSQL store, optionally the site's
// Mosquitto broker run as a child process, and the MQTT link. `lintel hub serve` starts one of these.
import { join } from 'node:path';

import { watchFileSettled } from '../shared/watch-file.js';
import { loadOrCreateKey } from '../terminal/store/crypto.js';
import { packageRoot } from '../vision/models/paths.js';
import { startHubAdminServer, type HubAdminServer, type HubAdminServerOptions } from './admin/hub-admin-server.js';
import { revokeDoor } from './revoke-door.js';
import { WorkerPhotoEnroller } from './admin/photo-enrollment.js';
import { MosquittoProcess } from './broker/mosquitto-process.js';
import { HubLink, type HubLinkLog } from './link/hub-link.js';
import { deniedTerminalIds, hubPaths, loadHubIdentity, type HubIdentity } from './pki/hub-folder.js';
import type { HubStore } from './store/hub-store.js';
import { openHubStore, type PostgresHubStore } from './store/postgres-hub-store.js';

/** Options of `HubService.start`. */
export interface HubServiceOptions {
  /** The folder `lintel hub init` made. */
  readonly dataDir: string;
  /** `postgresql://user:password@host:port/database`. */
  readonly databaseUrl: string;
  /**
   * Run the site's broker as a child process with the generated configuration (default false: a broker run by
   * the system, e.g. Debian's mosquitto service pointed at `<data>/mosquitto/mosquitto.conf`).
   */
  readonly manageBroker?: boolean;
  /** Publish Home Assistant discovery; default true. */
  readonly homeAssistant?: boolean;
  readonly log?: HubLinkLog;
  /** How often the link compares the store's head with the published one, ms; default 500. */
  readonly headPollMs?: number;
  /**
   * Serve the admin API (persons, also from photos through an inference worker started on first use; doors, events, erasures)
   * and the admin UI (default from dist/hub-renderer) on this address; default not served.
   */
  readonly admin?: Pick<HubAdminServerOptions, 'host' | 'port' | 'tls' | 'publicOrigin' | 'rendererDir'>;
}

/** A running hub. */
export class HubService {
  private stopWatching: () => void = () => undefined;
  private reloading: Promise<void> = Promise.resolve();

  private constructor(
    readonly identity: HubIdentity,
    readonly store: HubStore,
    readonly link: HubLink,
    readonly broker: MosquittoProcess | null,
    private readonly log: HubLinkLog,
    /** The admin API, when served. */
    readonly admin: HubAdminServer | null = null,
  ) {}

  /** Starts the broker (when managed), opens the store (running migrations) and connects the link. */
  static async start(options: HubServiceOptions): Promise<HubService> {
    const log = options.log ?? (() => undefined);
    const identity = loadHubIdentity(options.dataDir);
    const paths = hubPaths(options.dataDir);
    const broker = options.manageBroker ? await MosquittoProcess.start({ paths, config: identity.config, deniedTerminalIds: deniedTerminalIds(options.dataDir) }) : null;
    let store: PostgresHubStore | undefined;
    try {
      store = await openHubStore({
        connectionString: options.databaseUrl,
        masterKey: loadOrCreateKey(paths.dataDir),
        onConnectionError: (error) => log('warn', 'a PostgreSQL connection broke; the next call opens a new one', { error: error.message }),
      });
      const link = await HubLink.start({
        identity: { brokerUrl: identity.brokerUrl, caCertPem: identity.caCertPem, certPem: identity.clientCertPem, keyPem: identity.clientKeyPem },
        siteId: identity.config.siteId,
        signingKeyPem: identity.signingKeyPem,
        store,
        log,
        ...(options.homeAssistant === undefined ? {} : { homeAssistant: options.homeAssistant }),
        ...(options.headPollMs === undefined ? {} : { headPollMs: options.headPollMs }),
      });
      // The admin screens revoke through the service, which exists once everything has started.
      const started: { service?: HubService } = {};
      const revoke = (terminalId: string): Promise<readonly string[]> => {
        if (!started.service) throw new Error('the hub is still starting');
        return started.service.revokeDoor(terminalId);
      };
      const admin = options.admin
        ? await startHubAdminServer({ rendererDir: join(packageRoot(), 'dist', 'hub-renderer'), ...options.admin, store, photos: new WorkerPhotoEnroller(), revokeDoor: revoke, logger: { error: (message, details) => log('error', message, { ...details }) } }).catch(async (error: unknown) => {
            await link.close();
            throw error;
          })
        : null;
      const service = new HubService(identity, store, link, broker, log, admin);
      started.service = service;
      service.watchRevocations();
      return service;
    } catch (error) {
      await store?.close().catch(() => undefined);
      await broker?.stop();
      throw error;
    }
  }

  /** Disconnects the link, closes the store and stops the managed broker. */
  async stop(): Promise<void> {
    this.stopWatching();
    await this.reloading;
    await this.admin?.close();
    await this.link.close();
    await this.store.close();
    await this.broker?.stop();
  }

  /**
   * Revokes a door from the admin screens, as `lintel hub revoke-terminal` does. A broker this hub runs is reloaded
   * by the CRL watch below (its ACL rewritten with it); a system broker's ACL is written here for its next reload.
   */
  async revokeDoor(terminalId: string): Promise<readonly string[]> {
    const revoked = await revokeDoor(this.identity.paths.dataDir, this.store, terminalId, { writeAcl: this.broker === null });
    this.log('info', 'door revoked from the admin screens', { terminalId, serials: revoked.join(',') });
    return revoked;
  }

  /**
   * `lintel hub revoke-terminal` (another process) rewrites the CRL: the managed broker re-reads it and the ACL at
   * once, and Home Assistant loses the door.
   */
  private watchRevocations(): void {
    // Atomic writes show up as several events; act once they settle.
    this.stopWatching = watchFileSettled(
      this.identity.paths.crl,
      200,
      () => {
        this.reloading = this.reloading.then(() => this.applyRevocations());
      },
      (error) => this.log('error', 'cannot watch the revocation list', { error: error.message }),
    );
  }

  private async applyRevocations(): Promise<void> {
    try {
      await this.broker?.reload(deniedTerminalIds(this.identity.paths.dataDir));
      await this.link.publishDiscovery();
      this.log('info', 'revocation list changed: broker reloaded');
    } catch (error) {
      this.log('error', 'could not apply the new revocation list', { error: (error as Error).message });
    }
  }
}
