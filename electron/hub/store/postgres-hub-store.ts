import { randomUUID } from 'node:crypto';

import type pg from 'pg';

import { deriveKeys, seal, unseal } from '../../terminal/store/crypto.js';
import { ageAad, cropAad, sealAgeEstimate, templateAad } from '../../terminal/store/samples-repository.js';
import { youngChildOf } from '../../vision/age/young-child.js';
import { HubStoreError, isPgError } from './errors.js';
import { HubAdmins } from './hub-admins.js';
import {
  assertTerminalId,
  doorPolicyPayloadSchema,
  groupPayloadSchema,
  schedulePayloadSchema,
  siteSettingsPayloadSchema,
  terminalStateSchema,
} from '../../shared/fleet/index.js';
import type {
  Change,
  ChangeEntity,
  ChangePage,
  ChangePageLimits,
  DocumentEntity,
  EnrollRequest,
  ErasureProgress,
  GroupRename,
  HubCredential,
  HubEvent,
  HubEventPage,
  HubEventQuery,
  HubPerson,
  HubPersonInput,
  HubPersonPatch,
  HubPersonQuery,
  HubPersonSummary,
  HubSampleInput,
  HubStore,
  PersonPayload,
  TerminalRecord,
  TerminalState,
  WireEvent,
  WireSample,
} from './hub-store.js';
import { runHubMigrations } from './migrations.js';
import { createHubPool, inTransaction } from './pg-helpers.js';
import {
  checkEvent,
  checkSample,
  decodeBase64,
  normalisePerson,
  type NormalisedPerson,
  requireCount,
  requireJpeg,
  requireText,
  requireUuid,
  MAX_DOCUMENT_BYTES,
  sampleFromWire,
} from './validate.js';

/** Options of `openHubStore`. */
export interface HubStoreOptions {
  /** `postgresql://user:password@host:port/database`. */
  readonly connectionString: string;
  /** The hub's 32-byte master key (e.g. `loadOrCreateKey(hubDataDir)`); biometric columns are sealed with a key derived from it. */
  readonly masterKey: Uint8Array;
  /** Clock, ms since epoch; default Date.now. */
  readonly nowMs?: () => number;
  /** Connections in the pool; default 8. */
  readonly poolSize?: number;
  /** scrypt cost of new admin password hashes; default DEFAULT_SCRYPT_COST (tests lower it). */
  readonly adminScryptCost?: number;
  /** Told when an idle connection breaks (the pool opens a new one when next needed); default ignored. */
  readonly onConnectionError?: (error: Error) => void;
}

/** Changes in a page by default and at most. */
export const DEFAULT_PAGE_CHANGES = 200;
const MAX_PAGE_CHANGES = 1000;
/** Bytes of JSON a page stays under by default (it always holds at least one change). */
export const DEFAULT_PAGE_BYTES = 1024 * 1024;

/** Each document entity's table, payload schema (the fleet's, so what the hub stores is what terminals accept), and the payload field naming the id. */
const DOCUMENTS = {
  group: { table: 'groups', schema: groupPayloadSchema, idField: 'name' },
  schedule: { table: 'schedules', schema: schedulePayloadSchema, idField: 'group' },
  'door-policy': { table: 'door_policies', schema: doorPolicyPayloadSchema, idField: 'terminalId' },
  'site-settings': { table: 'site_settings', schema: siteSettingsPayloadSchema, idField: null },
} as const;

/** AAD of an event's snapshot: bound to the terminal and the event's uuid. */
const snapshotAad = (terminalId: string, uuid: string): string => `event:${terminalId}:${uuid}:snapshot`;

/** Opens the hub's database, runs pending migrations and returns the store. */
export async function openHubStore(options: HubStoreOptions): Promise<PostgresHubStore> {
  const pool = createHubPool(options.connectionString, options.poolSize, options.onConnectionError);
  try {
    await runHubMigrations(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const keys = deriveKeys(options.masterKey);
  const nowMs = options.nowMs ?? Date.now;
  const admins = new HubAdmins(pool, keys.pepperKey, { nowMs, ...(options.adminScryptCost ? { scryptCost: options.adminScryptCost } : {}) });
  return new PostgresHubStore(pool, keys.blobKey, nowMs, admins);
}

interface PersonRow {
  id: string;
  name: string;
  external_id: string | null;
  enabled: boolean;
  valid_from_ms: number | null;
  valid_until_ms: number | null;
  version: number;
  created_at_ms: number;
  updated_at_ms: number;
}

interface TerminalRow {
  id: string;
  name: string;
  cert_serial: string | null;
  revoked: boolean;
  applied_seq: number;
  events_acked_seq: number;
  state: TerminalState | null;
  last_seen_ms: number | null;
  registered_at_ms: number;
}

interface EventRow {
  id: number;
  terminal_id: string;
  terminal_seq: number;
  uuid: string;
  at_ms: number;
  decision: 'granted' | 'denied';
  reason: string;
  person_id: string | null;
  person_name: string | null;
  similarity: number | null;
  liveness_score: number | null;
  liveness_cue: string | null;
  card_facility_code: number | null;
  card_number: number | null;
  model_id: string | null;
  has_snapshot: boolean;
  received_at_ms: number;
}

interface ErasureRow {
  person_id: string;
  seq: number;
  erased_at_ms: number;
  erased_on: number;
  of_count: number;
  pending: string[] | null;
}

const PERSON_COLUMNS = 'p.id, p.name, p.external_id, p.enabled, p.valid_from_ms, p.valid_until_ms, p.version, p.created_at_ms, p.updated_at_ms';

const ERASURE_SELECT = `
  SELECT e.person_id, e.seq, e.erased_at_ms,
    count(t.id) FILTER (WHERE t.applied_seq >= e.seq) AS erased_on,
    count(t.id) AS of_count,
    array_agg(t.id ORDER BY t.id) FILTER (WHERE t.applied_seq < e.seq) AS pending
  FROM erasures e
  LEFT JOIN terminals t ON NOT t.revoked AND t.registered_at_seq < e.seq`;

/** HubStore over PostgreSQL (node-postgres pool). */
export class PostgresHubStore implements HubStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly blobKey: Buffer,
    private readonly nowMs: () => number,
    /** The hub's administrators, in the same database. */
    readonly admins: HubAdmins,
  ) {}

  /** The pool, for repositories that share the database (admin accounts, benches). */
  get database(): pg.Pool {
    return this.pool;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  // --- The change log -------------------------------------------------------------------------------------------

  async headSeq(): Promise<number> {
    const { rows } = await this.pool.query<{ head_seq: number }>('SELECT head_seq FROM change_head');
    return rows[0]?.head_seq ?? 0;
  }

  async changesAfter(afterSeq: number, limits: ChangePageLimits = {}): Promise<ChangePage> {
    requireCount(afterSeq, 'afterSeq');
    const maxChanges = Math.min(Math.max(1, Math.floor(limits.maxChanges ?? DEFAULT_PAGE_CHANGES)), MAX_PAGE_CHANGES);
    const maxBytes = Math.max(1, limits.maxBytes ?? DEFAULT_PAGE_BYTES);
    // One snapshot for the head, the rows and the persons they name: the page is a consistent cut of the site.
    return inTransaction(
      this.pool,
      async (client) => {
        const headSeq = (await client.query<{ head_seq: number }>('SELECT head_seq FROM change_head')).rows[0]?.head_seq ?? 0;
        const { rows } = await client.query<{ seq: number; entity: ChangeEntity; entity_id: string; version: number; op: 'upsert' | 'delete'; payload: unknown }>(
          'SELECT seq, entity, entity_id, version, op, payload FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2',
          [afterSeq, maxChanges],
        );
        const personIds = rows.filter((row) => row.entity === 'person' && row.op === 'upsert').map((row) => row.entity_id);
        const persons = await this.loadWirePersons(client, personIds);
        const changes: Change[] = [];
        let bytes = 0;
        for (const row of rows) {
          let payload: unknown = row.op === 'delete' ? null : row.payload;
          if (row.entity === 'person' && row.op === 'upsert') {
            payload = persons.get(row.entity_id);
            // The compacted log holds one row per entity written with it: a missing person is a broken invariant.
            if (payload === undefined) throw new Error(`change ${row.seq} names person ${row.entity_id}, who is not in the database`);
          }
          // The payload was checked against the fleet's schema on the way in (documents) or built from checked rows (persons).
          const change = { seq: row.seq, entity: row.entity, id: row.entity_id, version: row.version, op: row.op, payload } as Change;
          const size = JSON.stringify(change).length;
          if (changes.length > 0 && bytes + size > maxBytes) break;
          changes.push(change);
          bytes += size;
        }
        // An empty page moves the cursor to the head: what lies between was superseded or pruned.
        return { changes, lastSeq: changes.at(-1)?.seq ?? headSeq, headSeq };
      },
      'repeatable read read only',
    );
  }

  async recordApplied(terminalId: string, appliedSeq: number): Promise<void> {
    requireCount(appliedSeq, 'appliedSeq');
    const head = await this.headSeq();
    if (appliedSeq > head) throw new HubStoreError('invalid', `terminal ${terminalId} reports seq ${appliedSeq} applied, beyond the hub's head ${head}`);
    const { rowCount } = await this.pool.query(
      'UPDATE terminals SET applied_seq = GREATEST(applied_seq, $2), last_seen_ms = $3 WHERE id = $1 AND NOT revoked',
      [terminalId, appliedSeq, this.nowMs()],
    );
    if (rowCount === 0) throw await this.terminalRefusal(terminalId);
    await this.pruneTombstones();
  }

  /** Drops tombstones every active terminal has passed: their erasure is complete everywhere. */
  private async pruneTombstones(): Promise<void> {
    await this.pool.query("DELETE FROM changes WHERE op = 'delete' AND seq <= (SELECT min(applied_seq) FROM terminals WHERE NOT revoked)");
  }

  async erasureProgress(personId: string): Promise<ErasureProgress> {
    const id = requireUuid(personId, 'personId');
    return this.erasureProgressOn(this.pool, id);
  }

  private async erasureProgressOn(db: pg.Pool | pg.PoolClient, personId: string): Promise<ErasureProgress> {
    const { rows } = await db.query<ErasureRow>(`${ERASURE_SELECT} WHERE e.person_id = $1 GROUP BY e.person_id, e.seq, e.erased_at_ms`, [personId]);
    const row = rows[0];
    if (!row) throw new HubStoreError('not-found', `person ${personId} has not been erased`);
    return toErasure(row);
  }

  async listErasures(limit = 100): Promise<readonly ErasureProgress[]> {
    const { rows } = await this.pool.query<ErasureRow>(`${ERASURE_SELECT} GROUP BY e.person_id, e.seq, e.erased_at_ms ORDER BY e.seq DESC LIMIT $1`, [
      Math.min(Math.max(1, Math.floor(limit)), 1000),
    ]);
    return rows.map(toErasure);
  }

  // --- Events ---------------------------------------------------------------------------------------------------

  async insertEvents(terminalId: string, events: readonly WireEvent[]): Promise<{ upToSeq: number }> {
    events.forEach(checkEvent);
    if (events.length === 0) {
      await this.requireActiveTerminal(this.pool, terminalId);
      return { upToSeq: 0 };
    }
    const snapshots = events.map((event, index) => {
      if (event.snapshotJpegBase64 === null) return null;
      const jpeg = decodeBase64(event.snapshotJpegBase64, `events[${index}].snapshotJpegBase64`);
      requireJpeg(jpeg, `events[${index}] snapshot`);
      return seal(this.blobKey, jpeg, snapshotAad(terminalId, event.uuid.toLowerCase()));
    });
    const upToSeq = Math.max(...events.map((event) => event.seq));
    await inTransaction(this.pool, async (client) => {
      await this.requireActiveTerminal(client, terminalId);
      const personIds = [...new Set(events.flatMap((event) => (event.personId ? [event.personId.toLowerCase()] : [])))];
      // Key-share locks on the persons named: an erasure running now either finishes first (and the insert
      // below sees its erasures row) or waits for this transaction (and its UPDATE of events sees these rows).
      if (personIds.length > 0) await client.query('SELECT 1 FROM persons WHERE id = ANY($1::uuid[]) FOR KEY SHARE', [personIds]);
      await client.query(
        `INSERT INTO events (terminal_id, uuid, terminal_seq, at_ms, decision, reason, person_id, person_erased, similarity,
           liveness_score, liveness_cue, quality, model_id, snapshot, card_facility_code, card_number, received_at_ms)
         SELECT $1, u.uuid, u.seq, u.at_ms, u.decision, u.reason,
           CASE WHEN er.person_id IS NULL THEN u.person_id END, er.person_id IS NOT NULL, u.similarity,
           u.score, u.cue, u.quality, u.model, CASE WHEN er.person_id IS NULL THEN u.snapshot END,
           -- A card number leads to its holder as surely as the person id does.
           CASE WHEN er.person_id IS NULL THEN u.card_facility_code END, CASE WHEN er.person_id IS NULL THEN u.card_number END, $16
         FROM unnest($2::uuid[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::uuid[], $8::real[], $9::real[], $10::text[],
             $11::jsonb[], $12::text[], $13::bytea[], $14::bigint[], $15::bigint[])
           AS u (uuid, seq, at_ms, decision, reason, person_id, similarity, score, cue, quality, model, snapshot, card_facility_code, card_number)
         LEFT JOIN erasures er ON er.person_id = u.person_id
         ON CONFLICT (terminal_id, uuid) DO NOTHING`,
        [
          terminalId,
          events.map((event) => event.uuid),
          events.map((event) => event.seq),
          events.map((event) => event.atMs),
          events.map((event) => event.decision),
          events.map((event) => event.reason),
          events.map((event) => event.personId),
          events.map((event) => event.similarity),
          events.map((event) => event.livenessScore),
          events.map((event) => event.livenessCue),
          events.map((event) => (event.quality === null ? null : JSON.stringify(event.quality))),
          events.map((event) => event.modelId),
          snapshots,
          events.map((event) => event.card?.facilityCode ?? null),
          events.map((event) => event.card?.cardNumber ?? null),
          this.nowMs(),
        ],
      );
      await client.query('UPDATE terminals SET events_acked_seq = GREATEST(events_acked_seq, $2), last_seen_ms = $3 WHERE id = $1', [terminalId, upToSeq, this.nowMs()]);
    });
    return { upToSeq };
  }

  async queryEvents(query: HubEventQuery = {}): Promise<HubEventPage> {
    const limit = Math.min(Math.max(1, Math.floor(query.limit ?? 100)), 1000);
    const personId = query.personId === undefined ? null : requireUuid(query.personId, 'personId');
    const cardNumber = query.cardNumber === undefined ? null : requireCount(query.cardNumber, 'cardNumber');
    const { rows } = await this.pool.query<EventRow>(
      `SELECT e.id, e.terminal_id, e.terminal_seq, e.uuid, e.at_ms, e.decision, e.reason, e.person_id, p.name AS person_name, e.similarity,
         e.liveness_score, e.liveness_cue, e.card_facility_code, e.card_number, e.model_id, e.snapshot IS NOT NULL AS has_snapshot, e.received_at_ms
       FROM events e LEFT JOIN persons p ON p.id = e.person_id
       WHERE ($1::text IS NULL OR e.terminal_id = $1)
         AND ($2::text IS NULL OR e.decision = $2)
         AND ($3::uuid IS NULL OR e.person_id = $3)
         AND ($4::bigint IS NULL OR e.at_ms >= $4)
         AND ($5::bigint IS NULL OR e.at_ms < $5)
         AND ($6::bigint IS NULL OR (e.at_ms, e.id) < ($6, $7::bigint))
         AND ($9::bigint IS NULL OR e.card_number = $9)
       ORDER BY e.at_ms DESC, e.id DESC
       LIMIT $8`,
      [
        query.terminalId ?? null,
        query.decision ?? null,
        personId,
        query.fromMs ?? null,
        query.untilMs ?? null,
        query.before?.atMs ?? null,
        query.before?.id ?? null,
        limit + 1,
        cardNumber,
      ],
    );
    const page = rows.slice(0, limit).map(toEvent);
    const last = page.at(-1);
    return { events: page, next: rows.length > limit && last ? { atMs: last.atMs, id: last.id } : null };
  }

  async eventSnapshot(eventId: number): Promise<Buffer | null> {
    const { rows } = await this.pool.query<{ terminal_id: string; uuid: string; snapshot: Buffer | null }>('SELECT terminal_id, uuid, snapshot FROM events WHERE id = $1', [
      requireCount(eventId, 'eventId'),
    ]);
    const row = rows[0];
    if (!row) throw new HubStoreError('not-found', `event ${eventId} does not exist`);
    return row.snapshot ? this.open(row.snapshot, snapshotAad(row.terminal_id, row.uuid)) : null;
  }

  // --- Enrollment at a door -------------------------------------------------------------------------------------

  async enrollFromTerminal(terminalId: string, request: EnrollRequest): Promise<{ personId: string }> {
    const requestId = requireUuid(request.requestId, 'requestId');
    const person = normalisePerson(request.person);
    const samples = request.samples.map(sampleFromWire);
    samples.forEach(checkSample);
    const lookUp = async (db: pg.Pool | pg.PoolClient): Promise<string | undefined> =>
      (await db.query<{ person_id: string }>('SELECT person_id FROM enroll_requests WHERE terminal_id = $1 AND request_id = $2', [terminalId, requestId])).rows[0]?.person_id;
    try {
      return await inTransaction(this.pool, async (client) => {
        await this.requireActiveTerminal(client, terminalId);
        const earlier = await lookUp(client);
        if (earlier) return { personId: earlier };
        await lockHead(client);
        const created = await this.insertPerson(client, person, samples);
        await client.query('INSERT INTO enroll_requests (terminal_id, request_id, person_id, created_at_ms) VALUES ($1, $2, $3, $4)', [
          terminalId,
          requestId,
          created.id,
          this.nowMs(),
        ]);
        return { personId: created.id };
      });
    } catch (error) {
      // The same request arriving twice at once: the second transaction lost the race, the first one's person stands.
      if (isPgError(error, '23505') && (error as { constraint?: string }).constraint === 'enroll_requests_pkey') {
        const earlier = await lookUp(this.pool);
        if (earlier) return { personId: earlier };
      }
      throw error;
    }
  }

  // --- Terminals ------------------------------------------------------------------------------------------------

  async registerTerminal(input: { readonly id: string; readonly name?: string; readonly certSerial?: string | null }): Promise<TerminalRecord> {
    try {
      assertTerminalId(input.id);
    } catch (error) {
      throw new HubStoreError('invalid', (error as Error).message, { cause: error });
    }
    const name = input.name === undefined ? null : requireText(input.name, 'terminal name', 200);
    const certSerial = input.certSerial === undefined || input.certSerial === null ? null : requireText(input.certSerial, 'certificate serial', 200);
    // Registering a known id again is a re-enrollment: a new certificate, so the terminal is active again (the old
    // certificate stays in the CRL). Its cursor stays: its data did not change.
    const { rows } = await this.pool.query<TerminalRow>(
      `INSERT INTO terminals (id, name, cert_serial, registered_at_ms, registered_at_seq)
       VALUES ($1, coalesce($2, $1), $3, $4, (SELECT head_seq FROM change_head))
       ON CONFLICT (id) DO UPDATE SET name = coalesce($2, terminals.name), cert_serial = coalesce($3, terminals.cert_serial), revoked = false
       RETURNING *`,
      [input.id, name, certSerial, this.nowMs()],
    );
    return toTerminal(rows[0] as TerminalRow);
  }

  async revokeTerminal(id: string): Promise<TerminalRecord> {
    const { rows } = await this.pool.query<TerminalRow>('UPDATE terminals SET revoked = true WHERE id = $1 RETURNING *', [id]);
    const row = rows[0];
    if (!row) throw new HubStoreError('not-found', `terminal ${id} is not registered`);
    // A revoked terminal no longer holds tombstones back.
    await this.pruneTombstones();
    return toTerminal(row);
  }

  async listTerminals(): Promise<readonly TerminalRecord[]> {
    const { rows } = await this.pool.query<TerminalRow>('SELECT * FROM terminals ORDER BY id');
    return rows.map(toTerminal);
  }

  async getTerminal(id: string): Promise<TerminalRecord> {
    const { rows } = await this.pool.query<TerminalRow>('SELECT * FROM terminals WHERE id = $1', [id]);
    const row = rows[0];
    if (!row) throw new HubStoreError('not-found', `terminal ${id} is not registered`);
    return toTerminal(row);
  }

  async setTerminalState(id: string, state: TerminalState): Promise<void> {
    const parsed = terminalStateSchema.safeParse(state);
    if (!parsed.success) throw new HubStoreError('invalid', `terminal ${id} state: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
    const { rowCount } = await this.pool.query('UPDATE terminals SET state = $2, last_seen_ms = $3 WHERE id = $1', [id, JSON.stringify(parsed.data), this.nowMs()]);
    if (rowCount === 0) throw new HubStoreError('not-found', `terminal ${id} is not registered`);
  }

  // --- Persons --------------------------------------------------------------------------------------------------

  async createPerson(input: HubPersonInput): Promise<HubPerson> {
    const person = normalisePerson(input);
    const samples = input.samples ?? [];
    samples.forEach(checkSample);
    return this.writePerson(async (client) => {
      await lockHead(client);
      return this.insertPerson(client, person, samples);
    });
  }

  async updatePerson(id: string, patch: HubPersonPatch): Promise<HubPerson> {
    const personId = requireUuid(id, 'person id');
    return this.writePerson(async (client) => {
      await lockHead(client);
      const current = await this.lockPerson(client, personId);
      const merged = normalisePerson({
        name: patch.name ?? current.name,
        externalId: patch.externalId === undefined ? current.externalId : patch.externalId,
        enabled: patch.enabled ?? current.enabled,
        validFromMs: patch.validFromMs === undefined ? current.validFromMs : patch.validFromMs,
        validUntilMs: patch.validUntilMs === undefined ? current.validUntilMs : patch.validUntilMs,
        groups: patch.groups ?? current.groups,
        credentials: patch.credentials ?? current.credentials,
      });
      await client.query(
        `UPDATE persons SET name = $2, external_id = $3, enabled = $4, valid_from_ms = $5, valid_until_ms = $6, version = version + 1, updated_at_ms = $7
         WHERE id = $1`,
        [personId, merged.name, merged.externalId, merged.enabled, merged.validFromMs, merged.validUntilMs, this.nowMs()],
      );
      if (patch.groups !== undefined) await this.writeGroups(client, personId, merged.groups, true);
      if (patch.credentials !== undefined) await this.writeCredentials(client, personId, merged.credentials, true);
      return this.finishPersonWrite(client, personId);
    });
  }

  async deletePerson(id: string): Promise<ErasureProgress> {
    const personId = requireUuid(id, 'person id');
    return inTransaction(this.pool, async (client) => {
      await lockHead(client);
      const { rows } = await client.query<{ version: number }>('DELETE FROM persons WHERE id = $1 RETURNING version', [personId]);
      const deleted = rows[0];
      if (!deleted) throw new HubStoreError('not-found', `person ${personId} does not exist`);
      // The site's log keeps that a known person came, not who: no picture of their face, and not their card's
      // number, which leads back to them through the card register of the site's access-control system.
      await client.query('UPDATE events SET person_id = NULL, person_erased = true, snapshot = NULL, card_facility_code = NULL, card_number = NULL WHERE person_id = $1', [
        personId,
      ]);
      const seq = await appendChange(client, 'person', personId, deleted.version + 1, 'delete', null, this.nowMs());
      await client.query('INSERT INTO erasures (person_id, seq, erased_at_ms) VALUES ($1, $2, $3)', [personId, seq, this.nowMs()]);
      return this.erasureProgressOn(client, personId);
    });
  }

  async getPerson(id: string): Promise<HubPersonSummary> {
    const personId = requireUuid(id, 'person id');
    const { rows } = await this.pool.query<PersonRow & { sample_count: number }>(
      `SELECT ${PERSON_COLUMNS}, (SELECT count(*) FROM samples s WHERE s.person_id = p.id) AS sample_count FROM persons p WHERE p.id = $1`,
      [personId],
    );
    const row = rows[0];
    if (!row) throw new HubStoreError('not-found', `person ${personId} does not exist`);
    const [summary] = await this.summaries(this.pool, [row]);
    return summary as HubPersonSummary;
  }

  async listPersons(query: HubPersonQuery = {}): Promise<{ readonly persons: readonly HubPersonSummary[]; readonly total: number }> {
    const limit = Math.min(Math.max(1, Math.floor(query.limit ?? 50)), 500);
    const offset = Math.max(0, Math.floor(query.offset ?? 0));
    const pattern = query.search ? `%${query.search.trim().toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%` : null;
    const where = `WHERE ($1::text IS NULL OR lower(p.name) LIKE $1 OR lower(p.external_id) LIKE $1)
      AND ($2::boolean IS NULL OR p.enabled = $2)
      AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM person_groups g WHERE g.person_id = p.id AND g.group_name = $3))`;
    const params = [pattern, query.enabled ?? null, query.group ?? null];
    const [page, count] = await Promise.all([
      this.pool.query<PersonRow & { sample_count: number }>(
        `SELECT ${PERSON_COLUMNS}, (SELECT count(*) FROM samples s WHERE s.person_id = p.id) AS sample_count
         FROM persons p ${where} ORDER BY lower(p.name), p.id LIMIT $4 OFFSET $5`,
        [...params, limit, offset],
      ),
      this.pool.query<{ n: number }>(`SELECT count(*) AS n FROM persons p ${where}`, params),
    ]);
    return { persons: await this.summaries(this.pool, page.rows), total: count.rows[0]?.n ?? 0 };
  }

  async addSamples(personId: string, samples: readonly HubSampleInput[]): Promise<HubPerson> {
    const id = requireUuid(personId, 'person id');
    samples.forEach(checkSample);
    return this.writePerson(async (client) => {
      await lockHead(client);
      await this.lockPerson(client, id);
      await this.insertSamples(client, id, samples);
      await client.query('UPDATE persons SET version = version + 1, updated_at_ms = $2 WHERE id = $1', [id, this.nowMs()]);
      return this.finishPersonWrite(client, id);
    });
  }

  async removeSample(personId: string, sampleId: string): Promise<HubPerson> {
    const id = requireUuid(personId, 'person id');
    const sample = requireUuid(sampleId, 'sample id');
    return this.writePerson(async (client) => {
      await lockHead(client);
      await this.lockPerson(client, id);
      const { rowCount } = await client.query('DELETE FROM samples WHERE id = $1 AND person_id = $2', [sample, id]);
      if (rowCount === 0) throw new HubStoreError('not-found', `person ${id} has no sample ${sample}`);
      await client.query('UPDATE persons SET version = version + 1, updated_at_ms = $2 WHERE id = $1', [id, this.nowMs()]);
      return this.finishPersonWrite(client, id);
    });
  }

  // --- Documents ------------------------------------------------------------------------------------------------

  async putDocument(entity: DocumentEntity, id: string, body: Record<string, unknown>, expectedVersion?: number | null): Promise<{ readonly version: number; readonly seq: number }> {
    documentTable(entity); // an unknown kind is refused before its body is looked at
    const documentId = documentIdOf(entity, id);
    const document = parseDocument(entity, documentId, body);
    return inTransaction(this.pool, async (client) => {
      await lockHead(client);
      if (expectedVersion !== undefined) await checkDocumentVersion(client, entity, documentId, expectedVersion);
      return writeDocument(client, entity, documentId, document, this.nowMs());
    });
  }

  async deleteDocument(entity: DocumentEntity, id: string, expectedVersion?: number): Promise<{ readonly seq: number }> {
    const documentId = documentIdOf(entity, id);
    return inTransaction(this.pool, async (client) => {
      await lockHead(client);
      if (expectedVersion !== undefined) await checkDocumentVersion(client, entity, documentId, expectedVersion);
      return { seq: await removeDocument(client, entity, documentId, this.nowMs()) };
    });
  }

  async renameGroup(from: string, to: string, expectedVersion?: number): Promise<GroupRename> {
    const fromId = documentIdOf('group', from);
    const toId = documentIdOf('group', to);
    if (fromId === toId) throw new HubStoreError('invalid', `group ${fromId}: the new name is the same`);
    return inTransaction(this.pool, async (client) => {
      await lockHead(client);
      if (expectedVersion !== undefined) await checkDocumentVersion(client, 'group', fromId, expectedVersion);
      const nowMs = this.nowMs();
      const { rows: groups } = await client.query<{ body: Record<string, unknown> }>('SELECT body FROM groups WHERE id = $1', [fromId]);
      const group = groups[0];
      if (!group) throw new HubStoreError('not-found', `group ${fromId} does not exist`);
      const taken = await client.query('SELECT 1 FROM groups WHERE id = $1', [toId]);
      if (taken.rows.length > 0) throw new HubStoreError('conflict', `group ${toId}: a group of that name exists already`);
      const written = await writeDocument(client, 'group', toId, parseDocument('group', toId, { ...group.body, name: toId }), nowMs);

      const { rows: schedules } = await client.query<{ body: Record<string, unknown> }>('SELECT body FROM schedules WHERE id = $1', [fromId]);
      const schedule = schedules[0];
      if (schedule) {
        // A schedule already under the new name is replaced by the renamed group's: the group brings its hours.
        await writeDocument(client, 'schedule', toId, parseDocument('schedule', toId, { ...schedule.body, group: toId }), nowMs);
        await removeDocument(client, 'schedule', fromId, nowMs);
      }

      const doorPolicies: string[] = [];
      const { rows: policies } = await client.query<{ id: string; body: { allowedGroups: string[] | null } & Record<string, unknown> }>(
        "SELECT id, body FROM door_policies WHERE body->'allowedGroups' ? $1 ORDER BY id",
        [fromId],
      );
      for (const policy of policies) {
        const allowedGroups = [...new Set((policy.body.allowedGroups ?? []).map((name) => (name === fromId ? toId : name)))];
        await writeDocument(client, 'door-policy', policy.id, parseDocument('door-policy', policy.id, { ...policy.body, allowedGroups }), nowMs);
        doorPolicies.push(policy.id);
      }

      // Each member is a person write: a new version and change, so every door gets the person with the new name.
      const { rows: members } = await client.query<{ person_id: string }>('SELECT person_id FROM person_groups WHERE group_name = $1 ORDER BY person_id', [fromId]);
      for (const { person_id: personId } of members) {
        await client.query('SELECT id FROM persons WHERE id = $1 FOR UPDATE', [personId]);
        await client.query('DELETE FROM person_groups WHERE person_id = $1 AND group_name = $2', [personId, fromId]);
        await client.query('INSERT INTO person_groups (person_id, group_name) VALUES ($1, $2) ON CONFLICT DO NOTHING', [personId, toId]);
        await client.query('UPDATE persons SET version = version + 1, updated_at_ms = $2 WHERE id = $1', [personId, nowMs]);
        await this.finishPersonWrite(client, personId);
      }

      const seq = await removeDocument(client, 'group', fromId, nowMs);
      return { version: written.version, seq, scheduleMoved: schedule !== undefined, doorPolicies, members: members.length };
    });
  }

  async listDocuments(entity: DocumentEntity): Promise<readonly { readonly id: string; readonly version: number; readonly body: Record<string, unknown> }[]> {
    const { rows } = await this.pool.query<{ id: string; version: number; body: Record<string, unknown> }>(`SELECT id, version, body FROM ${documentTable(entity)} ORDER BY id`);
    return rows;
  }

  // --- Internals ------------------------------------------------------------------------------------------------

  /** Runs a person write in a transaction, turning unique violations into 'conflict' errors that name the field. */
  private async writePerson<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    try {
      return await inTransaction(this.pool, work);
    } catch (error) {
      if (isPgError(error, '23505')) {
        const constraint = (error as { constraint?: string }).constraint ?? '';
        if (constraint.includes('external_id')) throw new HubStoreError('conflict', 'another person has this external id', { cause: error });
        if (constraint.includes('credentials')) throw new HubStoreError('conflict', 'another person has this credential (card number and facility code)', { cause: error });
        if (constraint.includes('samples')) throw new HubStoreError('conflict', 'a sample with this id is already stored', { cause: error });
      }
      throw error;
    }
  }

  private async insertPerson(client: pg.PoolClient, person: NormalisedPerson, samples: readonly HubSampleInput[]): Promise<HubPerson> {
    const id = randomUUID();
    const nowMs = this.nowMs();
    await client.query(
      `INSERT INTO persons (id, name, external_id, enabled, valid_from_ms, valid_until_ms, version, created_at_ms, updated_at_ms)
       VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)`,
      [id, person.name, person.externalId, person.enabled, person.validFromMs, person.validUntilMs, nowMs],
    );
    await this.writeGroups(client, id, person.groups, false);
    await this.writeCredentials(client, id, person.credentials, false);
    await this.insertSamples(client, id, samples);
    return this.finishPersonWrite(client, id);
  }

  /** Appends the person's change row (in the caller's transaction) and returns the person as stored. */
  private async finishPersonWrite(client: pg.PoolClient, personId: string): Promise<HubPerson> {
    const current = await this.lockPerson(client, personId);
    await appendChange(client, 'person', personId, current.version, 'upsert', null, this.nowMs());
    return current;
  }

  private async lockPerson(client: pg.PoolClient, personId: string): Promise<HubPerson> {
    const { rows } = await client.query<PersonRow>(`SELECT ${PERSON_COLUMNS} FROM persons p WHERE p.id = $1 FOR UPDATE`, [personId]);
    const row = rows[0];
    if (!row) throw new HubStoreError('not-found', `person ${personId} does not exist`);
    const [person] = await this.summaries(client, [{ ...row, sample_count: 0 }]);
    const { sampleCount: _unused, youngChild: _youngChild, ...fields } = person as HubPersonSummary;
    return fields;
  }

  private async writeGroups(client: pg.PoolClient, personId: string, groups: readonly string[], replace: boolean): Promise<void> {
    if (replace) await client.query('DELETE FROM person_groups WHERE person_id = $1', [personId]);
    if (groups.length > 0) await client.query('INSERT INTO person_groups (person_id, group_name) SELECT $1, unnest($2::text[])', [personId, groups]);
  }

  private async writeCredentials(client: pg.PoolClient, personId: string, credentials: readonly HubCredential[], replace: boolean): Promise<void> {
    if (replace) await client.query('DELETE FROM credentials WHERE person_id = $1', [personId]);
    if (credentials.length === 0) return;
    await client.query('INSERT INTO credentials (person_id, facility_code, card_number) SELECT $1, * FROM unnest($2::integer[], $3::bigint[])', [
      personId,
      credentials.map((credential) => credential.facilityCode),
      credentials.map((credential) => credential.cardNumber),
    ]);
  }

  private async insertSamples(client: pg.PoolClient, personId: string, samples: readonly HubSampleInput[]): Promise<void> {
    if (samples.length === 0) return;
    const ids = samples.map((sample) => sample.id?.toLowerCase() ?? randomUUID());
    await client.query(
      `INSERT INTO samples (id, person_id, crop, alignment, quality, created_at_ms, age_estimate)
       SELECT u.id, $1, u.crop, u.alignment, u.quality, u.created_at_ms, u.age_estimate
       FROM unnest($2::uuid[], $3::bytea[], $4::jsonb[], $5::jsonb[], $6::bigint[], $7::bytea[]) AS u (id, crop, alignment, quality, created_at_ms, age_estimate)`,
      [
        personId,
        ids,
        samples.map((sample, index) => seal(this.blobKey, sample.alignedJpeg, cropAad(ids[index] as string))),
        samples.map((sample) => (sample.alignment === undefined || sample.alignment === null ? null : JSON.stringify(sample.alignment))),
        samples.map((sample) => JSON.stringify(sample.quality)),
        samples.map((sample) => sample.createdAtMs ?? this.nowMs()),
        samples.map((sample, index) => (sample.estimatedAgeYears === undefined ? null : sealAgeEstimate(this.blobKey, ids[index] as string, sample.estimatedAgeYears))),
      ],
    );
    const templates = samples.flatMap((sample, index) => sample.templates.map((template) => ({ sampleId: ids[index] as string, ...template })));
    if (templates.length === 0) return;
    await client.query('INSERT INTO templates (sample_id, model_id, dimension, template) SELECT * FROM unnest($1::uuid[], $2::text[], $3::integer[], $4::bytea[])', [
      templates.map((template) => template.sampleId),
      templates.map((template) => template.modelId),
      templates.map((template) => template.template.length),
      templates.map((template) =>
        seal(this.blobKey, new Uint8Array(template.template.buffer, template.template.byteOffset, template.template.byteLength), templateAad(template.sampleId, template.modelId)),
      ),
    ]);
  }

  /** Persons with their groups and credentials, in the rows' order. */
  private async summaries(db: pg.Pool | pg.PoolClient, rows: readonly (PersonRow & { sample_count: number })[]): Promise<HubPersonSummary[]> {
    const ids = rows.map((row) => row.id);
    const { groups, credentials } = await loadGroupsAndCredentials(db, ids);
    const ages = new Map<string, number[]>();
    const { rows: estimates } = await db.query<{ id: string; person_id: string; age_estimate: Buffer }>(
      'SELECT id, person_id, age_estimate FROM samples WHERE person_id = ANY($1::uuid[]) AND age_estimate IS NOT NULL',
      [ids],
    );
    for (const estimate of estimates) {
      const years = this.open(estimate.age_estimate, ageAad(estimate.id)).readDoubleLE(0);
      ages.set(estimate.person_id, [...(ages.get(estimate.person_id) ?? []), years]);
    }
    return rows.map((row) => ({
      ...toPerson(row, groups.get(row.id) ?? [], credentials.get(row.id) ?? []),
      sampleCount: row.sample_count,
      ...(youngChildOf(ages.get(row.id) ?? []) ? { youngChild: true } : {}),
    }));
  }

  /** The whole persons (fields, groups, credentials, samples unsealed) for a page of changes. */
  private async loadWirePersons(client: pg.PoolClient, ids: readonly string[]): Promise<Map<string, PersonPayload>> {
    const result = new Map<string, PersonPayload>();
    if (ids.length === 0) return result;
    // One after another: a client runs one query at a time (node-postgres deprecates queueing them).
    const persons = await client.query<PersonRow>(`SELECT ${PERSON_COLUMNS} FROM persons p WHERE p.id = ANY($1::uuid[])`, [ids]);
    const sets = await loadGroupsAndCredentials(client, ids);
    const samples = await client.query<{ id: string; person_id: string; crop: Buffer; alignment: WireSample['alignment']; quality: WireSample['quality']; created_at_ms: number; age_estimate: Buffer | null }>(
      'SELECT id, person_id, crop, alignment, quality, created_at_ms, age_estimate FROM samples WHERE person_id = ANY($1::uuid[]) ORDER BY created_at_ms, id',
      [ids],
    );
    const templates = await client.query<{ sample_id: string; model_id: string; dimension: number; template: Buffer }>(
      'SELECT t.sample_id, t.model_id, t.dimension, t.template FROM templates t JOIN samples s ON s.id = t.sample_id WHERE s.person_id = ANY($1::uuid[]) ORDER BY t.model_id',
      [ids],
    );
    const templatesOf = new Map<string, WireSample['templates']>();
    for (const row of templates.rows) {
      const list = templatesOf.get(row.sample_id) ?? [];
      list.push({ modelId: row.model_id, dimension: row.dimension, templateBase64: this.open(row.template, templateAad(row.sample_id, row.model_id)).toString('base64') });
      templatesOf.set(row.sample_id, list);
    }
    const samplesOf = new Map<string, WireSample[]>();
    for (const row of samples.rows) {
      const list = samplesOf.get(row.person_id) ?? [];
      list.push({
        id: row.id,
        createdAtMs: row.created_at_ms,
        alignment: row.alignment ?? null,
        quality: row.quality,
        cropJpegBase64: this.open(row.crop, cropAad(row.id)).toString('base64'),
        templates: templatesOf.get(row.id) ?? [],
        // The doors need not estimate again what the hub already knows.
        ...(row.age_estimate === null ? {} : { estimatedAgeYears: this.open(row.age_estimate, ageAad(row.id)).readDoubleLE(0) }),
      });
      samplesOf.set(row.person_id, list);
    }
    for (const row of persons.rows) {
      const { version: _version, ...fields } = toPerson(row, sets.groups.get(row.id) ?? [], sets.credentials.get(row.id) ?? []);
      result.set(row.id, { ...fields, groups: [...fields.groups], credentials: [...fields.credentials], samples: samplesOf.get(row.id) ?? [] });
    }
    return result;
  }

  private open(sealed: Buffer, aad: string): Buffer {
    try {
      return unseal(this.blobKey, sealed, aad);
    } catch (error) {
      throw new HubStoreError('decrypt', `cannot decrypt ${aad}: the hub's key does not match its database, or the data was altered`, { cause: error });
    }
  }

  private async requireActiveTerminal(db: pg.Pool | pg.PoolClient, terminalId: string): Promise<void> {
    const { rows } = await db.query<{ revoked: boolean }>('SELECT revoked FROM terminals WHERE id = $1', [terminalId]);
    if (!rows[0]) throw new HubStoreError('not-found', `terminal ${terminalId} is not registered`);
    if (rows[0].revoked) throw new HubStoreError('revoked', `terminal ${terminalId} is revoked`);
  }

  private async terminalRefusal(terminalId: string): Promise<HubStoreError> {
    try {
      await this.requireActiveTerminal(this.pool, terminalId);
    } catch (error) {
      if (error instanceof HubStoreError) return error;
      throw error;
    }
    return new HubStoreError('conflict', `terminal ${terminalId} changed while its cursor was stored`);
  }
}

/**
 * Takes the change log's head row lock: synced writes run one after another, so their seqs commit in order.
 * Taken first in the transaction, before any other row lock, so two writers never wait on each other in a circle.
 */
async function lockHead(client: pg.PoolClient): Promise<void> {
  await client.query('SELECT head_seq FROM change_head FOR UPDATE');
}

/** Appends (or replaces) the entity's change row with the next seq; returns that seq. The caller holds the head lock. */
async function appendChange(client: pg.PoolClient, entity: ChangeEntity, id: string, version: number, op: 'upsert' | 'delete', payload: unknown, nowMs: number): Promise<number> {
  const { rows } = await client.query<{ head_seq: number }>('UPDATE change_head SET head_seq = head_seq + 1 RETURNING head_seq');
  const seq = rows[0]?.head_seq;
  if (seq === undefined) throw new Error('the change_head row is missing');
  await client.query(
    `INSERT INTO changes (seq, entity, entity_id, version, op, payload, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (entity, entity_id) DO UPDATE SET seq = EXCLUDED.seq, version = EXCLUDED.version, op = EXCLUDED.op,
       payload = EXCLUDED.payload, created_at_ms = EXCLUDED.created_at_ms`,
    [seq, entity, id, version, op, payload === null ? null : JSON.stringify(payload), nowMs],
  );
  return seq;
}

async function loadGroupsAndCredentials(
  db: pg.Pool | pg.PoolClient,
  ids: readonly string[],
): Promise<{ groups: Map<string, string[]>; credentials: Map<string, HubCredential[]> }> {
  const groups = new Map<string, string[]>();
  const credentials = new Map<string, HubCredential[]>();
  if (ids.length === 0) return { groups, credentials };
  const groupRows = await db.query<{ person_id: string; group_name: string }>('SELECT person_id, group_name FROM person_groups WHERE person_id = ANY($1::uuid[]) ORDER BY group_name', [ids]);
  const credentialRows = await db.query<{ person_id: string; facility_code: number | null; card_number: number }>(
    'SELECT person_id, facility_code, card_number FROM credentials WHERE person_id = ANY($1::uuid[]) ORDER BY card_number, facility_code',
    [ids],
  );
  for (const row of groupRows.rows) groups.set(row.person_id, [...(groups.get(row.person_id) ?? []), row.group_name]);
  for (const row of credentialRows.rows) {
    credentials.set(row.person_id, [...(credentials.get(row.person_id) ?? []), { facilityCode: row.facility_code, cardNumber: row.card_number }]);
  }
  return { groups, credentials };
}

function documentTable(entity: DocumentEntity): string {
  if (!Object.hasOwn(DOCUMENTS, entity)) throw new HubStoreError('invalid', `unknown document kind ${JSON.stringify(entity)}`);
  return DOCUMENTS[entity].table;
}

function documentIdOf(entity: DocumentEntity, id: string): string {
  if (entity === 'site-settings' && id !== 'site') throw new HubStoreError('invalid', "site settings have the one id 'site'");
  return requireText(id, `${entity} id`, 100);
}

/** Writes a checked document and appends its change; the caller holds the head lock. */
async function writeDocument(client: pg.PoolClient, entity: DocumentEntity, id: string, document: Record<string, unknown>, nowMs: number): Promise<{ readonly version: number; readonly seq: number }> {
  const table = documentTable(entity);
  const { rows } = await client.query<{ version: number }>(
    `INSERT INTO ${table} (id, version, body, updated_at_ms) VALUES ($1, 1, $2, $3)
     ON CONFLICT (id) DO UPDATE SET version = ${table}.version + 1, body = $2, updated_at_ms = $3
     RETURNING version`,
    [id, JSON.stringify(document), nowMs],
  );
  // A document deleted and written again continues from its tombstone's version, so versions only grow.
  const tombstone = await client.query<{ version: number }>("SELECT version FROM changes WHERE entity = $1 AND entity_id = $2 AND op = 'delete'", [entity, id]);
  const version = Math.max(rows[0]?.version ?? 1, (tombstone.rows[0]?.version ?? 0) + 1);
  if (version !== rows[0]?.version) await client.query(`UPDATE ${table} SET version = $2 WHERE id = $1`, [id, version]);
  return { version, seq: await appendChange(client, entity, id, version, 'upsert', document, nowMs) };
}

/** Deletes a document and appends its tombstone; returns the tombstone's seq. The caller holds the head lock. */
async function removeDocument(client: pg.PoolClient, entity: DocumentEntity, id: string, nowMs: number): Promise<number> {
  const { rows } = await client.query<{ version: number }>(`DELETE FROM ${documentTable(entity)} WHERE id = $1 RETURNING version`, [id]);
  const deleted = rows[0];
  if (!deleted) throw new HubStoreError('not-found', `${entity} ${id} does not exist`);
  return appendChange(client, entity, id, deleted.version + 1, 'delete', null, nowMs);
}

/**
 * Refuses with 'conflict' when the document is not at the version the writer read (null: it must not exist). Run
 * after lockHead: writers of the log are one at a time, so nothing changes it between this check and the write.
 */
async function checkDocumentVersion(client: pg.PoolClient, entity: DocumentEntity, id: string, expectedVersion: number | null): Promise<void> {
  const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${documentTable(entity)} WHERE id = $1`, [id]);
  const current = rows[0]?.version ?? null;
  if (current === expectedVersion) return;
  if (current === null) throw new HubStoreError('conflict', `${entity} ${id}: it was deleted since version ${String(expectedVersion)} was read`);
  if (expectedVersion === null) throw new HubStoreError('conflict', `${entity} ${id}: it already exists (version ${current})`);
  throw new HubStoreError('conflict', `${entity} ${id}: it was changed since version ${expectedVersion} was read (now version ${current})`);
}

/** The document checked against the fleet's payload schema, its id field matching the id it is stored under. */
function parseDocument(entity: DocumentEntity, id: string, body: unknown): Record<string, unknown> {
  const { schema, idField } = DOCUMENTS[entity];
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new HubStoreError('invalid', `${entity} ${id}: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(document)'}: ${issue.message}`).join('; ')}`);
  const document = parsed.data as Record<string, unknown>;
  if (idField !== null && document[idField] !== id) throw new HubStoreError('invalid', `${entity} ${id}: its ${idField} must be "${id}", the id it is stored under`);
  const size = Buffer.byteLength(JSON.stringify(document));
  if (size > MAX_DOCUMENT_BYTES) throw new HubStoreError('invalid', `${entity} ${id} is ${size} bytes of JSON, more than ${MAX_DOCUMENT_BYTES}`);
  return document;
}

function toPerson(row: PersonRow, groups: readonly string[], credentials: readonly HubCredential[]): HubPerson {
  return {
    id: row.id,
    name: row.name,
    externalId: row.external_id,
    enabled: row.enabled,
    validFromMs: row.valid_from_ms,
    validUntilMs: row.valid_until_ms,
    groups,
    credentials,
    version: row.version,
    createdAtMs: row.created_at_ms,
    updatedAtMs: row.updated_at_ms,
  };
}

function toTerminal(row: TerminalRow): TerminalRecord {
  return {
    id: row.id,
    name: row.name,
    certSerial: row.cert_serial,
    revoked: row.revoked,
    appliedSeq: row.applied_seq,
    eventsAckedSeq: row.events_acked_seq,
    state: row.state,
    lastSeenMs: row.last_seen_ms,
    registeredAtMs: row.registered_at_ms,
  };
}

function toEvent(row: EventRow): HubEvent {
  return {
    id: row.id,
    terminalId: row.terminal_id,
    terminalSeq: row.terminal_seq,
    uuid: row.uuid,
    atMs: row.at_ms,
    decision: row.decision,
    reason: row.reason,
    personId: row.person_id,
    personName: row.person_name,
    similarity: row.similarity,
    livenessScore: row.liveness_score,
    livenessCue: row.liveness_cue,
    card: row.card_number === null ? null : { facilityCode: row.card_facility_code, cardNumber: row.card_number },
    modelId: row.model_id,
    hasSnapshot: row.has_snapshot,
    receivedAtMs: row.received_at_ms,
  };
}

function toErasure(row: ErasureRow): ErasureProgress {
  return {
    personId: row.person_id,
    seq: row.seq,
    erasedAtMs: row.erased_at_ms,
    erasedOn: row.erased_on,
    of: row.of_count,
    pendingTerminalIds: row.pending ?? [],
  };
}
