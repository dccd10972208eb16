// Opening the composition root for a test: one place for the options every test passes and for the liveness
// settings photos need (LFW people cannot turn their heads, so tests of recognition alone switch the challenge off).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import sharp from 'sharp';

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
