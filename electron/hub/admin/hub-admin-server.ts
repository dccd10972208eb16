// The hub's admin API over HTTP(S): `POST /api/call/<channel>` with a JSON request answers the JSON Result, the
// session in an HttpOnly cookie. Host and Origin are checked against the names this hub answers to (no DNS
// rebinding, no cross-site calls) before any body is read, and never more than the body limit is read.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

import type { HandlerContext, HandlerLogger, Session } from '../../shared/contract/handler.js';
import type { Result } from '../../shared/contract/result.js';
import { HUB_ADMIN_COOKIE, HUB_OPEN_CHANNELS, maxHubCallBodyBytes } from '../../shared/hub-admin/channels.js';
import { HTTP_PATHS } from '../../shared/contract/transport.js';
import { createOriginPolicy, type OriginPolicy } from '../../host/origin-policy.js';
import { sendText, serveStatic } from '../../host/static-files.js';
import type { PostgresHubStore } from '../store/postgres-hub-store.js';
import { createHubAdminHandler, type IssuedTokens } from './hub-admin-api.js';
import type { PhotoEnroller } from './photo-enrollment.js';

/** Options of `startHubAdminServer`. */
export interface HubAdminServerOptions {
  readonly store: PostgresHubStore;
  readonly logger: HandlerLogger;
  /** Address to bind; default 127.0.0.1. Anything else serves other machines, and then only over TLS. */
  readonly host?: string;
  /** Default 7400; 0 picks a free port. */
  readonly port?: number;
  /** Serve HTTPS with this certificate and key, PEM. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer } | undefined;
  /** The address browsers use when a proxy in front terminates TLS. */
  readonly publicOrigin?: string | undefined;
  /** Makes samples from photos for `persons:create-from-photos` (closed with the server); without it that channel answers 'unavailable'. */
  readonly photos?: PhotoEnroller;
  /** Revokes a door for `doors:revoke`; without it that channel answers 'unavailable'. */
  readonly revokeDoor?: (terminalId: string) => Promise<readonly string[]>;
  /** The built admin UI (`dist/hub-renderer`, its page hub.html), served on every GET that is no call; without it only the API answers. */
  readonly rendererDir?: string;
  /** Check every answer against the contract (tests). */
  readonly validateResponses?: boolean;
}

export interface HubAdminServer {
  readonly server: Server | TlsServer;
  /** `http(s)://<host>:<port>`. */
  readonly origin: string;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const SECURITY_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
} as const;

/** Starts the admin API; resolves once listening. */
export async function startHubAdminServer(options: HubAdminServerOptions): Promise<HubAdminServer> {
  const bindHost = options.host ?? '127.0.0.1';
  const scheme = options.tls ? 'https' : 'http';
  if (!LOOPBACK.has(bindHost) && bindHost !== 'localhost' && !options.tls && !options.publicOrigin?.startsWith('https:')) {
    // Passwords and faces would cross the network in clear text.
    throw new Error(`the hub admin API serves ${bindHost} only over HTTPS: give it a certificate (or a public https origin behind a TLS proxy)`);
  }
  const issued: IssuedTokens = new WeakMap();
  const handle = createHubAdminHandler(options.store, { logger: options.logger, issued, photos: options.photos, revokeDoor: options.revokeDoor, ...(options.validateResponses ? { validateResponses: true } : {}) });
  const secureCookies = scheme === 'https' || options.publicOrigin?.startsWith('https:') === true;
  const allowed: { policy?: OriginPolicy } = {};

  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    serve(request, response).catch((error: unknown) => {
      options.logger.error('hub admin request failed', { error: String(error) });
      if (!response.headersSent) answer(response, 500, { ok: false, error: { code: 'internal', message: 'the request failed' } });
    });
  };

  const serve = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const policy = allowed.policy;
    if (!policy || !policy.hostAllowed(request.headers.host)) return answer(response, 421, { ok: false, error: { code: 'forbidden', message: 'this hub does not answer to that host name' } });
    const url = new URL(request.url ?? '/', 'http://hub');
    if (!url.pathname.startsWith(HTTP_PATHS.callPrefix)) {
      // The admin UI with the same CSP and file handling as a terminal's browser host; it holds nothing secret.
      if (options.rendererDir !== undefined && (request.method === 'GET' || request.method === 'HEAD')) return serveStatic(response, options.rendererDir, url.pathname, 'hub.html');
      if (options.rendererDir !== undefined) return sendText(response, 405, 'method not allowed');
      return answer(response, 404, { ok: false, error: { code: 'not-found', message: `no ${url.pathname} here` } });
    }
    if (request.method !== 'POST') return answer(response, 405, { ok: false, error: { code: 'invalid-request', message: 'calls are POST' } });
    const origin = request.headers.origin;
    // A browser names the page's origin on every POST: a call from another site's page is refused unread.
    const senderOk = origin === undefined || policy.originAllowed(origin);
    if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
      return answer(response, 415, { ok: false, error: { code: 'invalid-request', message: 'the request body must be application/json' } });
    }
    const channel = decodeURIComponent(url.pathname.slice(HTTP_PATHS.callPrefix.length));
    const token = cookieOf(request, HUB_ADMIN_COOKIE);
    const stored = senderOk ? await options.store.admins.sessionOf(token) : undefined;
    const session: Session | undefined = stored ? { level: 'admin', subject: stored.username, expiresAtMs: stored.expiresAtMs } : undefined;
    const peer = request.socket.remoteAddress ?? '';
    const context: HandlerContext = {
      senderOk,
      session,
      sessionToken: stored ? token : undefined,
      source: peer,
      // At the hub machine itself: loopback, and not relayed by a proxy on it.
      local: LOOPBACK.has(peer) && request.headers['x-forwarded-for'] === undefined && request.headers.forwarded === undefined,
    };
    let body: unknown;
    // Nothing of the body is read before the sender and, beyond login and setup, the session have passed: the
    // handler then answers 'forbidden' or 'unauthorized' from what it has.
    if (senderOk && (session || HUB_OPEN_CHANNELS.includes(channel))) {
      const maxBytes = maxHubCallBodyBytes(channel);
      const text = await readBody(request, maxBytes);
      if (text === undefined) return answer(response, 413, { ok: false, error: { code: 'invalid-request', message: `the request body is larger than ${maxBytes} bytes` } });
      try {
        body = text.length === 0 ? {} : JSON.parse(text);
      } catch {
        return answer(response, 400, { ok: false, error: { code: 'invalid-request', message: 'the request body is not JSON' } });
      }
    }
    const result = await handle(channel, body, context);
    const cookie = issued.get(context);
    if (cookie !== undefined) {
      const attributes = `Path=/; HttpOnly; SameSite=Strict${secureCookies ? '; Secure' : ''}`;
      response.setHeader(
        'set-cookie',
        cookie === null ? `${HUB_ADMIN_COOKIE}=; ${attributes}; Max-Age=0` : `${HUB_ADMIN_COOKIE}=${cookie.token}; ${attributes}; Max-Age=${Math.floor((cookie.expiresAtMs - Date.now()) / 1000)}`,
      );
    }
    answer(response, statusOf(result), result);
  };

  const server = options.tls ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, onRequest) : createServer(onRequest);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 7400, bindHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  allowed.policy = createOriginPolicy({ scheme, bindHost, port, publicOrigin: options.publicOrigin });
  const hostInUrl = bindHost.includes(':') ? `[${bindHost}]` : bindHost;
  return {
    server,
    origin: `${scheme}://${hostInUrl}:${port}`,
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      await options.photos?.close();
    },
  };
}

function statusOf(result: Result<unknown>): number {
  if (result.ok) return 200;
  const byCode: Record<string, number> = { 'invalid-request': 400, unauthorized: 401, forbidden: 403, 'not-found': 404, conflict: 409, locked: 429, 'rate-limited': 429, unavailable: 503 };
  return byCode[result.error.code] ?? 500;
}

function answer(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, SECURITY_HEADERS);
  response.end(JSON.stringify(body));
}

function cookieOf(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** The body as text, or undefined once it passes `maxBytes` (the rest is not read). */
async function readBody(request: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxBytes) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
