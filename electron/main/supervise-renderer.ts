// Keeps the kiosk's page alive: a renderer that crashes, is killed (OOM on a 2 GB board) or hangs is
// reloaded with a back-off, and each page change ends the admin session (the new page starts logged out).
// Over the few webContents members it uses, so supervise-renderer.test.ts drives it with a fake.
import type { Event, RenderProcessGoneDetails, WebContents, WebContentsConsoleMessageEventParams, WebContentsDidStartNavigationEventParams } from 'electron';

import { APP_ENTRY_URL } from './app-origin.js';
import { RestartBackoff } from './restart-backoff.js';

/** Where the supervisor reports. */
export interface SupervisorLogger {
  info(message: string, fields: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields: Readonly<Record<string, unknown>>): void;
  error(message: string, fields: Readonly<Record<string, unknown>>): void;
}

/** What the supervisor tells about the page's life (a WindowConnection). */
export interface PageLifeListener {
  pageChanged(): void;
  rendererGone(): void;
}

/** Options of `superviseRenderer`. */
export interface SuperviseOptions {
  readonly contents: Pick<WebContents, 'on' | 'loadURL' | 'isDestroyed' | 'forcefullyCrashRenderer'>;
  readonly connection: PageLifeListener;
  readonly logger: SupervisorLogger;
  readonly backoff?: RestartBackoff;
  /** A page unresponsive this long is crashed on purpose, to be reloaded, ms; default 15 000. */
  readonly hangLimitMs?: number;
  readonly nowMs?: () => number;
}

/** Chromium's net::ERR_ABORTED: a load replaced by another one, not a failure. */
const ERR_ABORTED = -3;

/** Watches the window's webContents; returns the stop (pending reloads are cancelled). */
export function superviseRenderer(options: SuperviseOptions): () => void {
  const { contents, connection, logger } = options;
  const backoff = options.backoff ?? new RestartBackoff();
  const nowMs = options.nowMs ?? Date.now;
  let reloadTimer: NodeJS.Timeout | undefined;
  let hangTimer: NodeJS.Timeout | undefined;

  const reloadLater = (why: string): void => {
    if (reloadTimer) return;
    const delayMs = backoff.nextDelayMs(nowMs());
    logger.info('renderer.reload-scheduled', { why, delayMs, crashesInRow: backoff.crashCount });
    reloadTimer = setTimeout(() => {
      reloadTimer = undefined;
      if (contents.isDestroyed()) return;
      contents.loadURL(APP_ENTRY_URL).catch((error: Error) => logger.error('renderer.reload-failed', { error: error.message }));
    }, delayMs);
  };

  contents.on('did-start-navigation', (details: Event<WebContentsDidStartNavigationEventParams>) => {
    if (details.isMainFrame && !details.isSameDocument) connection.pageChanged();
  });
  contents.on('render-process-gone', (_event: Event, details: RenderProcessGoneDetails) => {
    clearTimeout(hangTimer);
    hangTimer = undefined;
    connection.rendererGone();
    logger.error('renderer.gone', { reason: details.reason, exitCode: details.exitCode });
    reloadLater(`renderer ${details.reason}`);
  });
  contents.on('did-fail-load', (_event: Event, errorCode: number, errorDescription: string, validatedURL: string, isMainFrame: boolean) => {
    if (!isMainFrame || errorCode === ERR_ABORTED) return;
    logger.error('renderer.load-failed', { errorCode, errorDescription, url: validatedURL.slice(0, 200) });
    reloadLater('load failed');
  });
  contents.on('unresponsive', () => {
    logger.warn('renderer.unresponsive', { hangLimitMs: options.hangLimitMs ?? 15_000 });
    hangTimer ??= setTimeout(() => {
      hangTimer = undefined;
      if (contents.isDestroyed()) return;
      logger.error('renderer.hung', { hangLimitMs: options.hangLimitMs ?? 15_000 });
      // Ends in render-process-gone, which reloads.
      contents.forcefullyCrashRenderer();
    }, options.hangLimitMs ?? 15_000);
  });
  contents.on('responsive', () => {
    clearTimeout(hangTimer);
    hangTimer = undefined;
  });
  contents.on('preload-error', (_event: Event, preloadPath: string, error: Error) => {
    // Without the preload the page has no bridge and cannot reach the terminal: worth a loud line.
    logger.error('renderer.preload-failed', { preloadPath, error: error.message });
  });
  contents.on('console-message', (details: Event<WebContentsConsoleMessageEventParams>) => {
    if (details.level === 'warning' || details.level === 'error') {
      logger.warn('renderer.console', { level: details.level, message: details.message.slice(0, 500), source: details.sourceId.slice(0, 200), line: details.lineNumber });
    }
  });
  return () => {
    clearTimeout(reloadTimer);
    clearTimeout(hangTimer);
    reloadTimer = undefined;
    hangTimer = undefined;
  };
}
