// The Electron main process: the composition root of the kiosk. Starts the terminal (TerminalApp), serves
// the renderer on the app scheme, opens the hardened kiosk window and connects it over IPC. Everything with
// a decision in it lives in the small modules beside this one, tested without Electron; this file wires them.
import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { app, dialog, ipcMain, Menu, powerSaveBlocker, protocol, session, type BrowserWindow } from 'electron';

// First: its side effects (scheme privileges, sandbox, GPU switch) must run before `ready`.
import { startup } from './before-ready.js';

import { demoCameraUri, productVersion } from '../host/headless.js';
import { CONTENT_SECURITY_POLICY, startHttpHost, type HttpHost } from '../host/http-host.js';
import { recordServedOrigin } from '../host/served-origin.js';
import { jsonLinesLogger } from '../terminal/app/json-logger.js';
import { TerminalApp } from '../terminal/app/terminal-app.js';
import { packageRoot } from '../vision/models/paths.js';
import { APP_ENTRY_URL, APP_SCHEME } from './app-origin.js';
import { downloadTarget } from './download-policy.js';
import { denyAllPermissions, guardWebContents, withContentSecurityPolicy } from './guards.js';
import { connectWindow, type WindowConnection } from './ipc.js';
import type { MainConfig } from './main-config.js';
import { serveRendererRequest } from './renderer-protocol.js';
import { quitGuard } from './shutdown.js';
import { describeStartupFailure } from './startup-failure.js';
import { superviseRenderer } from './supervise-renderer.js';
import { createKioskWindow } from './window.js';

const logger = jsonLinesLogger();

const { config, configError } = startup;

let terminal: TerminalApp | undefined;
let window: BrowserWindow | undefined;
let connection: WindowConnection | undefined;
let stopSupervisor: (() => void) | undefined;
let browserHost: HttpHost | undefined;

/** Shows why the terminal cannot start and exits non-zero (systemd restarts the kiosk). */
function failStartup(error: unknown): void {
  const { title, message } = describeStartupFailure(error, config?.dataDir ?? '(unknown)');
  logger.error('app.start-failed', { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  // Synchronous; before `ready` on Linux it prints to stderr instead.
  dialog.showErrorBox(title, message);
  const closing = terminal?.close() ?? Promise.resolve();
  terminal = undefined;
  void closing.catch(() => undefined).finally(() => app.exit(1));
}

/**
 * Hardens the session every window uses: permissions, CSP on anything not served by the app scheme, downloads
 * without a Save dialog; and serves the renderer on the app scheme.
 */
function hardenDefaultSession(dataDir: string): void {
  const defaultSession = session.defaultSession;
  denyAllPermissions(defaultSession, logger);
  defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders, CONTENT_SECURITY_POLICY) });
  });
  defaultSession.on('will-download', (event, item) => {
    const target = downloadTarget(join(dataDir, 'exports'), item.getURL(), item.getFilename());
    if (target === null) {
      event.preventDefault();
      logger.warn('security.download-refused', { url: item.getURL().slice(0, 200) });
      return;
    }
    mkdirSync(dirname(target), { recursive: true });
    item.setSavePath(target);
    item.once('done', (_doneEvent, state) => logger.info('download.done', { path: target, state }));
  });
  const rendererDir = join(packageRoot(), 'dist', 'renderer');
  if (!existsSync(join(rendererDir, 'index.html'))) throw new Error(`the renderer is not built: ${join(rendererDir, 'index.html')} is missing`);
  protocol.handle(APP_SCHEME, (request) =>
    serveRendererRequest(request, { rootDir: rendererDir, contentSecurityPolicy: CONTENT_SECURITY_POLICY, readFile: (path) => readFile(path) }),
  );
}

async function start(startConfig: MainConfig): Promise<void> {
  Menu.setApplicationMenu(null);
  hardenDefaultSession(startConfig.dataDir);
  terminal = await TerminalApp.open({
    dataDir: startConfig.dataDir,
    defaultCameraUri: startConfig.cameraUri ?? demoCameraUri(),
    logger,
    version: productVersion(),
    ...(startConfig.npu ? { npu: startConfig.npu } : {}),
    ...(startConfig.manifestPath ? { manifestPath: startConfig.manifestPath } : {}),
    validateResponses: !startConfig.production,
    ...(startConfig.challengeSeed !== undefined ? { challengeSeed: startConfig.challengeSeed } : {}),
    ...(startConfig.hub ? { hub: startConfig.hub } : {}),
  });
  const preloadPath = join(dirname(fileURLToPath(import.meta.url)), '..', 'preload', 'preload.cjs');
  const kioskWindow = createKioskWindow({ preloadPath, production: startConfig.production });
  window = kioskWindow;
  const windowConnection = connectWindow({ ipcMain, window: kioskWindow, terminal, logger });
  connection = windowConnection;
  stopSupervisor = superviseRenderer({ contents: kioskWindow.webContents, connection: windowConnection, logger });
  kioskWindow.on('closed', () => {
    stopSupervisor?.();
    windowConnection.close();
    window = undefined;
  });
  if (startConfig.browserHost) {
    browserHost = await startHttpHost({ app: terminal, rendererDir: join(packageRoot(), 'dist', 'renderer'), ...startConfig.browserHost });
    // Where only: a pairing address in stdout would land in the journal. `lintel pair` mints one.
    process.stdout.write(`Lintel is serving at ${browserHost.origin}\n`);
    recordServedOrigin(startConfig.dataDir, browserHost.origin);
  }
  if (startConfig.production) powerSaveBlocker.start('prevent-display-sleep');
  // A failed load is not a failed start: the supervisor logs did-fail-load and loads again with its back-off.
  await kioskWindow.loadURL(APP_ENTRY_URL).catch(() => undefined);
  logger.info('app.started', { dataDir: startConfig.dataDir, production: startConfig.production, version: productVersion() });
}

if (!app.requestSingleInstanceLock()) {
  // Another kiosk runs already; it was told (second-instance) and shows itself.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!window || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  });
  // Every webContents, ours and any other (devtools), gets the navigation, window-open and webview guards.
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, logger));
  app.on('child-process-gone', (_event, details) => {
    logger.warn('app.child-process-gone', { type: details.type, reason: details.reason, exitCode: details.exitCode, name: details.name });
  });
  app.on('window-all-closed', () => app.quit());
  app.on(
    'will-quit',
    quitGuard({
      close: async () => {
        connection?.close();
        await browserHost?.close();
        await terminal?.close();
      },
      exit: (code) => app.exit(code),
      logger,
    }),
  );
  // systemd stops the kiosk with SIGTERM; quit through will-quit so the store closes cleanly.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => app.quit());

  app
    .whenReady()
    .then(async () => {
      if (!config) throw configError;
      await start(config);
    })
    .catch(failStartup);
}
