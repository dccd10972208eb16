// How the contract travels. Two transports carry the same calls and the same stream messages:
//   Electron: the preload exposes `window.lintel` (a LintelBridge) over ipcRenderer; the main process keeps
//     the sessions per webContents.
//   Browser host: `POST /api/call/<channel>` with the JSON request answers the JSON Result; the stream is a
//     WebSocket at /api/stream, one JSON StreamMessage per text frame. Sessions ride in HttpOnly cookies.
import type { Channel, Invoke } from './channels.js';
import { MAX_IMPORT_ZIP_BYTES } from './faces.js';
import { MAX_MODEL_FILE_BYTES, MAX_PHOTO_BYTES, MAX_PHOTOS } from './schemas.js';
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

/** Room for a request's other fields beside its base64 files, bytes. */
const UPLOAD_OVERHEAD_BYTES = 64 * 1024;
const base64Bytes = (bytes: number): number => Math.ceil(bytes / 3) * 4;

/** Largest request body of a call that uploads nothing, bytes: settings, a person, a query. */
export const MAX_CALL_BODY_BYTES = 1024 * 1024;

/** Channels that upload files, and their largest body, bytes: the most files of the largest size, as base64. */
export const UPLOAD_BODY_BYTES: Readonly<Partial<Record<Channel, number>>> = {
  'enroll:photos': MAX_PHOTOS * base64Bytes(MAX_PHOTO_BYTES) + UPLOAD_OVERHEAD_BYTES,
  'models:add': base64Bytes(MAX_MODEL_FILE_BYTES) + UPLOAD_OVERHEAD_BYTES,
  'persons:add-photos': MAX_PHOTOS * base64Bytes(MAX_PHOTO_BYTES) + UPLOAD_OVERHEAD_BYTES,
  'enroll:check-photo': base64Bytes(MAX_PHOTO_BYTES) + UPLOAD_OVERHEAD_BYTES,
  'import:upload': base64Bytes(MAX_IMPORT_ZIP_BYTES) + UPLOAD_OVERHEAD_BYTES,
};

/** Largest request body the browser host reads for a channel, bytes; past it the call is refused (413). */
export function maxCallBodyBytes(channel: Channel): number {
  return UPLOAD_BODY_BYTES[channel] ?? MAX_CALL_BODY_BYTES;
}

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
