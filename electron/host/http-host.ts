// The browser host: the renderer and the contract over HTTP and a WebSocket, for machines without Electron,
// for the end-to-end tests, and for an admin's browser where the integrator allows it. Every call goes
// through the app's one handler; this file only maps HTTP onto it (cookies → session, origin → sender).
// Nothing of a call's body is read before its Host, Origin and session have passed, and never more than the
// channel's limit: an unauthenticated upload costs the terminal no memory.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

import { WebSocketServer, type WebSocket } from 'ws';

import { contract, isChannel } from '../shared/contract/channels.js';
import type { Session } from '../shared/contract/handler.js';
import { err, type ErrorCode } from '../shared/contract/result.js';
import { ADMIN_COOKIE, DEVICE_COOKIE, HTTP_PATHS, maxCallBodyBytes } from '../shared/contract/transport.js';
import { forPairedDevice } from '../terminal/app/stream-hub.js';
import type { TerminalApp } from '../terminal/app/terminal-app.js';
import { createOriginPolicy, type OriginPolicy } from './origin-policy.js';
import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS, sendText, serveStatic } from './static-files.js';

export { CONTENT_SECURITY_POLICY };

/** Single-use pairing codes (the terminal's `store.pairing`). */
export interface PairingCodes {
  mint(ttlMs?: number): string;
  redeem(code: string | null | undefined): boolean;
}

/** What the host needs of the terminal: its one handler, its sessions, its pairing codes, its stream and its log. */
export type HostedApp = Pick<TerminalApp, 'handle' | 'sessions' | 'subscribe'> & { readonly pairing: PairingCodes; readonly options: Pick<TerminalApp['options'], 'logger'> };

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
  /** A stream socket whose unsent bytes exceed this is disconnected (its queue never grows further); default 8 MiB. */
  readonly maxStreamQueueBytes?: number;
  /** A stream client that answers no ping for this long is disconnected, ms; default 20000. */
  readonly streamStallMs?: number;
  /**
   * The address browsers use when a proxy in front terminates TLS (`https://door.example.com`): allowed in Host
   * and Origin besides the loopback names and the bound address, and the pairing address is written with it.
   */
  readonly publicOrigin?: string | undefined;
  /** Serve HTTPS (and the stream as wss:) with this certificate and key, PEM. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer } | undefined;
  /** Longest `close` waits for calls in progress before the app below may close, ms; default 10000. */
  readonly closeGraceMs?: number;
}

/** A running host. */
export interface HttpHost {
  readonly server: Server | TlsServer;
  /** `http(s)://<host>:<port>`, or the public origin where one is configured. */
  readonly origin: string;
  /** A pairing address: opened once, within `ttlMs` (default 10 minutes), it gives that browser a device session. */
  pairingUrl(ttlMs?: number): string;
  close(): Promise<void>;
}

/** A device session from a pairing link lasts this long, ms. */
const DEVICE_SESSION_MS = 12 * 60 * 60_000;

/**
 * After refusing a call whose body is still arriving, the rest is read and dropped for at most this long before
 * the connection is cut: closing a socket with unread bytes resets it, and the reset can overtake the answer.
 */
const REFUSED_BODY_LINGER_MS = 2000;

/** Starts serving; resolves once listening. */
export async function startHttpHost(options: HttpHostOptions): Promise<HttpHost> {
  const { app } = options;
  const bindHost = options.host ?? '127.0.0.1';
  const scheme = options.tls ? 'https' : 'http';
  const maxStreamBufferBytes = options.maxStreamBufferBytes ?? 1024 * 1024;
  const maxStreamQueueBytes = Math.max(options.maxStreamQueueBytes ?? 8 * 1024 * 1024, maxStreamBufferBytes);
  const streamStallMs = options.streamStallMs ?? 20_000;
  // Cookies marked Secure wherever the browser sees https (served here, or by the proxy in front).
  const secureCookies = scheme === 'https' || options.publicOrigin?.startsWith('https:') === true;
  const sockets = new Set<WebSocket>();
  /** Requests not answered yet: `close` lets them finish (their handlers use the app) before the app closes. */
  const inProgress = new Set<Promise<void>>();
  let closing = false;
  // The names answered; set once listening (port 0 picks the port), nothing is answered before.
  const allowed: { policy?: OriginPolicy } = {};

  const sessionOf = (request: IncomingMessage): { session?: Session; token?: string } => {
    const cookies = parseCookies(request.headers.cookie);
    const bearer = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    for (const token of [bearer, cookies[ADMIN_COOKIE], cookies[DEVICE_COOKIE]]) {
      const session = app.sessions.resolve(token);
      if (session && token) return { session, token };
    }
    return {};
  };

  /** Host names this terminal (DNS rebinding sends a name of the attacker's). */
  const hostOk = (request: IncomingMessage): boolean => allowed.policy?.hostAllowed(request.headers.host) ?? false;
  /** A browser's request comes from one of our own origins: a page elsewhere cannot use the user's cookies. */
  const originOk = (request: IncomingMessage): boolean => request.headers.origin === undefined || (allowed.policy?.originAllowed(request.headers.origin) ?? false);

  /**
   * The sender check: our own host and origin, and a request from another machine carries a session even for
   * the channels that need none (login, health). A request a proxy forwarded is from another machine, whatever
   * address the proxy itself connects from.
   */
  const senderOk = (request: IncomingMessage, session: Session | undefined): boolean => {
    if (!hostOk(request) || !originOk(request)) return false;
    return atTerminal(request) || session !== undefined;
  };

  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    const answered = new Promise<void>((resolve) => response.once('close', resolve));
    inProgress.add(answered);
    void answered.then(() => inProgress.delete(answered));
    handleRequest(request, response).catch((error: Error) => {
      app.options.logger.error('host.request-failed', { url: request.url, error: error.message });
      if (!response.headersSent) sendJson(response, 500, err('internal', 'the request failed'));
      else response.destroy();
    });
  };
  const server = options.tls ? createTlsServerOrSay(options.tls, onRequest) : createServer(onRequest);
  // `Expect: 100-continue` (curl sends it for large bodies) gets its 100 only once the call is allowed: a
  // refused upload is never sent at all.
  server.on('checkContinue', onRequest);

  async function handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://terminal');
    if (!hostOk(request)) {
      app.options.logger.warn('host.foreign-host', { host: String(request.headers.host ?? '').slice(0, 100) });
      const message = 'this terminal does not answer to that host name';
      return url.pathname.startsWith(HTTP_PATHS.callPrefix) ? refuse(request, response, 421, 'forbidden', message) : refuseText(request, response, 421, message);
    }
    if (closing) return refuse(request, response, 503, 'unavailable', 'the terminal is shutting down');
    if (url.pathname.startsWith(HTTP_PATHS.callPrefix)) return handleCall(request, response, url.pathname.slice(HTTP_PATHS.callPrefix.length));
    if (url.pathname === HTTP_PATHS.pair) return handlePair(response, url.searchParams.get('token'));
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendText(response, 405, 'method not allowed');
    return serveStatic(response, options.rendererDir, url.pathname);
  }

  /**
   * A call. Everything that needs no body is checked first — method, origin, content type, channel, session and
   * the channel's level, the declared length — so a caller who may not make the call never gets to send one
   * byte of it; the body is then read up to the channel's limit and refused (413) the moment it passes it.
   */
  async function handleCall(request: IncomingMessage, response: ServerResponse, channel: string): Promise<void> {
    if (request.method !== 'POST') return refuse(request, response, 405, 'invalid-request', 'calls are POST requests');
    const { session, token } = sessionOf(request);
    if (!senderOk(request, session)) return refuse(request, response, 403, 'forbidden', 'the sender is not allowed to call the terminal');
    if (!isJson(request.headers['content-type'])) return refuse(request, response, 415, 'invalid-request', 'the request body must be application/json');
    if (!isChannel(channel)) return refuse(request, response, 404, 'invalid-request', `unknown channel "${channel.slice(0, 64)}"`);
    // What the session decides without the body: every level but none needs one, admin an admin's. The
    // handler checks the level again, in full, once the body is read.
    const { auth } = contract[channel];
    if ((auth !== 'none' && !session) || (auth === 'admin' && session?.level !== 'admin')) {
      return refuse(request, response, 401, 'unauthorized', auth === 'admin' ? `${channel} needs an admin session` : `${channel} needs a session`);
    }
    const limitBytes = maxCallBodyBytes(channel);
    const tooLarge = `the request is larger than ${limitBytes} bytes, the most ${channel} takes`;
    if (Number(request.headers['content-length'] ?? 0) > limitBytes) return refuse(request, response, 413, 'invalid-request', tooLarge);
    if (/^100-continue$/i.test(request.headers.expect ?? '')) response.writeContinue();
    const body = await readBody(request, limitBytes);
    if (body === 'too-large') return refuse(request, response, 413, 'invalid-request', tooLarge);
    let parsed: unknown;
    try {
      parsed = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      return sendJson(response, 400, err('invalid-request', 'the request body is not valid JSON'));
    }
    const result = await app.handle(channel, parsed, { senderOk: true, session, sessionToken: token, source: sourceOf(request), local: atTerminal(request) });
    if (result.ok && isChannel(channel) && (channel === 'admin:login' || channel === 'admin:setup')) {
      const { token: adminToken, ...value } = result.value as { token: string; expiresAtMs: number };
      setCookie(response, ADMIN_COOKIE, adminToken, Math.max(0, Math.floor((value.expiresAtMs - Date.now()) / 1000)), secureCookies);
      // The token rides in the HttpOnly cookie only: the page never holds it.
      return sendJson(response, 200, { ok: true, value });
    }
    if (result.ok && channel === 'admin:logout') setCookie(response, ADMIN_COOKIE, '', 0, secureCookies);
    sendJson(response, 200, result);
  }

  /** Answers a refused call with its Result at once; whatever of its body still arrives is dropped unread. */
  function refuse(request: IncomingMessage, response: ServerResponse, status: number, code: ErrorCode, message: string): void {
    answerEarly(request, response, status, { 'content-type': 'application/json' }, JSON.stringify(err(code, message)));
  }

  function refuseText(request: IncomingMessage, response: ServerResponse, status: number, text: string): void {
    answerEarly(request, response, status, { 'content-type': 'text/plain; charset=utf-8' }, text);
  }

  /** Spends a pairing code for a device session of this browser's own: another device's logout does not end it. */
  function handlePair(response: ServerResponse, code: string | null): void {
    if (!app.pairing.redeem(code)) {
      return sendText(response, 401, 'This pairing address is spent or expired: each works once, for a few minutes. Run `lintel pair` on the terminal for a new one.');
    }
    const { token, session } = app.sessions.issue('token', 'browser', DEVICE_SESSION_MS);
    setCookie(response, DEVICE_COOKIE, token, Math.floor((session.expiresAtMs - Date.now()) / 1000), secureCookies);
    response.writeHead(303, { ...SECURITY_HEADERS, location: '/' }).end();
  }

  // The stream: one socket per page, every message as JSON text. A socket that is behind skips camera frames;
  // one whose queue still grows past maxStreamQueueBytes, or that answers no ping for streamStallMs (a client
  // that stopped reading), is disconnected: what is queued for a client is bounded, whatever the client does.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const lastHeardMs = new Map<WebSocket, number>();
  const dropStream = (ws: WebSocket, reason: 'stalled' | 'queue-full'): void => {
    app.options.logger.warn('host.stream-dropped', { reason, queuedBytes: ws.bufferedAmount });
    ws.terminate();
  };
  const heartbeat = setInterval(() => {
    const nowMs = Date.now();
    for (const ws of sockets) {
      if (nowMs - (lastHeardMs.get(ws) ?? nowMs) > streamStallMs) dropStream(ws, 'stalled');
      else if (ws.readyState === ws.OPEN) ws.ping();
    }
  }, Math.max(10, streamStallMs / 4));
  heartbeat.unref();

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const { pathname } = new URL(request.url ?? '/', 'http://terminal');
    const { session } = sessionOf(request);
    const refuseUpgrade = (status: string): void => void socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    if (!hostOk(request)) return refuseUpgrade('421 Misdirected Request');
    if (!originOk(request)) return refuseUpgrade('403 Forbidden');
    if (closing) return refuseUpgrade('503 Service Unavailable');
    if (pathname !== HTTP_PATHS.stream || !session || !senderOk(request, session)) return refuseUpgrade('401 Unauthorized');
    wss.handleUpgrade(request, socket, head, (ws) => {
      sockets.add(ws);
      lastHeardMs.set(ws, Date.now());
      const unsubscribe = app.subscribe((message) => {
        if (ws.readyState !== ws.OPEN) return;
        if (ws.bufferedAmount > maxStreamQueueBytes) return dropStream(ws, 'queue-full');
        if (message.kind === 'frame' && ws.bufferedAmount > maxStreamBufferBytes) return;
        // A session that ended (logout, expiry) closes its stream too.
        const current = sessionOf(request).session;
        if (!current) return ws.close(4401, 'session ended');
        ws.send(JSON.stringify(current.level === 'admin' || atTerminal(request) ? message : forPairedDevice(message)));
      });
      ws.on('close', () => {
        unsubscribe();
        sockets.delete(ws);
        lastHeardMs.delete(ws);
      });
      ws.on('error', () => ws.terminate());
      // Browsers answer pings by themselves; a client that reads nothing answers none.
      ws.on('pong', () => lastHeardMs.set(ws, Date.now()));
      // The stream is one-way; a client that talks is ignored (but is evidently reading).
      ws.on('message', () => lastHeardMs.set(ws, Date.now()));
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
  allowed.policy = createOriginPolicy({ scheme, bindHost, port: address.port, publicOrigin: options.publicOrigin });
  const origin = options.publicOrigin !== undefined ? new URL(options.publicOrigin).origin : `${scheme}://${bindHost.includes(':') ? `[${bindHost}]` : bindHost}:${address.port}`;

  return {
    server,
    origin,
    pairingUrl: (ttlMs) => `${origin}${HTTP_PATHS.pair}?token=${app.pairing.mint(ttlMs)}`,
    /**
     * Stops listening, ends the streams, lets calls in progress finish (up to closeGraceMs: their handlers use
     * the store, which closes after this), then cuts every connection left.
     */
    close: async () => {
      if (closing) return;
      closing = true;
      clearInterval(heartbeat);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const ws of sockets) ws.terminate();
      wss.close();
      let graceTimer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (graceTimer = setTimeout(resolve, options.closeGraceMs ?? 10_000)));
      await Promise.race([Promise.all([...inProgress]), grace]);
      clearTimeout(graceTimer);
      server.closeAllConnections();
      await closed;
    },
  };
}

function createTlsServerOrSay(tls: NonNullable<HttpHostOptions['tls']>, onRequest: (request: IncomingMessage, response: ServerResponse) => void): TlsServer {
  try {
    return createTlsServer({ cert: tls.cert, key: tls.key }, onRequest);
  } catch (error) {
    throw new Error(`the TLS certificate and key cannot be used (PEM files, the key matching the certificate): ${(error as Error).message}`, { cause: error });
  }
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) }).end(body);
}

function setCookie(response: ServerResponse, name: string, value: string, maxAgeS: number, secure: boolean): void {
  const cookie = `${name}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure ? '; Secure' : ''}`;
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

const isForwarded = (request: IncomingMessage): boolean => request.headers.forwarded !== undefined || request.headers['x-forwarded-for'] !== undefined;

/** A request from the terminal itself (its kiosk browser): loopback, and not relayed by a proxy for someone else. */
function atTerminal(request: IncomingMessage): boolean {
  return isLoopback(request.socket.remoteAddress) && !isForwarded(request);
}

/**
 * Who is calling, for per-source login limits: the peer address, or behind a proxy on this machine the address
 * the proxy added last to X-Forwarded-For (earlier entries are the client's own to invent).
 */
function sourceOf(request: IncomingMessage): string {
  const peer = request.socket.remoteAddress ?? 'unknown';
  const relayed = isLoopback(peer) ? String(request.headers['x-forwarded-for'] ?? '').split(',').at(-1)?.trim() : undefined;
  return `http:${relayed || peer}`.slice(0, 128);
}

/** Whether a Content-Type names JSON; media types are case-insensitive (RFC 9110), parameters are ignored. */
export function isJson(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/** The body, or 'too-large' as soon as it passes the limit (what was read is let go; the rest is dropped). */
function readBody(request: IncomingMessage, limitBytes: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limitBytes) {
        request.off('data', onData);
        chunks.length = 0;
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/**
 * Sends a whole answer (its Content-Length says where it ends) while the request's body may still be arriving,
 * and drops the rest of that body unread. The response is ended — and the connection may close — only once the
 * body has been dropped: a socket closed over unread bytes is reset, and the reset can overtake the answer. A
 * sender still sending after REFUSED_BODY_LINGER_MS is cut off.
 */
function answerEarly(request: IncomingMessage, response: ServerResponse, status: number, headers: Readonly<Record<string, string>>, body: string): void {
  response.writeHead(status, { ...SECURITY_HEADERS, ...headers, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  if (request.readableEnded) return void response.end(body);
  response.write(body);
  const timer = setTimeout(() => {
    response.end();
    request.socket.destroy();
  }, REFUSED_BODY_LINGER_MS);
  timer.unref();
  const done = (): void => {
    clearTimeout(timer);
    response.end();
  };
  request.once('end', done);
  request.once('close', done);
  request.resume();
}
