// A throwaway Mosquitto broker for tests, benches and development: the site's real configuration (TLS with
// client certificates, CRL, ACL) from a hub folder, on a free port of 127.0.0.1.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { findMosquitto, MosquittoProcess } from '../broker/mosquitto-process.js';
import { hubPaths, initHubFolder, loadHubConfig, type HubConfig } from '../pki/hub-folder.js';

export { findMosquitto };

/** A running broker started by `startMosquittoServer`. */
export interface MosquittoServer {
  readonly host: string;
  readonly port: number;
  /** `mqtts://127.0.0.1:<port>`. */
  readonly url: string;
  /** The hub folder whose CA, certificates, CRL and ACL the broker uses. */
  readonly hubDir: string;
  readonly siteId: string;
  /** The broker's log (its stderr), appended across restarts. */
  readonly logPath: string;
  /** Stops the broker (it saves retained messages and sessions) and starts it again on the same port. */
  restart(): Promise<void>;
  /** Rewrites the ACL (denying `deniedTerminalIds`) and sends SIGHUP: the broker re-reads its ACL and CRL. */
  reload(deniedTerminalIds?: readonly string[]): Promise<void>;
  /** Stops the broker; removes the hub folder when the server made it. */
  stop(): Promise<void>;
}

/** Options of `startMosquittoServer`; every one has a default. */
export interface MosquittoServerOptions {
  /** An initialised hub folder; default a new temp one (site `siteId`), removed on stop. */
  readonly hubDir?: string;
  /** Site of a new hub folder; default 'test-site'. */
  readonly siteId?: string;
  /** Default a free port. */
  readonly port?: number;
  /** Time allowed for the broker to start listening, ms; default 15 000. */
  readonly startTimeoutMs?: number;
}

/** Starts a broker; rejects with the broker's log when it exits or does not listen in time. */
export async function startMosquittoServer(options: MosquittoServerOptions = {}): Promise<MosquittoServer> {
  const temporary = options.hubDir === undefined;
  const hubDir = options.hubDir ?? mkdtempSync(join(tmpdir(), 'lintel-hub-'));
  const port = options.port ?? (await freePort());
  let config: HubConfig;
  // A new folder's config names the test port, so the bundles it issues point at this broker.
  if (temporary) config = await initHubFolder(hubDir, { siteId: options.siteId ?? 'test-site', brokerPort: port });
  else config = loadHubConfig(hubDir);
  let broker: MosquittoProcess;
  try {
    broker = await MosquittoProcess.start({ paths: hubPaths(hubDir), config, port, ...(options.startTimeoutMs ? { timeoutMs: options.startTimeoutMs } : {}) });
  } catch (error) {
    if (temporary) rmSync(hubDir, { recursive: true, force: true });
    throw error;
  }
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    url: `mqtts://127.0.0.1:${port}`,
    hubDir,
    siteId: config.siteId,
    logPath: broker.logPath,
    restart: () => broker.restart(),
    reload: (deniedTerminalIds) => broker.reload(deniedTerminalIds),
    async stop() {
      if (stopped) return;
      stopped = true;
      await broker.stop();
      if (temporary) rmSync(hubDir, { recursive: true, force: true });
    },
  };
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
