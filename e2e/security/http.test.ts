// The browser host of a real `lintel serve` under abuse: huge bodies without a session, requests naming another
// host or coming from another origin (DNS rebinding), a media type in capitals, a stream client that stops
// reading, and SIGTERM in the middle of an import and uploads.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import WebSocket from 'ws';

import { ADMIN, LFW_IMAGES, lfwPhoto, missingPrerequisite, serveLauncher, TerminalUnderTest } from '../support/terminal.js';
import { rssBytes } from './probe.js';

const MB = 1024 * 1024;
const skip = missingPrerequisite();
let terminal: TerminalUnderTest;
let serveProcess: ChildProcess | undefined;
let port: number;

before(async () => {
  if (skip) return;
  terminal = await TerminalUnderTest.start({}, async (args) => {
    const launched = await serveLauncher(args);
    serveProcess = launched.process;
    return launched;
  });
  port = Number(new URL(terminal.origin).port);
});
after(async () => {
  await terminal?.stop();
});

interface Answer {
  readonly status: number;
  readonly body: string;
  /** Body bytes the client had written when the answer came. */
  readonly sentBytes: number;
}

/**
 * A raw POST with `bodyBytes` of filler made as it is sent (the test holds none of it), with a Content-Length
 * or chunked; resolves with the answer, which may come before the body is all sent, and then stops sending.
 */
function post(path: string, headers: Record<string, string>, bodyBytes: number, declared: boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let sentBytes = 0;
    let answered = false;
    const chunk = Buffer.alloc(MB, 0x61);
    const req = request(new URL(path, terminal.origin), { method: 'POST', agent: false, headers: { ...headers, ...(declared ? { 'content-length': String(bodyBytes) } : {}) } }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (data: Buffer) => chunks.push(data));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), sentBytes });
        req.destroy();
      });
    });
    // The server cuts an upload it refused once the answer is out; only an error before any answer counts.
    req.on('error', (error) => (answered ? undefined : reject(error)));
    const pump = (): void => {
      while (!answered && !req.destroyed && sentBytes < bodyBytes) {
        const part = sentBytes + chunk.length <= bodyBytes ? chunk : chunk.subarray(0, bodyBytes - sentBytes);
        sentBytes += part.length;
        if (!req.write(part)) return void req.once('drain', pump);
      }
      if (sentBytes >= bodyBytes && !req.writableEnded) req.end();
    };
    pump();
  });
}

/** A raw request with exactly these headers (Host and Origin included); the status and body. */
function raw(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string; setCookie: string[] }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, terminal.origin), { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (data: Buffer) => chunks.push(data));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), setCookie: res.headers['set-cookie'] ?? [] }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** An admin session of our own (the login answers it as an HttpOnly cookie), as a Cookie header. */
async function adminCookie(): Promise<string> {
  const login = await raw('POST', '/api/call/admin:login', { 'content-type': 'application/json' }, JSON.stringify({ username: ADMIN.username, secret: ADMIN.pin }));
  assert.equal(login.status, 200, login.body);
  const cookie = login.setCookie.map((line) => line.split(';')[0]).find((pair) => pair?.startsWith('lintel_admin='));
  assert.ok(cookie, `no admin cookie in ${JSON.stringify(login.setCookie)}`);
  return cookie;
}

/** The status a stream upgrade gets (101 when it opens). */
function upgradeStatus(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${terminal.origin.replace(/^http/, 'ws')}/api/stream`, { headers });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => (resolve(101), ws.close()));
    ws.on('error', reject);
  });
}

const megabytes = (bytes: number): string => (bytes / MB).toFixed(1);

test('160 MB bodies without a session are refused before they are read: 401/413, RSS growth < 50 MB', { skip }, async () => {
  const pid = terminal.pid ?? 0;
  const beforeBytes = rssBytes(pid);
  let peakBytes = beforeBytes;
  const sampler = setInterval(() => (peakBytes = Math.max(peakBytes, rssBytes(pid))), 20);
  const json = { 'content-type': 'application/json' };
  const cases = [
    { what: 'enroll:photos, no session, Content-Length', path: '/api/call/enroll:photos', declared: true, status: 401 },
    { what: 'enroll:photos, no session, chunked', path: '/api/call/enroll:photos', declared: false, status: 401 },
    { what: 'admin:login (needs none), Content-Length', path: '/api/call/admin:login', declared: true, status: 413 },
    { what: 'admin:login (needs none), chunked', path: '/api/call/admin:login', declared: false, status: 413 },
  ];
  const answers: Answer[] = [];
  try {
    for (const { what, path, declared } of cases) {
      const answer = await post(path, json, 160 * MB, declared);
      console.log(`${what}: HTTP ${answer.status} after ${megabytes(answer.sentBytes)} MB sent; ${answer.body}`);
      answers.push(answer);
    }
  } finally {
    clearInterval(sampler);
  }
  const afterBytes = rssBytes(pid);
  console.log(`RSS of lintel serve: before ${megabytes(beforeBytes)} MB, peak ${megabytes(peakBytes)} MB, after ${megabytes(afterBytes)} MB (growth ${megabytes(peakBytes - beforeBytes)} MB)`);
  cases.forEach(({ what, status }, index) => assert.equal(answers[index]?.status, status, `${what}: ${answers[index]?.body}`));
  assert.ok(peakBytes - beforeBytes < 50 * MB, `RSS grew by ${megabytes(peakBytes - beforeBytes)} MB`);
  assert.equal((await raw('POST', '/api/call/health:get', json, '{}')).status, 200, 'the terminal still answers');
});

test('a request naming another host (DNS rebinding) is refused: page, call, pairing, stream', { skip }, async () => {
  const foreign = `evil.example:${port}`;
  const page = await raw('GET', '/', { host: foreign });
  assert.equal(page.status, 421, page.body);
  const call = await raw('POST', '/api/call/health:get', { host: foreign, origin: `http://${foreign}`, 'content-type': 'application/json' }, '{}');
  assert.equal(call.status, 421, call.body);
  assert.equal((await raw('POST', '/api/call/health:get', { host: foreign, 'content-type': 'application/json' }, '{}')).status, 421, 'without an Origin');
  assert.equal((await raw('GET', '/pair?token=x', { host: foreign })).status, 421);
  assert.equal(await upgradeStatus({ host: foreign, cookie: await adminCookie() }), 421);
  assert.equal((await raw('GET', '/', { host: `127.0.0.1:${port + 1}` })).status, 421, 'another port');
  // The names it does answer to.
  assert.equal((await raw('GET', '/', { host: `localhost:${port}` })).status, 200);
  assert.equal((await raw('GET', '/', { host: `127.0.0.1:${port}` })).status, 200);
});

test('a call or stream from a foreign Origin is refused (403)', { skip }, async () => {
  const json = { 'content-type': 'application/json' };
  for (const origin of [`http://evil.example:${port}`, 'http://evil.example', 'null']) {
    const refused = await raw('POST', '/api/call/health:get', { ...json, origin }, '{}');
    assert.equal(refused.status, 403, `${origin}: ${refused.body}`);
    assert.equal((JSON.parse(refused.body) as { error: { code: string } }).error.code, 'forbidden');
  }
  assert.equal((await raw('POST', '/api/call/health:get', { ...json, origin: `http://localhost:${port}` }, '{}')).status, 200);
  const cookie = await adminCookie();
  assert.equal(await upgradeStatus({ cookie, origin: `http://evil.example:${port}` }), 403);
  assert.equal(await upgradeStatus({ cookie, origin: terminal.origin }), 101);
});

test('a Content-Type in capitals with parameters is JSON all the same', { skip }, async () => {
  const answer = await raw('POST', '/api/call/health:get', { 'content-type': 'Application/JSON; charset=UTF-8' }, '{}');
  assert.equal(answer.status, 200, answer.body);
  assert.equal((JSON.parse(answer.body) as { ok: boolean }).ok, true);
});

test('a stream client that stops reading is disconnected; one that reads stays', { skip }, async () => {
  const cookie = await adminCookie();
  const open = async (): Promise<WebSocket> => {
    const ws = new WebSocket(`${terminal.origin.replace(/^http/, 'ws')}/api/stream`, { headers: { cookie } });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return ws;
  };
  const reading = await open();
  let readMessages = 0;
  reading.on('message', () => readMessages++);
  const stalled = await open();
  stalled.pause();
  const openedAtMs = Date.now();
  const pid = terminal.pid ?? 0;
  const beforeBytes = rssBytes(pid);
  const dropped = (): string | undefined => terminal.logText().split('\n').find((line) => line.includes('"host.stream-dropped"'));
  while (!dropped() && Date.now() - openedAtMs < 60_000) await new Promise((resolve) => setTimeout(resolve, 250));
  const afterMs = Date.now() - openedAtMs;
  const afterBytes = rssBytes(pid);
  console.log(`stalled stream client: disconnected after ${(afterMs / 1000).toFixed(1)} s (${dropped() ?? 'not at all'}); RSS ${megabytes(beforeBytes)} → ${megabytes(afterBytes)} MB; the reading client got ${readMessages} messages`);
  assert.ok(dropped(), 'the stalled client was still connected after 60 s');
  const closed = new Promise<void>((resolve) => stalled.once('close', () => resolve()));
  stalled.resume();
  await closed;
  assert.equal(reading.readyState, WebSocket.OPEN, 'the client that reads was disconnected too');
  assert.ok(readMessages > 0);
  reading.close();
});

test('SIGTERM during an import and uploads: the calls are answered, nothing logs an error, the store closes last', { skip }, async () => {
  const cookie = await adminCookie();
  const call = async (channel: string, body: unknown): Promise<{ status: number; body: string }> => raw('POST', `/api/call/${channel}`, { 'content-type': 'application/json', cookie }, JSON.stringify(body));
  // An import from the data folder's imports/ (always an allowed root): 40 people of LFW.
  const root = join(terminal.dir, 'data', 'imports', 'people');
  for (const name of readdirSync(LFW_IMAGES).slice(0, 40)) {
    mkdirSync(join(root, name), { recursive: true });
    for (const file of readdirSync(join(LFW_IMAGES, name)).slice(0, 2)) copyFileSync(join(LFW_IMAGES, name, file), join(root, name, file));
  }
  const started = await call('import:start', { source: { kind: 'folder', path: root } });
  assert.equal(started.status, 200, started.body);
  assert.equal((JSON.parse(started.body) as { ok: boolean }).ok, true, started.body);
  const photos = [1, 2, 3].map((index, n) => ({ name: `${n}.jpg`, dataBase64: readFileSync(lfwPhoto('Tony_Blair', index)).toString('base64') }));
  const uploads = [0, 1, 2].map((n) => call('enroll:photos', { person: { name: `Upload ${n}` }, photos }).catch((error: Error) => ({ status: 0, body: error.message })));
  await new Promise((resolve) => setTimeout(resolve, 300));
  const logLinesBefore = terminal.logText().split('\n').length;
  const signalledAtMs = Date.now();
  const exited = new Promise<number | null>((resolve) => serveProcess?.once('exit', (code) => resolve(code)));
  serveProcess?.kill('SIGTERM');
  const code = await exited;
  const stopMs = Date.now() - signalledAtMs;
  const answers = await Promise.all(uploads);
  const shutdownLines = terminal
    .logText()
    .split('\n')
    .slice(logLinesBefore - 1)
    .filter((line) => line.trim() !== '');
  const errors = shutdownLines.filter((line) => !/"level":"(info|warn)"/.test(line));
  console.log(`SIGTERM → exit ${code} in ${stopMs} ms; uploads answered ${answers.map((answer) => answer.status).join(', ')}; ${errors.length} error lines`);
  for (const line of errors) console.log(`  ${line.slice(0, 300)}`);
  assert.equal(code, 0);
  assert.deepEqual(errors, []);
  assert.ok(answers.every((answer) => answer.status === 200), `an upload in progress lost its answer: ${answers.map((answer) => `${answer.status} ${answer.body.slice(0, 100)}`).join('; ')}`);
  assert.match(shutdownLines.at(-1) ?? '', /"terminal.stopped"/, 'the last line is the terminal stopped, after the store closed');
});
