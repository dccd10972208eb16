// Opening the composition root for a test: one place for the options every test passes and for the liveness
// settings photos need (LFW people cannot turn their heads, so tests of recognition alone switch the challenge off).
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';

import sharp from 'sharp';

import type { Session } from '../../../shared/contract/handler.js';
import type { Result } from '../../../shared/contract/result.js';
import type { Settings } from '../../../shared/shapes/settings.js';
import { TerminalApp, type AppLogger, type TerminalAppOptions } from '../terminal-app.js';

/** A logger that keeps nothing. */
export const quietLogger: AppLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** The door's liveness settings (the access policy's `liveness`). */
export type LivenessSettings = Settings['access.policy']['liveness'];

/** Options of openTestApp: TerminalApp's, with a quiet logger, version 0.0.0-test and checked responses by default. */
export type TestAppOptions = Omit<TerminalAppOptions, 'logger' | 'version'> & Partial<Pick<TerminalAppOptions, 'logger' | 'version'>> & {
  /** Liveness settings applied once open, e.g. `{ mode: 'off' }` for photos; default: the new terminal's own. */
  readonly liveness?: Partial<LivenessSettings>;
};

/** Opens a TerminalApp for a test. */
export async function openTestApp(options: TestAppOptions): Promise<TerminalApp> {
  const { liveness, ...appOptions } = options;
  const app = await TerminalApp.open({ logger: quietLogger, version: '0.0.0-test', validateResponses: true, ...appOptions });
  try {
    if (liveness) await setLiveness(app, liveness);
  } catch (error) {
    await app.close();
    throw error;
  }
  return app;
}

/** Changes the door's liveness settings, keeping the rest of the access policy. */
export async function setLiveness(app: TerminalApp, values: Partial<LivenessSettings>): Promise<void> {
  const policy = app.store.settings.get('access.policy');
  await app.updateSettings({ 'access.policy': { ...policy, liveness: { ...policy.liveness, ...values } } });
}

/**
 * An empty corridor for a file camera: `<parentDir>/wall` holding one plain grey 640 × 480 photo, so the camera
 * is live with no face. Returns the camera's URI at 5 fps.
 */
export async function makeWallCamera(parentDir: string): Promise<string> {
  const wall = join(parentDir, 'wall');
  await mkdir(wall);
  await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 96, g: 104, b: 112 } } }).jpeg().toFile(join(wall, 'wall.jpg'));
  return `file:${wall}?fps=5`;
}

/** What `adminTestApp` gives a describe block; read the fields inside tests (they are set before them). */
export interface AdminTestApp {
  readonly app: TerminalApp;
  /** The test's own folder: the terminal's data is in `data` below it. */
  readonly dir: string;
  readonly admin: Session;
  /** A contract call as the signed-in administrator (or as `session`), from the terminal's own window. */
  call<T>(channel: string, request: unknown, session?: Session | undefined): Promise<Result<T>>;
}

/**
 * A terminal without a camera for the tests of one describe block, with an administrator signed in: opened in a
 * fresh folder before them, closed and removed after them.
 */
export function adminTestApp(folderPrefix: string, options: Partial<TestAppOptions> = {}): AdminTestApp {
  let app: TerminalApp | undefined;
  let dir = '';
  let admin: Session | undefined;
  let token = '';
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), folderPrefix));
    app = await openTestApp({ dataDir: join(dir, 'data'), defaultCameraUri: `file:${join(dir, 'no-camera')}`, ...options });
    ({ session: admin, token } = app.sessions.issue('admin', 'ann', 60_000));
  });
  after(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const opened = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the test terminal is not open: use it inside a test');
    return value;
  };
  return {
    get app() {
      return opened(app);
    },
    get dir() {
      return dir;
    },
    get admin() {
      return opened(admin);
    },
    async call<T>(channel: string, request: unknown, session: Session | undefined = opened(admin)): Promise<Result<T>> {
      return (await opened(app).handle(channel, request, { senderOk: true, session, sessionToken: token })) as Result<T>;
    },
  };
}
