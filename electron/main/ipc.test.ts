import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { CHANNELS, contract, type Contract } from '../shared/contract/channels.js';
import { createHandler, type ImplementationsOf } from '../shared/contract/handler.js';
import { ContractError, type Result } from '../shared/contract/result.js';
import type { StreamMessage } from '../shared/contract/streams.js';
import { SessionRegistry } from '../terminal/app/sessions.js';
import { IPC_CHANNELS } from '../preload/ipc-channels.js';
import { APP_ENTRY_URL } from './app-origin.js';
import type { FrameLike, IpcEventLike } from './guards.js';
import { connectWindow, type IpcMainLike } from './ipc.js';
import { FRAME_ACK_TIMEOUT_MS, FrameGate } from './stream-forwarder.js';
import { memoryLogger } from './test/fakes.js';

const NOW_MS = 1_750_000_000_000;

/** The terminal: the real handler and session registry, with the admin channels implemented as the app does. */
function fakeTerminal() {
  const sessions = new SessionRegistry();
  const listeners = new Set<(message: StreamMessage) => void>();
  const base = Object.fromEntries(
    CHANNELS.map((channel) => [
      channel,
      () => {
        throw new ContractError('unavailable', `${channel} is not implemented in this test`);
      },
    ]),
  ) as unknown as ImplementationsOf<Contract>;
  const implementations: ImplementationsOf<Contract> = {
    ...base,
    'health:get': () => ({ camera: { status: 'starting' } }) as never,
    'admin:status': (_request, context) => ({ hasAdmin: true, session: context.session ?? null }),
    'admin:login': ({ username, secret }) => {
      if (secret !== '1234') throw new ContractError('unauthorized', 'wrong PIN');
      const { token, session } = sessions.issue('admin', username, 60_000);
      return { token, expiresAtMs: session.expiresAtMs, username };
    },
    'admin:logout': (_request, context) => {
      sessions.revoke(context.sessionToken);
      return null;
    },
  };
  const handle = createHandler(contract, implementations, { logger: { error: () => undefined } });
  return {
    handle,
    sessions,
    subscribe: (listener: (message: StreamMessage) => void) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    emit: (message: StreamMessage) => listeners.forEach((listener) => listener(message)),
    listenerCount: () => listeners.size,
  };
}

function fakeIpcMain() {
  const handlers = new Map<string, (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>>();
  const listeners = new Map<string, Set<(event: IpcEventLike, ...args: unknown[]) => void>>();
  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => {
      assert.ok(!handlers.has(channel), `a second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler: (channel) => void handlers.delete(channel),
    on: (channel, listener) => listeners.set(channel, (listeners.get(channel) ?? new Set()).add(listener)),
    removeListener: (channel, listener) => listeners.get(channel)?.delete(listener),
  };
  return { ipcMain, handlers, listeners };
}

const mainFrame = (overrides: Partial<FrameLike> = {}): FrameLike => ({
  url: APP_ENTRY_URL,
  parent: null,
  processId: 7,
  routingId: 1,
  detached: false,
  isDestroyed: () => false,
  ...overrides,
});

function setup() {
  const terminal = fakeTerminal();
  const { ipcMain, handlers, listeners } = fakeIpcMain();
  const logger = memoryLogger();
  const sent: { channel: string; message: StreamMessage }[] = [];
  const state = { windowDestroyed: false, contentsDestroyed: false, url: APP_ENTRY_URL, nowMs: NOW_MS };
  const window = {
    isDestroyed: () => state.windowDestroyed,
    webContents: {
      id: 3,
      mainFrame: { processId: 7, routingId: 1 },
      isDestroyed: () => state.contentsDestroyed,
      getURL: () => state.url,
      send: (channel: string, message: StreamMessage) => void sent.push({ channel, message }),
    },
  };
  const connection = connectWindow({ ipcMain, window, terminal, logger, nowMs: () => state.nowMs });
  const call = async (channel: unknown, request: unknown = {}, frame: FrameLike | null = mainFrame(), senderId = 3): Promise<Result<unknown>> => {
    const handler = handlers.get(IPC_CHANNELS.call);
    assert.ok(handler, 'no call handler');
    return (await handler({ sender: { id: senderId }, senderFrame: frame }, channel, request)) as Result<unknown>;
  };
  const ack = (seq: unknown, frame: FrameLike | null = mainFrame()): void => {
    for (const listener of listeners.get(IPC_CHANNELS.streamAck) ?? []) listener({ sender: { id: 3 }, senderFrame: frame }, seq);
  };
  return { terminal, handlers, listeners, logger, sent, state, connection, call, ack };
}

const frameMessage = (seq: number): StreamMessage => ({ kind: 'frame', seq, timestampMs: NOW_MS, widthPx: 2, heightPx: 2, jpegBase64: '' });
const healthMessage = (seq: number): StreamMessage => ({ kind: 'health', seq, timestampMs: NOW_MS, health: {} as never });

describe('IPC call channel', () => {
  test('registers exactly one invoke handler, on lintel:call', () => {
    const { handlers } = setup();
    assert.deepEqual([...handlers.keys()], ['lintel:call']);
  });

  test('a call from our main frame reaches the terminal with the device session', async () => {
    const { call } = setup();
    const status = await call('admin:status');
    assert.ok(status.ok);
    assert.deepEqual((status.value as { session: { level: string; subject: string } }).session.level, 'token');
    assert.deepEqual((status.value as { session: { level: string; subject: string } }).session.subject, 'kiosk');
  });

  test('a call from another origin, a subframe, no frame, another webContents or a destroyed window is forbidden', async () => {
    const { call, state, logger } = setup();
    const forbidden = async (result: Promise<Result<unknown>>, why: string): Promise<void> => {
      const answer = await result;
      assert.ok(!answer.ok, why);
      assert.equal(answer.error.code, 'forbidden', why);
    };
    await forbidden(call('health:get', {}, mainFrame({ url: 'https://evil.example/' })), 'other origin');
    await forbidden(call('health:get', {}, mainFrame({ parent: mainFrame() })), 'subframe');
    await forbidden(call('health:get', {}, null), 'no sender frame');
    await forbidden(call('health:get', {}, mainFrame(), 4), 'another webContents');
    state.windowDestroyed = true;
    await forbidden(call('health:get'), 'destroyed window');
    assert.deepEqual(
      logger.lines.map((line) => line.fields.reason),
      ['foreign origin', 'subframe', 'no sender frame', 'another webContents', 'no window'],
    );
  });

  test('a forbidden sender cannot log in', async () => {
    const { call, connection } = setup();
    const answer = await call('admin:login', { username: 'ada', secret: '1234' }, mainFrame({ url: 'http://evil/' }));
    assert.ok(!answer.ok);
    assert.equal(connection.session.hasAdmin, false);
  });

  test('a channel that is not a string, or unknown, is an invalid request', async () => {
    const { call } = setup();
    for (const channel of [42, null, { toString: () => 'health:get' }, 'nope:nothing']) {
      const answer = await call(channel);
      assert.ok(!answer.ok);
      assert.equal(answer.error.code, 'invalid-request');
    }
  });

  test('login makes the window admin (the renderer never sees the token), logout ends it', async () => {
    const { call, connection } = setup();
    const login = await call('admin:login', { username: 'ada', secret: '1234' });
    assert.ok(login.ok);
    assert.equal((login.value as { token?: string }).token, undefined);
    const status = await call('admin:status');
    assert.ok(status.ok);
    assert.equal((status.value as { session: { level: string } }).session.level, 'admin');
    assert.equal(connection.session.hasAdmin, true);

    assert.ok((await call('admin:logout')).ok);
    assert.equal(connection.session.hasAdmin, false);
    const after = await call('admin:status');
    assert.ok(after.ok);
    assert.equal((after.value as { session: { level: string } }).session.level, 'token');
  });

  test('a wrong PIN leaves the window logged out', async () => {
    const { call, connection } = setup();
    const answer = await call('admin:login', { username: 'ada', secret: '0000' });
    assert.ok(!answer.ok);
    assert.equal(answer.error.code, 'unauthorized');
    assert.equal(connection.session.hasAdmin, false);
  });

  test('a logout without an admin session leaves the device session alone', async () => {
    const { call } = setup();
    const before = await call('admin:status');
    assert.ok((await call('admin:logout')).ok);
    assert.deepEqual(await call('admin:status'), before);
  });

  test('navigation, reload and a renderer crash log the admin out', async () => {
    for (const change of ['pageChanged', 'rendererGone'] as const) {
      const { call, connection } = setup();
      assert.ok((await call('admin:login', { username: 'ada', secret: '1234' })).ok);
      connection[change]();
      assert.equal(connection.session.hasAdmin, false, change);
      const status = await call('admin:status');
      assert.ok(status.ok);
      assert.equal((status.value as { session: { level: string } }).session.level, 'token', change);
    }
  });

  test('close unregisters the channels, stops the stream and refuses what is still in flight', async () => {
    const { call, connection, handlers, listeners, terminal } = setup();
    const handler = handlers.get(IPC_CHANNELS.call);
    assert.ok(handler);
    assert.equal(terminal.listenerCount(), 1);
    connection.close();
    assert.equal(handlers.size, 0);
    assert.equal(listeners.get(IPC_CHANNELS.streamAck)?.size, 0);
    assert.equal(terminal.listenerCount(), 0);
    const late = (await handler({ sender: { id: 3 }, senderFrame: mainFrame() }, 'health:get', {})) as Result<unknown>;
    assert.ok(!late.ok);
    assert.equal(late.error.code, 'forbidden');
    await assert.rejects(call('health:get'), /no call handler/);
  });
});

describe('stream to the window', () => {
  test('every message goes to lintel:stream; frames wait for the previous frame to be taken', () => {
    const { terminal, sent, ack, connection } = setup();
    terminal.emit(frameMessage(1));
    terminal.emit(frameMessage(2));
    terminal.emit(healthMessage(1));
    assert.deepEqual(
      sent.map(({ channel, message }) => `${channel} ${message.kind} ${message.seq}`),
      ['lintel:stream frame 1', 'lintel:stream health 1'],
    );
    ack(1);
    terminal.emit(frameMessage(3));
    assert.equal(sent.at(-1)?.message.seq, 3);
    assert.equal(connection.stats.framesDropped, 1);
  });

  test('an acknowledgement from a foreign sender, or of another frame, does not release the next frame', () => {
    const { terminal, sent, ack } = setup();
    terminal.emit(frameMessage(1));
    ack(1, mainFrame({ url: 'http://evil/' }));
    ack(1, null);
    ack(7);
    terminal.emit(frameMessage(2));
    assert.deepEqual(
      sent.map(({ message }) => message.seq),
      [1],
    );
  });

  test('an overdue acknowledgement no longer holds frames back', () => {
    const { terminal, sent, state } = setup();
    terminal.emit(frameMessage(1));
    state.nowMs += FRAME_ACK_TIMEOUT_MS;
    terminal.emit(frameMessage(2));
    assert.deepEqual(
      sent.map(({ message }) => message.seq),
      [1, 2],
    );
  });

  test('a new page starts with no frame in flight', () => {
    const { terminal, sent, connection } = setup();
    terminal.emit(frameMessage(1));
    connection.pageChanged();
    terminal.emit(frameMessage(2));
    assert.deepEqual(
      sent.map(({ message }) => message.seq),
      [1, 2],
    );
  });

  test('nothing is sent to destroyed contents or a page off our origin', () => {
    const { terminal, sent, state } = setup();
    state.contentsDestroyed = true;
    terminal.emit(healthMessage(1));
    state.contentsDestroyed = false;
    state.url = 'https://evil.example/';
    terminal.emit(healthMessage(2));
    assert.equal(sent.length, 0);
  });
});

describe('frame gate', () => {
  test('admits one frame at a time', () => {
    const gate = new FrameGate(100);
    assert.equal(gate.admit(1, 0), true);
    assert.equal(gate.admit(2, 50), false);
    gate.ack('1');
    assert.equal(gate.admit(2, 60), false);
    gate.ack(1);
    assert.equal(gate.admit(2, 70), true);
    assert.equal(gate.admit(3, 169), false);
    assert.equal(gate.admit(3, 170), true);
    gate.reset();
    assert.equal(gate.admit(4, 171), true);
  });
});
