// The hub's admin API: channel → zod request → response, the same shape as the terminal's contract, served by
// the hub over `POST /api/call/<channel>` and handled through the contract's one wrapper (createHandler).
import { z } from 'zod';

import type { ChannelSpec } from '../contract/channels.js';
import { decisionSchema, freeText, groupName, MAX_PHOTO_BYTES, MAX_PHOTOS, msSinceEpoch, personCredentialSchema, youngChildNoticeSchema } from '../contract/schemas.js';
import { wireCredentialSchema, wireSampleSchema } from '../fleet/messages.js';

const empty = z.strictObject({});
const uuid = z.uuid();
const username = z.string().trim().min(1).max(64);
/** A hub admin's password: 10 to 256 characters. */
const password = z.string().min(10).max(256);
const terminalId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a terminal id');

const documentEntity = z.enum(['group', 'schedule', 'door-policy', 'site-settings']);

const sessionSchema = z.object({ username: z.string(), expiresAtMs: msSinceEpoch });

const personFields = {
  name: freeText.trim().min(1).max(200),
  externalId: freeText.trim().min(1).max(200).nullable().optional(),
  enabled: z.boolean().optional(),
  validFromMs: msSinceEpoch.nullable().optional(),
  validUntilMs: msSinceEpoch.nullable().optional(),
  groups: z.array(groupName).max(64).optional(),
  credentials: z.array(wireCredentialSchema).max(16).optional(),
};

const personSchema = z.object({
  id: uuid,
  name: z.string(),
  externalId: z.string().nullable(),
  enabled: z.boolean(),
  validFromMs: msSinceEpoch.nullable(),
  validUntilMs: msSinceEpoch.nullable(),
  groups: z.array(z.string()),
  credentials: z.array(wireCredentialSchema),
  version: z.int().min(1),
  createdAtMs: msSinceEpoch,
  updatedAtMs: msSinceEpoch,
});
const personSummarySchema = personSchema.extend({ sampleCount: z.int().min(0), youngChild: z.boolean().optional() });

const erasureSchema = z.object({
  personId: uuid,
  seq: z.int().min(1),
  erasedAtMs: msSinceEpoch,
  erasedOn: z.int().min(0),
  of: z.int().min(0),
  pendingTerminalIds: z.array(z.string()),
});

/** A door as the hub's admin sees it: its terminal's link state and the model it recognises with. */
export const doorSchema = z.object({
  id: z.string(),
  name: z.string(),
  revoked: z.boolean(),
  online: z.boolean(),
  modelId: z.string().nullable(),
  appVersion: z.string().nullable(),
  /** The terminal's cursor in the change log, and how many seqs it is behind the head. */
  appliedSeq: z.int().min(0),
  behindBy: z.int().min(0),
  doorOpen: z.boolean().nullable(),
  lastSeenMs: msSinceEpoch.nullable(),
});

const eventCursor = z.object({ atMs: msSinceEpoch, id: z.int().min(1) });
const eventSchema = z.object({
  id: z.int().min(1),
  terminalId: z.string(),
  terminalSeq: z.int().min(0),
  uuid,
  atMs: msSinceEpoch,
  decision: decisionSchema,
  reason: z.string(),
  personId: uuid.nullable(),
  personName: z.string().nullable(),
  similarity: z.number().nullable(),
  livenessScore: z.number().nullable(),
  livenessCue: z.string().nullable(),
  /** The card shown, on a card's decisions; cleared when its holder is erased. */
  card: personCredentialSchema.nullable(),
  modelId: z.string().nullable(),
  hasSnapshot: z.boolean(),
  receivedAtMs: msSinceEpoch,
});

/** Every channel of the hub's admin API. */
export const hubAdminContract = {
  /** Creates the first admin and signs in; only while the hub has none, and only from the hub machine itself. */
  'admin:setup': { auth: 'kiosk', request: z.strictObject({ username, password }), response: sessionSchema },
  'admin:login': { auth: 'none', request: z.strictObject({ username, password: z.string().min(1).max(256) }), response: sessionSchema },
  'admin:logout': { auth: 'admin', request: empty, response: z.object({}) },
  'admin:whoami': { auth: 'admin', request: empty, response: sessionSchema },

  /** Every door with its state, the model it runs and how far behind the change log it is. */
  'doors:list': { auth: 'admin', request: empty, response: z.object({ headSeq: z.int().min(0), doors: z.array(doorSchema) }) },
  /** Revokes a door (a lost or replaced terminal), as `lintel hub revoke-terminal` does: its certificates in the CRL, denied by the broker, disabled here. */
  'doors:revoke': { auth: 'admin', request: z.strictObject({ id: terminalId }), response: z.object({ revokedSerials: z.array(z.string()) }) },

  'persons:list': {
    auth: 'admin',
    request: z.strictObject({
      search: z.string().max(200).optional(),
      group: groupName.optional(),
      enabled: z.boolean().optional(),
      limit: z.int().min(1).max(500).optional(),
      offset: z.int().min(0).optional(),
    }),
    response: z.object({ persons: z.array(personSummarySchema), total: z.int().min(0) }),
  },
  'persons:get': { auth: 'admin', request: z.strictObject({ id: uuid }), response: personSummarySchema },
  /** A person with the aligned crops and templates of an enrollment (e.g. one made at a door). */
  'persons:create': {
    auth: 'admin',
    request: z.strictObject({ ...personFields, samples: z.array(wireSampleSchema).max(16).default([]) }),
    response: personSchema,
  },
  /**
   * A person from photos: the hub's inference worker judges each one (one clear face, big and sharp enough) and
   * cuts the aligned crop and template as a door would; refused when no photo is usable, each photo's verdict said,
   * and whether the face looks like a young child's.
   */
  'persons:create-from-photos': {
    auth: 'admin',
    request: z.strictObject({
      ...personFields,
      photos: z.array(z.strictObject({ name: z.string().min(1).max(255), base64: z.base64().max(Math.ceil(MAX_PHOTO_BYTES / 3) * 4) })).min(1).max(MAX_PHOTOS),
    }),
    response: z.object({
      person: personSchema,
      photos: z.array(z.object({ name: z.string(), status: z.enum(['accepted', 'no-face', 'several-faces', 'unreadable', 'too-small', 'poor-quality']), detail: z.string() })),
      /** Set when the usable photos look like a young child's (enrollment's young-child check). */
      youngChild: youngChildNoticeSchema.optional(),
    }),
  },
  'persons:update': {
    auth: 'admin',
    request: z.strictObject({ id: uuid, patch: z.strictObject({ ...personFields, name: personFields.name.optional() }) }),
    response: personSchema,
  },
  /** Erases the person on the hub and, through the change log, on every door; answers the erasure's progress. */
  'persons:delete': { auth: 'admin', request: z.strictObject({ id: uuid }), response: erasureSchema },

  'erasures:list': { auth: 'admin', request: z.strictObject({ limit: z.int().min(1).max(1000).optional() }), response: z.array(erasureSchema) },
  'erasures:get': { auth: 'admin', request: z.strictObject({ personId: uuid }), response: erasureSchema },

  /**
   * The site's synced documents: groups, schedules (per group), door policies (per door) and the site settings
   * (id 'site'). The body is the fleet's payload of that kind; the hub checks it before storing.
   */
  'documents:list': { auth: 'admin', request: z.strictObject({ entity: documentEntity }), response: z.array(z.object({ id: z.string(), version: z.int().min(1), body: z.record(z.string(), z.unknown()) })) },
  /**
   * `expectedVersion`: the version the admin's form read (null: none, the document must not exist yet); the hub
   * answers 'conflict' rather than write over a change made since. Without it the write is unconditional.
   */
  'documents:put': {
    auth: 'admin',
    request: z.strictObject({ entity: documentEntity, id: z.string().min(1).max(100), body: z.record(z.string(), z.unknown()), expectedVersion: z.int().min(1).nullable().optional() }),
    response: z.object({ version: z.int().min(1), seq: z.int().min(1) }),
  },
  'documents:delete': {
    auth: 'admin',
    request: z.strictObject({ entity: documentEntity, id: z.string().min(1).max(100), expectedVersion: z.int().min(1).optional() }),
    response: z.object({ seq: z.int().min(1) }),
  },

  /**
   * Renames a group in one transaction: its schedule, the door policies that let it in and its members (each a new
   * person version) move to the new name, the old group and schedule are deleted. 'conflict' when the new name is
   * taken or the group is not at `expectedVersion`.
   */
  'groups:rename': {
    auth: 'admin',
    request: z.strictObject({ from: groupName, to: groupName, expectedVersion: z.int().min(1).optional() }),
    response: z.object({ version: z.int().min(1), seq: z.int().min(1), scheduleMoved: z.boolean(), doorPolicies: z.array(z.string()), members: z.int().min(0) }),
  },

  /** Events from every door, newest first. */
  'events:list': {
    auth: 'admin',
    request: z.strictObject({
      terminalId: terminalId.optional(),
      decision: decisionSchema.optional(),
      personId: uuid.optional(),
      /** The events of one card (any facility code). */
      cardNumber: personCredentialSchema.shape.cardNumber.optional(),
      fromMs: msSinceEpoch.optional(),
      untilMs: msSinceEpoch.optional(),
      limit: z.int().min(1).max(1000).optional(),
      before: eventCursor.optional(),
    }),
    response: z.object({ events: z.array(eventSchema), next: eventCursor.nullable() }),
  },
  'events:snapshot': { auth: 'admin', request: z.strictObject({ id: z.int().min(1) }), response: z.object({ jpegBase64: z.string().nullable() }) },
} as const satisfies Readonly<Record<string, ChannelSpec>>;

export type HubAdminContract = typeof hubAdminContract;
export type HubAdminChannel = keyof HubAdminContract;

/** The hub's admin session cookie (HttpOnly, SameSite=Strict; Secure over HTTPS). */
export const HUB_ADMIN_COOKIE = 'lintel_hub_admin';
/** Largest request body, bytes: a person with 16 samples of base64 crops fits. */
export const MAX_HUB_CALL_BODY_BYTES = 16 * 1024 * 1024;

/** Channels that answer without a session; every other call's body is not even read without one. */
export const HUB_OPEN_CHANNELS: readonly string[] = ['admin:login', 'admin:setup'];

/** Largest body of a channel (an open channel's is small: anyone may send it): the photos channel takes its most photos at their largest, as base64. */
export function maxHubCallBodyBytes(channel: string): number {
  if (HUB_OPEN_CHANNELS.includes(channel)) return 8 * 1024;
  return channel === 'persons:create-from-photos' ? MAX_PHOTOS * Math.ceil(MAX_PHOTO_BYTES / 3) * 4 + 64 * 1024 : MAX_HUB_CALL_BODY_BYTES;
}
