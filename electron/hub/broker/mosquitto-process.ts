// Mosquitto run by the hub itself (`lintel hub serve --broker`), by the development script and by tests: the
// site's generated configuration, a log file, SIGHUP to re-read the ACL and CRL after a revocation.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { HubConfig, HubPaths } from '../pki/hub-folder.js';
import { writeMosquittoFiles, type MosquittoFiles } from './mosquitto-config.js';

/** Where Debian installs the broker; /usr/sbin is not on every PATH. */
const DEBIAN_MOSQUITTO = '/usr/sbin/mosquitto';

/** The mosquitto binary, or null when it is not installed. */
export function findMosquitto(): string | null {
  const which = spawnSync('sh', ['-c', 'command -v mosquitto'], { encoding: 'utf8' });
  const onPath = which.status === 0 ? which.stdout.trim() : '';
  if (onPath) return onPath;
  return existsSync(DEBIAN_MOSQUITTO) ? DEBIAN_MOSQUITTO : null;
}

/** Options of `MosquittoProcess.start`. */
export interface MosquittoProcessOptions {
  readonly paths: HubPaths;
  readonly config: HubConfig;
  /** Listen here instead of the config's port (tests: a free port). */
  readonly port?: number;
  /** Terminals whose revoked certificates the ACL also denies (for connections opened before the revocation). */
  readonly deniedTerminalIds?: readonly string[];
  /** Default `findMosquitto()`. */
  readonly binary?: string;
  /** Time allowed to start listening or to re-read the configuration, ms; default 15 000. */
  readonly timeoutMs?: number;
}

/** A running broker. */
export class MosquittoProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> = Promise.resolve(null);
  private denied: readonly string[];
  private files: MosquittoFiles;

  private constructor(
    private readonly options: MosquittoProcessOptions,
    private readonly binary: string,
    readonly port: number,
    /** The broker's log (its stderr), appended across restarts. */
    readonly logPath: string,
  ) {
    this.denied = options.deniedTerminalIds ?? [];
    this.files = writeMosquittoFiles(options.paths, options.config, { port, deniedTerminalIds: this.denied });
  }

  /** Writes the configuration and starts the broker; rejects with its log when it exits or does not listen in time. */
  static async start(options: MosquittoProcessOptions): Promise<MosquittoProcess> {
    const binary = options.binary ?? findMosquitto();
    if (!binary) throw new Error('mosquitto is not installed (on Debian: apt-get install -y mosquitto)');
    const broker = new MosquittoProcess(options, binary, options.port ?? options.config.broker.port, join(options.paths.mosquittoDir, 'mosquitto.log'));
    await broker.spawn();
    return broker;
  }

  /** Stops the broker (SIGTERM: it saves retained messages and sessions) and starts it again on the same port. */
  async restart(): Promise<void> {
    await this.halt();
    this.files = writeMosquittoFiles(this.options.paths, this.options.config, { port: this.port, deniedTerminalIds: this.denied });
    await this.spawn();
  }

  /**
   * Rewrites the ACL (denying `deniedTerminalIds`) and sends SIGHUP: Mosquitto re-reads its ACL and CRL, so a
   * revoked terminal can neither reconnect nor publish on a connection it already had.
   */
  async reload(deniedTerminalIds: readonly string[] = this.denied): Promise<void> {
    this.denied = deniedTerminalIds;
    this.files = writeMosquittoFiles(this.options.paths, this.options.config, { port: this.port, deniedTerminalIds: this.denied });
    const before = this.readLog().length;
    this.child?.kill('SIGHUP');
    await this.waitForLog(before, 'Reloading config', 'reload');
    // The log line comes before the files are re-read; one turn of the broker's loop finishes it.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  /** Stops the broker. */
  async stop(): Promise<void> {
    await this.halt();
  }

  /** The broker's exit, for a supervisor: resolves with its exit code when it stops by itself or is stopped. */
  get exitedPromise(): Promise<number | null> {
    return this.exited;
  }

  private async spawn(): Promise<void> {
    const before = this.readLog().length;
    const logFd = openSync(this.logPath, 'a');
    let child: ChildProcess;
    try {
      child = spawn(this.binary, ['-c', this.files.configPath], { stdio: ['ignore', logFd, logFd] });
    } finally {
      closeSync(logFd);
    }
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await this.waitForLog(before, ' running', 'start');
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  private async halt(): Promise<void> {
    const running = this.child;
    this.child = null;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }

  private readLog(): string {
    return existsSync(this.logPath) ? readFileSync(this.logPath, 'utf8') : '';
  }

  private async waitForLog(fromOffset: number, text: string, what: string): Promise<void> {
    const timeoutMs = this.options.timeoutMs ?? 15_000;
    const deadline = Date.now() + timeoutMs;
    const child = this.child;
    for (;;) {
      const log = this.readLog().slice(fromOffset);
      if (log.includes(text)) return;
      if (!child || child.exitCode !== null || child.signalCode !== null) throw new Error(`mosquitto exited during ${what} (code ${child?.exitCode ?? child?.signalCode}):\n${log}`);
      if (Date.now() > deadline) throw new Error(`mosquitto did not ${what} within ${timeoutMs} ms on port ${this.port}:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
