// Where the browsers are: Debian's Chromium (Playwright's own download does not work here), and Electron's
// binary when it was installed.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

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

/** The Electron binary, or undefined where it was not downloaded (ELECTRON_SKIP_BINARY_DOWNLOAD). */
export function electronBinary(): string | undefined {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}
