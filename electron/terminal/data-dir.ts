import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Where the terminal keeps its database, key and outbox: `--data <dir>`, else `LINTEL_DATA_DIR`, else the
 * folder Electron would use for the app's user data (`app.getPath('userData')`), so the kiosk, the headless
 * terminal and the command line share one store.
 */
export function resolveDataDir(explicit?: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (explicit) return resolve(explicit);
  if (env.LINTEL_DATA_DIR) return resolve(env.LINTEL_DATA_DIR);
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Lintel');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Lintel');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Lintel');
}
