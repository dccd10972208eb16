// A whole site on this machine with the real servers: a throwaway PostgreSQL and Mosquitto (the site's TLS, CRL
// and ACL), the hub (`lintel hub serve`) and doors that are real `lintel serve --hub` processes. The suite keeps
// a connection of its own to the hub's database: it writes people there as an administrator would and reads
// what the hub stored; the hub notices writes from another process by its head poll.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { hubPaths, initHubFolder } from '../../electron/hub/pki/hub-folder.js';
import { openHubStore, type PostgresHubStore } from '../../electron/hub/store/postgres-hub-store.js';
import { findMosquitto, freePort, startMosquittoServer, type MosquittoServer } from '../../electron/hub/test/mosquitto-server.js';
import { startPostgresServer, type PostgresServer } from '../../electron/hub/test/postgres-server.js';
import type { TerminalBundle } from '../../electron/shared/fleet/index.js';
import { loadOrCreateKey } from '../../electron/terminal/store/crypto.js';
import { missingPrerequisite, ROOT } from '../support/terminal.js';
import { Door } from './door.js';

const CLI = join(ROOT, 'dist', 'electron', 'cli', 'lintel.js');

/** Why the fleet suite cannot run here, or undefined when it can. */
export function missingFleetPrerequisite(): string | undefined {
  if (!findMosquitto()) return 'needs mosquitto (apt-get install -y mosquitto)';
  // Where startPostgresServer looks for initdb.
  const postgres = process.env.LINTEL_PG_BIN || existsSync('/usr/lib/postgresql') || spawnSync('pg_config', ['--bindir']).status === 0;
  if (!postgres) return 'needs PostgreSQL (apt-get install -y postgresql, or LINTEL_PG_BIN)';
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

/** The hub: `lintel hub serve` as its own process, restartable, and the suite's connection to its database. */
export class Hub {
  /** The suite's own connection to the hub's database (the hub's key from its folder). */
  store!: PostgresHubStore;
  /** Where the admin API and UI answer, when the hub serves them (`--admin-port` among `serveArgs`). */
  adminOrigin: string | undefined;
  private process: ChildProcess | undefined;
  private readonly log: string[] = [];

  constructor(
    readonly hubDir: string,
    readonly databaseUrl: string,
    /** More options of `lintel hub serve`. */
    readonly serveArgs: readonly string[] = [],
  ) {}

  /** Starts `lintel hub serve` and waits until it serves (60 s at most). */
  async start(): Promise<void> {
    const child = spawn(process.execPath, [CLI, 'hub', 'serve', '--data', this.hubDir, '--database', this.databaseUrl, '--no-home-assistant', ...this.serveArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process = child;
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.log.push(chunk));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`the hub did not serve within 60 s:\n${out}\n${this.logText()}`)), 60_000);
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        // With --admin-port, the admin's address follows on its own line.
        if (/hub of site \S+ serving/.test(out) && (!this.serveArgs.includes('--admin-port') || /admin API on \S+\n/.test(out))) {
          this.adminOrigin = /admin API on (\S+)/.exec(out)?.[1];
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the hub exited with ${code}:\n${out}\n${this.logText()}`));
      });
    });
    this.store ??= await openHubStore({ connectionString: this.databaseUrl, masterKey: loadOrCreateKey(hubPaths(this.hubDir).dataDir), poolSize: 4 });
  }

  /** `lintel hub <args…>` on this hub's folder and database; its standard output, or a thrown error with both. */
  cli(...args: string[]): string {
    const run = spawnSync(process.execPath, [CLI, 'hub', ...args, '--data', this.hubDir, '--database', this.databaseUrl], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`lintel hub ${args.join(' ')} exited ${run.status}: ${run.stdout}${run.stderr}`);
    return run.stdout;
  }

  /** What the hub logged. */
  logText(): string {
    return this.log.join('');
  }

  /** Stops the hub process (SIGTERM: it disconnects cleanly); the suite's connection stays. */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    await this.stop();
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
  static async start(terminalIds: readonly string[], options: { readonly hubServeArgs?: readonly string[] } = {}): Promise<Fleet> {
    const workDir = mkdtempSync(join(tmpdir(), 'lintel-fleet-'));
    const hubDir = join(workDir, 'hub');
    const stops: (() => Promise<void>)[] = [];
    try {
      const postgres = await startPostgresServer({ durable: true });
      stops.push(() => postgres.stop());
      const brokerPort = await freePort();
      await initHubFolder(hubDir, { siteId: 'e2e-site', brokerPort });
      // On the port the hub folder names: the hub connects where its configuration says.
      const broker = await startMosquittoServer({ hubDir, port: brokerPort });
      stops.push(() => broker.stop());
      const hub = new Hub(hubDir, postgres.connectionString, options.hubServeArgs);
      await hub.start();
      stops.push(() => hub.close());
      const doors: Door[] = [];
      for (const terminalId of terminalIds) {
        // As an installer does it: a certificate and bundle per door, the door registered with the hub.
        const bundlePath = join(workDir, `${terminalId}.bundle.json`);
        hub.cli('enroll-terminal', terminalId, '--out', bundlePath);
        const bundle = JSON.parse(readFileSync(bundlePath, 'utf8')) as TerminalBundle;
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
    await this.hub.close().catch(() => undefined);
    await this.broker.stop().catch(() => undefined);
    await this.postgres.stop().catch(() => undefined);
    rmSync(this.workDir, { recursive: true, force: true });
  }
}
