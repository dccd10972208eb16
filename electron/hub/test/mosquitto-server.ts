// A throwaway Mosquitto broker for tests, benches and development: the site's real configuration (TLS with
// client certificates, CRL, ACL) from a hub folder, on a free port of 127.0.0.1.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { writeMosquittoFiles } from '../broker/mosquitto-config.js';
import { hubPaths, initHubFolder, loadHubConfig, type HubConfig } from '../pki/hub-folder.js';

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
  /** Stops the broker (SIGTERM: it saves retained messages and sessions), then starts it again on the same port. */
  restart(): Promise<void>;
  /**
   * Rewrites the ACL (denying `deniedTerminalIds`) and sends SIGHUP: Mosquitto re-reads its ACL; the CRL is read
   * when a listener starts, so a revocation also needs `restart()` to refuse new connections.
   */
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
  /** Default `mosquitto` from PATH or /usr/sbin/mosquitto. */
  readonly binary?: string;
  /** Time allowed for the broker to start listening, ms; default 15 000. */
  readonly startTimeoutMs?: number;
}

/** Where Debian installs the broker; /usr/sbin is not on every PATH. */
const DEBIAN_MOSQUITTO = '/usr/sbin/mosquitto';

/** The mosquitto binary, or null when it is not installed. */
export function findMosquitto(): string | null {
  const which = spawnSync('sh', ['-c', 'command -v mosquitto'], { encoding: 'utf8' });
  const onPath = which.status === 0 ? which.stdout.trim() : '';
  if (onPath) return onPath;
  return existsSync(DEBIAN_MOSQUITTO) ? DEBIAN_MOSQUITTO : null;
}

/** Starts a broker; rejects with the broker's log when it exits or does not listen in time. */
export async function startMosquittoServer(options: MosquittoServerOptions = {}): Promise<MosquittoServer> {
  const binary = options.binary ?? findMosquitto();
  if (!binary) throw new Error('mosquitto is not installed (apt-get install -y mosquitto)');
  const temporary = options.hubDir === undefined;
  const hubDir = options.hubDir ?? mkdtempSync(join(tmpdir(), 'lintel-hub-'));
  let config: HubConfig;
  if (temporary) config = await initHubFolder(hubDir, { siteId: options.siteId ?? 'test-site', brokerPort: options.port ?? (await freePort()) });
  else config = loadHubConfig(hubDir);
  const port = options.port ?? (temporary ? config.broker.port : await freePort());
  const paths = hubPaths(hubDir);
  let denied: readonly string[] = [];
  const files = writeMosquittoFiles(paths, config, { port });
  const logPath = join(paths.mosquittoDir, 'mosquitto.log');
  const startTimeoutMs = options.startTimeoutMs ?? 15_000;

  let child: ChildProcess | null = null;
  let exited: Promise<number | null> = Promise.resolve(null);
  const start = async (): Promise<void> => {
    const logFd = openSync(logPath, 'a');
    try {
      child = spawn(binary, ['-c', files.configPath], { stdio: ['ignore', logFd, logFd] });
    } finally {
      closeSync(logFd);
    }
    const started = child;
    exited = new Promise((resolve) => started.once('exit', (code) => resolve(code)));
    await waitForListening(started, exited, logPath, port, startTimeoutMs);
  };
  const halt = async (): Promise<void> => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  await start();
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    url: `mqtts://127.0.0.1:${port}`,
    hubDir,
    siteId: config.siteId,
    logPath,
    async restart() {
      await halt();
      writeMosquittoFiles(paths, config, { port, deniedTerminalIds: denied });
      await start();
    },
    async reload(deniedTerminalIds = denied) {
      denied = deniedTerminalIds;
      writeMosquittoFiles(paths, config, { port, deniedTerminalIds: denied });
      const before = readFileSync(logPath, 'utf8').length;
      child?.kill('SIGHUP');
      // Mosquitto logs the reload once it has re-read its files.
      const deadline = Date.now() + startTimeoutMs;
      while (!readFileSync(logPath, 'utf8').slice(before).includes('Reloading config')) {
        if (Date.now() > deadline) throw new Error(`mosquitto did not reload within ${startTimeoutMs} ms; log: ${logPath}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // The log line comes before the ACL is swapped in; give the broker's loop one turn to finish it.
      await new Promise((resolve) => setTimeout(resolve, 100));
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt();
      if (temporary) rmSync(hubDir, { recursive: true, force: true });
    },
  };
}

async function waitForListening(child: ChildProcess, exited: Promise<number | null>, logPath: string, port: number, timeoutMs: number): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + timeoutMs;
  const logText = (): string => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '');
  const startAt = logText().length;
  for (;;) {
    const log = logText().slice(startAt);
    if (log.includes(' running')) return;
    if (exitCode !== undefined || child.exitCode !== null) throw new Error(`mosquitto exited (code ${exitCode ?? child.exitCode}) before listening on ${port}:\n${log}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`mosquitto did not listen on ${port} within ${timeoutMs} ms:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
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
