import type Database from 'better-sqlite3';

import { seal, unseal } from './crypto.js';
import { StoreError } from './errors.js';
import { cardOfColumns, snapshotAad, type Decision } from './events-repository.js';
import type { PersonCredential } from './persons-repository.js';

/** The site hub this terminal joined. */
export interface HubLinkRecord {
  readonly siteId: string;
  /** This terminal's id at the hub (its certificate's CN). */
  readonly terminalId: string;
  /** The hub's Ed25519 public key, PEM (SPKI): change pages must verify against it. */
  readonly hubPublicKeyPem: string;
  /** Seq of the last change of the hub's log applied here (0: none yet). */
  readonly appliedSeq: number;
  readonly joinedAtMs: number;
}

/**
 * Settings the hub sets for this door, as it sent them: the site's for every door, and this door's own policy's,
 * which win over the site's. Kept so that a restart applies them again, and a later change of one keeps the other.
 */
export interface HubSettings {
  readonly site: Readonly<Record<string, unknown>>;
  readonly door: Readonly<Record<string, unknown>>;
}

/** Where the hub's settings are kept, in the `meta` table. */
const HUB_SETTINGS_KEYS = { site: 'hub.site-settings', door: 'hub.door-settings' } as const;
/** The door's own values of the settings the hub sets over them (sync/hub-settings.ts). */
const OWN_SETTINGS_KEY = 'hub.own-settings';

/** An event waiting for the hub's acknowledgement, with what the hub stores of it. */
export interface OutboxEvent {
  /** This terminal's event sequence, increasing; the hub acknowledges up to one. */
  readonly seq: number;
  /** What the hub inserts the event idempotently by. */
  readonly uuid: string;
  readonly eventId: number;
  readonly atMs: number;
  readonly decision: Decision;
  readonly reason: string;
  /** Null for an unknown face, and for a person erased since. */
  readonly personId: string | null;
  readonly modelId: string | null;
  readonly similarity: number | null;
  readonly livenessScore: number | null;
  readonly livenessCue: string | null;
  /** The card shown, on a card's decisions. */
  readonly card: PersonCredential | null;
  /** The decrypted snapshot, when one was kept. */
  readonly snapshotJpeg: Buffer | null;
}

/** An enrollment made here, waiting for the hub's answer. */
export interface QueuedEnrollRequest {
  readonly requestId: string;
  /** The request as it will be sent (decrypted). */
  readonly body: unknown;
  readonly createdAtMs: number;
  readonly attempts: number;
  readonly lastError: string | null;
}

interface OutboxRow {
  seq: number;
  uuid: string;
  id: number;
  at_ms: number;
  decision: Decision;
  reason: string;
  person_id: string | null;
  model_id: string | null;
  similarity: number | null;
  liveness_score: number | null;
  liveness_cue: string | null;
  card_facility_code: number | null;
  card_number: number | null;
  snapshot: Buffer | null;
}

/** AAD of a queued enrollment request's body. */
const enrollAad = (requestId: string): string => `hub-enroll:${requestId}`;

/**
 * The terminal's hub-sync tables (migration 0008): the joined hub and the change-log cursor, the event outbox
 * (filled by a trigger in each event's own transaction, emptied only by the hub's acknowledgement), and the queue
 * of enrollments made here for the hub to write.
 */
export class HubSyncRepository {
  private readonly selectLink;
  private readonly insertLink;
  private readonly updateAppliedSeq;
  private readonly selectPending;
  private readonly countPending;
  private readonly deleteAcknowledged;
  private readonly insertEnroll;
  private readonly selectEnrolls;
  private readonly deleteEnroll;
  private readonly updateEnrollFailed;
  private readonly countLocalPersons;
  private readonly selectMeta;
  private readonly upsertMeta;

  constructor(
    private readonly db: Database.Database,
    private readonly blobKey: Buffer,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.selectLink = db.prepare<[], { site_id: string; terminal_id: string; hub_public_key_pem: string; applied_seq: number; joined_at_ms: number }>(
      'SELECT site_id, terminal_id, hub_public_key_pem, applied_seq, joined_at_ms FROM hub_link WHERE id = 1',
    );
    this.insertLink = db.prepare<[string, string, string, number]>(
      'INSERT INTO hub_link (id, site_id, terminal_id, hub_public_key_pem, joined_at_ms) VALUES (1, ?, ?, ?, ?)',
    );
    this.updateAppliedSeq = db.prepare<[number]>('UPDATE hub_link SET applied_seq = ? WHERE id = 1');
    this.selectPending = db.prepare<[number], OutboxRow>(
      `SELECT o.seq, o.uuid, e.id, e.at_ms, e.decision, e.reason, e.person_id, e.model_id, e.similarity, e.liveness_score, e.liveness_cue,
         e.card_facility_code, e.card_number, s.jpeg AS snapshot
       FROM hub_event_outbox o JOIN events e ON e.id = o.event_id LEFT JOIN event_snapshots s ON s.event_id = e.id
       ORDER BY o.seq LIMIT ?`,
    );
    this.countPending = db.prepare<[], number>('SELECT count(*) FROM hub_event_outbox').pluck();
    this.deleteAcknowledged = db.prepare<[number]>('DELETE FROM hub_event_outbox WHERE seq <= ?');
    this.insertEnroll = db.prepare<[string, Buffer, number]>('INSERT INTO hub_enroll_requests (request_id, body, created_at_ms) VALUES (?, ?, ?)');
    this.selectEnrolls = db.prepare<[], { request_id: string; body: Buffer; created_at_ms: number; attempts: number; last_error: string | null }>(
      'SELECT request_id, body, created_at_ms, attempts, last_error FROM hub_enroll_requests ORDER BY created_at_ms, request_id',
    );
    this.deleteEnroll = db.prepare<[string]>('DELETE FROM hub_enroll_requests WHERE request_id = ?');
    this.countLocalPersons = db.prepare<[], number>('SELECT count(*) FROM persons WHERE hub_version IS NULL').pluck();
    this.selectMeta = db.prepare<[string], string>('SELECT value FROM meta WHERE key = ?').pluck();
    this.upsertMeta = db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.updateEnrollFailed = db.prepare<[string, string]>('UPDATE hub_enroll_requests SET attempts = attempts + 1, last_error = ? WHERE request_id = ?');
  }

  /** The hub this terminal joined, or undefined. */
  link(): HubLinkRecord | undefined {
    const row = this.selectLink.get();
    if (!row) return undefined;
    return { siteId: row.site_id, terminalId: row.terminal_id, hubPublicKeyPem: row.hub_public_key_pem, appliedSeq: row.applied_seq, joinedAtMs: row.joined_at_ms };
  }

  /**
   * Joins a site hub: from now on events are queued for it and people are its to write. Joining the same hub
   * again (a restart) changes nothing; another site, terminal id or hub key is a StoreError 'conflict' — the
   * people here came from that hub, and a terminal moves to another site only from a fresh data folder. So is a
   * first join while people enrolled here are in the store: the hub is the one writer and does not merge, and a
   * person only this door knew could be neither changed nor erased once it joined.
   */
  join(input: { readonly siteId: string; readonly terminalId: string; readonly hubPublicKeyPem: string }): HubLinkRecord {
    return this.db
      .transaction(() => {
        const current = this.link();
        if (current === undefined) {
          const local = this.countLocalPersons.get() ?? 0;
          if (local > 0) {
            throw new StoreError(
              'conflict',
              `this terminal holds ${local} ${local === 1 ? 'person' : 'people'} enrolled here, and a door of a site has no people of its own (the hub writes them all): enroll them on the hub, delete them here, then join — or join from a fresh data folder`,
            );
          }
          this.insertLink.run(input.siteId, input.terminalId, input.hubPublicKeyPem.trim(), this.nowMs());
          return this.link()!;
        }
        const differs = [
          current.siteId !== input.siteId ? `site ${current.siteId}, the bundle says ${input.siteId}` : null,
          current.terminalId !== input.terminalId ? `terminal id ${current.terminalId}, the bundle says ${input.terminalId}` : null,
          current.hubPublicKeyPem !== input.hubPublicKeyPem.trim() ? "another hub's signing key" : null,
        ].filter((text) => text !== null);
        if (differs.length > 0) {
          throw new StoreError('conflict', `this terminal joined another hub (${differs.join('; ')}): join a new site from a fresh data folder`);
        }
        return current;
      })
      .immediate();
  }

  /** The settings the hub set for this door (empty where it set none). */
  hubSettings(): HubSettings {
    const read = (key: string): Record<string, unknown> => {
      const text = this.selectMeta.get(key);
      return text === undefined ? {} : (JSON.parse(text) as Record<string, unknown>);
    };
    return { site: read(HUB_SETTINGS_KEYS.site), door: read(HUB_SETTINGS_KEYS.door) };
  }

  /** Keeps the site's or this door's settings as the hub sent them; call inside the transaction that applied them. */
  setHubSettings(scope: keyof HubSettings, settings: Readonly<Record<string, unknown>>): void {
    this.upsertMeta.run(HUB_SETTINGS_KEYS[scope], JSON.stringify(settings));
  }

  /** The door's own values of the settings the hub sets over them, by key (`access.policy.<key>` for decision keys). */
  ownSettings(): Record<string, { value?: unknown }> {
    const text = this.selectMeta.get(OWN_SETTINGS_KEY);
    return text === undefined ? {} : (JSON.parse(text) as Record<string, { value?: unknown }>);
  }

  /** Keeps the door's own values of the settings the hub sets over them. */
  setOwnSettings(own: Readonly<Record<string, { value?: unknown }>>): void {
    this.upsertMeta.run(OWN_SETTINGS_KEY, JSON.stringify(own));
  }

  /** Moves the change-log cursor forward (never back); call inside the transaction that applied the changes. */
  setAppliedSeq(seq: number): void {
    if (!Number.isSafeInteger(seq) || seq < 0) throw new StoreError('invalid', `applied seq must be a whole number ≥ 0, got ${seq}`);
    const current = this.link();
    if (current === undefined) throw new StoreError('not-found', 'this terminal has not joined a hub');
    if (seq < current.appliedSeq) throw new StoreError('invalid', `the change-log cursor is at ${current.appliedSeq}; it cannot move back to ${seq}`);
    this.updateAppliedSeq.run(seq);
  }

  /** The oldest events not acknowledged by the hub, by seq; at most `limit`. */
  pendingEvents(limit: number): OutboxEvent[] {
    return this.selectPending.all(limit).map((row) => ({
      seq: row.seq,
      uuid: row.uuid,
      eventId: row.id,
      atMs: row.at_ms,
      decision: row.decision,
      reason: row.reason,
      personId: row.person_id,
      modelId: row.model_id,
      similarity: row.similarity,
      livenessScore: row.liveness_score,
      livenessCue: row.liveness_cue,
      card: cardOfColumns(row),
      snapshotJpeg: row.snapshot === null ? null : unseal(this.blobKey, row.snapshot, snapshotAad(row.id)),
    }));
  }

  /** Events waiting for the hub's acknowledgement. */
  pendingEventCount(): number {
    return this.countPending.get() ?? 0;
  }

  /** The hub holds every event with seq ≤ `upToSeq`: they leave the outbox (the events stay in the local log). Returns how many left. */
  acknowledgeEvents(upToSeq: number): number {
    if (!Number.isSafeInteger(upToSeq)) throw new StoreError('invalid', `an acknowledged seq must be a whole number, got ${upToSeq}`);
    return this.db.transaction(() => this.deleteAcknowledged.run(upToSeq).changes)();
  }

  /** Queues an enrollment for the hub, sealed (it holds faces and templates); on disk when this returns. */
  queueEnrollRequest(requestId: string, body: unknown): void {
    const sealed = seal(this.blobKey, Buffer.from(JSON.stringify(body)), enrollAad(requestId));
    this.db.transaction(() => this.insertEnroll.run(requestId, sealed, this.nowMs()))();
  }

  /** Enrollments waiting for the hub, oldest first, decrypted. */
  pendingEnrollRequests(): QueuedEnrollRequest[] {
    return this.selectEnrolls.all().map((row) => ({
      requestId: row.request_id,
      body: JSON.parse(unseal(this.blobKey, row.body, enrollAad(row.request_id)).toString('utf8')) as unknown,
      createdAtMs: row.created_at_ms,
      attempts: row.attempts,
      lastError: row.last_error,
    }));
  }

  /** The hub answered an enrollment: it leaves the queue (its faces with it). False when it was not queued. */
  enrollRequestAnswered(requestId: string): boolean {
    return this.db.transaction(() => this.deleteEnroll.run(requestId).changes > 0)();
  }

  /** Records a failed attempt to send an enrollment; it stays queued. */
  enrollRequestFailed(requestId: string, error: string): void {
    this.updateEnrollFailed.run(error.slice(0, 500), requestId);
  }
}
