// The main process's security decisions, as small functions over the few fields they read, so every reject
// path is tested under plain Node (guards.test.ts) without Electron. Only types come from 'electron'.
// Checklist: reference §6.5 (Electron's security tutorial); the renderer is our own code, but it shows data
// (names, webhooks' answers) and a door terminal must not turn one bug in it into control of the door.
import type { Event, HandlerDetails, Session, WebContents, WebPreferences, WindowOpenHandlerResponse } from 'electron';

import { isAppUrl } from './app-origin.js';

/** Where the guards report what they refused. */
export interface GuardLogger {
  warn(message: string, fields: Readonly<Record<string, unknown>>): void;
}

/**
 * The kiosk window's webPreferences: the renderer gets no Node, runs in Chromium's sandbox and reaches the
 * main process only through the preload's bridge. `backgroundThrottling` is off because the door screen is
 * the only window and must keep drawing the live view even when the compositor reports it hidden.
 */
export function hardenedWebPreferences(preloadPath: string, devTools: boolean): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    spellcheck: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    devTools,
    backgroundThrottling: false,
  };
}

// ---- IPC sender ------------------------------------------------------------------------------------------

/** What the sender check reads of a frame (Electron's WebFrameMain has these). */
export interface FrameLike {
  readonly url: string;
  readonly parent: unknown;
  readonly processId: number;
  readonly routingId: number;
  readonly detached?: boolean;
  isDestroyed(): boolean;
}

/** What the sender check reads of an IPC event (IpcMainInvokeEvent, IpcMainEvent). */
export interface IpcEventLike {
  readonly sender: { readonly id: number };
  readonly senderFrame: FrameLike | null;
}

/** What the sender check reads of our window (a BrowserWindow). */
export interface WindowLike {
  isDestroyed(): boolean;
  readonly webContents: { readonly id: number; isDestroyed(): boolean; readonly mainFrame: Pick<FrameLike, 'processId' | 'routingId'> };
}

/** Why a sender was refused, or null when it is trusted; the reason is logged, never sent back. */
export function senderRejection(event: IpcEventLike, window: WindowLike | undefined): string | null {
  if (!window || window.isDestroyed()) return 'no window';
  const contents = window.webContents;
  if (contents.isDestroyed()) return 'window contents destroyed';
  if (event.sender.id !== contents.id) return 'another webContents';
  // senderFrame is null once the frame has navigated away or gone: the call belongs to a page that is no more.
  const frame = event.senderFrame;
  if (!frame) return 'no sender frame';
  if (frame.detached === true || frame.isDestroyed()) return 'sender frame gone';
  // A subframe (an iframe, however it got there) never speaks for the terminal. `parent` alone is not enough:
  // a fenced frame's root has no parent either, so the frame must also be the window's own main frame.
  if (frame.parent !== null && frame.parent !== undefined) return 'subframe';
  if (frame.processId !== contents.mainFrame.processId || frame.routingId !== contents.mainFrame.routingId) return 'not the main frame';
  if (!isAppUrl(frame.url)) return 'foreign origin';
  return null;
}

/** True when an IPC message comes from our window's main frame on our app origin. */
export function isTrustedSender(event: IpcEventLike, window: WindowLike | undefined): boolean {
  return senderRejection(event, window) === null;
}

// ---- navigation and new windows --------------------------------------------------------------------------

/** True when a navigation (or redirect) to `url` may go ahead: only within our app origin. */
export function isNavigationAllowed(url: string): boolean {
  return isAppUrl(url);
}

/** What a navigation guard reads of will-navigate / will-redirect / will-frame-navigate. */
export interface NavigationEventLike {
  readonly url: string;
  preventDefault(): void;
}

/** A will-navigate / will-redirect / will-frame-navigate listener: anything off our origin is stopped. */
export function navigationGuard(logger: GuardLogger, kind: string): (event: NavigationEventLike) => void {
  return (event) => {
    if (isNavigationAllowed(event.url)) return;
    event.preventDefault();
    logger.warn('security.navigation-blocked', { kind, url: event.url.slice(0, 200) });
  };
}

/** setWindowOpenHandler: no page opens another window, whatever it asks for. */
export function denyWindowOpen(logger: GuardLogger): (details: Pick<HandlerDetails, 'url'>) => WindowOpenHandlerResponse {
  return (details) => {
    logger.warn('security.window-open-denied', { url: details.url.slice(0, 200) });
    return { action: 'deny' };
  };
}

/**
 * Guards one webContents (ours, devtools, anything created later): navigation and redirects stay on our
 * origin, no new windows, no <webview> (webviewTag is off already; this is the belt for a contents created
 * with other preferences).
 */
export function guardWebContents(contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>, logger: GuardLogger): void {
  contents.on('will-navigate', navigationGuard(logger, 'navigate'));
  contents.on('will-frame-navigate', navigationGuard(logger, 'frame-navigate'));
  contents.on('will-redirect', navigationGuard(logger, 'redirect'));
  contents.on('will-attach-webview', (event: Event) => {
    event.preventDefault();
    logger.warn('security.webview-denied', {});
  });
  contents.setWindowOpenHandler(denyWindowOpen(logger));
}

// ---- permissions -----------------------------------------------------------------------------------------

type RequestHandler = NonNullable<Parameters<Session['setPermissionRequestHandler']>[0]>;

/** Every permission name Electron's types know of. */
export type PermissionName = Parameters<RequestHandler>[1];

/**
 * Denies every permission request and check, and every device (HID, serial, USB) — Electron grants them
 * all by default. The kiosk needs none: the camera is read by the main process, never by the page.
 */
export function denyAllPermissions(
  session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>,
  logger: GuardLogger,
): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    logger.warn('security.permission-denied', { permission });
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

// ---- response headers ------------------------------------------------------------------------------------

/**
 * Response headers with our Content-Security-Policy added (replacing any the response had), for
 * `session.webRequest.onHeadersReceived`: the app scheme sets the header itself; this covers anything else
 * that reaches the window (devtools' own pages excepted, which are not on http(s)).
 */
export function withContentSecurityPolicy(headers: Readonly<Record<string, string[]>> | undefined, policy: string): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (name.toLowerCase() !== 'content-security-policy') result[name] = value;
  result['Content-Security-Policy'] = [policy];
  return result;
}
