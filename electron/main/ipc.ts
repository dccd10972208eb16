// The Electron transport of the contract, main side: ONE invoke channel carrying (channel, request) into the
// terminal's one handler, with the sender checked and the session attached here; and the stream forwarded to
// the window. Written over structural types (the few members used) so ipc.test.ts drives it with fakes.
import type { Handle } from '../shared/contract/handler.js';
import type { Result } from '../shared/contract/result.js';
import type { StreamMessage } from '../shared/contract/streams.js';
import { IPC_CHANNELS } from '../preload/ipc-channels.js';
import { senderRejection, type GuardLogger, type IpcEventLike, type WindowLike } from './guards.js';
import { KioskSession, type SessionStore } from './kiosk-session.js';
import { FrameGate, forwardStream, type ForwarderStats, type StreamTarget } from './stream-forwarder.js';

/** The part of Electron's ipcMain used here. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
  on(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): unknown;
}

/** The part of the TerminalApp the transport uses. */
export interface TerminalLike {
  readonly handle: Handle;
  readonly sessions: SessionStore;
  subscribe(listener: (message: StreamMessage) => void): () => void;
}

/** Options of `connectWindow`. */
export interface ConnectWindowOptions {
  readonly ipcMain: IpcMainLike;
  readonly window: WindowLike & { readonly webContents: WindowLike['webContents'] & StreamTarget };
  readonly terminal: TerminalLike;
  readonly logger: GuardLogger;
  readonly nowMs?: () => number;
}

/** The transport of one window; main.ts tells it about the page's life. */
export interface WindowConnection {
  /** The window's session record. */
  readonly session: KioskSession;
  readonly stats: Readonly<ForwarderStats>;
  /** A new page is loading (navigation, reload): it starts logged out, with no frame in flight. */
  pageChanged(): void;
  /** The renderer process died: the same as a new page, and the reload follows. */
  rendererGone(): void;
  /** Unregisters the channels, stops the stream and ends the window's sessions. */
  close(): void;
}

/** Handles `lintel:call`: the sender check, the session, the terminal's handler, the Result back. */
export function callListener(
  window: () => WindowLike | undefined,
  handle: Handle,
  session: KioskSession,
  logger: GuardLogger,
): (event: IpcEventLike, channel: unknown, request: unknown) => Promise<Result<unknown>> {
  return async (event, channel, request) => {
    // The main side validates everything itself; a channel that is not a string is an unknown channel.
    const name = typeof channel === 'string' ? channel : '';
    const rejection = senderRejection(event, window());
    if (rejection !== null) {
      logger.warn('security.ipc-sender-refused', { reason: rejection, channel: name.slice(0, 64) });
      // Through the handler all the same: it answers 'forbidden' and nothing else, and stays the one place
      // that shapes answers.
      return handle(name, request, { senderOk: false });
    }
    const ticket = session.begin();
    const result = await handle(name, request, ticket.context);
    return session.settle(ticket, name, result);
  };
}

/** Connects the kiosk window: the call channel, the frame acknowledgements and the stream. */
export function connectWindow(options: ConnectWindowOptions): WindowConnection {
  const { ipcMain, window, terminal, logger } = options;
  const nowMs = options.nowMs ?? Date.now;
  const session = new KioskSession(terminal.sessions);
  const gate = new FrameGate();
  const stats: ForwarderStats = { sent: 0, framesDropped: 0 };
  const currentWindow = (): WindowLike | undefined => (closed ? undefined : window);
  let closed = false;

  const onCall = callListener(currentWindow, terminal.handle, session, logger);
  ipcMain.handle(IPC_CHANNELS.call, (event, channel, request) => onCall(event, channel, request));
  const onAck = (event: IpcEventLike, seq: unknown): void => {
    // A forged acknowledgement could only unblock frames early, but it is refused all the same.
    if (senderRejection(event, currentWindow()) === null) gate.ack(seq);
  };
  ipcMain.on(IPC_CHANNELS.streamAck, onAck);
  const unsubscribe = forwardStream((listener) => terminal.subscribe(listener), window.webContents, gate, stats, nowMs);

  const pageChanged = (): void => {
    session.clearAdmin();
    gate.reset();
  };
  return {
    session,
    stats,
    pageChanged,
    rendererGone: pageChanged,
    close: () => {
      if (closed) return;
      closed = true;
      unsubscribe();
      ipcMain.removeHandler(IPC_CHANNELS.call);
      ipcMain.removeListener(IPC_CHANNELS.streamAck, onAck);
      session.dispose();
    },
  };
}
