// The stream of frame-rate messages: a WebSocket to the browser host (reconnecting with backoff) or the
// Electron preload's subscription. Either way the listener sees parsed StreamMessages and the connection's state.
import { HTTP_PATHS, parseStreamMessage, type LintelBridge, type StreamMessage } from '../contract.js';
import { reconnectDelayMs } from './reconnect-backoff.js';
import type { StreamStatus } from './stream-status.js';

export type { StreamStatus } from './stream-status.js';

export interface StreamHandlers {
  /** A new connection began: its messages restart their sequence numbers. */
  readonly onConnect: () => void;
  readonly onMessage: (message: StreamMessage) => void;
  readonly onStatus: (status: StreamStatus) => void;
}

export interface StreamSource {
  /** Starts delivering; returns the stop. */
  start(handlers: StreamHandlers): () => void;
}

/** With health about once a second, this long without any message means the connection is dead. */
const SILENCE_LIMIT_MS = 10_000;

/** The browser host's WebSocket, at the page's own host (ws: or wss: as the page). */
export function webSocketStream(location: Pick<Location, 'protocol' | 'host'>): StreamSource {
  const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${HTTP_PATHS.stream}`;
  return {
    start(handlers) {
      let socket: WebSocket | undefined;
      let attempt = 0;
      let lostSinceMs: number | null = null;
      let retryTimer: number | undefined;
      let silenceTimer: number | undefined;
      let stopped = false;

      const armSilence = (): void => {
        window.clearTimeout(silenceTimer);
        silenceTimer = window.setTimeout(() => socket?.close(), SILENCE_LIMIT_MS);
      };

      const connect = (): void => {
        if (stopped) return;
        if (lostSinceMs === null) handlers.onStatus({ state: 'connecting' });
        const current = new WebSocket(url);
        socket = current;
        current.onopen = () => {
          attempt = 0;
          lostSinceMs = null;
          handlers.onConnect();
          handlers.onStatus({ state: 'open' });
          armSilence();
        };
        current.onmessage = (event: MessageEvent) => {
          armSilence();
          if (typeof event.data !== 'string') return;
          let raw: unknown;
          try {
            raw = JSON.parse(event.data);
          } catch {
            return;
          }
          const message = parseStreamMessage(raw);
          if (message) handlers.onMessage(message);
        };
        current.onclose = () => {
          window.clearTimeout(silenceTimer);
          if (stopped || socket !== current) return;
          const nowMs = Date.now();
          lostSinceMs ??= nowMs;
          const delayMs = reconnectDelayMs(attempt++);
          handlers.onStatus({ state: 'lost', sinceMs: lostSinceMs, retryAtMs: nowMs + delayMs });
          retryTimer = window.setTimeout(connect, delayMs);
        };
      };

      connect();
      return () => {
        stopped = true;
        window.clearTimeout(retryTimer);
        window.clearTimeout(silenceTimer);
        socket?.close();
      };
    },
  };
}

/** The Electron preload's stream: one connection for the window's life; messages checked like the WebSocket's. */
export function bridgeStream(bridge: LintelBridge): StreamSource {
  return {
    start(handlers) {
      handlers.onConnect();
      handlers.onStatus({ state: 'open' });
      return bridge.subscribe((raw) => {
        const message = parseStreamMessage(raw);
        if (message) handlers.onMessage(message);
      });
    },
  };
}
