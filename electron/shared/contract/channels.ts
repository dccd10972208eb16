// The one contract between the renderer (Electron or browser) and the terminal: every request/response
// channel, its request schema, its response schema and who may call it. Channel names live here and nowhere
// else; the preload, the browser host and the renderer derive their types from `contract`.
// Frame-rate data is not here: see streams.ts.
import { z } from 'zod';

import { addPhotosResultSchema, addSamplesResultSchema, MAX_IMPORT_ZIP_BYTES, personSamplesSchema, photoVerdictSchema } from './faces.js';
import type { Result } from './result.js';
import {
  accessEventSchema,
  decisionEventSchema,
  enrollResultSchema,
  enrollSamplesResultSchema,
  eventCursorSchema,
  eventQuerySchema,
  freeText,
  groupName,
  importPersonResultSchema,
  importSummarySchema,
  MAX_PHOTOS,
  modelListingSchema,
  modelUploadSchema,
  msSinceEpoch,
  personInputSchema,
  personListQuerySchema,
  personPatchSchema,
  personSchema,
  personSummarySchema,
  photoUploadSchema,
  rowId,
  settingKeySchema,
  settingsSchema,
  systemInfoSchema,
  terminalHealthSchema,
  uuid,
} from './schemas.js';

/**
 * Who may call a channel. `none`: any trusted sender (the kiosk before login, the login itself). `token`: a
 * session of any level (the kiosk renderer's device session, or a logged-in browser). `kiosk`: a session at
 * the terminal itself (the kiosk window, a browser on its loopback interface) or an admin session: what the
 * door screen shows of the people it recognises, which a paired device elsewhere must not read. `admin`: an
 * admin session from `admin:login`.
 */
export type AuthLevel = 'none' | 'token' | 'kiosk' | 'admin';

/** One channel's entry. */
export interface ChannelSpec<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  readonly request: Req;
  readonly response: Res;
  readonly auth: AuthLevel;
}

const empty = z.strictObject({});

/** Longest a session lasts; `admin:login` may grant less. */
export const MAX_SESSION_MS = 12 * 60 * 60_000;

/** Import jobs: where the bytes are on the terminal (a USB stick, a mounted share), never uploaded. */
const importSource = z.discriminatedUnion('kind', [
  /** One sub-folder per person, named after them. */
  z.strictObject({ kind: z.literal('folder'), path: freeText.min(1).max(4096) }),
  /** A CSV of name, external id and photo paths relative to it. */
  z.strictObject({ kind: z.literal('csv'), path: freeText.min(1).max(4096) }),
]);

/** What each door output did with a remote open or an output test, and the access log's event for it. */
const doorActionReportSchema = z.object({
  eventId: rowId,
  outcomes: z.array(z.object({ name: z.string(), kind: z.string(), status: z.enum(['done', 'queued', 'skipped', 'failed']), detail: z.string() })),
});

/** The cameras and GPIO chips the terminal finds, for the settings screen's lists (hardware-inventory.ts). */
const hardwareInventorySchema = z.object({
  cameras: z.array(
    z.object({
      devicePath: z.string(),
      /** What the driver calls the camera (VIDIOC_QUERYCAP's card), e.g. `HD Pro Webcam C920`, `rkisp_mainpath`. */
      name: z.string(),
      driver: z.string().nullable(),
      /** False for nodes that do not capture video (a webcam's metadata node). */
      captures: z.boolean(),
      /** Formats the terminal reads, with frame sizes in pixels (empty where the driver gives a range). */
      formats: z.array(z.object({ format: z.enum(['NV12', 'YUYV', 'MJPG']), sizes: z.array(z.object({ widthPx: z.int().min(1), heightPx: z.int().min(1) })) })),
      problem: z.string().optional(),
    }),
  ),
  gpioChips: z.array(z.union([z.object({ path: z.string(), name: z.string(), label: z.string(), lines: z.int().min(0) }), z.object({ path: z.string(), problem: z.string() })])),
});

const loginResponseSchema = z.object({
  /**
   * Opaque bearer token, for the transport only: the browser host puts it in an HttpOnly cookie and the Electron
   * main process keeps it per webContents; neither passes it on, so a page never holds it.
   */
  token: z.string().min(32).max(512).optional(),
  expiresAtMs: msSinceEpoch,
  username: z.string(),
});

const imageResponse = z.object({ mimeType: z.literal('image/jpeg'), dataBase64: z.base64() });

const importJobSchema = z.object({
  importId: uuid,
  state: z.enum(['running', 'done', 'aborted', 'failed']),
  startedAtMs: msSinceEpoch,
  /** Files with a result, and files found. */
  done: z.int().min(0),
  total: z.int().min(0),
  /** The file in progress while running. */
  current: z.string().optional(),
  /** Each person decided so far, in order. */
  persons: z.array(importPersonResultSchema),
  /** Once the job has ended (done or aborted). */
  summary: importSummarySchema.optional(),
  /** Why a failed job failed. */
  failure: z.string().optional(),
});

export const contract = {
  // ---- Status ----
  'health:get': { request: empty, response: terminalHealthSchema, auth: 'none' },
  /**
   * The newest decisions, newest first, for the door screen after a reload (the live ones come on the stream).
   * Who was let in is kiosk data: a paired device elsewhere without an admin session gets them without `person`.
   */
  'decisions:recent': {
    request: z.strictObject({ limit: z.int().min(1).max(50).optional() }),
    response: z.array(decisionEventSchema),
    auth: 'token',
  },

  // ---- Admin sessions ----
  /**
   * Whether an admin exists (with none, the kiosk offers `admin:setup`), and the caller's own session. While no
   * admin exists the kiosk itself also gets the setup code to show (null everywhere else).
   */
  'admin:status': {
    request: empty,
    response: z.object({
      hasAdmin: z.boolean(),
      session: z.object({ level: z.enum(['token', 'admin']), subject: z.string(), expiresAtMs: msSinceEpoch }).nullable(),
      setupCode: z.string().regex(/^\d{8}$/).nullable().optional(),
    }),
    auth: 'none',
  },
  /**
   * Creates the first admin and logs them in: only while no admin exists ('conflict' after), so a terminal
   * out of the box is claimed at its own screen (or with `lintel admin add`). Another device needs the setup
   * code the kiosk shows ('forbidden' without it; wrong codes are throttled). A PIN is 4–12 digits.
   */
  'admin:setup': {
    request: z.strictObject({
      username: freeText.trim().min(1).max(64),
      kind: z.enum(['pin', 'password']),
      secret: z.string().min(4).max(256),
      setupCode: z.string().regex(/^\d{8}$/, 'the setup code is 8 digits').optional(),
    }),
    response: loginResponseSchema,
    auth: 'token',
  },
  /**
   * A PIN (4–12 digits, touchscreen) or a password (8–256 characters, browser), as the admin was created
   * with. A wrong secret answers 'unauthorized' with the tries left from this source (the same for an unknown
   * username); the failure that uses the last one and every try while the source must wait answer 'locked'
   * with `retryAtMs`, each further failure doubling the wait. 'rate-limited' (with `retryAtMs`): too many
   * attempts from this source, or the terminal is checking others; nothing was counted.
   */
  'admin:login': {
    request: z.strictObject({ username: freeText.trim().min(1).max(64), secret: z.string().min(4).max(256) }),
    response: loginResponseSchema,
    auth: 'none',
  },
  'admin:logout': { request: empty, response: z.null(), auth: 'token' },

  // ---- Persons ----
  'persons:list': {
    request: personListQuerySchema,
    response: z.object({ persons: z.array(personSummarySchema), total: z.int().min(0) }),
    auth: 'admin',
  },
  'persons:get': { request: z.strictObject({ id: uuid }), response: personSchema, auth: 'admin' },
  /** A person without samples (enroll them with `enroll:photos`); 'conflict' for a taken external id. */
  'persons:create': { request: personInputSchema, response: personSchema, auth: 'admin' },
  'persons:update': { request: z.strictObject({ id: uuid, patch: personPatchSchema }), response: personSchema, auth: 'admin' },
  /** Erases the person, samples and snapshots; their events stay, anonymised. `deleted` false: no such person. */
  'persons:delete': { request: z.strictObject({ id: uuid }), response: z.object({ deleted: z.boolean() }), auth: 'admin' },
  /**
   * The person's enrolled photo (their best sample's aligned face, JPEG base64) for the decision screen and
   * the people list; 'not-found' without one. The kiosk may fetch it (the door shows who was let in); a paired
   * device elsewhere needs an admin session.
   */
  'persons:photo': { request: z.strictObject({ id: uuid }), response: imageResponse.extend({ personId: uuid }), auth: 'kiosk' },
  'groups:list': {
    request: empty,
    response: z.array(z.object({ name: z.string(), memberCount: z.int().min(0) })),
    auth: 'admin',
  },
  /** The person's samples, oldest first: each one's aligned face crop, quality, date and estimated age ('not-found': no such person). */
  'persons:samples': { request: z.strictObject({ id: uuid }), response: personSamplesSchema, auth: 'admin' },
  /** Removes one sample and its templates; the door's gallery follows at once. `removed` false: no such sample. */
  'persons:remove-sample': { request: z.strictObject({ sampleId: uuid }), response: z.object({ removed: z.boolean(), remaining: z.int().min(0) }), auth: 'admin' },
  /**
   * Adds the usable photos to an enrolled person, one sample each; `replace` re-enrolls them: the new samples take
   * the place of all theirs (only when at least one photo is usable). Photos that identify as someone else are
   * refused ('duplicate-of') unless `allowDuplicate`.
   */
  'persons:add-photos': {
    request: z.strictObject({ id: uuid, photos: z.array(photoUploadSchema).min(1).max(MAX_PHOTOS), replace: z.boolean().optional(), allowDuplicate: z.boolean().optional() }),
    response: addPhotosResultSchema,
    auth: 'admin',
  },

  // ---- Access log ----
  'events:query': {
    request: eventQuerySchema,
    response: z.object({ events: z.array(accessEventSchema), nextCursor: eventCursorSchema.nullable() }),
    auth: 'admin',
  },
  /**
   * An event's snapshot: the JPEG as base64 (show it as a `data:image/jpeg;base64,` URL). Base64 because both
   * transports carry it unchanged (Electron's structured clone and the browser host's JSON) and a snapshot is
   * a small face crop (tens of KB). 'not-found' when the event has none (any more).
   */
  'events:snapshot': {
    request: z.strictObject({ eventId: rowId }),
    response: imageResponse.extend({ eventId: rowId }),
    auth: 'admin',
  },

  // ---- Settings ----
  /** Every setting, and the keys whose stored value no longer passes its schema (they read as the default). */
  'settings:get': {
    request: empty,
    response: z.object({ settings: settingsSchema, invalidStoredKeys: z.array(settingKeySchema) }),
    auth: 'admin',
  },
  /** Changes some settings, all or none; returns every setting. */
  'settings:update': { request: z.strictObject({ values: settingsSchema.partial() }), response: settingsSchema, auth: 'admin' },
  /**
   * Opens the door now, as a grant would: every door output acts (the relay pulses; a webhook is told), and the
   * access log records it as reason `remote-open`. Panel outputs send nothing: there is no card to send.
   */
  'door:open': { request: empty, response: doorActionReportSchema, auth: 'admin' },
  /**
   * Drives one output as a test (the relay pulses, Wiegand sends facility 0 card 0, a webhook is told), logged as
   * reason `output-test`; 'not-found' for no output of that name.
   */
  'door:test-output': { request: z.strictObject({ name: freeText.min(1).max(64) }), response: doorActionReportSchema, auth: 'admin' },
  /** What the system screen shows: version, models, storage, door outputs, a template rebuild in progress. */
  'system:get': { request: empty, response: systemInfoSchema, auth: 'admin' },
  /**
   * The V4L2 cameras present (asked for their names and formats without streaming) and the GPIO chips with their
   * line counts: the settings screen's choices for the camera, relays and door inputs. A node that cannot be asked
   * is listed with its problem.
   */
  'hardware:list': { request: empty, response: hardwareInventorySchema, auth: 'admin' },

  // ---- Models ----
  /** Every model of the manifest: built in, added by an administrator, or one that can be added; licences. */
  'models:list': { request: empty, response: z.array(modelListingSchema), auth: 'admin' },
  /**
   * Adds a model file no registry ships (EdgeFace, MiniFASNet): checked against the manifest's sha256,
   * converted, verified, kept in the data folder. 'invalid-request' for an unknown, tampered or wrong-kind file
   * (the message says which), 'unavailable' when this build cannot convert its format. An extractor that
   * becomes the one in use restarts the terminal's models and rebuilds the templates (see `system:get`).
   */
  'models:add': { request: modelUploadSchema, response: modelListingSchema, auth: 'admin' },

  // ---- Enrollment ----
  /** Enrolls a new person from uploaded photos (one sample each at most), all or nothing. */
  'enroll:photos': {
    request: z.strictObject({
      person: personInputSchema,
      photos: z.array(photoUploadSchema).min(1).max(MAX_PHOTOS),
      /** Enroll even when the face identifies as someone enrolled (twins); default false. */
      allowDuplicate: z.boolean().optional(),
    }),
    response: enrollResultSchema,
    auth: 'admin',
  },
  /**
   * Starts collecting samples of the person in front of the camera; feedback arrives on the stream
   * (`enrollment-feedback`, with this session id) until samplesTaken reaches samplesWanted. One at a time:
   * 'conflict' while another admin's session runs, its message naming them and since when; with `takeOver` theirs
   * ends (they get `enrollment-ended`) and this one starts. A session that sees nobody for 45 s stops the same way.
   * 'unavailable' while the camera is offline.
   */
  'enroll:live-start': {
    request: z.strictObject({ samplesWanted: z.int().min(1).max(20).optional(), takeOver: z.boolean().optional() }),
    response: z.object({ sessionId: uuid, samplesWanted: z.int().min(1) }),
    auth: 'admin',
  },
  /** Ends a session without writing anything. */
  'enroll:live-cancel': { request: z.strictObject({ sessionId: uuid }), response: z.null(), auth: 'admin' },
  /**
   * Writes the person with the session's samples (the duplicate check runs again at write time) and ends the
   * session. 'conflict' while the session has not collected its samples yet; 'not-found' for no such session.
   */
  'enroll:live-commit': {
    request: z.strictObject({ sessionId: uuid, person: personInputSchema, allowDuplicate: z.boolean().optional() }),
    response: enrollSamplesResultSchema,
    auth: 'admin',
  },
  /**
   * Adds the session's samples to an enrolled person (`replace`: in place of all theirs) and ends the session;
   * refused as `enroll:live-commit` is when they identify as someone else.
   */
  'enroll:live-add': {
    request: z.strictObject({ sessionId: uuid, personId: uuid, replace: z.boolean().optional(), allowDuplicate: z.boolean().optional() }),
    response: addSamplesResultSchema,
    auth: 'admin',
  },
  /** Judges one photo as enrollment would (a face, only one, large and sharp enough) without storing anything. */
  'enroll:check-photo': { request: z.strictObject({ photo: photoUploadSchema }), response: photoVerdictSchema, auth: 'admin' },
  /**
   * Starts a bulk import from the terminal's file system, inside the import folders only (the data folder's
   * `imports/` and the setting `import.roots`): 'invalid-request' elsewhere; 'conflict' while another runs.
   */
  'import:start': {
    request: z.strictObject({
      source: importSource,
      groups: z.array(groupName).max(100).optional(),
      allowDuplicate: z.boolean().optional(),
    }),
    response: z.object({ importId: uuid }),
    auth: 'admin',
  },
  /**
   * Starts a folder import from a zip uploaded from the browser (one folder per person, as `import:start`'s
   * folder; a single top folder around them is fine). 'invalid-request' names what is wrong with the archive: a
   * damaged file, an entry leaving the folder, too many or too large entries; 'conflict' while another import runs.
   */
  'import:upload': {
    request: z.strictObject({
      name: freeText.min(1).max(255),
      zipBase64: z.base64().max(Math.ceil(MAX_IMPORT_ZIP_BYTES / 3) * 4),
      groups: z.array(groupName).max(100).optional(),
      allowDuplicate: z.boolean().optional(),
    }),
    response: z.object({ importId: uuid, files: z.int().min(0) }),
    auth: 'admin',
  },
  'import:status': { request: z.strictObject({ importId: uuid }), response: importJobSchema, auth: 'admin' },
  /** Ends an import at once (`aborted`); its work stops at the next step, the person in progress not written. */
  'import:cancel': { request: z.strictObject({ importId: uuid }), response: importJobSchema, auth: 'admin' },
} as const satisfies Record<`${string}:${string}`, ChannelSpec>;

export type Contract = typeof contract;
export type Channel = keyof Contract;

/** What a client sends on channel C (before defaults). */
export type RequestOf<C extends Channel> = z.input<Contract[C]['request']>;
/** What the handler's implementation receives on channel C (parsed). */
export type ParsedRequestOf<C extends Channel> = z.output<Contract[C]['request']>;
/** What a client receives on channel C. */
export type ResponseOf<C extends Channel> = z.output<Contract[C]['response']>;

/** Every channel as an async function: the shape of `window.lintel` (preload) and of the browser client. */
export type ContractClient = { readonly [C in Channel]: (request: RequestOf<C>) => Promise<Result<ResponseOf<C>>> };

/** Every channel name, for building clients and registering handlers. */
export const CHANNELS = Object.keys(contract) as Channel[];

/** True when `name` is a channel of the contract (names arriving over the wire). */
export function isChannel(name: string): name is Channel {
  return Object.hasOwn(contract, name);
}

/** The raw transport a client is built on: the preload's `ipcRenderer.invoke`, or the browser's fetch. */
export type Invoke = (channel: Channel, request: unknown) => Promise<unknown>;

/**
 * A ContractClient over a transport. The transport answers with the handler's Result; a transport failure
 * (the main process gone, the network down) becomes an 'unavailable' Result rather than a rejection.
 */
export function createClient(invoke: Invoke): ContractClient {
  const client: Record<string, (request: unknown) => Promise<Result<unknown>>> = {};
  for (const channel of CHANNELS) {
    client[channel] = async (request) => {
      try {
        return (await invoke(channel, request)) as Result<unknown>;
      } catch (error) {
        return { ok: false, error: { code: 'unavailable', message: `${channel}: ${error instanceof Error ? error.message : String(error)}` } };
      }
    };
  }
  return client as ContractClient;
}
