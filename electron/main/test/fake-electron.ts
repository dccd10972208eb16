// A stand-in for the 'electron' module, for main.test.ts: main.ts runs under plain Node with this module in
// Electron's place (a resolve hook maps the specifier here), so its wiring is exercised without the binary.
// It records what main.ts asks of Electron in `state` and lets the test act as Chromium would (load a URL
// through the registered protocol handler, send IPC from the window's main frame). Only what main.ts uses.
import { EventEmitter } from 'node:events';

type Listener = (...args: never[]) => unknown;

/** What main.ts did to Electron, for the test to read. */
export const state = {
  privilegedSchemes: [] as unknown[],
  sandboxEnabled: false,
  protocolHandlers: new Map<string, (request: Request) => Promise<Response> | Response>(),
  ipcHandlers: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
  ipcListeners: new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>(),
  windows: [] as BrowserWindow[],
  errorBoxes: [] as { title: string; message: string }[],
  exitCodes: [] as number[],
  applicationMenu: 'untouched' as unknown,
  powerSaveBlockers: [] as string[],
  permissionHandlers: {} as { request?: Listener; check?: Listener; device?: Listener },
  headersListener: undefined as Listener | undefined,
};

class FakeApp extends EventEmitter {
  readonly isPackaged = false;
  enableSandbox(): void {
    state.sandboxEnabled = true;
  }
  requestSingleInstanceLock(): boolean {
    return true;
  }
  disableHardwareAcceleration(): void {}
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  /** As Electron: will-quit, and the exit unless a listener prevented it. */
  quit(): void {
    let prevented = false;
    this.emit('will-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) this.exit(0);
  }
  exit(code = 0): void {
    state.exitCodes.push(code);
  }
}

export const app = new FakeApp();

export const protocol = {
  registerSchemesAsPrivileged(schemes: unknown[]): void {
    state.privilegedSchemes.push(...schemes);
  },
  handle(scheme: string, handler: (request: Request) => Promise<Response> | Response): void {
    state.protocolHandlers.set(scheme, handler);
  },
};

export const ipcMain = {
  handle(channel: string, listener: (event: unknown, ...args: unknown[]) => unknown): void {
    if (state.ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    state.ipcHandlers.set(channel, listener);
  },
  removeHandler(channel: string): void {
    state.ipcHandlers.delete(channel);
  },
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): void {
    state.ipcListeners.set(channel, (state.ipcListeners.get(channel) ?? new Set()).add(listener));
  },
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): void {
    state.ipcListeners.get(channel)?.delete(listener);
  },
};

export const dialog = {
  showErrorBox(title: string, message: string): void {
    state.errorBoxes.push({ title, message });
  },
};

export const Menu = {
  setApplicationMenu(menu: unknown): void {
    state.applicationMenu = menu;
  },
};

export const powerSaveBlocker = {
  start(type: string): number {
    state.powerSaveBlockers.push(type);
    return state.powerSaveBlockers.length;
  },
};

const defaultSession = Object.assign(new EventEmitter(), {
  setPermissionRequestHandler: (handler: Listener) => void (state.permissionHandlers.request = handler),
  setPermissionCheckHandler: (handler: Listener) => void (state.permissionHandlers.check = handler),
  setDevicePermissionHandler: (handler: Listener) => void (state.permissionHandlers.device = handler),
  webRequest: { onHeadersReceived: (listener: Listener) => void (state.headersListener = listener) },
});

export const session = { defaultSession };

/** A page load as Chromium would make it: through the app scheme's handler. */
export interface LoadRecord {
  readonly url: string;
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

let nextContentsId = 1;

class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  readonly mainFrame = { url: '', parent: null, processId: 11, routingId: 1, detached: false, isDestroyed: () => false };
  readonly sent: { channel: string; message: unknown }[] = [];
  readonly loads: LoadRecord[] = [];
  windowOpenHandler: Listener | undefined;
  destroyed = false;

  async loadURL(url: string): Promise<void> {
    this.emit('did-start-navigation', { url, isMainFrame: true, isSameDocument: false });
    const handler = state.protocolHandlers.get(new URL(url).protocol.slice(0, -1));
    if (!handler) throw new Error(`ERR_UNKNOWN_URL_SCHEME ${url}`);
    const response = await handler(new Request(url));
    this.loads.push({ url, status: response.status, headers: response.headers, body: await response.text() });
    this.mainFrame.url = url;
    this.emit('did-finish-load');
  }
  getURL(): string {
    return this.mainFrame.url;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(channel: string, message: unknown): void {
    this.sent.push({ channel, message });
  }
  setWindowOpenHandler(handler: Listener): void {
    this.windowOpenHandler = handler;
  }
  forcefullyCrashRenderer(): void {
    this.emit('render-process-gone', {}, { reason: 'killed', exitCode: 9 });
  }
}

export class BrowserWindow extends EventEmitter {
  readonly webContents = new FakeWebContents();
  shown = false;
  destroyed = false;

  constructor(readonly options: Record<string, unknown>) {
    super();
    app.emit('web-contents-created', {}, this.webContents);
    state.windows.push(this);
    queueMicrotask(() => this.emit('ready-to-show'));
  }
  loadURL(url: string): Promise<void> {
    return this.webContents.loadURL(url);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  show(): void {
    this.shown = true;
  }
  focus(): void {}
}
