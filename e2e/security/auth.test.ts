// Authentication, sessions and pairing on a real `lintel serve`: a flood of bad logins must not stall the door,
// a login's answer must not tell which usernames exist, an idle admin session ends on the server, and a
// pairing address works once.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import WebSocket from 'ws';

import { lfwPhoto, missingPrerequisite, ROOT, TerminalUnderTest } from '../support/terminal.js';

const skip = missingPrerequisite();
const CLI = join(ROOT, 'dist', 'electron', 'cli', 'lintel.js');
const ENROLLED = 'Tony_Blair';
const photos = [1, 2, 3].map((index) => lfwPhoto(ENROLLED, index));
let terminal: TerminalUnderTest;
let personId: string;

before(async () => {
  if (skip) return;
  terminal = await TerminalUnderTest.start({ livenessMode: null });
  await terminal.loginAsAdmin();
  // Stills cannot turn their heads; every new track of the same person is decided again (no cooldown).
  const { settings } = await terminal.call<{ settings: { 'access.policy': { liveness: Record<string, unknown> } & Record<string, unknown> } }>('settings:get', {});
  const policy = settings['access.policy'];
  await terminal.call('settings:update', { values: { 'access.policy': { ...policy, cooldownMs: 0, liveness: { ...policy.liveness, mode: 'off' } } } });
  const enrolled = await terminal.call<{ outcome: string; person?: { id: string } }>('enroll:photos', {
    person: { name: 'Tony Blair' },
    photos: photos.map((path, index) => ({ name: `${index}.jpg`, dataBase64: readFileSync(path).toString('base64') })),
  });
  assert.equal(enrolled.outcome, 'enrolled', `enrollment: ${JSON.stringify(enrolled)}`);
  personId = enrolled.person?.id ?? '';
});
after(async () => {
  await terminal?.stop();
});

/** Raw `POST /api/call/<channel>` without the fixture's cookies: the HTTP status, the Result and the cookies set. */
async function rawCall(
  channel: string,
  request: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; result: { ok: boolean; value?: unknown; error?: { code: string; message: string } }; setCookies: string[] }> {
  const response = await fetch(`${terminal.origin}/api/call/${channel}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(request) });
  return { status: response.status, result: (await response.json()) as { ok: boolean }, setCookies: response.headers.getSetCookie() };
}

/**
 * An admin login with the right PIN, waiting out the per-source throttle (logins from one source: 10 at once,
 * then one per 2 s) that earlier tests of this file used up: what is tested after it is not the throttle.
 */
async function loginPastThrottle(headers: Record<string, string> = {}): ReturnType<typeof rawCall> {
  for (let attempt = 0; ; attempt++) {
    const login = await rawCall('admin:login', { username: 'admin', secret: '2468' }, headers);
    const retryAtMs = (login.result.error as { retryAtMs?: number } | undefined)?.retryAtMs;
    if (login.result.error?.code !== 'rate-limited' || retryAtMs === undefined || attempt === 10) return login;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, retryAtMs - Date.now()) + 50));
  }
}

/** A stream socket with the fixture's sessions; resolves once open. */
function openStream(): Promise<WebSocket> {
  const socket = new WebSocket(`${terminal.origin.replace(/^http/, 'ws')}/api/stream`, { headers: { cookie: terminal.cookieHeader() } });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * The next grant of the enrolled person decided at or after `sinceMs`: ms from the frame's capture to its arrival
 * here; Infinity when none came within `timeoutMs` (a stalled door).
 */
function nextGrantLatency(socket: WebSocket, sinceMs: number, timeoutMs = 30_000): Promise<number> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => (socket.off('message', onMessage), resolve(Number.POSITIVE_INFINITY)), timeoutMs);
    const onMessage = (data: WebSocket.RawData): void => {
      const receivedAtMs = Date.now();
      const message = JSON.parse(String(data)) as { kind: string; decision?: { decision: string; decidedAtMs: number; person?: { id: string } } };
      const decision = message.decision;
      if (message.kind !== 'decision' || !decision || decision.decidedAtMs < sinceMs || decision.decision !== 'granted' || decision.person?.id !== personId) return;
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve(receivedAtMs - decision.decidedAtMs);
    };
    socket.on('message', onMessage);
  });
}

/** `count` grants of the enrolled person, each on a new track (a new camera); their latencies, ms. */
async function grantLatencies(count: number): Promise<number[]> {
  const socket = await openStream();
  try {
    const latencies: number[] = [];
    for (let index = 0; index < count; index++) {
      const sinceMs = Date.now();
      const grant = nextGrantLatency(socket, sinceMs);
      await terminal.show(photos);
      latencies.push(await grant);
      await terminal.showNobody();
    }
    return latencies;
  } finally {
    socket.close();
  }
}

function medianAndP95(values: readonly number[]): { median: number; p95: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (quantile: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)] ?? Number.NaN;
  return { median: at(0.5), p95: at(0.95) };
}

/** Every answer to `attempts` wrong PINs for `username` from this test (loopback), and how long each took, ms. */
async function wrongLogins(username: string, attempts: number): Promise<{ answers: unknown[]; tookMs: number[] }> {
  const answers: unknown[] = [];
  const tookMs: number[] = [];
  for (let attempt = 0; attempt < attempts; attempt++) {
    const startedMs = performance.now();
    const { status, result } = await rawCall('admin:login', { username, secret: '13579' });
    tookMs.push(performance.now() - startedMs);
    const { retryAtMs, message, ...error } = (result.error ?? {}) as { retryAtMs?: number; message?: string };
    // When a wait ends depends on when it began: compared as the wait from now, to the second.
    const retry = retryAtMs !== undefined ? { retryInS: Math.round((retryAtMs - Date.now()) / 1000) } : {};
    answers.push({ status, ok: result.ok, error: { ...error, ...retry, message: message?.replace(/\d\d:\d\d:\d\d/, 'hh:mm:ss') } });
  }
  return { answers, tookMs };
}

test('an unknown username answers exactly as a known one: the tries left, the wait, the time taken', { skip }, async () => {
  const known = await wrongLogins('admin', 6);
  // Logins from one source are throttled (10 at once, then one per 2 s) whatever the name: the bucket refills.
  await new Promise((resolve) => setTimeout(resolve, 8_000));
  const unknown = await wrongLogins('no-such-admin', 6);
  console.log(`wrong-PIN answers: ${JSON.stringify(known.answers.slice(3, 5))}`);
  assert.deepEqual(unknown.answers, known.answers);
  assert.deepEqual(
    known.answers.map((answer) => (answer as { error: { code?: string } }).error.code),
    ['unauthorized', 'unauthorized', 'unauthorized', 'unauthorized', 'locked', 'locked'],
  );
  assert.match(JSON.stringify(known.answers[3]), /1 try left/);
  // The first four are hashed for both names; compared loosely (a shared machine), only that neither is free.
  const mean = (values: number[]): number => values.slice(0, 4).reduce((sum, value) => sum + value, 0) / 4;
  console.log(`wrong-PIN answer time, mean of 4: known ${mean(known.tookMs).toFixed(1)} ms, unknown ${mean(unknown.tookMs).toFixed(1)} ms`);
  assert.ok(mean(unknown.tookMs) > mean(known.tookMs) / 3 && mean(known.tookMs) > mean(unknown.tookMs) / 3, 'one kind of name answers much faster');

  // The operator's way out: `lintel admin unlock` on the terminal ends the wait at once.
  assert.equal((await rawCall('admin:login', { username: 'admin', secret: '2468' })).result.error?.code, 'locked');
  const unlocked = spawnSync(process.execPath, [CLI, 'admin', 'unlock', 'admin', '--data', terminal.dataDir], { encoding: 'utf8' });
  assert.equal(unlocked.status, 0, unlocked.stderr);
  const afterUnlock = await loginPastThrottle();
  assert.equal(afterUnlock.result.ok, true, JSON.stringify(afterUnlock.result));
});

/** Waits `ms` while the fixture's own admin session keeps calling (it must outlive a short idle setting). */
async function waitKeepingFixture(ms: number): Promise<void> {
  for (let leftMs = ms; leftMs > 0; leftMs -= 4_000) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(4_000, leftMs)));
    await terminal.call('admin:status', {});
  }
}

test('an idle admin session ends on the server, with no page open to log it out', { skip, timeout: 90_000 }, async () => {
  await terminal.call('settings:update', { values: { 'admin.idleLogoutMs': 15_000 } });
  try {
    // A session of its own: the fixture's keeps working for the other tests.
    const paired = await fetch(terminal.pairingUrl(), { redirect: 'manual' });
    const device = /lintel_device=([^;]+)/.exec(paired.headers.getSetCookie().join('\n'))?.[1] ?? '';
    const login = await loginPastThrottle({ cookie: `lintel_device=${device}` });
    assert.equal(login.result.ok, true, JSON.stringify(login.result));
    // The admin cookie is the only place the token travels.
    assert.equal((login.result.value as { token?: string }).token, undefined);
    const admin = /lintel_admin=([^;]+)/.exec(login.setCookies.join('\n'))?.[1];
    assert.ok(admin, 'the login set an admin cookie');
    const cookie = `lintel_device=${device}; lintel_admin=${admin}`;
    await waitKeepingFixture(10_000);
    assert.equal((await rawCall('settings:get', {}, { cookie })).result.ok, true, 'a call within the idle time works and counts as use');
    await waitKeepingFixture(10_000);
    assert.equal((await rawCall('settings:get', {}, { cookie })).result.ok, true, '10 s after the last call: still in');
    await waitKeepingFixture(16_000);
    const idle = await rawCall('settings:get', {}, { cookie });
    assert.equal(idle.result.error?.code, 'unauthorized', `16 s without a call: ${JSON.stringify(idle.result)}`);
    const status = (await rawCall('admin:status', {}, { cookie })).result.value as { session: { level: string } | null };
    assert.equal(status.session?.level, 'token', 'the device session stays');
  } finally {
    await terminal.call('settings:update', { values: { 'admin.idleLogoutMs': 120_000 } });
  }
});

test('a pairing address works once: the second use is refused', { skip }, async () => {
  const address = terminal.pairingUrl();
  const first = await fetch(address, { redirect: 'manual' });
  assert.equal(first.status, 303);
  assert.match(first.headers.getSetCookie().join('\n'), /lintel_device=/);
  const second = await fetch(address, { redirect: 'manual' });
  assert.equal(second.status, 401);
  assert.deepEqual(second.headers.getSetCookie(), []);
  assert.match(await second.text(), /spent or expired/);
  assert.doesNotMatch(terminal.logText() + readFileSync(`${terminal.dataDir}/http-origin`, 'utf8'), new RegExp(new URL(address).searchParams.get('token') ?? 'no code'), 'the code is in no log');
});

/**
 * `workers` concurrent loops of `admin:login` with made-up usernames, each sending its next as soon as the last
 * is answered, in a process of their own (this one's event loop times the decisions). Ends when `stop` is
 * called; resolves to how many answers of each code came back.
 */
function startLoginFlood(workers: number): { stop: () => Promise<Record<string, number>> } {
  const script = `
    const origin = process.argv[1];
    const answers = {};
    let stopped = false;
    process.stdin.on('end', () => (stopped = true)).resume();
    const count = (code) => (answers[code] = (answers[code] ?? 0) + 1);
    const loop = async (worker) => {
      for (let attempt = 0; !stopped; attempt++) {
        try {
          const response = await fetch(origin + '/api/call/admin:login', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username: 'nobody-' + worker + '-' + attempt, secret: '0000' }),
          });
          const result = await response.json();
          count(result.ok ? 'ok' : result.error.code);
        } catch {
          count('network');
        }
      }
    };
    await Promise.all(Array.from({ length: ${workers} }, (_, worker) => loop(worker)));
    process.stdout.write(JSON.stringify(answers));
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, terminal.origin], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    stop: async () => {
      child.stdin.end();
      await exited;
      return JSON.parse(out || '{}') as Record<string, number>;
    },
  };
}

test('40 concurrent bad logins with unknown usernames do not stall the door', { skip, timeout: 300_000 }, async () => {
  const quiet = medianAndP95(await grantLatencies(5));
  const flood = startLoginFlood(40);
  let during: number[];
  let answers: Record<string, number>;
  try {
    // Let the flood fill the queues before the door is measured.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    during = await grantLatencies(8);
  } finally {
    answers = await flood.stop();
  }
  const flooded = medianAndP95(during);
  console.log(`decision latency, quiet: median ${quiet.median} ms, p95 ${quiet.p95} ms`);
  console.log(`decision latency during 40 concurrent bad logins: median ${flooded.median} ms, p95 ${flooded.p95} ms over ${during.length} grants`);
  console.log(`login answers during the flood: ${JSON.stringify(answers)}`);
  assert.ok((answers.unauthorized ?? 0) + (answers['rate-limited'] ?? 0) > 40, 'the flood ran');
  assert.ok(flooded.p95 < 2_000, `p95 decision latency during the flood is ${flooded.p95} ms (quiet ${quiet.p95} ms)`);
});
