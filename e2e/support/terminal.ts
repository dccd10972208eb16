// A real terminal per test: `lintel serve` as its own process on a fresh data directory and a free port, with
// a file camera whose photos each test chooses. The fixture keeps its own admin session (over HTTP, like any
// browser) to put photos in front of the camera; everything a test checks goes through the UI.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import sharp from 'sharp';

/** The checkout's root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** LFW's dev images beside the checkout: real people for the camera. */
export const LFW_IMAGES = resolve(ROOT, '..', 'shared', 'data', 'lfw-dev', 'images');
const CLI = join(ROOT, 'dist', 'electron', 'cli', 'lintel.js');

/** The admin the fixture creates (tests log in with it through the UI). */
export const ADMIN = { username: 'admin', pin: '2468' } as const;

/** Why the end-to-end tests cannot run here, or undefined when they can. */
export function missingPrerequisite(): string | undefined {
  if (!existsSync(LFW_IMAGES)) return `LFW dev images missing at ${LFW_IMAGES}: the camera needs real faces`;
  if (!existsSync(CLI) || !existsSync(join(ROOT, 'dist', 'renderer', 'index.html'))) return 'the terminal is not built: run npm run build';
  return undefined;
}

/** LFW photo `index` (1-based) of `name`. */
export function lfwPhoto(name: string, index: number): string {
  return join(LFW_IMAGES, name, `${name}_${String(index).padStart(4, '0')}.jpg`);
}

/** Options of a terminal under test. */
export interface TerminalOptions {
  /** Create the fixture's admin before start; default true. False leaves the first-admin setup to the test. */
  readonly withAdmin?: boolean;
  /**
   * The door's liveness mode, set by the fixture's admin; default 'off': LFW's photos cannot turn their heads,
   * so specs about recognition run without the challenge. null keeps a new terminal's own (passive + active).
   */
  readonly livenessMode?: 'off' | 'passive' | 'active' | 'passive+active' | null;
}

/** How a terminal process is started: the headless host, or the Electron kiosk (which then also serves HTTP). */
export type Launcher = (args: { readonly dataDir: string; readonly cameraUri: string }) => Promise<{ readonly process: ChildProcess; readonly origin: string; readonly close?: () => Promise<void> }>;

/**
 * The address a terminal prints on stdout once it serves browsers, within 60 s. Only the address: a pairing
 * address is never printed where a journal keeps it (`TerminalUnderTest.pairingUrl` mints one).
 */
export function originFrom(child: ChildProcess, log: string[]): Promise<string> {
  return new Promise<string>((resolveOrigin, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the terminal printed no address in 60 s:\n${out}\n${log.join('')}`)), 60_000);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /Lintel is serving at (https?:\/\/\S+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveOrigin(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`the terminal exited with ${code}:\n${out}\n${log.join('')}`)));
  });
}

/** `lintel serve` on a free port. */
export const serveLauncher: Launcher = async ({ dataDir, cameraUri }) => {
  const child = spawn(process.execPath, [CLI, 'serve', '--data', dataDir, '--camera', cameraUri, '--port', '0'], {
    env: { ...process.env, LINTEL_CAMERA: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { process: child, origin: await originFrom(child, []) };
};

/** A running terminal. */
export class TerminalUnderTest {
  private cookies = new Map<string, string>();
  private cameraCount = 0;

  private constructor(
    readonly dir: string,
    private readonly process: ChildProcess,
    /** `http://127.0.0.1:<port>`. */
    readonly origin: string,
    private readonly log: string[],
    private readonly closeLaunched?: () => Promise<void>,
  ) {}

  /** The terminal's process id (its memory is read from /proc by the security suite). */
  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Whether the page under test must open the pairing address (a browser) or is the kiosk window already. */
  get opensInBrowser(): boolean {
    return this.closeLaunched === undefined;
  }

  static async start(options: TerminalOptions = {}, launch: Launcher = serveLauncher): Promise<TerminalUnderTest> {
    const dir = mkdtempSync(join(tmpdir(), 'lintel-e2e-'));
    const dataDir = join(dir, 'data');
    if (options.withAdmin ?? true) {
      const created = spawnSync(process.execPath, [CLI, 'admin', 'add', '--data', dataDir, '--username', ADMIN.username, '--pin', ADMIN.pin], { encoding: 'utf8' });
      if (created.status !== 0) throw new Error(`lintel admin add failed: ${created.stderr}`);
    }
    const nobody = join(dir, 'camera-0');
    mkdirSync(nobody);
    // An empty corridor: a plain wall, so the camera is live with no face.
    await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 96, g: 104, b: 112 } } }).jpeg().toFile(join(nobody, 'wall.jpg'));
    const launched = await launch({ dataDir, cameraUri: `file:${nobody}?fps=5` });
    const log: string[] = [];
    launched.process.stderr?.setEncoding('utf8').on('data', (chunk: string) => log.push(chunk));
    const child = launched.process;
    const terminal = new TerminalUnderTest(dir, child, launched.origin, log, launched.close);
    return terminal;
  }

  /** The terminal's data folder. */
  get dataDir(): string {
    return join(this.dir, 'data');
  }

  /**
   * A fresh pairing address (`lintel pair`, as an operator gets one): opening it once, within minutes, gives
   * that browser a device session of its own.
   */
  pairingUrl(): string {
    const minted = spawnSync(process.execPath, [CLI, 'pair', '--data', this.dataDir], { encoding: 'utf8' });
    const address = /^(https?:\/\/\S+\/pair\?token=\S+)$/m.exec(minted.stdout)?.[1];
    if (minted.status !== 0 || !address) throw new Error(`lintel pair failed (${minted.status}): ${minted.stdout}${minted.stderr}`);
    return address;
  }

  /** The fixture's own admin session over HTTP (after the admin exists). */
  async loginAsAdmin(): Promise<void> {
    await this.request(this.pairingUrl().replace(this.origin, ''), 'GET');
    await this.call('admin:login', { username: ADMIN.username, secret: ADMIN.pin });
  }

  /** One contract call as the fixture; throws on a failed Result. */
  async call<T = unknown>(channel: string, request: unknown): Promise<T> {
    const body = await this.request(`/api/call/${channel}`, 'POST', request);
    const result = JSON.parse(body) as { ok: true; value: T } | { ok: false; error: { code: string; message: string } };
    if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`);
    return result.value;
  }

  /**
   * Puts photos in front of the camera: a new camera on a new folder, so every face is a new track and gets
   * its own decision. `photos` are file paths; LFW's 250 px portraits are enlarged to 500 px, a person standing
   * at the door rather than at the far end of the corridor.
   */
  async show(photos: readonly string[], fps = 5): Promise<void> {
    const folder = join(this.dir, `camera-${++this.cameraCount}`);
    mkdirSync(folder);
    await Promise.all(photos.map((photo, index) => sharp(photo).resize({ width: 500 }).jpeg({ quality: 92 }).toFile(join(folder, `${String(index).padStart(3, '0')}.jpg`))));
    await this.call('settings:update', { values: { 'camera.uri': `file:${folder}?fps=${fps}` } });
  }

  /** A folder of frames (a clip made by the test) in front of the camera, at `fps`. */
  async showFolder(folder: string, fps = 10): Promise<void> {
    await this.call('settings:update', { values: { 'camera.uri': `file:${folder}?fps=${fps}` } });
  }

  /** Sets the door's liveness mode (the site's; groups and hours untouched). */
  async setLivenessMode(mode: NonNullable<TerminalOptions['livenessMode']>): Promise<void> {
    const { settings } = await this.call<{ settings: { 'access.policy': { liveness: Record<string, unknown> } & Record<string, unknown> } }>('settings:get', {});
    const policy = settings['access.policy'];
    await this.call('settings:update', { values: { 'access.policy': { ...policy, liveness: { ...policy.liveness, mode } } } });
  }

  /** Nobody in front of the camera. */
  async showNobody(): Promise<void> {
    await this.call('settings:update', { values: { 'camera.uri': `file:${join(this.dir, 'camera-0')}?fps=5` } });
  }

  /** The fixture's cookies as a `cookie` header (its device and admin sessions), for a stream socket of its own. */
  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** What the terminal logged (for a failing test's attachment). */
  logText(): string {
    return this.log.join('');
  }

  async stop(): Promise<void> {
    await this.closeLaunched?.().catch(() => undefined);
    if (this.process.exitCode === null) {
      const exited = new Promise((resolveExit) => this.process.once('exit', resolveExit));
      this.process.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolveTimeout) => setTimeout(resolveTimeout, 10_000))]);
      if (this.process.exitCode === null) this.process.kill('SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async request(path: string, method: 'GET' | 'POST', body?: unknown): Promise<string> {
    const response = await fetch(`${this.origin}${path}`, {
      method,
      redirect: 'manual',
      headers: { cookie: this.cookieHeader(), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair?.indexOf('=') ?? -1;
      if (pair && index > 0) this.cookies.set(pair.slice(0, index), pair.slice(index + 1));
    }
    return response.text();
  }
}
