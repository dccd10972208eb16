import type Database from 'better-sqlite3';
import type { z } from 'zod';

import type { DeepReadonly } from '../../shared/contract/handler.js';
import { MAX_CARD_FIELD, type accessEventSchema, type decisionSchema, type eventCursorSchema, type eventQuerySchema } from '../../shared/contract/schemas.js';
import type { FaceQuality } from '../../vision/quality/face-quality.js';
import { seal, unseal } from './crypto.js';
import { StoreError } from './errors.js';
import type { PersonCredential } from './persons-repository.js';
import { assertJpeg, qualityToJson } from './samples-repository.js';

/** What the terminal decided at the door. */
export type Decision = z.output<typeof decisionSchema>;

/** One access decision to log. */
export interface EventInput {
  /** When the decision was made, ms since epoch. */
  readonly atMs: number;
  readonly decision: Decision;
  /**
   * Why, as a code: lower-case letters, digits and `.:-`, e.g. 'match', 'unknown-face', 'liveness',
   * 'disabled'. A code, not prose, so no name or other personal data ends up in the log.
   */
  readonly reason: string;
  /** The recognised person, if any. */
  readonly personId?: string | null;
  /** The extractor whose similarity this is. */
  readonly modelId?: string | null;
  /** Cosine similarity of the best match, -1..1. */
  readonly similarity?: number | null;
  /** Liveness score, 0..1 (1 = live). */
  readonly livenessScore?: number | null;
  /** Which liveness check failed, on a `liveness-failed` event (e.g. 'passive', 'timeout', 'planar'); a code. */
  readonly livenessCue?: string | null;
  /** The card shown, on a card's decisions (`unknown-card`, the card + face check of its holder). */
  readonly card?: PersonCredential | null;
  readonly quality?: FaceQuality | null;
  /** Snapshot of the face at the door as JPEG; stored sealed. */
  readonly snapshotJpeg?: Uint8Array | null;
}

/** A logged decision. */
export type AccessEvent = DeepReadonly<z.output<typeof accessEventSchema>>;

/** Where the previous page ended: the last event returned. */
export type EventCursor = DeepReadonly<z.output<typeof eventCursorSchema>>;

/** Filters of `query`; the result is newest first. */
export type EventQuery = DeepReadonly<z.input<typeof eventQuerySchema>>;

/** Observations for tests: called inside the write transaction. */
export interface EventsTestHooks {
  /** With the connection's `PRAGMA synchronous` (1 = NORMAL, 2 = FULL) as it is for this commit. */
  insideWrite?(decision: Decision, synchronousLevel: number): void;
}

interface EventRow {
  id: number;
  at_ms: number;
  decision: Decision;
  reason: string;
  person_id: string | null;
  person_name: string | null;
  person_erased_at_ms: number | null;
  model_id: string | null;
  similarity: number | null;
  liveness_score: number | null;
  liveness_cue: string | null;
  card_facility_code: number | null;
  card_number: number | null;
  quality_json: string | null;
  has_snapshot: number;
}

const REASON_PATTERN = /^[a-z0-9][a-z0-9.:-]{0,63}$/;
const CUE_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
const MAX_PAGE = 500;
const isCardField = (value: number): boolean => Number.isSafeInteger(value) && value >= 0 && value <= MAX_CARD_FIELD;
/** `PRAGMA synchronous` level FULL. */
const SYNCHRONOUS_FULL = 2;

/** AAD of an event's snapshot. */
export const snapshotAad = (eventId: number): string => `event:${eventId}:snapshot`;

/**
 * The access log. Granted events are committed with `synchronous=FULL`: the WAL is fsynced before append
 * returns, so a power cut right after the door opened cannot lose the record. Denied events use the
 * connection's NORMAL level (durable at the next checkpoint or FULL commit, which also flushes them).
 *
 * The level is raised on the one connection, around the transaction, rather than on a second connection:
 * one connection keeps a single writer (no busy waits between two handles in one thread) and lets
 * `wal_checkpoint(TRUNCATE)` after an erasure see no other reader. SQLite refuses to change the level inside
 * a transaction, so granted events cannot be appended inside another transaction.
 */
export class EventsRepository {
  private readonly insertEvent;
  private readonly insertSnapshot;
  private readonly insertLateSnapshot;
  private readonly personExists;
  private readonly selectPage;
  private readonly selectOne;
  private readonly selectSnapshot;
  private readonly deleteBefore;
  private readonly deleteSnapshotsBefore;

  constructor(
    private readonly db: Database.Database,
    private readonly blobKey: Buffer,
    private readonly nowMs: () => number = Date.now,
    private readonly testHooks: EventsTestHooks = {},
  ) {
    this.insertEvent = db.prepare(
      `INSERT INTO events (at_ms, decision, reason, person_id, person_erased_at_ms, model_id, similarity, liveness_score, liveness_cue,
         card_facility_code, card_number, quality_json)
       VALUES (@atMs, @decision, @reason, @personId, @personErasedAtMs, @modelId, @similarity, @livenessScore, @livenessCue,
         @cardFacilityCode, @cardNumber, @qualityJson)`,
    );
    this.insertSnapshot = db.prepare<[number, Buffer]>('INSERT INTO event_snapshots (event_id, jpeg) VALUES (?, ?)');
    // Only to an event that is still there and whose person was not erased meanwhile.
    this.insertLateSnapshot = db.prepare<[number, Buffer, number]>(
      'INSERT OR IGNORE INTO event_snapshots (event_id, jpeg) SELECT ?, ? WHERE EXISTS (SELECT 1 FROM events WHERE id = ? AND person_erased_at_ms IS NULL)',
    );
    this.personExists = db.prepare<[string], number>('SELECT 1 FROM persons WHERE id = ?').pluck();
    const select = `SELECT e.id, e.at_ms, e.decision, e.reason, e.person_id, p.name AS person_name, e.person_erased_at_ms, e.model_id,
        e.similarity, e.liveness_score, e.liveness_cue, e.card_facility_code, e.card_number, e.quality_json, EXISTS (SELECT 1 FROM event_snapshots s WHERE s.event_id = e.id) AS has_snapshot
      FROM events e LEFT JOIN persons p ON p.id = e.person_id`;
    // One statement for every filter combination: a NULL parameter switches its condition off.
    this.selectPage = db.prepare<[Record<string, string | number | null>], EventRow>(
      `${select}
       WHERE (@fromMs IS NULL OR e.at_ms >= @fromMs) AND (@untilMs IS NULL OR e.at_ms < @untilMs)
         AND (@personId IS NULL OR e.person_id = @personId) AND (@decision IS NULL OR e.decision = @decision)
         AND (@cardNumber IS NULL OR e.card_number = @cardNumber)
         AND (@afterAtMs IS NULL OR (e.at_ms, e.id) < (@afterAtMs, @afterId))
       ORDER BY e.at_ms DESC, e.id DESC LIMIT @limit`,
    );
    this.selectOne = db.prepare<[number], EventRow>(`${select} WHERE e.id = ?`);
    this.selectSnapshot = db.prepare<[number], Buffer>('SELECT jpeg FROM event_snapshots WHERE event_id = ?').pluck();
    this.deleteBefore = db.prepare<[number]>('DELETE FROM events WHERE at_ms < ?');
    this.deleteSnapshotsBefore = db.prepare<[number]>('DELETE FROM event_snapshots WHERE event_id IN (SELECT id FROM events WHERE at_ms < ?)');
  }

  /**
   * Logs a decision and returns its id; a granted one is on disk (fsynced) when this returns, so append it
   * before driving the relay. A person erased since the match is logged as erased rather than failing the
   * write. A StoreError 'invalid' for bad fields.
   */
  append(input: EventInput): number {
    const params = toParams(input);
    if (input.snapshotJpeg) assertJpeg(input.snapshotJpeg, 'snapshot');
    const write = (): number => {
      if (params.personId !== null && this.personExists.get(params.personId) === undefined) {
        params.personId = null;
        params.personErasedAtMs = this.nowMs();
      }
      const id = Number(this.insertEvent.run(params).lastInsertRowid);
      if (input.snapshotJpeg) this.insertSnapshot.run(id, seal(this.blobKey, input.snapshotJpeg, snapshotAad(id)));
      this.testHooks.insideWrite?.(input.decision, this.db.pragma('synchronous', { simple: true }) as number);
      return id;
    };
    return input.decision === 'granted' ? this.writeDurably(write) : this.db.transaction(write)();
  }

  /**
   * Adds the snapshot of an event appended without one (the door opened before the JPEG was encoded). Returns
   * false, storing nothing, when the event is gone or its person was erased since.
   */
  attachSnapshot(eventId: number, snapshotJpeg: Uint8Array): boolean {
    assertJpeg(snapshotJpeg, 'snapshot');
    const sealed = seal(this.blobKey, snapshotJpeg, snapshotAad(eventId));
    return this.db.transaction(() => this.insertLateSnapshot.run(eventId, sealed, eventId).changes > 0)();
  }

  /** One event, or undefined. */
  get(id: number): AccessEvent | undefined {
    const row = this.selectOne.get(id);
    return row ? toEvent(row) : undefined;
  }

  /** One page of events, newest first, and the cursor of the next page (null on the last page). */
  query(query: EventQuery = {}): { events: AccessEvent[]; nextCursor: EventCursor | null } {
    const limit = query.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new StoreError('invalid', `limit must be 1..${MAX_PAGE}, got ${limit}`);
    const rows = this.selectPage.all({
      fromMs: query.fromMs ?? null,
      untilMs: query.untilMs ?? null,
      personId: query.personId ?? null,
      decision: query.decision ?? null,
      cardNumber: query.cardNumber ?? null,
      afterAtMs: query.after?.atMs ?? null,
      afterId: query.after?.id ?? null,
      // One more than asked tells whether a next page exists without a count.
      limit: limit + 1,
    });
    const events = rows.slice(0, limit).map(toEvent);
    const last = events.at(-1);
    return { events, nextCursor: rows.length > limit && last ? { atMs: last.atMs, id: last.id } : null };
  }

  /** The decrypted snapshot JPEG of an event, or undefined. */
  getSnapshot(eventId: number): Buffer | undefined {
    const sealed = this.selectSnapshot.get(eventId);
    return sealed === undefined ? undefined : unseal(this.blobKey, sealed, snapshotAad(eventId));
  }

  /** Deletes events (and their snapshots) older than `beforeMs`, ms since epoch; returns how many. */
  deleteOlderThan(beforeMs: number): number {
    return this.db.transaction(() => this.deleteBefore.run(beforeMs).changes)();
  }

  /** Deletes the snapshots of events older than `beforeMs` but keeps the events; returns how many. */
  deleteSnapshotsOlderThan(beforeMs: number): number {
    return this.db.transaction(() => this.deleteSnapshotsBefore.run(beforeMs).changes)();
  }

  private writeDurably(write: () => number): number {
    if (this.db.inTransaction) {
      throw new Error('a granted event cannot be appended inside another transaction: its FULL commit would be the outer one');
    }
    const previous = this.db.pragma('synchronous', { simple: true }) as number;
    this.db.pragma(`synchronous = ${SYNCHRONOUS_FULL}`);
    try {
      return this.db.transaction(write)();
    } finally {
      this.db.pragma(`synchronous = ${previous}`);
    }
  }
}

function toParams(input: EventInput): {
  atMs: number;
  decision: Decision;
  reason: string;
  personId: string | null;
  personErasedAtMs: number | null;
  modelId: string | null;
  similarity: number | null;
  livenessScore: number | null;
  livenessCue: string | null;
  cardFacilityCode: number | null;
  cardNumber: number | null;
  qualityJson: string | null;
} {
  if (!Number.isSafeInteger(input.atMs)) throw new StoreError('invalid', `atMs must be whole ms since epoch, got ${input.atMs}`);
  if (input.decision !== 'granted' && input.decision !== 'denied') throw new StoreError('invalid', `unknown decision ${String(input.decision)}`);
  if (!REASON_PATTERN.test(input.reason)) {
    throw new StoreError('invalid', `reason must be a code of lower-case letters, digits and .:- (at most 64), got "${input.reason}"`);
  }
  const similarity = input.similarity ?? null;
  if (similarity !== null && !(similarity >= -1 && similarity <= 1)) throw new StoreError('invalid', `similarity must be -1..1, got ${similarity}`);
  const livenessScore = input.livenessScore ?? null;
  if (livenessScore !== null && !(livenessScore >= 0 && livenessScore <= 1)) throw new StoreError('invalid', `livenessScore must be 0..1, got ${livenessScore}`);
  const livenessCue = input.livenessCue ?? null;
  if (livenessCue !== null && !CUE_PATTERN.test(livenessCue)) throw new StoreError('invalid', `livenessCue must be a code of lower-case letters, digits and - (at most 32), got "${livenessCue}"`);
  const card = input.card ?? null;
  if (card !== null) {
    if (!isCardField(card.cardNumber)) throw new StoreError('invalid', `card.cardNumber must be a whole number 0..2^48-1, got ${card.cardNumber}`);
    if (card.facilityCode !== null && !isCardField(card.facilityCode)) {
      throw new StoreError('invalid', `card.facilityCode must be a whole number 0..2^48-1 or null, got ${card.facilityCode}`);
    }
  }
  return {
    atMs: input.atMs,
    decision: input.decision,
    reason: input.reason,
    personId: input.personId ?? null,
    personErasedAtMs: null,
    modelId: input.modelId ?? null,
    similarity,
    livenessScore,
    livenessCue,
    cardFacilityCode: card?.facilityCode ?? null,
    cardNumber: card?.cardNumber ?? null,
    qualityJson: input.quality ? qualityToJson(input.quality) : null,
  };
}

/** An event's card from its two columns. */
export function cardOfColumns(row: { readonly card_facility_code: number | null; readonly card_number: number | null }): PersonCredential | null {
  return row.card_number === null ? null : { facilityCode: row.card_facility_code, cardNumber: row.card_number };
}

function toEvent(row: EventRow): AccessEvent {
  return {
    id: row.id,
    atMs: row.at_ms,
    decision: row.decision,
    reason: row.reason,
    personId: row.person_id,
    personName: row.person_name,
    personErasedAtMs: row.person_erased_at_ms,
    modelId: row.model_id,
    similarity: row.similarity,
    livenessScore: row.liveness_score,
    livenessCue: row.liveness_cue,
    card: cardOfColumns(row),
    quality: row.quality_json === null ? null : (JSON.parse(row.quality_json) as FaceQuality),
    hasSnapshot: row.has_snapshot === 1,
  };
}
