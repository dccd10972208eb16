import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import Database from 'better-sqlite3';

import { webhookOutputConfigSchema, type WebhookOutputConfig } from '../../shared/shapes/door-outputs.js';
import type { DoorEvent, DoorLogger } from './door-output.js';
import { OUTBOX_FILE_NAME } from './outbox.js';
import { signWebhookBody, webhookBody, WebhookOutput } from './webhook-output.js';
import { startLocalServer, unusedPort, waitFor } from './test/local-http-server.js';
import type { Answer, LocalServer } from './test/local-http-server.js';

const SECRET = 'correct-horse-battery-staple';
const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lintel-webhook-'));
  dirs.push(dir);
  return dir;
}

const event = (id: number, decision: DoorEvent['decision'] = 'granted'): DoorEvent => ({
  id,
  atMs: Date.UTC(2025, 0, 6, 8, 0, id),
  decision,
  reason: decision === 'granted' ? 'match' : 'unknown-face',
  personId: decision === 'granted' ? 'p-7' : null,
  personName: decision === 'granted' ? 'Zoë Ørsted' : null,
  similarity: decision === 'granted' ? 0.66 : null,
});

function recordingLogger(): DoorLogger & { lines: Array<{ level: string; message: string; fields: Readonly<Record<string, unknown>> }> } {
  const lines: Array<{ level: string; message: string; fields: Readonly<Record<string, unknown>> }> = [];
  return { lines, info: (message, fields) => lines.push({ level: 'info', message, fields }), warn: (message, fields) => lines.push({ level: 'warn', message, fields }) };
}

function config(url: string, overrides: Partial<WebhookOutputConfig> = {}): WebhookOutputConfig {
  return webhookOutputConfigSchema.parse({ kind: 'webhook', url, backoffBaseMs: 20, backoffMaxMs: 100, timeoutMs: 2000, ...overrides });
}

/** Rows of the outbox file as another connection sees them. */
function outboxRows(dataDir: string): Array<{ event_id: number; state: string; attempts: number; last_status: number | null }> {
  const db = new Database(join(dataDir, OUTBOX_FILE_NAME), { readonly: true });
  try {
    return db.prepare<[], { event_id: number; state: string; attempts: number; last_status: number | null }>('SELECT event_id, state, attempts, last_status FROM deliveries ORDER BY id').all();
  } finally {
    db.close();
  }
}

async function withServer(answer: (index: number) => Answer, run: (server: LocalServer) => Promise<void>): Promise<void> {
  const server = await startLocalServer((_, index) => answer(index));
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

describe('WebhookOutput', () => {
  it('POSTs the event as JSON with an HMAC-SHA256 signature the receiver can verify, then deletes the row', async () => {
    await withServer(
      () => ({ status: 204 }),
      async (server) => {
        const dataDir = tempDir();
        const output = new WebhookOutput(config(server.url, { secret: SECRET, headers: { Authorization: 'Bearer t0ken' } }), { dataDir, logger: recordingLogger() });
        const result = await output.open(event(41));
        assert.equal(result.status, 'queued');
        await waitFor('the delivery', () => server.received.length === 1);
        await waitFor('the row to be deleted', () => output.health().pending === 0);

        const request = server.received[0];
        assert.ok(request !== undefined);
        assert.equal(request.method, 'POST');
        assert.equal(request.headers['content-type'], 'application/json');
        assert.equal(request.headers.authorization, 'Bearer t0ken');
        assert.equal(request.headers['x-lintel-event-id'], '41');
        assert.equal(request.headers['x-lintel-attempt'], '1');
        // Verified the way a receiver would: HMAC of the raw body bytes, constant-time compare.
        const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(Buffer.from(request.body, 'utf8')).digest('hex')}`);
        const signature = Buffer.from(String(request.headers['x-lintel-signature']));
        assert.ok(signature.length === expected.length && timingSafeEqual(signature, expected), 'signature matches');
        assert.equal(signWebhookBody(SECRET, request.body), expected.toString());
        assert.deepEqual(JSON.parse(request.body), {
          type: 'lintel.door-event',
          version: 1,
          id: 41,
          atMs: Date.UTC(2025, 0, 6, 8, 0, 41),
          at: '2025-01-06T08:00:41.000Z',
          decision: 'granted',
          reason: 'match',
          personId: 'p-7',
          personName: 'Zoë Ørsted',
          similarity: 0.66,
          livenessCue: null,
          card: null,
        });

        const health = output.health();
        assert.equal(health.status, 'ok');
        assert.equal(health.lastError, null);
        assert.ok(health.lastSuccessAtMs !== null);
        await output.close();
        assert.deepEqual(outboxRows(dataDir), []);
      },
    );
  });

  it('has the row on disk before open() resolves', async () => {
    const dataDir = tempDir();
    const port = await unusedPort();
    const output = new WebhookOutput(config(`http://127.0.0.1:${port}/`, { backoffBaseMs: 60_000, backoffMaxMs: 60_000 }), { dataDir, logger: recordingLogger() });
    await output.open(event(1));
    assert.deepEqual(
      outboxRows(dataDir).map((row) => row.event_id),
      [1],
    );
    await output.close();
  });

  it('retries after two 503s, with backoff, and delivers', async () => {
    await withServer(
      (index) => (index < 2 ? { status: 503, body: 'maintenance' } : { status: 200 }),
      async (server) => {
        const logger = recordingLogger();
        const output = new WebhookOutput(config(server.url, { backoffBaseMs: 40, backoffMaxMs: 1000 }), { dataDir: tempDir(), logger });
        await output.open(event(1));
        await waitFor('three attempts', () => server.received.length === 3);
        await waitFor('the delivery to be recorded', () => output.health().pending === 0);
        assert.deepEqual(
          server.received.map((request) => request.headers['x-lintel-attempt']),
          ['1', '2', '3'],
        );
        const [first, second, third] = server.received.map((request) => request.atMs);
        // Equal jitter: at least half the step (40 ms, then 80 ms).
        assert.ok((second ?? 0) - (first ?? 0) >= 15, `first retry after ${((second ?? 0) - (first ?? 0)).toFixed(0)} ms`);
        assert.ok((third ?? 0) - (second ?? 0) >= 35, `second retry after ${((third ?? 0) - (second ?? 0)).toFixed(0)} ms`);
        const health = output.health();
        assert.equal(health.status, 'ok');
        assert.equal(health.deadLetters, 0);
        assert.equal(health.lastError, 'HTTP 503 Service Unavailable: maintenance');
        assert.deepEqual(
          logger.lines.map((line) => line.message),
          ['door.webhook.failing', 'door.webhook.recovered'],
        );
        await output.close();
      },
    );
  });

  it('a 400 is a dead letter at once, without retry, and the queue moves on', async () => {
    await withServer(
      (index) => (index === 0 ? { status: 400, body: '{"error":"unknown field"}' } : { status: 200 }),
      async (server) => {
        const dataDir = tempDir();
        const output = new WebhookOutput(config(server.url), { dataDir, logger: recordingLogger() });
        await output.open(event(1));
        await waitFor('the dead letter', () => output.health().deadLetters === 1);
        assert.equal(output.health().status, 'degraded');
        assert.match(output.health().message, /failing: HTTP 400 Bad Request: \{"error":"unknown field"\}/);
        // Longer than several backoff steps: nothing more arrives.
        await new Promise((resolve) => setTimeout(resolve, 150));
        assert.equal(server.received.length, 1);
        const [dead] = output.deadLetters();
        assert.equal(dead?.eventId, 1);
        assert.equal(dead?.lastStatus, 400);
        assert.equal(dead?.attempts, 1);
        assert.deepEqual(JSON.parse(dead?.body ?? '{}').id, 1);

        await output.open(event(2));
        await waitFor('the next event', () => server.received.length === 2 && output.health().pending === 0);
        assert.equal(output.health().status, 'ok');
        assert.deepEqual(
          outboxRows(dataDir).map((row) => [row.event_id, row.state, row.last_status]),
          [[1, 'dead', 400]],
        );
        await output.close();
      },
    );
  });

  it('a redirect is not followed (a POST must not become a GET): dead letter', async () => {
    await withServer(
      () => ({ status: 302, headers: { location: '/elsewhere' } }),
      async (server) => {
        const output = new WebhookOutput(config(server.url), { dataDir: tempDir(), logger: recordingLogger() });
        await output.open(event(1));
        await waitFor('the dead letter', () => output.health().deadLetters === 1);
        assert.match(output.deadLetters()[0]?.lastError ?? '', /HTTP 302 Found \(redirects are not followed/);
        assert.equal(server.received.length, 1);
        await output.close();
      },
    );
  });

  it('a request that times out is retried', async () => {
    await withServer(
      (index) => (index === 0 ? { hang: true } : { status: 200 }),
      async (server) => {
        const output = new WebhookOutput(config(server.url, { timeoutMs: 150 }), { dataDir: tempDir(), logger: recordingLogger() });
        await output.open(event(1));
        await waitFor('the retry to be delivered', () => server.received.length === 2 && output.health().pending === 0);
        assert.equal(output.health().lastError, 'no answer within 150 ms');
        assert.equal(server.received[1]?.headers['x-lintel-attempt'], '2');
        await output.close();
      },
    );
  });

  it('gives up after maxAttempts of 5xx and keeps a dead letter', async () => {
    await withServer(
      () => ({ status: 500 }),
      async (server) => {
        const output = new WebhookOutput(config(server.url, { maxAttempts: 3, backoffBaseMs: 10, backoffMaxMs: 20 }), { dataDir: tempDir(), logger: recordingLogger() });
        await output.open(event(1));
        await waitFor('the dead letter', () => output.health().deadLetters === 1);
        assert.equal(server.received.length, 3);
        const [dead] = output.deadLetters();
        assert.equal(dead?.attempts, 3);
        assert.equal(dead?.lastStatus, 500);
        assert.match(dead?.lastError ?? '', /HTTP 500 Internal Server Error \(gave up after 3 attempts\)/);
        await output.close();
      },
    );
  });

  it('survives a restart: events queued while the endpoint is down are sent after reopening, in order', async () => {
    const dataDir = tempDir();
    const port = await unusedPort();
    const url = `http://127.0.0.1:${port}/hooks/door`;
    const first = new WebhookOutput(config(url, { backoffBaseMs: 50, backoffMaxMs: 200 }), { dataDir, logger: recordingLogger() });
    for (const id of [1, 2, 3]) await first.open(event(id, id === 2 ? 'denied' : 'granted'));
    await waitFor('a failed attempt', () => first.health().status === 'degraded');
    assert.match(first.health().lastError ?? '', /ECONNREFUSED/);
    await first.close();
    const left = outboxRows(dataDir);
    assert.deepEqual(
      left.map((row) => row.event_id),
      [1, 2, 3],
    );
    assert.ok((left[0]?.attempts ?? 0) >= 1);

    const server = await startLocalServer(() => ({ status: 200 }), port);
    try {
      const second = new WebhookOutput(config(url, { backoffBaseMs: 50, backoffMaxMs: 200 }), { dataDir, logger: recordingLogger() });
      await waitFor('the three deliveries', () => server.received.length === 3 && second.health().pending === 0);
      assert.deepEqual(
        server.received.map((request) => (JSON.parse(request.body) as { id: number }).id),
        [1, 2, 3],
      );
      await second.close();
      assert.deepEqual(outboxRows(dataDir), []);
    } finally {
      await server.close();
    }
  });

  it('is bounded: beyond queueLimit the oldest undelivered rows are dropped and counted in the log', async () => {
    const dataDir = tempDir();
    const port = await unusedPort();
    const logger = recordingLogger();
    const output = new WebhookOutput(config(`http://127.0.0.1:${port}/`, { queueLimit: 3, backoffBaseMs: 60_000, backoffMaxMs: 60_000 }), { dataDir, logger });
    for (let id = 1; id <= 5; id += 1) await output.open(event(id));
    assert.deepEqual(
      outboxRows(dataDir).map((row) => row.event_id),
      [3, 4, 5],
    );
    const health = output.health();
    assert.equal(health.pending, 3);
    assert.equal(health.dropped, 2);
    const drops = logger.lines.filter((line) => line.message === 'door.webhook.dropped');
    assert.deepEqual(
      drops.map((line) => [line.fields.droppedPending, line.fields.droppedPendingSinceStart]),
      [
        [1, 1],
        [1, 2],
      ],
    );
    await output.close();
  });

  it('erasing a person blanks their id and name in queued and dead deliveries, and nothing else', async () => {
    const dataDir = tempDir();
    const port = await unusedPort();
    const output = new WebhookOutput(config(`http://127.0.0.1:${port}/`, { backoffBaseMs: 60_000, backoffMaxMs: 60_000 }), { dataDir, logger: recordingLogger() });
    await output.open(event(1));
    await output.open({ ...event(2), personId: 'p-8', personName: 'Other' });
    assert.equal(output.erasePerson('p-7'), 1);
    const db = new Database(join(dataDir, OUTBOX_FILE_NAME), { readonly: true });
    try {
      const bodies = db.prepare<[], string>('SELECT body FROM deliveries ORDER BY id').pluck().all().map((text) => JSON.parse(text) as Record<string, unknown>);
      assert.deepEqual(bodies.map((body) => [body.id, body.personId, body.personName, body.reason]), [
        [1, null, null, 'match'],
        [2, 'p-8', 'Other', 'match'],
      ]);
    } finally {
      db.close();
    }
    await output.close();
  });

  it('with events: granted, denied events are skipped', async () => {
    const port = await unusedPort();
    const dataDir = tempDir();
    const output = new WebhookOutput(config(`http://127.0.0.1:${port}/`, { events: 'granted', backoffBaseMs: 60_000, backoffMaxMs: 60_000 }), { dataDir, logger: recordingLogger() });
    assert.deepEqual(await output.open(event(1, 'denied')), { status: 'skipped', detail: 'only granted events are sent' });
    assert.deepEqual(outboxRows(dataDir), []);
    await output.close();
  });

  it('an outbox that cannot be opened is an unavailable state, retried on the next event', async () => {
    const parent = tempDir();
    const dataDir = join(parent, 'data');
    writeFileSync(dataDir, 'a file where the folder should be');
    const logger = recordingLogger();
    const port = await unusedPort();
    const output = new WebhookOutput(config(`http://127.0.0.1:${port}/`, { backoffBaseMs: 60_000, backoffMaxMs: 60_000 }), { dataDir, logger });
    assert.equal(output.health().status, 'unavailable');
    assert.match(output.health().message, /^webhook webhook unavailable: cannot open the outbox: .*(EEXIST|ENOTDIR)/);
    const result = await output.open(event(1));
    assert.equal(result.status, 'failed');

    rmSync(dataDir);
    assert.equal((await output.open(event(2))).status, 'queued');
    assert.notEqual(output.health().status, 'unavailable');
    await output.close();
  });

  it('webhookBody fills absent fields with null', () => {
    assert.deepEqual(webhookBody({ id: 3, atMs: 0, decision: 'denied', reason: 'liveness' }), {
      type: 'lintel.door-event',
      version: 1,
      id: 3,
      atMs: 0,
      at: '1970-01-01T00:00:00.000Z',
      decision: 'denied',
      reason: 'liveness',
      personId: null,
      personName: null,
      similarity: null,
      livenessCue: null,
      card: null,
    });
  });

  it('webhookBody names the liveness cue that failed', () => {
    assert.equal(webhookBody({ id: 4, atMs: 0, decision: 'denied', reason: 'liveness-failed', personId: 'p-1', livenessCue: 'wrong-direction' }).livenessCue, 'wrong-direction');
  });

  it('webhookBody names the card shown, and nothing else of the credential', () => {
    const body = webhookBody({
      id: 5,
      atMs: 0,
      decision: 'granted',
      reason: 'granted',
      card: { facilityCode: 12, cardNumber: 3456 },
      credential: { facilityCode: 12, cardNumber: 3456, format: 'wiegand26' },
    });
    assert.deepEqual(body.card, { facilityCode: 12, cardNumber: 3456 });
    assert.deepEqual(webhookBody({ id: 6, atMs: 0, decision: 'denied', reason: 'unknown-card', card: { facilityCode: null, cardNumber: 9 } }).card, { facilityCode: null, cardNumber: 9 });
  });
});
