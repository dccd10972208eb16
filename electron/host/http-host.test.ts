import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { WebSocket } from 'ws';

import { contract } from '../shared/contract/channels.js';
import { createHandler } from '../shared/contract/handler.js';
import type { Result } from '../shared/contract/result.js';
import type { StreamMessage } from '../shared/contract/streams.js';
import { MAX_MODEL_FILE_BYTES, MAX_PHOTO_BYTES, MAX_PHOTOS } from '../shared/contract/schemas.js';
import { ADMIN_COOKIE, DEVICE_COOKIE, HTTP_PATHS, MAX_CALL_BODY_BYTES, maxCallBodyBytes } from '../shared/contract/transport.js';
import { SessionRegistry } from '../terminal/app/sessions.js';
import { CONTENT_SECURITY_POLICY, parseCookies, startHttpHost, type HostedApp, type HttpHost, type HttpHostOptions } from './http-host.js';

// The transport alone: a real handler over the real contract with a small implementation, real sessions, a
// real server on a free port, real HTTP and WebSocket clients. The terminal behind it is tested on its own.
const sessions = new SessionRegistry();
const listeners = new Set<(message: StreamMessage) => void>();
const logged: string[] = [];
const warned: { message: string; details: Readonly<Record<string, unknown>> }[] = [];
const logger = { info: () => undefined, warn: (message: string, details: Readonly<Record<string, unknown>> = {}) => void warned.push({ message, details }), error: (message: string) => void logged.push(message) };
const channels = { 'admin:status': contract['admin:status'], 'admin:login': contract['admin:login'], 'admin:logout': contract['admin:logout'], 'persons:list': contract['persons:list'] };
const handle = createHandler(
  channels,
  {
    'admin:status': (_request, context) => ({ hasAdmin: true, session: context.session ?? null }),
    'admin:login': ({ username, secret }) => {
      if (secret !== '2468') throw Object.assign(new Error('wrong username or secret'), { code: 'unauthorized' });
      const { token, session } = sessions.issue('admin', username, 60_000);
      return { token, expiresAtMs: session.expiresAtMs, username };
    },
    'admin:logout': (_request, context) => {
      sessions.revoke(context.sessionToken);
      return null;
    },
    'persons:list': () => ({ persons: [], total: 0 }),
  },
  { logger },
);
/** Single-use pairing codes, as the store keeps them. */
const pairingCodes = new Set<string>();
const pairing: HostedApp['pairing'] = {
  mint: () => {
    const code = randomBytes(24).toString('base64url');
    pairingCodes.add(code);
    return code;
  },
  redeem: (code) => code !== null && code !== undefined && pairingCodes.delete(code),
};
const app: HostedApp = { handle, sessions, pairing, subscribe: (listener) => (listeners.add(listener), () => listeners.delete(listener)), options: { logger } };

let host: HttpHost;
let rendererDir: string;

before(async () => {
  rendererDir = mkdtempSync(join(tmpdir(), 'lintel-host-'));
  mkdirSync(join(rendererDir, 'assets'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Lintel</title>');
  writeFileSync(join(rendererDir, 'assets', 'app-1234.js'), 'export {};');
  writeFileSync(join(tmpdir(), 'lintel-host-secret.txt'), 'secret');
  host = await startHttpHost({ app, rendererDir, port: 0 });
});

after(async () => {
  await host.close();
  rmSync(rendererDir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request, so headers a browser would not let a page set (Origin, Cookie) can be tested. */
function send(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Reply> {
  const url = new URL(path, host.origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const call = async (channel: string, request: unknown, headers: Record<string, string> = {}): Promise<{ reply: Reply; result: Result<unknown> }> => {
  const reply = await send('POST', `/api/call/${channel}`, { 'content-type': 'application/json', ...headers }, JSON.stringify(request));
  return { reply, result: JSON.parse(reply.body) as Result<unknown> };
};

const cookieOf = (reply: Reply, name: string): string | undefined =>
  ([reply.headers['set-cookie'] ?? []].flat() as string[]).map((line) => parseCookies(line.split(';')[0]))[0]?.[name];

/** Pairs like a browser opening the printed address; returns the Cookie header to send afterwards. */
async function pair(): Promise<string> {
  const token = new URL(host.pairingUrl()).searchParams.get('token') ?? '';
  const reply = await send('GET', `/pair?token=${token}`);
  assert.equal(reply.status, 303);
  assert.equal(reply.headers.location, '/');
  const cookie = reply.headers['set-cookie']?.[0] ?? '';
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  return `${DEVICE_COOKIE}=${cookieOf(reply, DEVICE_COOKIE)}`;
}

describe('http host', () => {
  test('serves the renderer with the CSP and security headers; unknown routes fall back to the app, missing assets do not', async () => {
    const index = await send('GET', '/');
    assert.equal(index.status, 200);
    assert.equal(index.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
    assert.equal(index.headers['x-content-type-options'], 'nosniff');
    assert.equal(index.headers['x-frame-options'], 'DENY');
    assert.match(index.body, /<title>Lintel/);
    assert.equal((await send('GET', '/admin/people')).status, 200, 'a client-side route');
    const asset = await send('GET', '/assets/app-1234.js');
    assert.equal(asset.status, 200);
    assert.match(String(asset.headers['cache-control']), /immutable/);
    assert.equal((await send('GET', '/assets/missing.js')).status, 404);
  });

  test('does not serve files outside the renderer folder', async () => {
    for (const path of ['/../lintel-host-secret.txt', '/%2e%2e/lintel-host-secret.txt', '/..%2flintel-host-secret.txt', '/assets/..%2f..%2flintel-host-secret.txt']) {
      const reply = await send('GET', path);
      assert.notEqual(reply.body, 'secret', path);
    }
  });

  test('a malformed path is a 400, not a failure', async () => {
    assert.equal((await send('GET', '/%E0%A4%A')).status, 400);
  });

  test('a pairing link with a wrong token sets no cookie', async () => {
    const reply = await send('GET', '/pair?token=not-a-token');
    assert.equal(reply.status, 401);
    assert.equal(reply.headers['set-cookie'], undefined);
  });

  test('a pairing address works once; each device gets a session of its own, and one logging out leaves the others', async () => {
    const address = new URL(host.pairingUrl());
    const first = await send('GET', `${HTTP_PATHS.pair}${address.search}`);
    assert.equal(first.status, 303);
    assert.notEqual(cookieOf(first, DEVICE_COOKIE), address.searchParams.get('token'), 'the session token is not the code');
    const again = await send('GET', `${HTTP_PATHS.pair}${address.search}`);
    assert.equal(again.status, 401);
    assert.equal(again.headers['set-cookie'], undefined);
    const [one, two] = [await pair(), await pair()];
    assert.notEqual(one, two);
    assert.equal((await call('admin:logout', {}, { cookie: one })).result.ok, true);
    const sessionOf = async (cookie: string): Promise<string | undefined> => ((await call('admin:status', {}, { cookie })).result as { value: { session: { level: string } | null } }).value.session?.level;
    assert.equal(await sessionOf(one), undefined, 'the device that logged out has no session');
    assert.equal(await sessionOf(two), 'token', 'the other device is still paired');
  });

  test('calls: none-level channels answer on loopback without a session; admin channels need an admin session', async () => {
    const status = await call('admin:status', {});
    assert.deepEqual(status.result, { ok: true, value: { hasAdmin: true, session: null } });
    const cookie = await pair();
    const device = await call('admin:status', {}, { cookie });
    assert.equal((device.result as { value: { session: { level: string } } }).value.session.level, 'token');
    const refused = await call('persons:list', {}, { cookie });
    assert.deepEqual(refused.result.ok ? undefined : refused.result.error.code, 'unauthorized');
  });

  test('admin login sets an HttpOnly admin cookie; logout clears it and ends the session', async () => {
    const cookie = await pair();
    const wrong = await call('admin:login', { username: 'ann', secret: '1111' }, { cookie });
    assert.equal(wrong.result.ok ? undefined : wrong.result.error.code, 'unauthorized');
    assert.equal(cookieOf(wrong.reply, ADMIN_COOKIE), undefined);

    const login = await call('admin:login', { username: 'ann', secret: '2468' }, { cookie });
    assert.equal(login.result.ok, true);
    const adminToken = cookieOf(login.reply, ADMIN_COOKIE);
    assert.ok(adminToken);
    assert.deepEqual(Object.keys((login.result as { value: object }).value).sort(), ['expiresAtMs', 'username'], 'the token is in the HttpOnly cookie only');
    assert.match(String(login.reply.headers['set-cookie']), /HttpOnly; SameSite=Strict/);
    const both = `${cookie}; ${ADMIN_COOKIE}=${adminToken}`;
    assert.deepEqual((await call('persons:list', {}, { cookie: both })).result, { ok: true, value: { persons: [], total: 0 } });

    const logout = await call('admin:logout', {}, { cookie: both });
    assert.equal(logout.result.ok, true);
    assert.equal(cookieOf(logout.reply, ADMIN_COOKIE), '');
    const after = await call('persons:list', {}, { cookie: both });
    assert.equal(after.result.ok ? undefined : after.result.error.code, 'unauthorized', 'the old admin token no longer works');
  });

  test('a call from another origin is forbidden, before anything else', async () => {
    const cookie = await pair();
    const { reply, result } = await call('admin:status', {}, { cookie, origin: 'http://evil.example' });
    assert.equal(reply.status, 403);
    assert.deepEqual(result, { ok: false, error: { code: 'forbidden', message: 'the sender is not allowed to call the terminal' } });
    const port = new URL(host.origin).port;
    for (const origin of [`http://evil.example:${port}`, `https://127.0.0.1:${port}`, 'null']) {
      assert.equal((await call('admin:status', {}, { cookie, origin })).reply.status, 403, origin);
    }
    for (const origin of [host.origin, `http://localhost:${port}`]) assert.equal((await call('admin:status', {}, { cookie, origin })).result.ok, true, origin);
  });

  test('a request naming another host (DNS rebinding) is refused, whatever it asks for', async () => {
    const port = new URL(host.origin).port;
    const cookie = await pair();
    for (const name of [`evil.example:${port}`, 'evil.example', `127.0.0.1:${Number(port) + 1}`]) {
      assert.equal((await send('GET', '/', { host: name })).status, 421, `GET / as ${name}`);
      const refused = await call('admin:status', {}, { host: name, cookie, origin: `http://${name}` });
      assert.equal(refused.reply.status, 421, `a call as ${name}`);
      assert.equal(refused.result.ok, false);
    }
    assert.equal((await send('GET', '/', { host: `localhost:${port}` })).status, 200);
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${host.origin.replace('http', 'ws')}/api/stream`, { headers: { cookie, host: `evil.example:${port}` } });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
    });
    assert.equal(status, 421);
  });

  test('the media type of a call is matched without regard to case', async () => {
    for (const type of ['Application/JSON; charset=UTF-8', 'APPLICATION/JSON', 'application/json;charset=utf-8']) {
      const reply = await send('POST', '/api/call/admin:status', { 'content-type': type }, '{}');
      assert.equal(reply.status, 200, type);
      assert.equal((JSON.parse(reply.body) as Result<unknown>).ok, true, type);
    }
    assert.equal((await send('POST', '/api/call/admin:status', { 'content-type': 'application/jsonp' }, '{}')).status, 415);
  });

  test('malformed requests answer a Result naming the problem', async () => {
    const notJson = await send('POST', '/api/call/admin:status', { 'content-type': 'application/json' }, '{"oops"');
    assert.equal(notJson.status, 400);
    assert.match(notJson.body, /not valid JSON/);
    const wrongType = await send('POST', '/api/call/admin:status', { 'content-type': 'text/plain' }, '{}');
    assert.equal(wrongType.status, 415);
    const get = await send('GET', '/api/call/admin:status');
    assert.equal(get.status, 405);
    const unknown = await call('nothing:here', {});
    assert.equal(unknown.result.ok ? undefined : unknown.result.error.code, 'invalid-request');
    const badRequest = await call('admin:login', { username: 'ann' });
    assert.match(badRequest.result.ok ? '' : badRequest.result.error.message, /secret/);
  });

  test('a body over its channel’s limit is refused with 413, declared or not, and the server stays up', async () => {
    const body = JSON.stringify({ huge: 'x'.repeat(MAX_CALL_BODY_BYTES) });
    const declared = await send('POST', '/api/call/admin:status', { 'content-type': 'application/json' }, body);
    assert.equal(declared.status, 413);
    assert.match(declared.body, /larger than 1048576 bytes, the most admin:status takes/);
    const chunked = await send('POST', '/api/call/admin:status', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, body);
    assert.equal(chunked.status, 413);
    assert.equal((await call('admin:status', {})).reply.status, 200);
  });

  test('uploads have their own, larger limit', () => {
    assert.equal(maxCallBodyBytes('persons:list'), MAX_CALL_BODY_BYTES);
    assert.ok(maxCallBodyBytes('enroll:photos') >= MAX_PHOTOS * Math.ceil(MAX_PHOTO_BYTES / 3) * 4);
    assert.ok(maxCallBodyBytes('models:add') >= Math.ceil(MAX_MODEL_FILE_BYTES / 3) * 4);
  });

  test('a call that may not be made is answered before its body is sent', async () => {
    // 160 MB announced, a few bytes sent: the answer comes at once, without the body.
    const announced = (headers: Record<string, string>, channel = 'persons:list'): Promise<{ status: number; continued: boolean }> =>
      new Promise((resolve, reject) => {
        let continued = false;
        const req = httpRequest(new URL(`/api/call/${channel}`, host.origin), { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(160 * 1024 * 1024), ...headers } }, (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, continued });
          req.destroy();
        });
        req.on('continue', () => (continued = true));
        req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
        req.write('{"');
      });
    assert.equal((await announced({})).status, 401, 'no session');
    const cookie = await pair();
    assert.equal((await announced({ cookie })).status, 401, 'a device session on an admin channel');
    assert.equal((await announced({ origin: 'http://evil.example' })).status, 403, 'another origin');
    assert.equal((await announced({}, 'admin:status')).status, 413, 'past the channel’s limit');
    const expecting = await announced({ expect: '100-continue' });
    assert.deepEqual(expecting, { status: 401, continued: false }, 'a client that waits for 100-continue is refused without it');
  });

  test('the stream needs a session, delivers every message as JSON, and closes when the session ends', async () => {
    const wsUrl = `${host.origin.replace('http', 'ws')}/api/stream`;
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(wsUrl);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
    });
    assert.equal(refused, 401);

    const cookie = await pair();
    const ws = new WebSocket(wsUrl, { headers: { cookie } });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const received = new Promise<string>((resolve) => ws.once('message', (data: Buffer) => resolve(data.toString('utf8'))));
    const message: StreamMessage = { kind: 'health', seq: 0, timestampMs: 1, health: { camera: { status: 'starting' }, models: { detector: 'd', fitter: 'f', extractor: 'e' }, backend: 'cpu', engines: [], processedFps: 0, framesProcessed: 0, framesDropped: 0, workerRestarts: 0 } };
    for (const listener of listeners) listener(message);
    assert.deepEqual(JSON.parse(await received), message);

    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    sessions.revoke(cookie.split('=')[1]);
    for (const listener of listeners) listener({ ...message, seq: 1 });
    assert.equal(await closed, 4401);
  });

  test('the stream refuses another origin', async () => {
    const cookie = await pair();
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${host.origin.replace('http', 'ws')}/api/stream`, { headers: { cookie, origin: 'http://evil.example' } });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
    });
    assert.equal(status, 403);
  });

  test('a request a proxy forwarded needs a session, though the proxy connects from loopback', async () => {
    const forwarded = await call('admin:status', {}, { 'x-forwarded-for': '203.0.113.7' });
    assert.equal(forwarded.reply.status, 403);
    const cookie = await pair();
    assert.equal((await call('admin:status', {}, { 'x-forwarded-for': '203.0.113.7', cookie })).result.ok, true);
  });
});

/** A host of its own over `app`, closed after `use`. */
async function withHost(options: Partial<HttpHostOptions>, use: (other: HttpHost) => Promise<void>): Promise<void> {
  const other = await startHttpHost({ app, rendererDir, port: 0, ...options });
  try {
    await use(other);
  } finally {
    await other.close();
  }
}

/** An open stream socket with a fresh device session on `target`. */
async function openStream(target: HttpHost): Promise<WebSocket> {
  const token = sessions.issue('token', 'browser', 60_000).token;
  const ws = new WebSocket(`${target.origin.replace('http', 'ws')}/api/stream`, { headers: { cookie: `${DEVICE_COOKIE}=${token}` } });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return ws;
}

const health = (seq: number): StreamMessage => ({ kind: 'health', seq, timestampMs: 1, health: { camera: { status: 'starting' }, models: { detector: 'd'.repeat(64 * 1024), fitter: 'f', extractor: 'e' }, backend: 'cpu', engines: [], processedFps: 0, framesProcessed: 0, framesDropped: 0, workerRestarts: 0 } });

describe('http host: stream clients that fall behind', () => {
  test('a client that stops reading answers no ping and is disconnected after the stall bound', async () => {
    await withHost({ streamStallMs: 300 }, async (other) => {
      const reading = await openStream(other);
      const stalled = await openStream(other);
      stalled.pause();
      const startedMs = Date.now();
      const closed = new Promise<number>((resolve) => stalled.once('close', () => resolve(Date.now() - startedMs)));
      await new Promise((resolve) => setTimeout(resolve, 900));
      stalled.resume();
      const afterMs = await closed;
      assert.ok(afterMs < 1500, `closed after ${afterMs} ms`);
      assert.equal(reading.readyState, WebSocket.OPEN, 'a client that reads (and so answers pings) stays');
      assert.ok(warned.some((entry) => entry.message === 'host.stream-dropped' && entry.details.reason === 'stalled'));
      reading.close();
    });
  });

  test('a queue past its bound disconnects the client at once', async () => {
    await withHost({ maxStreamBufferBytes: 16 * 1024, maxStreamQueueBytes: 256 * 1024 }, async (other) => {
      const stalled = await openStream(other);
      stalled.pause();
      const closed = new Promise<void>((resolve) => stalled.once('close', () => resolve()));
      // 64 KB messages until the socket's queue passes 256 KB (the kernel's buffers take some first).
      for (let seq = 0; seq < 2000 && !warned.some((entry) => entry.details.reason === 'queue-full'); seq++) {
        for (const listener of listeners) listener(health(seq));
        if (seq % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      const dropped = warned.find((entry) => entry.details.reason === 'queue-full');
      assert.ok(dropped, 'the client was never disconnected');
      assert.ok(Number(dropped.details.queuedBytes) <= 256 * 1024 + 70 * 1024, `queued ${String(dropped.details.queuedBytes)} bytes`);
      stalled.resume();
      await closed;
    });
  });
});

describe('http host: TLS, a public origin, shutdown', () => {
  test('serves HTTPS and wss: with a certificate and key; the cookie is Secure and https:// is the origin', async (t) => {
    const tls = selfSignedCertificate();
    if (!tls) return t.skip('openssl is not on this machine: it makes the test certificate');
    await withHost({ tls }, async (other) => {
      assert.match(other.origin, /^https:\/\/127\.0\.0\.1:\d+$/);
      const get = (path: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<Reply> =>
        new Promise((resolve, reject) => {
          const req = httpsRequest(new URL(path, other.origin), { method, headers, ca: tls.cert }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          });
          req.on('error', reject);
          req.end(body);
        });
      assert.equal((await get('/')).status, 200);
      const code = new URL(other.pairingUrl()).searchParams.get('token') ?? '';
      const paired = await get(`/pair?token=${code}`);
      assert.match(String(paired.headers['set-cookie']), /HttpOnly; SameSite=Strict; Max-Age=\d+; Secure/);
      const token = parseCookies(String(paired.headers['set-cookie']).split(';')[0])[DEVICE_COOKIE] ?? '';
      const called = await get('/api/call/admin:status', { 'content-type': 'application/json', origin: other.origin, cookie: `${DEVICE_COOKIE}=${token}` }, 'POST', '{}');
      assert.equal((JSON.parse(called.body) as Result<unknown>).ok, true);
      const plain = await get('/api/call/admin:status', { 'content-type': 'application/json', origin: other.origin.replace('https', 'http') }, 'POST', '{}');
      assert.equal(plain.status, 403, 'an http:// origin is not this one');
      const ws = new WebSocket(`${other.origin.replace('https', 'wss')}/api/stream`, { headers: { cookie: `${DEVICE_COOKIE}=${token}` }, ca: tls.cert });
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.close();
    });
  });

  test('a public origin: allowed as Host and Origin, written in the pairing address, cookies Secure', async () => {
    await withHost({ publicOrigin: 'https://door.example.com' }, async (other) => {
      const pairing = new URL(other.pairingUrl());
      assert.equal(pairing.origin, 'https://door.example.com');
      const local = new URL(`http://127.0.0.1:${(other.server.address() as AddressInfo).port}`);
      const viaProxy = { host: 'door.example.com', 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' };
      const reply = await new Promise<Reply>((resolve, reject) => {
        const req = httpRequest(new URL(`${HTTP_PATHS.pair}${pairing.search}`, local), { headers: viaProxy }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' }));
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(reply.status, 303);
      assert.match(String(reply.headers['set-cookie']), /; Secure/);
      const token = parseCookies(String(reply.headers['set-cookie']).split(';')[0])[DEVICE_COOKIE] ?? '';
      const called = await new Promise<Reply>((resolve, reject) => {
        const req = httpRequest(new URL('/api/call/admin:status', local), { method: 'POST', headers: { ...viaProxy, origin: 'https://door.example.com', 'content-type': 'application/json', cookie: `${DEVICE_COOKIE}=${token}` } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        });
        req.on('error', reject);
        req.end('{}');
      });
      assert.equal(called.status, 200, called.body);
    });
  });

  test('close lets a call in progress finish and answer before it resolves', async () => {
    let release: () => void = () => undefined;
    let started: () => void = () => undefined;
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    const slow: HostedApp = {
      ...app,
      handle: async (channel, request, context) => {
        if (channel === 'persons:list') {
          started();
          await new Promise<void>((resolve) => (release = resolve));
        }
        return handle(channel, request, context);
      },
    };
    const other = await startHttpHost({ app: slow, rendererDir, port: 0 });
    const admin = sessions.issue('admin', 'ann', 60_000).token;
    const answer = fetch(`${other.origin}/api/call/persons:list`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` }, body: '{}' });
    await handlerStarted;
    let closed = false;
    const closing = other.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(closed, false, 'close waits for the call');
    release();
    assert.deepEqual(await (await answer).json(), { ok: true, value: { persons: [], total: 0 } });
    await closing;
  });
});

/** A throwaway certificate for 127.0.0.1 from openssl; undefined where openssl is missing. */
function selfSignedCertificate(): { cert: string; key: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'lintel-tls-'));
  try {
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { encoding: 'utf8' });
    if (made.error || made.status !== 0) return undefined;
    return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
