// Part of `npm ci` (postinstall): Electron's binary, fetched once at install time so that `npm start` never
// downloads anything. Electron 45's package has no install script of its own; it would download at the first
// `require('electron')` instead. Where Electron's releases cannot be reached (or ELECTRON_SKIP_BINARY_DOWNLOAD is
// set) the install still succeeds: `npm start` then runs the terminal headless and says how to add the kiosk.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { findElectron, INSTALL_ELECTRON_HINT } from './start.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** What the step did, in one line. */
export function fetchElectron(root: string, env: NodeJS.ProcessEnv, timeoutMs = 10 * 60_000): string {
  const installScript = join(root, 'node_modules', 'electron', 'install.js');
  if (!existsSync(installScript)) return 'Electron: not installed (no electron package)';
  if (findElectron(root, env)) return 'Electron: binary present';
  if (env.ELECTRON_SKIP_BINARY_DOWNLOAD) return `Electron: binary not fetched (ELECTRON_SKIP_BINARY_DOWNLOAD); npm start runs headless, \`${INSTALL_ELECTRON_HINT}\` adds the kiosk`;
  // Electron's own installer: it checks the download against the package's checksums.json.
  const run = spawnSync(process.execPath, [installScript], { cwd: root, env, encoding: 'utf8', timeout: timeoutMs });
  if (run.status === 0 && findElectron(root, env)) return 'Electron: binary installed';
  const why = run.error?.message ?? (run.stderr.trim().split('\n')[0] || `exit ${run.status}`);
  return `Electron: binary not fetched (${why}); npm start runs headless, \`${INSTALL_ELECTRON_HINT}\` adds the kiosk`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(fetchElectron(ROOT, process.env));
}
