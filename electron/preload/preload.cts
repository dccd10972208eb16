// The kiosk window's preload: exposes `window.lintel` (a LintelBridge) and nothing else. It runs sandboxed,
// where `require` knows only a few modules ('electron' among them), so this file is ONE self-contained
// CommonJS module (.cts → .cjs): Electron is its only run-time import, everything else is types.
// The main process checks the sender, the channel and the request; this side only keeps the page from
// touching ipcRenderer itself.
import electron = require('electron');

import type { IPC_CHANNELS } from './ipc-channels.js';
import type { Channel } from '../shared/contract/channels.js';
import type { Result } from '../shared/contract/result.js';
import type { StreamMessage } from '../shared/contract/streams.js';
import type { BRIDGE_KEY as CONTRACT_BRIDGE_KEY, LintelBridge } from '../shared/contract/transport.js';

/** The IPC channel names, repeated from ipc-channels.ts (which the sandbox cannot load); its type keeps them equal. */
const CHANNELS: typeof IPC_CHANNELS = { call: 'lintel:call', stream: 'lintel:stream', streamAck: 'lintel:stream-ack' };

/** The contract's BRIDGE_KEY, repeated for the same reason and kept equal the same way. */
const BRIDGE_KEY: typeof CONTRACT_BRIDGE_KEY = 'lintel';

/** The part of ipcRenderer the bridge uses. */
interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, message: unknown) => void): unknown;
  send(channel: string, ...args: unknown[]): void;
}

/** The DOM's reportError (this file's types have no DOM); rethrown on a fresh task where there is none. */
function reportError(error: unknown): void {
  const report = (globalThis as { reportError?: (error: unknown) => void }).reportError;
  if (report) {
    report(error);
    return;
  }
  setTimeout(() => {
    throw error;
  }, 0);
}

/** Builds the bridge over ipcRenderer; exported for preload.test.ts. */
function createBridge(ipc: IpcRendererLike): LintelBridge {
  const invoke = (channel: Channel, request: unknown): Promise<unknown> => {
    if (typeof channel !== 'string') {
      const refused: Result<never> = { ok: false, error: { code: 'invalid-request', message: 'a channel name is a string' } };
      return Promise.resolve(refused);
    }
    return ipc.invoke(CHANNELS.call, channel, request);
  };
  // One IPC listener for the page's many: each frame is acknowledged once, even before anyone subscribes.
  const listeners = new Set<(message: StreamMessage) => void>();
  // The page sees the message only, never the IpcRendererEvent (it would reach ipcRenderer through `sender`).
  ipc.on(CHANNELS.stream, (_event, message) => {
    if (typeof message !== 'object' || message === null) return;
    const streamMessage = message as StreamMessage;
    for (const listener of [...listeners]) {
      try {
        listener(streamMessage);
      } catch (error) {
        // One failing listener must not starve the others; the error still reaches the page's console (and
        // from there the main process's log) through the DOM's reportError.
        reportError(error);
      }
    }
    // Frames go one at a time (stream-forwarder.ts): say this one was taken, so the next may come.
    if (streamMessage.kind === 'frame') ipc.send(CHANNELS.streamAck, streamMessage.seq);
  });
  const subscribe = (listener: (message: StreamMessage) => void): (() => void) => {
    if (typeof listener !== 'function') throw new TypeError('subscribe needs a function');
    // A wrapper per subscription, so subscribing the same function twice gives two independent unsubscribes.
    const entry = (message: StreamMessage): void => listener(message);
    listeners.add(entry);
    return () => void listeners.delete(entry);
  };
  return Object.freeze({ kind: 'electron', invoke, subscribe });
}

electron.contextBridge.exposeInMainWorld(BRIDGE_KEY, createBridge(electron.ipcRenderer));

export = { createBridge, BRIDGE_KEY, CHANNELS };
