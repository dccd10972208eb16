// What the person at the screen reads when the terminal cannot start: the reason, and what to do where we
// know it. Shown in a native dialog before the process exits non-zero (systemd then restarts it).

/** File-system errors that mean the data directory is the problem. */
const STORAGE_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'ENOTDIR']);

/** Title and text of the startup-failure dialog. */
export interface StartupFailure {
  readonly title: string;
  readonly message: string;
}

/** The dialog for an error thrown while starting (opening the store, the window, the renderer). */
export function describeStartupFailure(error: unknown, dataDir: string): StartupFailure {
  const reason = error instanceof Error ? error.message : String(error);
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  const hints: string[] = [];
  if (/NODE_MODULE_VERSION|was compiled against a different Node\.js version/.test(reason)) {
    // better-sqlite3 is not N-API: the copy built for Node cannot load in Electron's Node.
    hints.push('A native module was built for Node.js, not for Electron. Rebuild it for Electron: npx electron-builder install-app-deps');
  } else if (name === 'StoreError' || name === 'SqliteError' || (typeof code === 'string' && STORAGE_CODES.has(code))) {
    hints.push(`The terminal's data is in ${dataDir}. Check that the folder is writable and the disk is not full; lintel doctor says more.`);
  } else if (/renderer is not built|index\.html/.test(reason)) {
    hints.push('Build the kiosk UI: npm run build');
  }
  return { title: 'Lintel cannot start', message: [reason, ...hints].join('\n\n') };
}
