// Loads the real preload under Node with a stand-in 'electron' module (Electron's binary is not needed):
// what it exposes, and how it talks to ipcRenderer.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { before, describe, test } from 'node:test';

import { BRIDGE_KEY } from '../shared/contract/transport.js';
import type { LintelBridge } from '../shared/contract/transport.js';
import type { StreamMessage } from '../shared/contract/streams.js';
import { IPC_CHANNELS } from './ipc-channels.js';

const require = createRequire(import.meta.url);

/** ipcRenderer and contextBridge as the preload sees them, recording every use. */
const fakeElectron = {
  exposed: new Map<string, unknown>(),
  invoked: [] as unknown[][],
  sent: [] as unknown[][],
  listeners: new Map<string, ((event: unknown, message: unknown) => void)[]>(),
  contextBridge: {
    exposeInMainWorld(key: string, api: unknown) {
      fakeElectron.exposed.set(key, api);
    },
  },
  ipcRenderer: {
    invoke(...args: unknown[]) {
      fakeElectron.invoked.push(args);
      return Promise.resolve({ ok: true, value: 'answered' });
    },
    on(channel: string, listener: (event: unknown, message: unknown) => void) {
      fakeElectron.listeners.set(channel, [...(fakeElectron.listeners.get(channel) ?? []), listener]);
    },
    send(...args: unknown[]) {
      fakeElectron.sent.push(args);
    },
  },
};

/** What ipcRenderer passes a listener: the event (with `sender`, i.e. ipcRenderer itself) and the message. */
const ipcEvent = { sender: fakeElectron.ipcRenderer, ports: [] };
const emitStream = (message: unknown): void => {
  for (const listener of fakeElectron.listeners.get(IPC_CHANNELS.stream) ?? []) listener(ipcEvent, message);
};

let bridge: LintelBridge;
let preloadExports: { BRIDGE_KEY: string; CHANNELS: unknown };

before(() => {
  const electronPath = require.resolve('electron');
  // The preload's `require('electron')` finds this module in the cache instead of Electron's launcher.
  require.cache[electronPath] = { id: electronPath, filename: electronPath, loaded: true, exports: fakeElectron } as unknown as NodeJS.Module;
  preloadExports = require('./preload.cts') as typeof preloadExports;
  bridge = fakeElectron.exposed.get(BRIDGE_KEY) as LintelBridge;
});

const frame = (seq: number): StreamMessage => ({ kind: 'frame', seq, timestampMs: 1, widthPx: 1, heightPx: 1, jpegBase64: '' });

describe('preload', () => {
  test('exposes exactly one frozen bridge, under the contract key', () => {
    assert.deepEqual([...fakeElectron.exposed.keys()], [BRIDGE_KEY]);
    assert.equal(preloadExports.BRIDGE_KEY, BRIDGE_KEY);
    assert.deepEqual(preloadExports.CHANNELS, IPC_CHANNELS);
    assert.ok(Object.isFrozen(bridge));
    assert.deepEqual(Object.keys(bridge).sort(), ['invoke', 'kind', 'subscribe']);
    assert.equal(bridge.kind, 'electron');
  });

  test('invoke goes over lintel:call with the channel and request', async () => {
    const answer = await bridge.invoke('health:get', {});
    assert.deepEqual(answer, { ok: true, value: 'answered' });
    assert.deepEqual(fakeElectron.invoked.at(-1), ['lintel:call', 'health:get', {}]);
  });

  test('a channel that is not a string never reaches the main process', async () => {
    const before = fakeElectron.invoked.length;
    const answer = (await bridge.invoke(42 as never, {})) as { ok: boolean; error: { code: string } };
    assert.equal(answer.ok, false);
    assert.equal(answer.error.code, 'invalid-request');
    assert.equal(fakeElectron.invoked.length, before);
  });

  test('listeners get the message only, never the IPC event', () => {
    const received: unknown[][] = [];
    const unsubscribe = bridge.subscribe((...args: unknown[]) => void received.push(args));
    const health = { kind: 'health', seq: 1, timestampMs: 1, health: {} };
    emitStream(health);
    assert.deepEqual(received, [[health]]);
    unsubscribe();
    emitStream(health);
    assert.equal(received.length, 1);
  });

  test('each frame is acknowledged once, after the listeners had it; other kinds are not', () => {
    const sentBefore = fakeElectron.sent.length;
    const order: string[] = [];
    const stopA = bridge.subscribe(() => void order.push('a'));
    const stopB = bridge.subscribe(() => void order.push('b'));
    emitStream(frame(5));
    emitStream({ kind: 'health', seq: 2, timestampMs: 1, health: {} });
    assert.deepEqual(fakeElectron.sent.slice(sentBefore), [['lintel:stream-ack', 5]]);
    assert.deepEqual(order, ['a', 'b', 'a', 'b']);
    stopA();
    stopB();
    // No subscriber: the frame is still acknowledged, or the main process would hold the next one back.
    emitStream(frame(6));
    assert.deepEqual(fakeElectron.sent.at(-1), ['lintel:stream-ack', 6]);
  });

  test('a listener that throws does not starve the others, and malformed messages are dropped', () => {
    const received: number[] = [];
    const reported: unknown[] = [];
    const global = globalThis as { reportError?: (error: unknown) => void };
    global.reportError = (error) => void reported.push(error);
    const stopA = bridge.subscribe(() => {
      throw new Error('listener failed');
    });
    const stopB = bridge.subscribe((message) => void received.push(message.seq));
    emitStream(frame(7));
    emitStream(null);
    emitStream('text');
    delete global.reportError;
    stopA();
    stopB();
    assert.deepEqual(received, [7]);
    assert.equal((reported[0] as Error | undefined)?.message, 'listener failed');
  });

  test('subscribe refuses a non-function; unsubscribing twice is harmless', () => {
    assert.throws(() => bridge.subscribe('nope' as never), TypeError);
    const stop = bridge.subscribe(() => undefined);
    stop();
    stop();
  });
});
