// Where a running terminal serves browsers, written beside its data so `lintel pair` (another process) can
// print a whole pairing address. The address is no secret; the pairing code is, and it is never written here.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file in the data folder holding the browser host's origin while it runs. */
export const ORIGIN_FILE_NAME = 'http-origin';

/** Records `origin` (`http://127.0.0.1:7300`) for `lintel pair`; replaced whole, never half-written. */
export function recordServedOrigin(dataDir: string, origin: string): void {
  const path = join(dataDir, ORIGIN_FILE_NAME);
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, `${origin}\n`, { mode: 0o644 });
  renameSync(temp, path);
}

/** Removes the record when the host stops (a stale one would name a port nobody listens on). */
export function forgetServedOrigin(dataDir: string, origin: string): void {
  if (servedOrigin(dataDir) === origin) rmSync(join(dataDir, ORIGIN_FILE_NAME), { force: true });
}

/** The origin a running terminal recorded, or undefined. */
export function servedOrigin(dataDir: string): string | undefined {
  try {
    const text = readFileSync(join(dataDir, ORIGIN_FILE_NAME), 'utf8').trim();
    return /^https?:\/\/\S+$/.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}
