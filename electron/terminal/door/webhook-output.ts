// Tells a web service about door events: each event is written to the outbox first (on disk before open()
// resolves), then a single sender POSTs the oldest pending delivery, retrying with backoff, so events survive
// outages and restarts and arrive in order.
import { createHmac } from 'node:crypto';

import type { WebhookOutputConfig } from '../../shared/shapes/door-outputs.js';
import type { DoorEvent, DoorLogger, DoorOutput, DoorOutputResult, WebhookHealth } from './door-output.js';
import { errorMessage } from './error-message.js';
import { Outbox } from './outbox.js';
import type { DeadLetter, OutboxDelivery } from './outbox.js';

/** Dependencies of a webhook. */
export interface WebhookOutputDeps {
  /** Folder of `outbox.db`. */
  readonly dataDir: string;
  readonly logger: DoorLogger;
  /** Default: node's fetch. */
  readonly fetch?: typeof fetch;
  /** Wall clock, ms since the epoch (persisted retry times); default Date.now. */
  readonly nowMs?: () => number;
  /** Jitter source, [0, 1); default Math.random. */
  readonly random?: () => number;
}

/** The JSON POSTed for an event (`content-type: application/json`). */
export interface WebhookBody {
  readonly type: 'lintel.door-event';
  readonly version: 1;
  /** The event's id in the access log; the same on every retry, so receivers can drop duplicates. */
  readonly id: number;
  /** Decision time, ms since the epoch, and the same as ISO 8601. */
  readonly atMs: number;
  readonly at: string;
  readonly decision: 'granted' | 'denied';
  readonly reason: string;
  readonly personId: string | null;
  readonly personName: string | null;
  /** Cosine similarity, -1..1. */
  readonly similarity: number | null;
  /** Which liveness check failed, with a `liveness-failed` denial ('timeout', 'planar', 'passive'…); else null. */
  readonly livenessCue: string | null;
  /** The card shown at the door's reader, on a card's decisions (`unknown-card`, card + face); else null. */
  readonly card: { readonly facilityCode: number | null; readonly cardNumber: number } | null;
}

/** The body sent for `event`. */
export function webhookBody(event: DoorEvent): WebhookBody {
  return {
    type: 'lintel.door-event',
    version: 1,
    id: event.id,
    atMs: event.atMs,
    at: new Date(event.atMs).toISOString(),
    decision: event.decision,
    reason: event.reason,
    personId: event.personId ?? null,
    personName: event.personName ?? null,
    similarity: event.similarity ?? null,
    livenessCue: event.livenessCue ?? null,
    card: event.card ? { facilityCode: event.card.facilityCode, cardNumber: event.card.cardNumber } : null,
  };
}

/** The `X-Lintel-Signature` value: `sha256=` and the hex HMAC-SHA256 of the exact body bytes under `secret`. */
export function signWebhookBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

type AttemptOutcome =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'permanent'; readonly status: number; readonly error: string }
  | { readonly kind: 'retry'; readonly status: number | null; readonly error: string; readonly retryAfterMs?: number }
  | { readonly kind: 'aborted' };

/** Bytes of an error answer's body kept for the error message. */
const SNIPPET_BYTES = 512;

/**
 * POSTs door events to `config.url`. Answers: 2xx delivered (row deleted); 4xx other than 408/429, and 3xx
 * (redirects are not followed: a POST must not turn into a GET), are permanent (dead letter, no retry); 5xx,
 * 408, 429, network errors and timeouts are retried with exponential backoff and jitter (honouring Retry-After
 * up to backoffMaxMs) until maxAttempts, then dead-lettered. Only the oldest pending delivery is ever in flight:
 * order is kept, and a dead endpoint sees one request per backoff step, not one per queued event.
 */
export class WebhookOutput implements DoorOutput {
  readonly kind = 'webhook';
  readonly name: string;
  private readonly fetch: typeof fetch;
  private readonly nowMs: () => number;
  private readonly random: () => number;
  private outbox: Outbox | undefined;
  private outboxError: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private readonly closing = new AbortController();
  private isClosed = false;
  private dropped = 0;
  private failing = false;
  private lastError: { readonly message: string; readonly atMs: number } | undefined;
  private lastSuccessAtMs: number | undefined;
  /** After an outbox failure inside the sender, no attempt before this time (ms since the epoch). */
  private holdUntilMs = 0;

  /** Opens the outbox and starts sending what a previous run left in it. */
  constructor(
    private readonly config: WebhookOutputConfig,
    private readonly deps: WebhookOutputDeps,
  ) {
    this.name = config.name;
    this.fetch = deps.fetch ?? fetch;
    this.nowMs = deps.nowMs ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.ensureOutbox();
    this.schedule();
  }

  /** Queues the event (durably) and returns; delivery happens in the background. */
  async open(event: DoorEvent): Promise<DoorOutputResult> {
    if (this.isClosed) return { status: 'failed', error: `webhook ${this.name} is closed` };
    if (this.config.events === 'granted' && event.decision !== 'granted') return { status: 'skipped', detail: 'only granted events are sent' };
    const outbox = this.ensureOutbox();
    if (outbox === undefined) return { status: 'failed', error: `webhook ${this.name} unavailable: cannot open the outbox: ${this.outboxError}` };
    let queued;
    let pending;
    try {
      queued = outbox.enqueue(event.id, JSON.stringify(webhookBody(event)));
      pending = outbox.counts().pending;
    } catch (error) {
      const message = `cannot queue event ${event.id}: ${errorMessage(error)}`;
      this.noteError(message);
      return { status: 'failed', error: `webhook ${this.name}: ${message}` };
    }
    if (queued.droppedPending > 0 || queued.droppedDead > 0) {
      this.dropped += queued.droppedPending;
      this.deps.logger.warn('door.webhook.dropped', {
        output: this.name,
        droppedPending: queued.droppedPending,
        droppedDead: queued.droppedDead,
        droppedPendingSinceStart: this.dropped,
        queueLimit: outbox.limit,
      });
    }
    this.schedule();
    return { status: 'queued', deliveryId: queued.id, pending };
  }

  health(): WebhookHealth {
    let counts = { pending: 0, dead: 0 };
    let countError: string | undefined;
    try {
      if (this.outbox !== undefined) counts = this.outbox.counts();
    } catch (error) {
      countError = errorMessage(error);
    }
    const base = {
      kind: 'webhook',
      name: this.name,
      pending: counts.pending,
      deadLetters: counts.dead,
      dropped: this.dropped,
      lastError: this.lastError?.message ?? null,
      lastErrorAtMs: this.lastError?.atMs ?? null,
      lastSuccessAtMs: this.lastSuccessAtMs ?? null,
    } as const;
    const dead = counts.dead > 0 ? `, ${counts.dead} dead letters` : '';
    if (this.isClosed) return { ...base, status: 'unavailable', message: `webhook ${this.name} closed` };
    if (this.outbox === undefined) return { ...base, status: 'unavailable', message: `webhook ${this.name} unavailable: cannot open the outbox: ${this.outboxError}` };
    if (countError !== undefined) return { ...base, status: 'unavailable', message: `webhook ${this.name} unavailable: cannot read the outbox: ${countError}` };
    if (this.failing) return { ...base, status: 'degraded', message: `webhook ${this.name} failing: ${base.lastError}; ${counts.pending} pending${dead}` };
    return { ...base, status: 'ok', message: `webhook ${this.name}: ${counts.pending} pending${dead}` };
  }

  /** The most recent dead letters, newest first, for inspection; at most `limit` (default 100). */
  deadLetters(limit = 100): DeadLetter[] {
    return this.outbox?.deadLetters(limit) ?? [];
  }

  /**
   * Blanks the person's id and name in the outbox (queued and dead deliveries), for the store's erasure; returns
   * the rows changed. A delivery already in flight is sent as it was.
   * @throws Error when the outbox cannot be opened (the erasure did not happen).
   */
  erasePerson(personId: string): number {
    const outbox = this.ensureOutbox();
    if (outbox === undefined) throw new Error(`webhook ${this.name}: cannot erase person from the outbox: ${this.outboxError}`);
    return outbox.erasePerson(personId);
  }

  /** Stops sending (an attempt in flight is aborted and not counted) and closes the outbox; rows stay for the next start. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    this.closing.abort();
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.sending;
    this.outbox?.close();
  }

  private ensureOutbox(): Outbox | undefined {
    if (this.outbox !== undefined) return this.outbox;
    try {
      this.outbox = Outbox.open({ dataDir: this.deps.dataDir, queue: this.name, limit: this.config.queueLimit, nowMs: this.nowMs });
      this.outboxError = undefined;
    } catch (error) {
      this.outboxError = errorMessage(error);
      this.deps.logger.warn('door.webhook.outbox-unavailable', { output: this.name, error: this.outboxError });
    }
    return this.outbox;
  }

  /** Arms the timer for the head of the queue, unless an attempt is in flight (it re-arms when done). */
  private schedule(): void {
    if (this.isClosed || this.sending !== undefined || this.outbox === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    let head: OutboxDelivery | undefined;
    try {
      head = this.outbox.head();
    } catch (error) {
      this.noteError(`cannot read the outbox: ${errorMessage(error)}`);
      return;
    }
    if (head === undefined) return;
    const nowMs = this.nowMs();
    // Capped at backoffMaxMs: a retry time written under a clock that has since jumped back must not stall the queue.
    const waitMs = Math.min(Math.max(head.nextAttemptAtMs - nowMs, this.holdUntilMs - nowMs, 0), this.config.backoffMaxMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sending = this.attemptHead()
        .catch((error: unknown) => {
          this.noteError(`outbox: ${errorMessage(error)}`);
          this.holdUntilMs = this.nowMs() + this.config.backoffMaxMs;
        })
        .finally(() => {
          this.sending = undefined;
          this.schedule();
        });
    }, waitMs);
    // Queued rows are on disk: a pending retry need not keep a CLI run alive.
    this.timer.unref();
  }

  private async attemptHead(): Promise<void> {
    const outbox = this.outbox;
    const delivery = outbox?.head();
    if (outbox === undefined || delivery === undefined) return;
    const outcome = await this.post(delivery);
    if (outcome.kind === 'aborted') return;
    const attempts = delivery.attempts + 1;
    switch (outcome.kind) {
      case 'delivered':
        outbox.delivered(delivery.id);
        this.lastSuccessAtMs = this.nowMs();
        if (this.failing) this.deps.logger.info('door.webhook.recovered', { output: this.name, eventId: delivery.eventId, attempts });
        this.failing = false;
        return;
      case 'permanent':
        outbox.deadLetter(delivery.id, outcome.status, outcome.error);
        this.noteError(outcome.error);
        this.deps.logger.warn('door.webhook.dead-letter', { output: this.name, eventId: delivery.eventId, deliveryId: delivery.id, attempts, status: outcome.status, error: outcome.error });
        return;
      case 'retry':
        this.noteError(outcome.error);
        if (attempts >= this.config.maxAttempts) {
          const error = `${outcome.error} (gave up after ${attempts} attempts)`;
          outbox.deadLetter(delivery.id, outcome.status, error);
          this.deps.logger.warn('door.webhook.dead-letter', { output: this.name, eventId: delivery.eventId, deliveryId: delivery.id, attempts, status: outcome.status, error });
        } else {
          outbox.retryLater(delivery.id, this.nowMs() + this.backoffMs(attempts, outcome.retryAfterMs), outcome.status, outcome.error);
        }
        return;
    }
  }

  /** One POST of `delivery`; never throws. */
  private async post(delivery: OutboxDelivery): Promise<AttemptOutcome> {
    const headers: Record<string, string> = {
      ...this.config.headers,
      'content-type': 'application/json',
      'user-agent': 'lintel-door',
      'x-lintel-event-id': String(delivery.eventId),
      'x-lintel-delivery-id': String(delivery.id),
      'x-lintel-attempt': String(delivery.attempts + 1),
    };
    if (this.config.secret !== undefined) headers['x-lintel-signature'] = signWebhookBody(this.config.secret, delivery.body);
    const timeout = AbortSignal.timeout(this.config.timeoutMs);
    const signal = AbortSignal.any([timeout, this.closing.signal]);
    let response: Response;
    try {
      response = await this.fetch(this.config.url, { method: 'POST', headers, body: delivery.body, signal, redirect: 'manual' });
    } catch (error) {
      if (this.closing.signal.aborted) return { kind: 'aborted' };
      if (timeout.aborted) return { kind: 'retry', status: null, error: `no answer within ${this.config.timeoutMs} ms` };
      return { kind: 'retry', status: null, error: errorMessage(error) };
    }
    const { status } = response;
    if (status >= 200 && status < 300) {
      // Nothing in a 2xx body is used; cancelling frees the connection.
      await response.body?.cancel().catch(() => undefined);
      return { kind: 'delivered' };
    }
    const snippet = await readSnippet(response);
    const error = `HTTP ${status}${response.statusText === '' ? '' : ` ${response.statusText}`}${snippet === '' ? '' : `: ${snippet}`}`;
    if (status === 408 || status === 429 || status >= 500) {
      return { kind: 'retry', status, error, retryAfterMs: parseRetryAfterMs(response.headers.get('retry-after'), this.nowMs()) };
    }
    if (status >= 300 && status < 400) return { kind: 'permanent', status, error: `${error} (redirects are not followed: configure the final URL)` };
    return { kind: 'permanent', status, error };
  }

  /**
   * Delay after the `attempts`-th failure, ms: base × 2^(attempts−1) capped at backoffMaxMs, of which a random
   * half ("equal jitter": retries stay spaced, yet terminals that lost the same endpoint do not retry in step);
   * at least Retry-After when the server sent one, up to backoffMaxMs.
   */
  private backoffMs(attempts: number, retryAfterMs: number | undefined): number {
    const stepMs = Math.min(this.config.backoffMaxMs, this.config.backoffBaseMs * 2 ** (attempts - 1));
    const jitteredMs = stepMs / 2 + (this.random() * stepMs) / 2;
    return Math.max(jitteredMs, Math.min(retryAfterMs ?? 0, this.config.backoffMaxMs));
  }

  private noteError(message: string): void {
    if (!this.failing) this.deps.logger.warn('door.webhook.failing', { output: this.name, error: message });
    this.failing = true;
    this.lastError = { message, atMs: this.nowMs() };
  }
}

/** The start of an error answer's body, as one printable line (at most 200 characters). */
async function readSnippet(response: Response): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let sizeBytes = 0;
  try {
    while (sizeBytes < SNIPPET_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      sizeBytes += value.byteLength;
    }
  } catch {
    // A body cut short (or timed out) still leaves the status to report.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks)
    .subarray(0, SNIPPET_BYTES)
    .toString('utf8')
    .replace(/\p{Cc}+/gu, ' ')
    .trim()
    .slice(0, 200);
}

/** Retry-After as delay-seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
function parseRetryAfterMs(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const atMs = Date.parse(text);
  return Number.isNaN(atMs) ? undefined : Math.max(0, atMs - nowMs);
}
