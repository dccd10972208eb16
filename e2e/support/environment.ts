// Where the browsers are: Debian's Chromium (Playwright's own download does not work here), and Electron's
// binary when it was installed.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Flags for Chromium in a container as root: no sandbox, no GPU, and none of the background connections that
 * a closed network refuses one by one.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
] as const;

/** The Chromium to drive: LINTEL_CHROMIUM, else Debian's. */
export function chromiumPath(): string {
  const path = process.env.LINTEL_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(path)) throw new Error(`no Chromium at ${path}: install Debian's chromium package (apt-get install chromium) or set LINTEL_CHROMIUM`);
  return path;
}

/**
 * The Electron binary, or undefined where it was not downloaded (ELECTRON_SKIP_BINARY_DOWNLOAD). Read from the
 * package's path.txt rather than `require('electron')`, which tries to download a missing binary.
 */
export function electronBinary(): string | undefined {
  try {
    const packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
    const executable = readFileSync(join(packageDir, 'path.txt'), 'utf8').trim();
    const path = override ? join(override, executable) : join(packageDir, 'dist', executable);
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}
