// The webhook outbox: `<dataDir>/outbox.db`, one queue of deliveries per webhook name. A row is on disk (fsynced)
// before the event counts as queued, leaves on a 2xx, or stays as a dead letter with the reason.
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { migrateOutbox } from './outbox-migrations.js';

/** Name of the outbox file inside the data folder. */
export const OUTBOX_FILE_NAME = 'outbox.db';

/** A delivery waiting to be sent. */
export interface OutboxDelivery {
  readonly id: number;
  readonly eventId: number;
  /** The JSON text to POST. */
  readonly body: string;
  /** Attempts made so far. */
  readonly attempts: number;
  /** Enqueued, ms since the epoch. */
  readonly createdAtMs: number;
  /** Not to be sent before, ms since the epoch. */
  readonly nextAttemptAtMs: number;
}

/** A delivery given up on. */
export interface DeadLetter {
  readonly id: number;
  readonly eventId: number;
  readonly body: string;
  readonly attempts: number;
  /** HTTP status of the last answer; null for a network error or timeout. */
  readonly lastStatus: number | null;
  readonly lastError: string;
  readonly createdAtMs: number;
  readonly deadAtMs: number;
}

/** Options of `Outbox.open`. */
export interface OutboxOptions {
  /** Folder of `outbox.db`; created with mode 0700 when absent. */
  readonly dataDir: string;
  /** This queue's name (the webhook's name). */
  readonly queue: string;
  /** Most rows (pending and dead) kept for this queue; default 10000. */
  readonly limit?: number;
  /** Wall clock, ms since the epoch; default Date.now. */
  readonly nowMs?: () => number;
  /** How long a statement waits for another connection's lock, ms; default 5000. */
  readonly busyTimeoutMs?: number;
}

/** What `enqueue` did. */
export interface EnqueueResult {
  /** The new delivery's id. */
  readonly id: number;
  /** Undelivered rows dropped to stay within the limit. */
  readonly droppedPending: number;
  /** Dead letters dropped to stay within the limit (they go first). */
  readonly droppedDead: number;
}

interface DeliveryRow {
  id: number;
  event_id: number;
  body: string;
  attempts: number;
  created_at_ms: number;
  next_attempt_at_ms: number;
}

interface DeadRow extends Omit<DeliveryRow, 'next_attempt_at_ms'> {
  last_status: number | null;
  last_error: string | null;
  dead_at_ms: number;
}

/**
 * One webhook's queue in the shared outbox file: WAL, `synchronous=FULL` (every write is fsynced; the outbox
 * sees a few writes per event, and a queued event is a promise to the receiver), secure_delete (delivered
 * bodies hold names and are overwritten, not left in free pages). Oldest first; bounded by `limit`.
 */
export class Outbox {
  readonly queue: string;
  readonly limit: number;
  private readonly nowMs: () => number;
  private readonly insert;
  private readonly countByState;
  private readonly dropOldest;
  private readonly selectHead;
  private readonly deleteOne;
  private readonly updateRetry;
  private readonly updateDead;
  private readonly selectDead;
  private readonly retryNow;
  private readonly erasePersonRows;

  private constructor(
    private readonly db: Database.Database,
    options: OutboxOptions,
  ) {
    this.queue = options.queue;
    this.limit = options.limit ?? 10_000;
    this.nowMs = options.nowMs ?? Date.now;
    this.insert = db.prepare<[string, number, string, number, number]>(
      'INSERT INTO deliveries (queue, event_id, body, created_at_ms, next_attempt_at_ms) VALUES (?, ?, ?, ?, ?)',
    );
    this.countByState = db.prepare<[string], { state: 'pending' | 'dead'; n: number }>('SELECT state, count(*) AS n FROM deliveries WHERE queue = ? GROUP BY state');
    // Dead letters first (state = 'pending' sorts 0 before 1), each oldest first.
    this.dropOldest = db.prepare<[string, number]>(
      "DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries WHERE queue = ? ORDER BY state = 'pending', id LIMIT ?)",
    );
    this.selectHead = db.prepare<[string], DeliveryRow>(
      "SELECT id, event_id, body, attempts, created_at_ms, next_attempt_at_ms FROM deliveries WHERE queue = ? AND state = 'pending' ORDER BY id LIMIT 1",
    );
    this.deleteOne = db.prepare<[number, string]>('DELETE FROM deliveries WHERE id = ? AND queue = ?');
    this.updateRetry = db.prepare<[number, number | null, string, number, string]>(
      "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at_ms = ?, last_status = ?, last_error = ? WHERE id = ? AND queue = ? AND state = 'pending'",
    );
    this.updateDead = db.prepare<[number | null, string, number, number, string]>(
      "UPDATE deliveries SET attempts = attempts + 1, state = 'dead', last_status = ?, last_error = ?, dead_at_ms = ? WHERE id = ? AND queue = ? AND state = 'pending'",
    );
    this.selectDead = db.prepare<[string, number], DeadRow>(
      `SELECT id, event_id, body, attempts, created_at_ms, last_status, last_error, dead_at_ms
       FROM deliveries WHERE queue = ? AND state = 'dead' ORDER BY id DESC LIMIT ?`,
    );
    // Every queue: an erased person must leave no trace, whichever webhook (configured or not any more) held them.
    this.erasePersonRows = db.prepare<[string]>(
      "UPDATE deliveries SET body = json_set(body, '$.personId', NULL, '$.personName', NULL) WHERE json_extract(body, '$.personId') = ?",
    );
    this.retryNow = db.prepare<[number, string]>("UPDATE deliveries SET next_attempt_at_ms = min(next_attempt_at_ms, ?) WHERE queue = ? AND state = 'pending'");
  }

  /**
   * Opens (creating when absent) `<dataDir>/outbox.db` and this queue in it. Pending rows become due at once:
   * a restart retries now, and a wait computed on a wrong clock (no RTC until NTP answers) does not linger.
   * @throws OutboxError for a file that is not an outbox or is too new, SqliteError for I/O problems.
   */
  static open(options: OutboxOptions): Outbox {
    const { dataDir, busyTimeoutMs = 5000 } = options;
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const path = join(dataDir, OUTBOX_FILE_NAME);
    // Create it ourselves: SQLite would use 0644, and the bodies carry names.
    closeSync(openSync(path, 'a', 0o600));
    const db = new Database(path, { timeout: busyTimeoutMs });
    try {
      const journalMode = db.pragma('journal_mode = WAL', { simple: true });
      if (journalMode !== 'wal') throw new Error(`${path}: cannot switch to WAL (journal_mode is ${String(journalMode)})`);
      db.pragma('synchronous = FULL');
      db.pragma('secure_delete = ON');
      db.pragma('trusted_schema = OFF');
      migrateOutbox(db);
      const outbox = new Outbox(db, options);
      outbox.retryNow.run(outbox.nowMs(), outbox.queue);
      return outbox;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Path of the file. */
  get path(): string {
    return this.db.name;
  }

  /**
   * Adds a delivery, due now; on disk when this returns. Beyond the limit the oldest rows make room, dead letters
   * first, in the same transaction.
   */
  enqueue(eventId: number, body: string): EnqueueResult {
    return this.db
      .transaction((): EnqueueResult => {
        const { pending, dead } = this.counts();
        const excess = pending + dead + 1 - this.limit;
        let droppedPending = 0;
        let droppedDead = 0;
        if (excess > 0) {
          this.dropOldest.run(this.queue, excess);
          droppedDead = Math.min(excess, dead);
          droppedPending = excess - droppedDead;
        }
        const nowMs = this.nowMs();
        const id = Number(this.insert.run(this.queue, eventId, body, nowMs, nowMs).lastInsertRowid);
        return { id, droppedPending, droppedDead };
      })
      .immediate();
  }

  /** The oldest pending delivery, due or not. */
  head(): OutboxDelivery | undefined {
    const row = this.selectHead.get(this.queue);
    return row && toDelivery(row);
  }

  /** Rows of this queue by state. */
  counts(): { pending: number; dead: number } {
    const counts = { pending: 0, dead: 0 };
    for (const { state, n } of this.countByState.all(this.queue)) counts[state] = n;
    return counts;
  }

  /** Removes a delivered row (a no-op when it was dropped meanwhile). */
  delivered(id: number): void {
    this.deleteOne.run(id, this.queue);
  }

  /** Counts a failed attempt and sets when to try again. */
  retryLater(id: number, nextAttemptAtMs: number, lastStatus: number | null, lastError: string): void {
    this.updateRetry.run(Math.round(nextAttemptAtMs), lastStatus, lastError, id, this.queue);
  }

  /** Counts a failed attempt and gives up on the delivery; it stays as a dead letter. */
  deadLetter(id: number, lastStatus: number | null, lastError: string): void {
    this.updateDead.run(lastStatus, lastError, this.nowMs(), id, this.queue);
  }

  /** Dead letters, newest first; at most `limit` (default 100). */
  deadLetters(limit = 100): DeadLetter[] {
    return this.selectDead.all(this.queue, limit).map((row) => ({
      id: row.id,
      eventId: row.event_id,
      body: row.body,
      attempts: row.attempts,
      createdAtMs: row.created_at_ms,
      lastStatus: row.last_status,
      lastError: row.last_error ?? '',
      deadAtMs: row.dead_at_ms,
    }));
  }

  /**
   * Blanks a person's id and name in every queued or dead body of the file (the store's erasure), then truncates
   * the WAL so no earlier copy remains (secure_delete covers the freed pages). Returns the rows changed.
   */
  erasePerson(personId: string): number {
    const changed = this.erasePersonRows.run(personId).changes;
    if (changed > 0) this.db.pragma('wal_checkpoint(TRUNCATE)');
    return changed;
  }

  /** Closes the connection; idempotent. */
  close(): void {
    if (this.db.open) this.db.close();
  }
}

function toDelivery(row: DeliveryRow): OutboxDelivery {
  return { id: row.id, eventId: row.event_id, body: row.body, attempts: row.attempts, createdAtMs: row.created_at_ms, nextAttemptAtMs: row.next_attempt_at_ms };
}
