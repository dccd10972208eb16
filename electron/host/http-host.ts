// The browser host: the renderer and the contract over HTTP and a WebSocket, for machines without Electron,
// for the end-to-end tests, and for an admin's browser where the integrator allows it. Every call goes
// through the app's one handler; this file only maps HTTP onto it (cookies → session, origin → sender).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

import { WebSocketServer, type WebSocket } from 'ws';

import { isChannel } from '../shared/contract/channels.js';
import type { Session } from '../shared/contract/handler.js';
import { err } from '../shared/contract/result.js';
import { ADMIN_COOKIE, DEVICE_COOKIE, HTTP_PATHS, MAX_REQUEST_BYTES } from '../shared/contract/transport.js';
import type { TerminalApp } from '../terminal/app/terminal-app.js';

/** What the host needs of the terminal: its one handler, its sessions, its stream and its log. */
export type HostedApp = Pick<TerminalApp, 'handle' | 'sessions' | 'subscribe'> & { readonly options: Pick<TerminalApp['options'], 'logger'> };

/** Options of `startHttpHost`. */
export interface HttpHostOptions {
  readonly app: HostedApp;
  /** Built renderer (`dist/renderer`). */
  readonly rendererDir: string;
  /** Address to bind; default 127.0.0.1. Anything else serves other machines: every call then needs a session. */
  readonly host?: string;
  /** Default 7300; 0 picks a free port. */
  readonly port?: number;
  /** A stream socket whose unsent bytes exceed this skips camera frames until it drains; default 1 MiB. */
  readonly maxStreamBufferBytes?: number;
}

/** A running host. */
export interface HttpHost {
  readonly server: Server;
  /** `http://<host>:<port>`. */
  readonly origin: string;
  /** A pairing address for a new device session (the kiosk browser, a test). */
  pairingUrl(ttlMs?: number): string;
  close(): Promise<void>;
}

/** What the renderer may do, as a policy the browser enforces (the same one Electron's session sets). */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data: blob:; connect-src 'self' ws: wss:; style-src 'self'; script-src 'self'; media-src 'self' data: blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.wav': 'audio/wav',
};

/** A device session from a pairing link lasts this long, ms. */
const DEVICE_SESSION_MS = 12 * 60 * 60_000;

/** Starts serving; resolves once listening. */
export async function startHttpHost(options: HttpHostOptions): Promise<HttpHost> {
  const { app } = options;
  const bindHost = options.host ?? '127.0.0.1';
  const maxStreamBufferBytes = options.maxStreamBufferBytes ?? 1024 * 1024;
  const sockets = new Set<WebSocket>();

  const sessionOf = (request: IncomingMessage): { session?: Session; token?: string } => {
    const cookies = parseCookies(request.headers.cookie);
    const bearer = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    for (const token of [bearer, cookies[ADMIN_COOKIE], cookies[DEVICE_COOKIE]]) {
      const session = app.sessions.resolve(token);
      if (session && token) return { session, token };
    }
    return {};
  };

  /**
   * The sender check: a browser's request must come from our own origin (a page elsewhere cannot drive the
   * terminal with the user's cookies), and a request from another machine must carry a session even for the
   * channels that need none (login, health).
   */
  const senderOk = (request: IncomingMessage, session: Session | undefined): boolean => {
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== `http://${request.headers.host ?? ''}`) return false;
    return isLoopback(request.socket.remoteAddress) || session !== undefined;
  };

  const server = createServer((request, response) => {
    handleRequest(request, response).catch((error: Error) => {
      app.options.logger.error('host.request-failed', { url: request.url, error: error.message });
      if (!response.headersSent) sendJson(response, 500, err('internal', 'the request failed'));
      else response.destroy();
    });
  });

  async function handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://terminal');
    if (url.pathname.startsWith(HTTP_PATHS.callPrefix)) return handleCall(request, response, url.pathname.slice(HTTP_PATHS.callPrefix.length));
    if (url.pathname === HTTP_PATHS.pair) return handlePair(response, url.searchParams.get('token'));
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendText(response, 405, 'method not allowed');
    return serveStatic(response, url.pathname);
  }

  async function handleCall(request: IncomingMessage, response: ServerResponse, channel: string): Promise<void> {
    if (request.method !== 'POST') return sendJson(response, 405, err('invalid-request', 'calls are POST requests'));
    if (!(request.headers['content-type'] ?? '').startsWith('application/json')) return sendJson(response, 415, err('invalid-request', 'the request body must be application/json'));
    const { session, token } = sessionOf(request);
    const body = await readBody(request, MAX_REQUEST_BYTES);
    if (body === 'too-large') return sendJson(response, 413, err('invalid-request', `the request is larger than ${MAX_REQUEST_BYTES} bytes`));
    let parsed: unknown;
    try {
      parsed = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      return sendJson(response, 400, err('invalid-request', 'the request body is not valid JSON'));
    }
    const result = await app.handle(channel, parsed, { senderOk: senderOk(request, session), session, sessionToken: token });
    if (result.ok && isChannel(channel) && (channel === 'admin:login' || channel === 'admin:setup')) {
      const { token: adminToken, expiresAtMs } = result.value as { token: string; expiresAtMs: number };
      setCookie(response, ADMIN_COOKIE, adminToken, Math.max(0, Math.floor((expiresAtMs - Date.now()) / 1000)));
    }
    if (result.ok && channel === 'admin:logout') setCookie(response, ADMIN_COOKIE, '', 0);
    sendJson(response, 200, result);
  }

  function handlePair(response: ServerResponse, token: string | null): void {
    const session = app.sessions.resolve(token ?? undefined);
    if (!session || !token) return sendText(response, 401, 'This pairing link is not valid (any more). Start the terminal again for a new one.');
    setCookie(response, DEVICE_COOKIE, token, Math.floor((session.expiresAtMs - Date.now()) / 1000));
    response.writeHead(303, { ...SECURITY_HEADERS, location: '/' }).end();
  }

  async function serveStatic(response: ServerResponse, pathname: string): Promise<void> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return sendText(response, 400, 'malformed path');
    }
    const relative = normalize(decoded).replace(/^([/\\])+/, '');
    const root = normalize(options.rendererDir + sep);
    let file = join(root, relative === '' ? 'index.html' : relative);
    if (!file.startsWith(root)) return sendText(response, 404, 'not found');
    let info = await stat(file).catch(() => undefined);
    // Client-side routes fall back to the app; missing assets stay 404.
    if (!info?.isFile() && extname(file) === '') {
      file = join(root, 'index.html');
      info = await stat(file).catch(() => undefined);
    }
    if (!info?.isFile()) return sendText(response, 404, extname(file) === '.html' ? 'the renderer is not built: run npm run build' : 'not found');
    const immutable = relative.startsWith('assets/');
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': MIME_TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': info.size,
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    createReadStream(file).pipe(response);
  }

  // The stream: one socket per page, every message as JSON text; frames skipped while a socket is behind.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (request, socket, head) => {
    const { pathname } = new URL(request.url ?? '/', 'http://terminal');
    const { session } = sessionOf(request);
    if (pathname !== HTTP_PATHS.stream || !session || !senderOk(request, session)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      sockets.add(ws);
      const unsubscribe = app.subscribe((message) => {
        if (ws.readyState !== ws.OPEN) return;
        if (message.kind === 'frame' && ws.bufferedAmount > maxStreamBufferBytes) return;
        // A session that ended (logout, expiry) closes its stream too.
        if (!app.sessions.resolve(sessionOf(request).token)) return ws.close(4401, 'session ended');
        ws.send(JSON.stringify(message));
      });
      ws.on('close', () => {
        unsubscribe();
        sockets.delete(ws);
      });
      ws.on('error', () => ws.terminate());
      // The stream is one-way; a client that talks is ignored.
      ws.on('message', () => undefined);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 7300, bindHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const origin = `http://${bindHost.includes(':') ? `[${bindHost}]` : bindHost}:${address.port}`;

  return {
    server,
    origin,
    pairingUrl: (ttlMs = DEVICE_SESSION_MS) => `${origin}${HTTP_PATHS.pair}?token=${app.sessions.issue('token', 'browser', ttlMs).token}`,
    close: async () => {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) }).end(body);
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(text);
}

function setCookie(response: ServerResponse, name: string, value: string, maxAgeS: number): void {
  const cookie = `${name}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}`;
  const existing = response.getHeader('set-cookie');
  response.setHeader('set-cookie', [...(Array.isArray(existing) ? existing : []), cookie]);
}

/** Cookies of a request; the first of a repeated name wins. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index < 1) continue;
    const name = part.slice(0, index).trim();
    if (!(name in cookies)) cookies[name] = part.slice(index + 1).trim();
  }
  return cookies;
}

function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

/** The body, or 'too-large' past the limit (the rest is not read). */
function readBody(request: IncomingMessage, limitBytes: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        // Drained, not destroyed: the socket must stay up for the 413 answer.
        request.removeAllListeners('data');
        request.resume();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
