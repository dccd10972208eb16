import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, test } from 'node:test';

import type { WebContents } from 'electron';

import { APP_ENTRY_URL, APP_ORIGIN, isAppUrl } from './app-origin.js';
import {
  denyAllPermissions,
  denyWindowOpen,
  guardWebContents,
  hardenedWebPreferences,
  isNavigationAllowed,
  isTrustedSender,
  navigationGuard,
  senderRejection,
  withContentSecurityPolicy,
  type FrameLike,
  type IpcEventLike,
  type PermissionName,
  type WindowLike,
} from './guards.js';
import { memoryLogger } from './test/fakes.js';

function frame(overrides: Partial<FrameLike> & { destroyed?: boolean } = {}): FrameLike {
  const { destroyed = false, ...rest } = overrides;
  return { url: `${APP_ORIGIN}/index.html`, parent: null, processId: 7, routingId: 1, detached: false, isDestroyed: () => destroyed, ...rest };
}

function window(overrides: { destroyed?: boolean; contentsDestroyed?: boolean; id?: number } = {}): WindowLike {
  return {
    isDestroyed: () => overrides.destroyed ?? false,
    webContents: { id: overrides.id ?? 3, isDestroyed: () => overrides.contentsDestroyed ?? false, mainFrame: { processId: 7, routingId: 1 } },
  };
}

const event = (senderFrame: FrameLike | null, senderId = 3): IpcEventLike => ({ sender: { id: senderId }, senderFrame });

describe('app origin', () => {
  test('only app://lintel is ours', () => {
    assert.equal(isAppUrl(APP_ENTRY_URL), true);
    assert.equal(isAppUrl('app://lintel/assets/index.js'), true);
    for (const url of ['app://lintel.evil/', 'app://lintel@evil/', 'app://x@lintel/', 'app://lintel:8080/', 'app://other/', 'http://lintel/', 'https://lintel/', 'file:///lintel/index.html', '', 'not a url']) {
      assert.equal(isAppUrl(url), false, url);
    }
    assert.equal(isAppUrl(undefined), false);
    assert.equal(isAppUrl(null), false);
  });
});

describe('IPC sender', () => {
  test('our window main frame on our origin is trusted', () => {
    assert.equal(senderRejection(event(frame()), window()), null);
    assert.equal(isTrustedSender(event(frame()), window()), true);
  });

  test('a sender frame from another origin is refused', () => {
    for (const url of ['http://evil.example/', 'https://lintel.example/', 'file:///etc/passwd', 'app://evil/', 'about:blank', 'data:text/html,hi']) {
      assert.equal(senderRejection(event(frame({ url })), window()), 'foreign origin', url);
    }
  });

  test('a subframe is refused, even on our origin', () => {
    assert.equal(senderRejection(event(frame({ parent: frame() })), window()), 'subframe');
  });

  test('a frame without a parent that is not the main frame (a fenced frame) is refused', () => {
    assert.equal(senderRejection(event(frame({ routingId: 99 })), window()), 'not the main frame');
    assert.equal(senderRejection(event(frame({ processId: 8 })), window()), 'not the main frame');
  });

  test('a missing sender frame (navigated away, gone) is refused', () => {
    assert.equal(senderRejection(event(null), window()), 'no sender frame');
  });

  test('a detached or destroyed frame is refused', () => {
    assert.equal(senderRejection(event(frame({ detached: true })), window()), 'sender frame gone');
    assert.equal(senderRejection(event(frame({ destroyed: true })), window()), 'sender frame gone');
  });

  test('a destroyed window, destroyed contents or no window refuse everything', () => {
    assert.equal(senderRejection(event(frame()), window({ destroyed: true })), 'no window');
    assert.equal(senderRejection(event(frame()), window({ contentsDestroyed: true })), 'window contents destroyed');
    assert.equal(senderRejection(event(frame()), undefined), 'no window');
  });

  test('another webContents is refused', () => {
    assert.equal(senderRejection(event(frame(), 4), window()), 'another webContents');
  });
});

describe('navigation', () => {
  test('only our origin may be navigated to', () => {
    assert.equal(isNavigationAllowed('app://lintel/index.html#/admin'), true);
    for (const url of ['http://evil', 'https://evil.example/login', 'javascript:alert(1)', 'file:///etc/passwd', 'data:text/html,<script>', 'about:blank', 'app://lintel.evil/', 'devtools://devtools/bundled/inspector.html']) {
      assert.equal(isNavigationAllowed(url), false, url);
    }
  });

  test('the guard prevents a foreign navigation and logs it, and lets ours through', () => {
    const logger = memoryLogger();
    const guard = navigationGuard(logger, 'navigate');
    let prevented = 0;
    guard({ url: 'http://evil/', preventDefault: () => void prevented++ });
    guard({ url: 'javascript:alert(1)', preventDefault: () => void prevented++ });
    guard({ url: 'file:///etc/passwd', preventDefault: () => void prevented++ });
    assert.equal(prevented, 3);
    guard({ url: 'app://lintel/index.html', preventDefault: () => void prevented++ });
    assert.equal(prevented, 3);
    assert.deepEqual(
      logger.lines.map((line) => line.fields.url),
      ['http://evil/', 'javascript:alert(1)', 'file:///etc/passwd'],
    );
  });

  test('window.open is denied, whatever the URL', () => {
    const logger = memoryLogger();
    const handler = denyWindowOpen(logger);
    assert.deepEqual(handler({ url: 'https://evil.example/' }), { action: 'deny' });
    assert.deepEqual(handler({ url: APP_ENTRY_URL }), { action: 'deny' });
    assert.equal(logger.lines.length, 2);
  });

  test('guardWebContents wires navigate, frame-navigate, redirect, webview and window.open', () => {
    const contents = new EventEmitter() as EventEmitter & { windowOpenHandler?: (details: { url: string }) => unknown };
    const fake = Object.assign(contents, {
      setWindowOpenHandler(handler: (details: { url: string }) => unknown) {
        contents.windowOpenHandler = handler;
      },
    });
    guardWebContents(fake as unknown as Pick<WebContents, 'on' | 'setWindowOpenHandler'>, memoryLogger());
    for (const name of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      let prevented = false;
      contents.emit(name, { url: 'http://evil/', preventDefault: () => (prevented = true) });
      assert.equal(prevented, true, name);
      let ours = false;
      contents.emit(name, { url: APP_ENTRY_URL, preventDefault: () => (ours = true) });
      assert.equal(ours, false, name);
    }
    let webviewPrevented = false;
    contents.emit('will-attach-webview', { preventDefault: () => (webviewPrevented = true) }, {}, { src: 'https://evil/' });
    assert.equal(webviewPrevented, true);
    assert.deepEqual(contents.windowOpenHandler?.({ url: 'https://evil/' }), { action: 'deny' });
  });
});

/** Every permission name of Electron 45's types; the type below fails to compile when one is missing. */
const ALL_PERMISSIONS = [
  'ar',
  'automatic-fullscreen',
  'background-fetch',
  'background-sync',
  'captured-surface-control',
  'clipboard-read',
  'clipboard-sanitized-write',
  'deprecated-sync-clipboard-read',
  'display-capture',
  'fileSystem',
  'fullscreen',
  'geolocation',
  'geolocation-approximate',
  'hand-tracking',
  'hid',
  'idle-detection',
  'keyboardLock',
  'local-fonts',
  'local-network',
  'local-network-access',
  'loopback-network',
  'media',
  'mediaKeySystem',
  'midi',
  'midiSysex',
  'nfc',
  'notifications',
  'openExternal',
  'payment-handler',
  'periodic-background-sync',
  'persistent-storage',
  'pointerLock',
  'screen-wake-lock',
  'sensors',
  'serial',
  'smart-card',
  'speaker-selection',
  'storage-access',
  'system-wake-lock',
  'top-level-storage-access',
  'usb',
  'vr',
  'web-app-installation',
  'web-printing',
  'window-management',
  'unknown',
] as const satisfies readonly PermissionName[];
type MissingPermission = Exclude<PermissionName, (typeof ALL_PERMISSIONS)[number]>;
const everyPermissionListed: [MissingPermission] extends [never] ? true : MissingPermission = true;

describe('permissions', () => {
  type RequestHandler = (contents: unknown, permission: PermissionName, callback: (granted: boolean) => void, details: unknown) => void;
  type CheckHandler = (contents: unknown, permission: PermissionName, origin: string, details: unknown) => boolean;
  type DeviceHandler = (details: { deviceType: string; origin: string }) => boolean;

  function hardenedSession() {
    const handlers: { request?: RequestHandler; check?: CheckHandler; device?: DeviceHandler } = {};
    const session = {
      setPermissionRequestHandler: (handler: RequestHandler | null) => void (handlers.request = handler ?? undefined),
      setPermissionCheckHandler: (handler: CheckHandler | null) => void (handlers.check = handler ?? undefined),
      setDevicePermissionHandler: (handler: DeviceHandler | null) => void (handlers.device = handler ?? undefined),
    };
    const logger = memoryLogger();
    denyAllPermissions(session as unknown as Parameters<typeof denyAllPermissions>[0], logger);
    return { handlers, logger };
  }

  test('every permission request is denied, from our origin too', () => {
    assert.equal(everyPermissionListed, true);
    const { handlers, logger } = hardenedSession();
    assert.ok(handlers.request);
    for (const permission of ALL_PERMISSIONS) {
      const answers: boolean[] = [];
      handlers.request({}, permission, (granted) => answers.push(granted), { requestingUrl: APP_ENTRY_URL });
      assert.deepEqual(answers, [false], permission);
    }
    assert.equal(logger.lines.length, ALL_PERMISSIONS.length);
  });

  test('every permission check is denied, from our origin too', () => {
    const { handlers } = hardenedSession();
    assert.ok(handlers.check);
    for (const permission of ALL_PERMISSIONS) {
      assert.equal(handlers.check(null, permission, APP_ORIGIN, {}), false, permission);
      assert.equal(handlers.check(null, permission, 'https://evil.example', {}), false, permission);
    }
  });

  test('every device (HID, serial, USB) is denied', () => {
    const { handlers } = hardenedSession();
    assert.ok(handlers.device);
    for (const deviceType of ['hid', 'serial', 'usb']) assert.equal(handlers.device({ deviceType, origin: APP_ORIGIN }), false, deviceType);
  });
});

describe('webPreferences', () => {
  test('the renderer is isolated and sandboxed, with devtools only when asked', () => {
    const preferences = hardenedWebPreferences('/opt/lintel/preload.cjs', false);
    assert.equal(preferences.contextIsolation, true);
    assert.equal(preferences.sandbox, true);
    assert.equal(preferences.nodeIntegration, false);
    assert.equal(preferences.nodeIntegrationInWorker, false);
    assert.equal(preferences.nodeIntegrationInSubFrames, false);
    assert.equal(preferences.webSecurity, true);
    assert.equal(preferences.allowRunningInsecureContent, false);
    assert.equal(preferences.spellcheck, false);
    assert.equal(preferences.webviewTag, false);
    assert.equal(preferences.experimentalFeatures, false);
    assert.equal(preferences.devTools, false);
    assert.equal(preferences.preload, '/opt/lintel/preload.cjs');
    assert.equal(hardenedWebPreferences('/p', true).devTools, true);
  });
});

describe('Content-Security-Policy on responses', () => {
  test('replaces whatever policy a response had and keeps the other headers', () => {
    const headers = withContentSecurityPolicy({ 'content-security-policy': ["default-src *"], 'Content-Type': ['text/html'] }, "default-src 'self'");
    assert.deepEqual(headers, { 'Content-Type': ['text/html'], 'Content-Security-Policy': ["default-src 'self'"] });
    assert.deepEqual(withContentSecurityPolicy(undefined, "default-src 'self'"), { 'Content-Security-Policy': ["default-src 'self'"] });
  });
});
