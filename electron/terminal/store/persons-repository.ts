import { randomUUID } from 'node:crypto';

import type Database from 'better-sqlite3';
import type { z } from 'zod';

import type { DeepReadonly } from '../../shared/contract/handler.js';
import type { personCredentialSchema, personInputSchema, personListQuerySchema, personSchema, personSummarySchema } from '../../shared/contract/schemas.js';
import { isSqliteError, StoreError } from './errors.js';

/** A card credential an access-control panel knows the person by (see door/card-format.ts). */
export type PersonCredential = DeepReadonly<z.output<typeof personCredentialSchema>>;
/** An enrolled person. */
export type Person = DeepReadonly<z.output<typeof personSchema>>;
/** A person in a list, with how many face samples they have. */
export type PersonSummary = DeepReadonly<z.output<typeof personSummarySchema>>;
/** What `create` needs: the contract's person input, before the store trims and checks it. */
export type PersonInput = DeepReadonly<z.input<typeof personInputSchema>>;

/**
 * Why a credential does not fit the terminal's card format, one message per field (empty when it fits); the
 * store passes the configured format's check.
 */
export type CredentialCheck = (credential: PersonCredential) => readonly string[];

/** Fields to change; `groups` replaces the whole set. */
export type PersonPatch = Partial<PersonInput>;

/** Filters of `list`. */
export type PersonListQuery = DeepReadonly<z.input<typeof personListQuerySchema>>;

/** Whether a person may enter at a given time, and if not, why (usable as an event reason). */
export type AccessState = 'allowed' | 'disabled' | 'not-yet-valid' | 'expired';

/** The access state of `person` at `atMs` (ms since epoch): enabled and inside [validFromMs, validUntilMs). */
export function accessStateAt(person: Person, atMs: number): AccessState {
  if (!person.enabled) return 'disabled';
  if (person.validFromMs !== null && atMs < person.validFromMs) return 'not-yet-valid';
  if (person.validUntilMs !== null && atMs >= person.validUntilMs) return 'expired';
  return 'allowed';
}

/** Lower case without accents: what name search compares. */
export function foldName(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

interface PersonRow {
  id: string;
  name: string;
  external_id: string | null;
  enabled: number;
  valid_from_ms: number | null;
  valid_until_ms: number | null;
  credential_facility_code: number | null;
  credential_card_number: number | null;
  created_at_ms: number;
  updated_at_ms: number;
}

interface NormalisedInput {
  name: string;
  externalId: string | null;
  enabled: boolean;
  validFromMs: number | null;
  validUntilMs: number | null;
  groups: string[];
  credential: PersonCredential | null;
}

const PERSON_COLUMNS =
  'p.id, p.name, p.external_id, p.enabled, p.valid_from_ms, p.valid_until_ms, p.credential_facility_code, p.credential_card_number, p.created_at_ms, p.updated_at_ms';
const MAX_PAGE = 500;

/** Persons and their groups. Deleting a person is `erase`, which the TerminalStore wraps (gallery, WAL). */
export class PersonsRepository {
  private readonly insertPerson;
  private readonly updatePerson;
  private readonly selectById;
  private readonly selectByExternalId;
  private readonly selectByCredential;
  private readonly selectCredentials;
  private readonly selectPage;
  private readonly countPage;
  private readonly selectGroupsOf;
  private readonly selectGroupsOfMany;
  private readonly deleteGroups;
  private readonly insertGroup;
  private readonly selectAllGroups;
  private readonly deleteSnapshotsOf;
  private readonly tombstoneEventsOf;
  private readonly deletePersonRow;
  private readonly upsertSyncedPerson;
  private readonly selectHubVersion;

  constructor(
    private readonly db: Database.Database,
    private readonly nowMs: () => number = Date.now,
    /** Called after every `update` (enabled may have changed): the store counts the gallery again. */
    private readonly onUpdated: (personId: string) => void = () => undefined,
    /** Range check of credentials against the configured card format; default: any whole numbers ≥ 0. */
    private readonly checkCredential: CredentialCheck = () => [],
  ) {
    this.insertPerson = db.prepare(
      `INSERT INTO persons (id, name, name_folded, external_id, enabled, valid_from_ms, valid_until_ms,
         credential_facility_code, credential_card_number, created_at_ms, updated_at_ms)
       VALUES (@id, @name, @nameFolded, @externalId, @enabled, @validFromMs, @validUntilMs, @facilityCode, @cardNumber, @nowMs, @nowMs)`,
    );
    this.updatePerson = db.prepare(
      `UPDATE persons SET name = @name, name_folded = @nameFolded, external_id = @externalId, enabled = @enabled,
         valid_from_ms = @validFromMs, valid_until_ms = @validUntilMs, credential_facility_code = @facilityCode,
         credential_card_number = @cardNumber, updated_at_ms = @nowMs
       WHERE id = @id`,
    );
    this.selectById = db.prepare<[string], PersonRow>(`SELECT ${PERSON_COLUMNS} FROM persons p WHERE p.id = ?`);
    this.selectByExternalId = db.prepare<[string], PersonRow>(`SELECT ${PERSON_COLUMNS} FROM persons p WHERE p.external_id = ?`);
    this.selectByCredential = db.prepare<[number, number], PersonRow>(
      `SELECT ${PERSON_COLUMNS} FROM persons p WHERE p.credential_card_number = ? AND coalesce(p.credential_facility_code, -1) = ?`,
    );
    this.selectCredentials = db.prepare<[], { id: string; name: string; credential_facility_code: number | null; credential_card_number: number }>(
      'SELECT id, name, credential_facility_code, credential_card_number FROM persons WHERE credential_card_number IS NOT NULL ORDER BY name_folded, id',
    );
    // One statement for every filter combination: a NULL parameter switches its condition off.
    const where = `WHERE (@pattern IS NULL OR p.name_folded LIKE @pattern ESCAPE '\\' OR p.external_id LIKE @pattern ESCAPE '\\')
        AND (@enabled IS NULL OR p.enabled = @enabled)
        AND (@group IS NULL OR EXISTS (SELECT 1 FROM person_groups g WHERE g.person_id = p.id AND g.group_name = @group))`;
    this.selectPage = db.prepare<[PageParams], PersonRow & { sample_count: number }>(
      `SELECT ${PERSON_COLUMNS}, (SELECT count(*) FROM samples s WHERE s.person_id = p.id) AS sample_count
       FROM persons p ${where} ORDER BY p.name_folded, p.id LIMIT @limit OFFSET @offset`,
    );
    this.countPage = db.prepare<[Omit<PageParams, 'limit' | 'offset'>], { n: number }>(`SELECT count(*) AS n FROM persons p ${where}`);
    this.selectGroupsOf = db.prepare<[string], string>('SELECT group_name FROM person_groups WHERE person_id = ? ORDER BY group_name').pluck();
    this.selectGroupsOfMany = db.prepare<[string], { person_id: string; group_name: string }>(
      'SELECT person_id, group_name FROM person_groups WHERE person_id IN (SELECT value FROM json_each(?)) ORDER BY group_name',
    );
    this.deleteGroups = db.prepare<[string]>('DELETE FROM person_groups WHERE person_id = ?');
    this.insertGroup = db.prepare<[string, string]>('INSERT INTO person_groups (person_id, group_name) VALUES (?, ?)');
    this.selectAllGroups = db.prepare<[], { group_name: string; n: number }>(
      'SELECT group_name, count(*) AS n FROM person_groups GROUP BY group_name ORDER BY group_name',
    );
    this.deleteSnapshotsOf = db.prepare<[string]>('DELETE FROM event_snapshots WHERE event_id IN (SELECT id FROM events WHERE person_id = ?)');
    // The card shown links an event to its holder as surely as their id.
    this.tombstoneEventsOf = db.prepare<[number, string]>(
      'UPDATE events SET person_id = NULL, person_erased_at_ms = ?, card_facility_code = NULL, card_number = NULL WHERE person_id = ?',
    );
    this.deletePersonRow = db.prepare<[string]>('DELETE FROM persons WHERE id = ?');
    this.upsertSyncedPerson = db.prepare(
      `INSERT INTO persons (id, name, name_folded, external_id, enabled, valid_from_ms, valid_until_ms,
         credential_facility_code, credential_card_number, created_at_ms, updated_at_ms, hub_version)
       VALUES (@id, @name, @nameFolded, @externalId, @enabled, @validFromMs, @validUntilMs, @facilityCode, @cardNumber, @createdAtMs, @updatedAtMs, @hubVersion)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_folded = excluded.name_folded, external_id = excluded.external_id,
         enabled = excluded.enabled, valid_from_ms = excluded.valid_from_ms, valid_until_ms = excluded.valid_until_ms,
         credential_facility_code = excluded.credential_facility_code, credential_card_number = excluded.credential_card_number,
         updated_at_ms = excluded.updated_at_ms, hub_version = excluded.hub_version`,
    );
    this.selectHubVersion = db.prepare<[string], { hub_version: number | null }>('SELECT hub_version FROM persons WHERE id = ?');
  }

  /** Adds a person; a StoreError 'conflict' when the external id is taken, 'invalid' for bad fields. */
  create(input: PersonInput): Person {
    const person = this.normalise(input);
    const id = randomUUID();
    this.db.transaction(() => {
      this.runWrite(() => this.insertPerson.run({ id, ...toParams(person), nowMs: this.nowMs() }), person);
      this.writeGroups(id, person.groups);
    })();
    return this.require(id);
  }

  /** Changes fields of a person; a StoreError 'not-found', 'conflict' or 'invalid'. */
  update(id: string, patch: PersonPatch): Person {
    const updated = this.db.transaction(() => {
      const current = this.require(id);
      // An explicit `undefined` means "leave as is", not "clear": only null clears a nullable field.
      const given = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
      const next = this.normalise({ ...current, ...given });
      this.runWrite(() => this.updatePerson.run({ id, ...toParams(next), nowMs: this.nowMs() }), next);
      if (patch.groups !== undefined) {
        this.deleteGroups.run(id);
        this.writeGroups(id, next.groups);
      }
      return this.require(id);
    })();
    this.onUpdated(id);
    return updated;
  }

  /** Enables or disables a person (disabled people are recognised but denied); a StoreError 'not-found'. */
  setEnabled(id: string, enabled: boolean): Person {
    return this.update(id, { enabled });
  }

  /** The person, or undefined. */
  get(id: string): Person | undefined {
    const row = this.selectById.get(id);
    return row ? toPerson(row, this.selectGroupsOf.all(id)) : undefined;
  }

  /** The person with this external id, or undefined. */
  getByExternalId(externalId: string): Person | undefined {
    const row = this.selectByExternalId.get(externalId);
    return row ? toPerson(row, this.selectGroupsOf.all(row.id)) : undefined;
  }

  /** The person carrying this credential (no facility code: null), or undefined. */
  getByCredential(credential: PersonCredential): Person | undefined {
    const row = this.selectByCredential.get(credential.cardNumber, credential.facilityCode ?? -1);
    return row ? toPerson(row, this.selectGroupsOf.all(row.id)) : undefined;
  }

  /** Every credential and whose it is, by name; for checking a change of card format against them. */
  listCredentials(): { personId: string; name: string; credential: PersonCredential }[] {
    return this.selectCredentials.all().map((row) => ({
      personId: row.id,
      name: row.name,
      credential: { facilityCode: row.credential_facility_code, cardNumber: row.credential_card_number },
    }));
  }

  /** One page of persons sorted by name, and how many match in all. */
  list(query: PersonListQuery = {}): { persons: PersonSummary[]; total: number } {
    const limit = query.limit ?? 50;
    const offset = query.offset ?? 0;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new StoreError('invalid', `limit must be 1..${MAX_PAGE}, got ${limit}`);
    if (!Number.isInteger(offset) || offset < 0) throw new StoreError('invalid', `offset must be a whole number ≥ 0, got ${offset}`);
    const search = query.search?.trim();
    const filters = {
      pattern: search ? `%${escapeLike(foldName(search))}%` : null,
      enabled: query.enabled === undefined ? null : Number(query.enabled),
      group: query.group ?? null,
    };
    return this.db.transaction(() => {
      const rows = this.selectPage.all({ ...filters, limit, offset });
      const groups = new Map<string, string[]>();
      for (const { person_id, group_name } of this.selectGroupsOfMany.all(JSON.stringify(rows.map((row) => row.id)))) {
        const list = groups.get(person_id) ?? [];
        list.push(group_name);
        groups.set(person_id, list);
      }
      const persons = rows.map((row) => ({ ...toPerson(row, groups.get(row.id) ?? []), sampleCount: row.sample_count }));
      return { persons, total: this.countPage.get(filters)?.n ?? 0 };
    })();
  }

  /** Every group name with its number of members, sorted by name. */
  listGroups(): { name: string; memberCount: number }[] {
    return this.selectAllGroups.all().map((row) => ({ name: row.group_name, memberCount: row.n }));
  }

  /**
   * Removes the person, their groups, samples and templates (cascades), and their event snapshots; their
   * events stay with person id null and `personErasedAtMs` set. Returns false when there was no such
   * person. Runs in the caller's transaction when there is one. Use TerminalStore.deletePerson, which also
   * updates the gallery and empties the WAL.
   */
  erase(id: string): boolean {
    return this.db.transaction(() => {
      this.deleteSnapshotsOf.run(id);
      this.tombstoneEventsOf.run(this.nowMs(), id);
      return this.deletePersonRow.run(id).changes > 0;
    })();
  }

  /**
   * Writes a person the site hub manages, under the hub's id and times: created, or replaced whole (groups too),
   * at the hub's `hubVersion`. The card format is not checked here: the hub is the one writer of people, and a
   * terminal refusing its record would stop applying the site's changes. Runs in the caller's transaction.
   */
  putSynced(id: string, input: PersonInput, hub: { readonly version: number; readonly createdAtMs: number; readonly updatedAtMs: number }): Person {
    const person = normaliseInput(input);
    this.db.transaction(() => {
      this.runWrite(
        () => this.upsertSyncedPerson.run({ id, ...toParams(person), createdAtMs: hub.createdAtMs, updatedAtMs: hub.updatedAtMs, hubVersion: hub.version }),
        person,
      );
      this.deleteGroups.run(id);
      this.writeGroups(id, person.groups);
    })();
    this.onUpdated(id);
    return this.require(id);
  }

  /** The hub's version of a synced person; null for a person enrolled here, undefined when there is none. */
  hubVersionOf(id: string): number | null | undefined {
    return this.selectHubVersion.get(id)?.hub_version;
  }

  private require(id: string): Person {
    const person = this.get(id);
    if (!person) throw new StoreError('not-found', `no person with id ${id}`);
    return person;
  }

  private writeGroups(id: string, groups: readonly string[]): void {
    for (const group of groups) this.insertGroup.run(id, group);
  }

  /** Checks and normalises input, the credential against the configured card format. */
  private normalise(input: PersonInput): NormalisedInput {
    const person = normaliseInput(input);
    if (person.credential !== null) {
      const problems = this.checkCredential(person.credential);
      if (problems.length > 0) throw new StoreError('invalid', problems.map((problem) => `credential.${problem}`).join('; '));
    }
    return person;
  }

  private runWrite(write: () => void, person: NormalisedInput): void {
    try {
      write();
    } catch (error) {
      if (isSqliteError(error, 'SQLITE_CONSTRAINT_UNIQUE')) {
        // SQLite names the column (persons.external_id) or the index (persons_by_credential) that clashed.
        if ((error as Error).message.includes('persons_by_credential') && person.credential !== null) {
          const { facilityCode, cardNumber } = person.credential;
          throw new StoreError('conflict', `credential ${facilityCode === null ? '' : `facility ${facilityCode} `}card ${cardNumber} already belongs to another person`, { cause: error });
        }
        throw new StoreError('conflict', `external id "${person.externalId ?? ''}" already belongs to another person`, { cause: error });
      }
      throw error;
    }
  }
}

interface PageParams {
  pattern: string | null;
  enabled: number | null;
  group: string | null;
  limit: number;
  offset: number;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

function toParams(person: NormalisedInput): Record<string, string | number | null> {
  return {
    name: person.name,
    nameFolded: foldName(person.name),
    externalId: person.externalId,
    enabled: Number(person.enabled),
    validFromMs: person.validFromMs,
    validUntilMs: person.validUntilMs,
    facilityCode: person.credential?.facilityCode ?? null,
    cardNumber: person.credential?.cardNumber ?? null,
  };
}

function toPerson(row: PersonRow, groups: string[]): Person {
  return {
    id: row.id,
    name: row.name,
    externalId: row.external_id,
    enabled: row.enabled === 1,
    validFromMs: row.valid_from_ms,
    validUntilMs: row.valid_until_ms,
    groups,
    credential: row.credential_card_number === null ? null : { facilityCode: row.credential_facility_code, cardNumber: row.credential_card_number },
    createdAtMs: row.created_at_ms,
    updatedAtMs: row.updated_at_ms,
  };
}

function normaliseInput(input: PersonInput): NormalisedInput {
  const name = input.name.trim().normalize('NFC');
  if (name.length < 1 || name.length > 200) throw new StoreError('invalid', 'a name needs 1 to 200 characters');
  const externalId = input.externalId?.trim() || null;
  if (externalId !== null && externalId.length > 100) throw new StoreError('invalid', 'an external id has at most 100 characters');
  const validFromMs = input.validFromMs ?? null;
  const validUntilMs = input.validUntilMs ?? null;
  for (const [field, value] of [['validFromMs', validFromMs], ['validUntilMs', validUntilMs]] as const) {
    if (value !== null && !Number.isSafeInteger(value)) throw new StoreError('invalid', `${field} must be whole ms since epoch, got ${value}`);
  }
  if (validFromMs !== null && validUntilMs !== null && validFromMs >= validUntilMs) {
    throw new StoreError('invalid', 'the validity window ends before it starts (validUntilMs ≤ validFromMs)');
  }
  const groups = [...new Set((input.groups ?? []).map((group) => group.trim().normalize('NFC')))].sort();
  for (const group of groups) {
    if (group.length < 1 || group.length > 64) throw new StoreError('invalid', `group names need 1 to 64 characters, got "${group}"`);
  }
  return { name, externalId, enabled: input.enabled ?? true, validFromMs, validUntilMs, groups, credential: normaliseCredential(input.credential) };
}

/** Whole numbers ≥ 0 that SQLite stores exactly; the format's own ranges are the CredentialCheck's. */
function normaliseCredential(credential: PersonInput['credential']): PersonCredential | null {
  if (credential === undefined || credential === null) return null;
  const facilityCode = credential.facilityCode ?? null;
  const problems: string[] = [];
  if (!Number.isSafeInteger(credential.cardNumber) || credential.cardNumber < 0) problems.push(`credential.cardNumber must be a whole number ≥ 0, got ${String(credential.cardNumber)}`);
  if (facilityCode !== null && (!Number.isSafeInteger(facilityCode) || facilityCode < 0)) problems.push(`credential.facilityCode must be a whole number ≥ 0, got ${String(facilityCode)}`);
  if (problems.length > 0) throw new StoreError('invalid', problems.join('; '));
  return { facilityCode, cardNumber: credential.cardNumber };
}
