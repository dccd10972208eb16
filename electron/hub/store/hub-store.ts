/**
 * The hub's store: PostgreSQL is the site's source of truth for people, their faces, groups, schedules, door
 * policies and the site-wide event log. Every write to a synced entity appends its change row in the same
 * transaction; terminals pull the change log page by page since their cursor.
 */

import type { Change, EnrollRequest, TerminalState, WireCredential, WireEvent, WireSample } from '../../shared/fleet/index.js';

export type { Change, ChangeEntity, EnrollRequest, PersonPayload, TerminalState, WireCredential, WireEvent, WireSample } from '../../shared/fleet/index.js';

export type ChangeOp = Change['op'];

/** Entities kept as one JSON document each (everything but persons; a person's cards travel with the person). */
export type DocumentEntity = 'group' | 'schedule' | 'door-policy' | 'site-settings';

/** What a group's rename wrote: the new group's version, the last change's seq, and what moved with it. */
export interface GroupRename {
  readonly version: number;
  readonly seq: number;
  readonly scheduleMoved: boolean;
  /** Doors (terminal ids) whose policy let the group in. */
  readonly doorPolicies: readonly string[];
  /** Persons who carried the group. */
  readonly members: number;
}

/** A card credential (Wiegand/OSDP): facility code where the site's format has one. */
export type HubCredential = WireCredential;

/** A person's fields as the hub keeps them. */
export interface HubPerson {
  /** UUID, the same on every terminal. */
  readonly id: string;
  readonly name: string;
  readonly externalId: string | null;
  /** A disabled person is recognised but denied at every door. */
  readonly enabled: boolean;
  /** Access window, ms since epoch: from inclusive, until exclusive; null = open. */
  readonly validFromMs: number | null;
  readonly validUntilMs: number | null;
  /** Group names, sorted. */
  readonly groups: readonly string[];
  readonly credentials: readonly HubCredential[];
  /** Incremented by every write; the change row carries it. */
  readonly version: number;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

/** A person in a list, with how many samples they have. */
export interface HubPersonSummary extends HubPerson {
  readonly sampleCount: number;
  /** Set when the samples' age estimates look like a young child's (`youngChildOf`): the doors ask for card and face. */
  readonly youngChild?: boolean;
}

/**
 * A page of the change log (the fleet's `in/changes` message without its requestId). `lastSeq` is the seq of the
 * page's last change; an empty page's is the head: superseded rows are replaced by newer ones and tombstones every
 * terminal passed are dropped, so the log has gaps a cursor jumps over.
 */
export interface ChangePage {
  readonly changes: readonly Change[];
  readonly lastSeq: number;
  readonly headSeq: number;
}

/** Limits of one page: count and approximate JSON bytes (a page holds at least one change). */
export interface ChangePageLimits {
  /** Default 200, at most 1000. */
  readonly maxChanges?: number;
  /** Default 1 MB. */
  readonly maxBytes?: number;
}

/** How far a person's erasure has reached: terminals whose cursor passed the tombstone, of those that count. */
export interface ErasureProgress {
  readonly personId: string;
  /** Seq of the tombstone. */
  readonly seq: number;
  readonly erasedAtMs: number;
  readonly erasedOn: number;
  /** Terminals registered before the erasure and not revoked. */
  readonly of: number;
  /** Ids of the terminals that still hold the person. */
  readonly pendingTerminalIds: readonly string[];
}

/** A card read at a door (`WireEvent['card']`): facility code where the card's format has one. */
export type HubEventCard = NonNullable<WireEvent['card']>;

/** An event in the hub's log. */
export interface HubEvent {
  readonly id: number;
  readonly terminalId: string;
  readonly terminalSeq: number;
  readonly uuid: string;
  readonly atMs: number;
  readonly decision: 'granted' | 'denied';
  readonly reason: string;
  readonly personId: string | null;
  /** The person's current name; null for unknown faces and erased persons. */
  readonly personName: string | null;
  readonly similarity: number | null;
  readonly livenessScore: number | null;
  readonly livenessCue: string | null;
  /** The card shown at the door, on a card's decisions; null for a face alone, and once its holder is erased. */
  readonly card: HubEventCard | null;
  readonly modelId: string | null;
  readonly hasSnapshot: boolean;
  readonly receivedAtMs: number;
}

/** Filters of `queryEvents`, newest first. */
export interface HubEventQuery {
  readonly terminalId?: string;
  readonly decision?: 'granted' | 'denied';
  readonly personId?: string;
  /** The events of one card, whatever its facility code. */
  readonly cardNumber?: number;
  /** ms since epoch, inclusive. */
  readonly fromMs?: number;
  /** ms since epoch, exclusive. */
  readonly untilMs?: number;
  /** Default 100, at most 1000. */
  readonly limit?: number;
  /** The `next` of the previous page. */
  readonly before?: HubEventCursor;
}

export interface HubEventCursor {
  readonly atMs: number;
  readonly id: number;
}

export interface HubEventPage {
  readonly events: readonly HubEvent[];
  /** Cursor of the next (older) page; null at the end. */
  readonly next: HubEventCursor | null;
}

/** A face sample to store: the aligned crop (JPEG) and its templates. */
export interface HubSampleInput {
  /** Kept when given (a terminal's sample id), else a new UUID. */
  readonly id?: string;
  readonly alignedJpeg: Uint8Array;
  readonly alignment?: WireSample['alignment'];
  readonly quality: WireSample['quality'];
  readonly templates: readonly { readonly modelId: string; readonly template: Float32Array }[];
  readonly createdAtMs?: number;
  /** The face's estimated age, years, where the enrollment estimated it (the hub's photo enrollment does). */
  readonly estimatedAgeYears?: number;
}

/** What `createPerson` needs; everything but the name has a default. */
export interface HubPersonInput {
  readonly name: string;
  readonly externalId?: string | null;
  readonly enabled?: boolean;
  readonly validFromMs?: number | null;
  readonly validUntilMs?: number | null;
  readonly groups?: readonly string[];
  readonly credentials?: readonly HubCredential[];
  readonly samples?: readonly HubSampleInput[];
}

/** Fields to change; `groups` and `credentials` replace the whole set. */
export type HubPersonPatch = Partial<Omit<HubPersonInput, 'samples'>>;

/** Filters of `listPersons`. */
export interface HubPersonQuery {
  /** Part of the name (case-insensitive) or of the external id. */
  readonly search?: string;
  readonly group?: string;
  readonly enabled?: boolean;
  /** Default 50, at most 500. */
  readonly limit?: number;
  readonly offset?: number;
}

/** A door's terminal as the hub knows it. */
export interface TerminalRecord {
  /** The certificate's CN. */
  readonly id: string;
  readonly name: string;
  readonly certSerial: string | null;
  readonly revoked: boolean;
  /** The terminal's cursor in the change log (what it reported on `out/applied`). */
  readonly appliedSeq: number;
  /** Highest event seq acknowledged to the terminal. */
  readonly eventsAckedSeq: number;
  /** The last `out/state` message, or null before the first. */
  readonly state: TerminalState | null;
  readonly lastSeenMs: number | null;
  readonly registeredAtMs: number;
}

/** The hub's store. Every method may reject with a HubStoreError ('not-found', 'conflict', 'invalid', …). */
export interface HubStore {
  // The change log.
  /** Seq of the newest change (0 for an empty log). */
  headSeq(): Promise<number>;
  /** The changes after `afterSeq`, each as its entity's current state; superseded rows are not in the log. */
  changesAfter(afterSeq: number, limits?: ChangePageLimits): Promise<ChangePage>;
  /** Stores a terminal's cursor (never moves it back), then drops tombstones every terminal has passed. */
  recordApplied(terminalId: string, appliedSeq: number): Promise<void>;
  /** Erasure progress of a deleted person; a HubStoreError 'not-found' when the person was never erased. */
  erasureProgress(personId: string): Promise<ErasureProgress>;
  /** Every erasure, newest first. */
  listErasures(limit?: number): Promise<readonly ErasureProgress[]>;

  // Events.
  /**
   * Stores a terminal's events, ignoring ones already stored (same terminal and uuid), in one transaction. The
   * answer's `upToSeq` is the highest seq of the batch (0 for an empty one): every event of the batch is stored.
   * The terminal may then delete its outbox rows with seq ≤ upToSeq because it sends its outbox oldest first, one
   * batch at a time (a resent batch is acknowledged again). Events naming an erased person are stored without
   * the person and without the snapshot.
   */
  insertEvents(terminalId: string, events: readonly WireEvent[]): Promise<{ upToSeq: number }>;
  queryEvents(query?: HubEventQuery): Promise<HubEventPage>;
  /** The decrypted snapshot of an event, or null when it has none. */
  eventSnapshot(eventId: number): Promise<Buffer | null>;

  // Enrollment at a door.
  enrollFromTerminal(terminalId: string, request: EnrollRequest): Promise<{ personId: string }>;

  // Terminals.
  registerTerminal(input: { readonly id: string; readonly name?: string; readonly certSerial?: string | null }): Promise<TerminalRecord>;
  revokeTerminal(id: string): Promise<TerminalRecord>;
  listTerminals(): Promise<readonly TerminalRecord[]>;
  getTerminal(id: string): Promise<TerminalRecord>;
  setTerminalState(id: string, state: TerminalState): Promise<void>;

  // Persons (each write appends a person change).
  createPerson(input: HubPersonInput): Promise<HubPerson>;
  updatePerson(id: string, patch: HubPersonPatch): Promise<HubPerson>;
  /** Erases a person and their samples; appends the tombstone. */
  deletePerson(id: string): Promise<ErasureProgress>;
  getPerson(id: string): Promise<HubPersonSummary>;
  listPersons(query?: HubPersonQuery): Promise<{ readonly persons: readonly HubPersonSummary[]; readonly total: number }>;
  addSamples(personId: string, samples: readonly HubSampleInput[]): Promise<HubPerson>;
  removeSample(personId: string, sampleId: string): Promise<HubPerson>;

  // Groups, schedules, door policies (id = terminal id), site settings (id 'site'). `expectedVersion`, when given,
  // is the version the writer read (null: it read none, the document must not exist yet); a document at another
  // version is not written and answers 'conflict', so one admin's save never silently undoes another's.
  putDocument(entity: DocumentEntity, id: string, body: Record<string, unknown>, expectedVersion?: number | null): Promise<{ readonly version: number; readonly seq: number }>;
  deleteDocument(entity: DocumentEntity, id: string, expectedVersion?: number): Promise<{ readonly seq: number }>;
  /**
   * Renames a group in one transaction: the group under its new name, its schedule, every door policy that lets it
   * in and every member (each a new person version) move to it, and the old group and schedule are deleted.
   * 'conflict' when a group of the new name exists (or `expectedVersion` is not the group's).
   */
  renameGroup(from: string, to: string, expectedVersion?: number): Promise<GroupRename>;
  listDocuments(entity: DocumentEntity): Promise<readonly { readonly id: string; readonly version: number; readonly body: Record<string, unknown> }[]>;

  close(): Promise<void>;
}
