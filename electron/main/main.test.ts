// main.ts end to end under plain Node: a resolve hook puts test/fake-electron.ts in Electron's place, and the
// real terminal (store, demo camera, inference worker) starts behind it. What Chromium would do — load the
// page, send IPC from the main frame, crash — the test does through the stand-in.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { Result } from '../shared/contract/result.js';
import type { StreamMessage } from '../shared/contract/streams.js';
import { CONTENT_SECURITY_POLICY } from '../host/http-host.js';
import { packageRoot } from '../vision/models/paths.js';
import { IPC_CHANNELS } from '../preload/ipc-channels.js';
import { APP_ENTRY_URL } from './app-origin.js';
import { app, state, type BrowserWindow } from './test/fake-electron.js';

const rendererBuilt = existsSync(join(packageRoot(), 'dist', 'renderer', 'index.html'));
const skip = rendererBuilt ? false : 'needs the built renderer (dist/renderer/index.html): run npm run build';

let dataDir: string;
let window: BrowserWindow;

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A call from the window's main frame (or another frame), as the preload's ipcRenderer.invoke makes it. */
async function call(channel: string, request: unknown = {}, frameUrl?: string): Promise<Result<unknown>> {
  const handler = state.ipcHandlers.get(IPC_CHANNELS.call);
  assert.ok(handler, 'lintel:call is not handled');
  const contents = window.webContents;
  const senderFrame = frameUrl === undefined ? contents.mainFrame : { ...contents.mainFrame, url: frameUrl };
  return (await handler({ sender: contents, senderFrame }, channel, request)) as Result<unknown>;
}

const sessionLevel = async (): Promise<string | undefined> => {
  const status = await call('admin:status');
  assert.ok(status.ok);
  return (status.value as { session: { level: string } | null }).session?.level;
};

describe('main process (with a stand-in Electron)', { skip }, () => {
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'lintel-main-'));
    process.env.LINTEL_DATA_DIR = dataDir;
    for (const name of ['LINTEL_CAMERA', 'LINTEL_RKNN_LIB', 'LINTEL_KIOSK', 'LINTEL_DISABLE_GPU']) delete process.env[name];
    const fakeUrl = new URL('./test/fake-electron.ts', import.meta.url).href;
    const hooks = `export async function resolve(specifier, context, next) {
      return specifier === 'electron' ? { url: ${JSON.stringify(fakeUrl)}, shortCircuit: true } : next(specifier, context);
    }`;
    register(`data:text/javascript,${encodeURIComponent(hooks)}`);
    await import('./main.js');
    await waitFor(() => state.errorBoxes.length > 0 || (state.windows[0]?.webContents.loads.length ?? 0) > 0, 120_000, 'the window to load');
    assert.deepEqual(state.errorBoxes, []);
    const first = state.windows[0];
    assert.ok(first);
    window = first;
  });

  after(async () => {
    // A failed test may leave the terminal running: quit, so its worker ends and the process can exit.
    if (state.exitCodes.length === 0) app.quit();
    await waitFor(() => state.exitCodes.length > 0, 15_000, 'the app to exit').catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('loads the renderer from app:// with the Content-Security-Policy', () => {
    const [load] = window.webContents.loads;
    assert.equal(load?.url, APP_ENTRY_URL);
    assert.equal(load?.status, 200);
    assert.equal(load?.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    assert.match(load?.body ?? '', /<div id="root">/);
  });

  test('registers the scheme and the sandbox before ready; no menu; the window is hardened and shown', () => {
    assert.deepEqual(state.privilegedSchemes, [{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);
    assert.equal(state.sandboxEnabled, true);
    assert.equal(state.applicationMenu, null);
    const options = window.options as { fullscreen: boolean; kiosk: boolean; backgroundColor: string; webPreferences: Record<string, unknown> };
    assert.equal(options.fullscreen, true);
    // Not packaged and no LINTEL_KIOSK: development, so no kiosk lock and devtools allowed.
    assert.equal(options.kiosk, false);
    assert.equal(options.webPreferences.devTools, true);
    assert.equal(options.backgroundColor, '#05080f');
    for (const [key, value] of Object.entries({ sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true, webviewTag: false })) {
      assert.equal(options.webPreferences[key], value, key);
    }
    assert.match(String(options.webPreferences.preload), /[/\\]preload[/\\]preload\.cjs$/);
    assert.equal(window.shown, true);
  });

  test('the session denies permissions and puts the CSP on other responses', () => {
    const answers: boolean[] = [];
    (state.permissionHandlers.request as unknown as (...args: unknown[]) => void)(window.webContents, 'media', (granted: boolean) => answers.push(granted), {});
    assert.deepEqual(answers, [false]);
    assert.equal((state.permissionHandlers.check as unknown as (...args: unknown[]) => boolean)(null, 'notifications', 'app://lintel', {}), false);
    let headers: unknown;
    (state.headersListener as unknown as (details: unknown, callback: (response: unknown) => void) => void)({ responseHeaders: {} }, (response) => (headers = response));
    assert.deepEqual(headers, { responseHeaders: { 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });

  test('the window calls the terminal over lintel:call with its device session; another origin is forbidden', async () => {
    const health = await call('health:get');
    assert.ok(health.ok, JSON.stringify(health));
    assert.equal(await sessionLevel(), 'token');
    const foreign = await call('health:get', {}, 'https://evil.example/');
    assert.ok(!foreign.ok);
    assert.equal(foreign.error.code, 'forbidden');
  });

  test('setting up the first admin logs the window in without showing it the token; a reload logs it out', async () => {
    const setup = await call('admin:setup', { username: 'ada', kind: 'pin', secret: '482913' });
    assert.ok(setup.ok, JSON.stringify(setup));
    assert.equal('token' in (setup.value as object), false, 'the window never sees the token');
    assert.equal(await sessionLevel(), 'admin');
    await window.webContents.loadURL(APP_ENTRY_URL);
    assert.equal(await sessionLevel(), 'token');
    const login = await call('admin:login', { username: 'ada', secret: '482913' });
    assert.ok(login.ok);
    assert.equal(await sessionLevel(), 'admin');
    assert.ok((await call('admin:logout')).ok);
    assert.equal(await sessionLevel(), 'token');
  });

  test('camera frames and health reach the window on lintel:stream', async () => {
    const kinds = () => new Set(window.webContents.sent.filter((sent) => sent.channel === IPC_CHANNELS.stream).map((sent) => (sent.message as StreamMessage).kind));
    await waitFor(() => kinds().has('frame') && kinds().has('health'), 60_000, 'a frame and a health message');
  });

  test('navigation away from the app is stopped on the window', () => {
    let prevented = false;
    window.webContents.emit('will-navigate', { url: 'https://evil.example/', preventDefault: () => (prevented = true) });
    assert.equal(prevented, true);
    const open = window.webContents.windowOpenHandler as unknown as (details: { url: string }) => unknown;
    assert.deepEqual(open({ url: 'https://evil.example/' }), { action: 'deny' });
  });

  test('a renderer crash logs the admin out and reloads the page', async () => {
    assert.ok((await call('admin:login', { username: 'ada', secret: '482913' })).ok);
    const loadsBefore = window.webContents.loads.length;
    window.webContents.forcefullyCrashRenderer();
    assert.equal(await sessionLevel(), 'token');
    await waitFor(() => window.webContents.loads.length > loadsBefore, 5_000, 'the reload');
    assert.equal(window.webContents.loads.at(-1)?.url, APP_ENTRY_URL);
  });

  test('quitting closes the terminal, then exits 0', async () => {
    app.quit();
    await waitFor(() => state.exitCodes.length > 0, 15_000, 'the exit');
    assert.deepEqual(state.exitCodes, [0]);
    assert.equal(state.ipcHandlers.size, 0);
  });
});
