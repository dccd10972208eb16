// Every message between the hub and its terminals, as zod schemas: both sides validate what they receive with
// these and nothing else. The topic each one travels on is in topics.ts; which are signed is said per schema.
import { z } from 'zod';

import { decisionSchema, faceQualitySchema, freeText, groupName, msSinceEpoch, personCredentialSchema, weeklyWindowSchema } from '../contract/schemas.js';

/** A position in the hub's change log (0 = before the first change). */
export const seqSchema = z.int().min(0);
/** Most changes a terminal may ask for in one page. */
export const MAX_CHANGES_PER_PAGE = 1000;
/** Changes per page when a terminal does not say. */
export const DEFAULT_CHANGES_PER_PAGE = 200;
/** A page's payload is cut near this size so one MQTT message stays well below the broker's limits. */
export const MAX_PAGE_BYTES = 1_000_000;
/** Most events in one `out/events` message. */
export const MAX_EVENTS_PER_MESSAGE = 100;
/** Largest JPEG (aligned crop or snapshot) carried on the wire, bytes. */
export const MAX_JPEG_BYTES = 512 * 1024;

const requestId = z.uuid();
const entityUuid = z.uuid();
/** A code (lower-case letters, digits and `.:-`), never prose: no personal data in event reasons. */
const code = (maxLength: number) => z.string().regex(new RegExp(`^[a-z0-9][a-z0-9.:-]{0,${maxLength - 1}}$`), `must be a code of lower-case letters, digits and .:- (at most ${maxLength})`);
const modelId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be a model id from the manifest');
/** Base64 of at most `maxBytes` bytes. */
const base64Of = (maxBytes: number) => z.base64().max(Math.ceil(maxBytes / 3) * 4);
/** Bytes that padded base64 (what z.base64() accepts) decodes to; without Buffer, for the hub's admin UI that builds on these schemas. */
const decodedBytes = (text: string): number => (text.length / 4) * 3 - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0);
/** Base64 of a JPEG: checked for the SOI marker, so a wrong field is named here and not by the decoder. */
const jpegBase64 = base64Of(MAX_JPEG_BYTES).refine((text) => text.startsWith('/9j/'), { message: 'must be a base64 JPEG (FF D8 FF)' });

// ---------------------------------------------------------------------------------------------------------------
// Change log (hub → terminal)

/** The kinds of record the hub's change log carries. */
export const CHANGE_ENTITIES = ['person', 'group', 'schedule', 'door-policy', 'credential', 'site-settings'] as const;
export const changeEntitySchema = z.enum(CHANGE_ENTITIES);
export type ChangeEntity = z.infer<typeof changeEntitySchema>;

/** One template of a sample: an extractor's embedding, little-endian float32. */
export const wireTemplateSchema = z
  .object({
    modelId,
    dimension: z.int().min(1).max(4096),
    templateBase64: base64Of(4096 * 4),
  })
  .refine((template) => decodedBytes(template.templateBase64) === template.dimension * 4, {
    message: 'templateBase64 must hold dimension × 4 bytes (float32)',
    path: ['templateBase64'],
  });
export type WireTemplate = z.infer<typeof wireTemplateSchema>;

/**
 * One face sample on the wire: the aligned crop (unsealed for the wire; TLS protects the link and the terminal
 * seals it with its own key before storing) and its templates. A terminal running another extractor rebuilds
 * its template from the crop.
 */
export const wireSampleSchema = z.object({
  id: entityUuid,
  createdAtMs: msSinceEpoch,
  /** How the crop was aligned (the terminal's alignment record, as JSON); null when not recorded. */
  alignment: z.json().default(null),
  quality: faceQualitySchema,
  cropJpegBase64: jpegBase64,
  templates: z.array(wireTemplateSchema).max(16),
  /**
   * The face's estimated age, years, where the sender estimated it (the door's young-child rule reads it); absent
   * from older terminals and hubs, and for samples not yet estimated: the receiver then estimates it itself.
   */
  estimatedAgeYears: z.number().min(0).max(150).optional(),
});
export type WireSample = z.infer<typeof wireSampleSchema>;

/** A card credential (Wiegand / OSDP): facility code (null when the format has none) and card number. */
export const wireCredentialSchema = z.object({
  facilityCode: z.int().min(0).max(0xffff).nullable(),
  cardNumber: z.int().min(0).max(0xffff_ffff),
});
export type WireCredential = z.infer<typeof wireCredentialSchema>;

/** A person's fields as the terminal stores them. */
export const wirePersonFieldsSchema = z.object({
  name: freeText.trim().min(1).max(200),
  externalId: freeText.trim().min(1).max(200).nullable(),
  enabled: z.boolean(),
  validFromMs: msSinceEpoch.nullable(),
  validUntilMs: msSinceEpoch.nullable(),
  groups: z.array(groupName).max(64),
  /** The person's cards; a terminal that keeps one card per person keeps the first. */
  credentials: z.array(wireCredentialSchema).max(16),
});

/** A person upsert carries the whole person: fields, groups, credentials and every sample. */
export const personPayloadSchema = wirePersonFieldsSchema.extend({
  id: entityUuid,
  createdAtMs: msSinceEpoch,
  updatedAtMs: msSinceEpoch,
  samples: z.array(wireSampleSchema).max(64),
});
export type PersonPayload = z.infer<typeof personPayloadSchema>;

/** A group of people (the id is the name). */
export const groupPayloadSchema = z.object({ name: groupName, description: freeText.max(500).nullable().default(null) });
export type GroupPayload = z.infer<typeof groupPayloadSchema>;

/** When a group may pass (the id is the group's name); the terminal's `access.policy.schedules[group]`. */
export const schedulePayloadSchema = z.object({ group: groupName, windows: z.array(weeklyWindowSchema).min(1).max(28) });
export type SchedulePayload = z.infer<typeof schedulePayloadSchema>;

/**
 * Who may pass one door (the id is the terminal's id): the groups let in (null: every enabled person), and
 * decision settings the door overrides (the terminal checks them with its own settings schema).
 */
export const doorPolicyPayloadSchema = z.object({
  terminalId: z.string().min(1).max(63),
  allowedGroups: z.array(groupName).max(64).nullable(),
  settings: z.record(z.string(), z.unknown()).default({}),
});
export type DoorPolicyPayload = z.infer<typeof doorPolicyPayloadSchema>;

/** A card assigned apart from a person record (the id is the credential's); a person's own card rides with the person. */
export const credentialPayloadSchema = wireCredentialSchema.extend({ personId: entityUuid });
export type CredentialPayload = z.infer<typeof credentialPayloadSchema>;

/** Site-wide settings every door applies (time zone, liveness defaults…), checked by the terminal's settings schema. */
export const siteSettingsPayloadSchema = z.object({ settings: z.record(z.string(), z.unknown()) });
export type SiteSettingsPayload = z.infer<typeof siteSettingsPayloadSchema>;

const changeHead = { seq: z.int().min(1), id: z.string().min(1).max(200), version: z.int().min(0) };
const upsertOf = <E extends ChangeEntity, P extends z.ZodType>(entity: E, payload: P) =>
  z.object({ ...changeHead, entity: z.literal(entity), op: z.literal('upsert'), payload });

/** One change: an upsert with the record's whole current state, or a delete (a tombstone: payload null). */
export const changeSchema = z.discriminatedUnion('op', [
  z.object({ ...changeHead, entity: changeEntitySchema, op: z.literal('delete'), payload: z.null() }),
  z.discriminatedUnion('entity', [
    upsertOf('person', personPayloadSchema),
    upsertOf('group', groupPayloadSchema),
    upsertOf('schedule', schedulePayloadSchema),
    upsertOf('door-policy', doorPolicyPayloadSchema),
    upsertOf('credential', credentialPayloadSchema),
    upsertOf('site-settings', siteSettingsPayloadSchema),
  ]),
]);
export type Change = z.infer<typeof changeSchema>;
export type ChangeInput = z.input<typeof changeSchema>;

/** `hub/head` (retained, signed): the newest change's seq; a terminal behind it pulls. */
export const headSchema = z.object({ headSeq: seqSchema, atMs: msSinceEpoch });
export type Head = z.infer<typeof headSchema>;

/** `terminal/<id>/out/pull`: the changes after `afterSeq`, at most `maxChanges` of them. */
export const pullRequestSchema = z.object({
  requestId,
  afterSeq: seqSchema,
  maxChanges: z.int().min(1).max(MAX_CHANGES_PER_PAGE).default(DEFAULT_CHANGES_PER_PAGE),
});
export type PullRequest = z.infer<typeof pullRequestSchema>;

/**
 * `terminal/<id>/in/changes` (signed): one page, in increasing seq. `lastSeq` is the seq of the page's last
 * change; an empty page's is the head (superseded rows and dropped tombstones leave gaps the cursor jumps over).
 * The terminal's cursor moves to it once the page is applied. `headSeq` > `lastSeq` means more pages follow.
 */
export const changePageSchema = z
  .object({ requestId, changes: z.array(changeSchema).max(MAX_CHANGES_PER_PAGE), lastSeq: seqSchema, headSeq: seqSchema })
  .superRefine((page, context) => {
    for (let i = 1; i < page.changes.length; i++) {
      if (page.changes[i]!.seq <= page.changes[i - 1]!.seq) context.addIssue({ code: 'custom', message: 'changes must be in strictly increasing seq', path: ['changes', i, 'seq'] });
    }
    const last = page.changes.at(-1);
    if (last && last.seq !== page.lastSeq) context.addIssue({ code: 'custom', message: `lastSeq must be the last change's seq (${last.seq})`, path: ['lastSeq'] });
    if (page.lastSeq > page.headSeq) context.addIssue({ code: 'custom', message: 'lastSeq must not be past headSeq', path: ['lastSeq'] });
  });
export type ChangePage = z.infer<typeof changePageSchema>;

/** `terminal/<id>/out/applied`: the terminal applied every change up to `appliedSeq` (its cursor). */
export const appliedSchema = z.object({ appliedSeq: seqSchema });
export type Applied = z.infer<typeof appliedSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Events (terminal → hub)

/** One logged decision as it leaves the terminal's outbox. */
export const wireEventSchema = z.object({
  /** Names the event for the hub's idempotent insert (a retry inserts nothing twice). */
  uuid: z.uuid(),
  /** The terminal's outbox sequence: increasing, never reused. */
  seq: z.int().min(1),
  atMs: msSinceEpoch,
  decision: decisionSchema,
  reason: code(64),
  personId: entityUuid.nullable(),
  modelId: modelId.nullable().default(null),
  /** Cosine similarity of the best match, -1..1. */
  similarity: z.number().min(-1).max(1).nullable(),
  livenessScore: z.number().min(0).max(1).nullable().default(null),
  livenessCue: code(32).nullable(),
  /** The card shown at the door, on a card's decisions (`unknown-card`, a card + face check); absent from older terminals. */
  card: personCredentialSchema.nullable().default(null),
  quality: faceQualitySchema.nullable().default(null),
  snapshotJpegBase64: jpegBase64.nullable(),
});
export type WireEvent = z.infer<typeof wireEventSchema>;

/** `terminal/<id>/out/events`: a batch from the outbox, in increasing seq. */
export const eventsMessageSchema = z
  .object({ events: z.array(wireEventSchema).min(1).max(MAX_EVENTS_PER_MESSAGE) })
  .refine((message) => message.events.every((event, i) => i === 0 || event.seq > message.events[i - 1]!.seq), {
    message: 'events must be in strictly increasing seq',
    path: ['events'],
  });
export type EventsMessage = z.infer<typeof eventsMessageSchema>;

/** `terminal/<id>/in/events-ack` (signed): every event with seq ≤ `upToSeq` is stored on the hub. */
export const eventsAckSchema = z.object({ upToSeq: seqSchema });
export type EventsAck = z.infer<typeof eventsAckSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Enrollment at a door (terminal → hub → change log)

/** `terminal/<id>/out/enroll`: a person enrolled at a door, for the hub to create (it is the one writer). */
export const enrollRequestSchema = z.object({
  requestId,
  person: wirePersonFieldsSchema.partial({ externalId: true, enabled: true, validFromMs: true, validUntilMs: true, groups: true, credentials: true }),
  samples: z.array(wireSampleSchema).min(1).max(64),
});
export type EnrollRequest = z.infer<typeof enrollRequestSchema>;

/** `terminal/<id>/in/enroll-result` (signed): the person's id, or why the hub refused. */
export const enrollResultSchema = z.discriminatedUnion('ok', [
  z.object({ requestId, ok: z.literal(true), personId: entityUuid }),
  z.object({ requestId, ok: z.literal(false), error: z.string().min(1).max(500) }),
]);
export type EnrollResult = z.infer<typeof enrollResultSchema>;

// ---------------------------------------------------------------------------------------------------------------
// State and commands

/** `terminal/<id>/out/state` (retained; the last will is `{ online: false }`). */
export const terminalStateSchema = z.discriminatedUnion('online', [
  z.object({
    online: z.literal(true),
    /** The extractor the door recognises with. */
    modelId: modelId.nullable(),
    appVersion: z.string().min(1).max(64),
    appliedSeq: seqSchema,
    /** The door contact, when the door has an input; absent otherwise. */
    door: z.object({ open: z.boolean().optional() }),
    atMs: msSinceEpoch,
  }),
  z.object({ online: z.literal(false), atMs: msSinceEpoch.optional() }),
]);
export type TerminalState = z.infer<typeof terminalStateSchema>;

/** `terminal/<id>/in/command` (signed): an administrator's command for the door (Home Assistant's OPEN). */
export const commandSchema = z.object({ requestId, command: z.literal('open') });
export type Command = z.infer<typeof commandSchema>;
