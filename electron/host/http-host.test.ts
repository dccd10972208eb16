import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { WebSocket } from 'ws';

import { contract } from '../shared/contract/channels.js';
import { createHandler } from '../shared/contract/handler.js';
import type { Result } from '../shared/contract/result.js';
import type { StreamMessage } from '../shared/contract/streams.js';
import { ADMIN_COOKIE, DEVICE_COOKIE } from '../shared/contract/transport.js';
import { SessionRegistry } from '../terminal/app/sessions.js';
import { CONTENT_SECURITY_POLICY, parseCookies, startHttpHost, type HostedApp, type HttpHost } from './http-host.js';

// The transport alone: a real handler over the real contract with a small implementation, real sessions, a
// real server on a free port, real HTTP and WebSocket clients. The terminal behind it is tested on its own.
const sessions = new SessionRegistry();
const listeners = new Set<(message: StreamMessage) => void>();
const logged: string[] = [];
const logger = { info: () => undefined, warn: () => undefined, error: (message: string) => void logged.push(message) };
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
const app: HostedApp = { handle, sessions, subscribe: (listener) => (listeners.add(listener), () => listeners.delete(listener)), options: { logger } };

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
    const { result } = await call('admin:status', {}, { cookie, origin: 'http://evil.example' });
    assert.deepEqual(result, { ok: false, error: { code: 'forbidden', message: 'the sender is not allowed to call the terminal' } });
    const same = await call('admin:status', {}, { cookie, origin: host.origin });
    assert.equal(same.result.ok, true);
  });

  test('malformed requests answer a Result naming the problem', async () => {
    const notJson = await send('POST', '/api/call/admin:status', { 'content-type': 'application/json' }, '{"oops"');
    assert.equal(notJson.status, 400);
    assert.match(notJson.body, /not valid JSON/);
    const wrongType = await send('POST', '/api/call/admin:status', { 'content-type': 'text/plain' }, '{}');
    assert.equal(wrongType.status, 415);
    const get = await send('GET', '/api/call/admin:status');
    assert.equal(get.status, 405);
    const unknown = await call('door:open', {});
    assert.equal(unknown.result.ok ? undefined : unknown.result.error.code, 'invalid-request');
    const badRequest = await call('admin:login', { username: 'ann' });
    assert.match(badRequest.result.ok ? '' : badRequest.result.error.message, /secret/);
  });

  test('a body over the limit is refused with 413 and the server stays up', async () => {
    const huge = 'x'.repeat(171 * 1024 * 1024);
    const reply = await send('POST', '/api/call/admin:status', { 'content-type': 'application/json' }, JSON.stringify({ huge }));
    assert.equal(reply.status, 413);
    assert.equal((await call('admin:status', {})).reply.status, 200);
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
    assert.equal(status, 401);
  });
});
