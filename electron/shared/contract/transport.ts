// How the contract travels. Two transports carry the same calls and the same stream messages:
//   Electron: the preload exposes `window.lintel` (a LintelBridge) over ipcRenderer; the main process keeps
//     the sessions per webContents.
//   Browser host: `POST /api/call/<channel>` with the JSON request answers the JSON Result; the stream is a
//     WebSocket at /api/stream, one JSON StreamMessage per text frame. Sessions ride in HttpOnly cookies.
import type { Channel, Invoke } from './channels.js';
import type { StreamMessage } from './streams.js';

/** The browser host's paths. */
export const HTTP_PATHS = {
  /** Prefix of `POST /api/call/<channel>`. */
  callPrefix: '/api/call/',
  /** WebSocket of stream messages. */
  stream: '/api/stream',
  /**
   * `GET /pair?token=<device token>`: sets the device-session cookie and redirects to `/`. The address the
   * headless terminal prints is this one; the token never appears in the page's own URL afterwards.
   */
  pair: '/pair',
} as const;

/** The path of a channel's call. */
export const callPath = (channel: Channel): string => `${HTTP_PATHS.callPrefix}${channel}`;

/** Cookie of the device session (token level), from /pair. */
export const DEVICE_COOKIE = 'lintel_device';
/** Cookie of an admin session, set by a successful `admin:login` / `admin:setup`, cleared by `admin:logout`. */
export const ADMIN_COOKIE = 'lintel_admin';

/** Largest request body the browser host reads, bytes: ten photos of MAX_PHOTO_BYTES as base64, and some. */
export const MAX_REQUEST_BYTES = 170 * 1024 * 1024;

/** What the Electron preload exposes as `window.lintel`; frozen, and the only door to the main process. */
export interface LintelBridge {
  readonly kind: 'electron';
  /** One contract call; resolves to the handler's Result. */
  readonly invoke: Invoke;
  /** Every stream message as it arrives; returns the unsubscribe. */
  readonly subscribe: (listener: (message: StreamMessage) => void) => () => void;
}

/** The name the preload exposes the bridge under. */
export const BRIDGE_KEY = 'lintel';
