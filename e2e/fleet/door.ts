// One door of the fleet under test: a real `lintel serve --hub <bundle>` with its own SQLite file, file camera and
// certificate, reaching the broker through a TcpLink the suite can cut.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

import type { TerminalBundle } from '../../electron/shared/fleet/index.js';
import { originFrom, ROOT, TerminalUnderTest, type Launcher } from '../support/terminal.js';
import { TcpLink } from './tcp-link.js';

const CLI = join(ROOT, 'dist', 'electron', 'cli', 'lintel.js');

/** A decision as `decisions:recent` answers it (the fields the suite reads). */
export interface DoorDecision {
  readonly decision: 'granted' | 'denied';
  readonly reason: string;
  readonly decidedAtMs: number;
  readonly person?: { readonly id: string; readonly name: string } | null;
}

/** A door of the site. */
export class Door {
  private constructor(
    readonly terminalId: string,
    readonly terminal: TerminalUnderTest,
    /** The door's network link to the broker. */
    readonly link: TcpLink,
    readonly bundlePath: string,
  ) {}

  /**
   * Starts terminal `bundle.terminalId`: its bundle rewritten to reach the broker through a relay of its own, an
   * admin session for the suite, no liveness challenge (LFW's stills cannot turn their heads) and no cooldown.
   */
  static async start(bundle: TerminalBundle, brokerPort: number, workDir: string): Promise<Door> {
    const link = await TcpLink.start(brokerPort);
    const folder = join(workDir, bundle.terminalId);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const bundlePath = join(folder, 'bundle.json');
    writeFileSync(bundlePath, JSON.stringify({ ...bundle, brokerUrl: `mqtts://127.0.0.1:${link.port}` }), { mode: 0o600 });
    chmodSync(bundlePath, 0o600);
    const launcher: Launcher = async ({ dataDir, cameraUri }) => {
      const child = spawn(process.execPath, [CLI, 'serve', '--data', dataDir, '--camera', cameraUri, '--port', '0', '--hub', bundlePath], {
        env: { ...process.env, LINTEL_CAMERA: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      return { process: child, origin: await originFrom(child, []) };
    };
    const terminal = await TerminalUnderTest.start({}, launcher);
    try {
      await terminal.loginAsAdmin();
      const { settings } = await terminal.call<{ settings: { 'access.policy': { liveness: Record<string, unknown> } & Record<string, unknown> } }>('settings:get', {});
      const policy = settings['access.policy'];
      await terminal.call('settings:update', { values: { 'access.policy': { ...policy, cooldownMs: 0, liveness: { ...policy.liveness, mode: 'off' } } } });
    } catch (error) {
      await terminal.stop();
      await link.close();
      throw error;
    }
    return new Door(bundle.terminalId, terminal, link, bundlePath);
  }

  /** The newest decisions, newest first. */
  async decisions(limit = 20): Promise<DoorDecision[]> {
    return this.terminal.call<DoorDecision[]>('decisions:recent', { limit });
  }

  /**
   * Shows `photos` to the camera and waits for the first decision after now about a face (not the empty corridor);
   * fails after `timeoutMs`.
   */
  async decide(photos: readonly string[], timeoutMs = 60_000): Promise<DoorDecision> {
    const sinceMs = Date.now();
    await this.terminal.show(photos);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const decision = (await this.decisions(5)).find((candidate) => candidate.decidedAtMs >= sinceMs);
      if (decision) {
        await this.terminal.showNobody();
        return decision;
      }
      if (Date.now() > deadline) throw new Error(`${this.terminalId} made no decision within ${timeoutMs} ms:\n${this.terminal.logText().slice(-4000)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** The person `id` in this door's store, or null. */
  async person(id: string): Promise<{ id: string; name: string; enabled: boolean } | null> {
    try {
      return await this.terminal.call('persons:get', { id });
    } catch (error) {
      if (/not-found/.test((error as Error).message)) return null;
      throw error;
    }
  }

  /** This door's access log since `fromMs`, oldest first. */
  async events(fromMs: number): Promise<{ id: number; atMs: number; decision: string; reason: string; personId: string | null }[]> {
    const page = await this.terminal.call<{ events: { id: number; atMs: number; decision: string; reason: string; personId: string | null }[] }>('events:query', { fromMs, limit: 500 });
    return page.events.reverse();
  }

  async stop(): Promise<void> {
    await this.terminal.stop();
    await this.link.close();
  }
}
