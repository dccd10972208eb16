// Shapes of the contract, as zod schemas: the one declaration of each. This folder may depend on zod alone (the
// renderer imports it); the terminal derives its types from these (z.output / z.input), never the reverse. The
// settings and the decision policy live in electron/shared/shapes and are re-exported here.
import { z } from 'zod';

import { credentialModeSchema } from '../shapes/credential-policy.js';
import { decisionReasonSchema, qualityHintSchema } from '../shapes/decision-settings.js';
import { freeText, groupName } from '../shapes/fields.js';
import { livenessCueSchema, livenessModeSchema } from '../shapes/liveness-policy.js';

// ---- Primitives ---------------------------------------------------------------------------------------

/** Milliseconds since the epoch, a whole number. */
export const msSinceEpoch = z.int().min(0);
/** Ids of persons and samples: random UUIDs (the store's `randomUUID()`). */
export const uuid = z.uuid();
/** Ids of events: SQLite row ids. */
export const rowId = z.int().min(1);
export const similarity = z.number().min(-1).max(1);
/**
 * A similarity as administrators see it: 10 · −log10 of the share of comparisons with someone else that score
 * as high, 0..100, from the curve of the model that made it (30: one in 1,000; 50: one in 100,000).
 */
export const matchScore = z.int().min(0).max(100);
export const unitScore = z.number().min(0).max(1);
export { freeText, groupName, hasControlCharacter } from '../shapes/fields.js';
// The shapes of the settings and the decision policy live in electron/shared/shapes; the contract speaks them.
export { decisionReasonSchema, decisionSettingsSchema, qualityHintSchema } from '../shapes/decision-settings.js';
export { livenessCueSchema, livenessModeSchema, livenessPolicySchema } from '../shapes/liveness-policy.js';
export { OSDP_BAUD_RATES } from '../shapes/door-outputs.js';
export { settingKeySchema, settingsSchema } from '../shapes/settings.js';
export { weeklyWindowSchema } from '../shapes/weekly-schedule.js';

export const pointSchema = z.object({ x: z.number(), y: z.number() });
/** A box in fractions (0..1) of the image's width and height. */
export const boxNormSchema = z.object({ x: z.number(), y: z.number(), width: z.number().min(0), height: z.number().min(0) });

/** FaceQuality (electron/vision/quality). */
export const faceQualitySchema = z.object({
  interOcularPx: z.number(),
  yawDeg: z.number(),
  pitchDeg: z.number(),
  rollDeg: z.number(),
  sharpness: z.number(),
  brightness: z.number(),
  contrast: z.number(),
  presence: z.number(),
  detectorScore: z.number(),
});

// ---- Persons ------------------------------------------------------------------------------------------

/** Largest value of a card field (facility code, card number): formats have at most 48-bit fields. */
export const MAX_CARD_FIELD = 2 ** 48 - 1;

/** A whole number ≥ 0 that a card field can hold. */
const cardField = z.int().min(0).max(MAX_CARD_FIELD);

/** PersonCredential: the card number a panel knows the person by, and the facility code where the format has one. */
export const personCredentialSchema = z.object({ facilityCode: cardField.nullable(), cardNumber: cardField });

/**
 * A credential as entered; the terminal checks it against the configured card format (`credentials.format`) and
 * answers 'invalid-request' naming the field (e.g. W26: facility 0–255, card 0–65535).
 */
export const personCredentialInputSchema = z.strictObject({ facilityCode: cardField.nullable().optional(), cardNumber: cardField });

/** An enrolled person; the terminal's store reads and writes this shape (persons-repository's Person). */
export const personSchema = z.object({
  /** Random UUID; also the id of the person's rows in the 1:N gallery. */
  id: uuid,
  name: z.string(),
  /** Badge or HR number from another system; unique when set. */
  externalId: z.string().nullable(),
  /** A disabled person is still recognised (the log names them) but denied. */
  enabled: z.boolean(),
  /** Access starts at this time, ms since epoch (inclusive); null = no start. */
  validFromMs: z.int().nullable(),
  /** Access ends at this time, ms since epoch (exclusive); null = no end. */
  validUntilMs: z.int().nullable(),
  /** Group names, sorted. */
  groups: z.array(z.string()),
  /** Sent to the panel outputs (Wiegand, OSDP) when the person is granted; unique per terminal. */
  credential: personCredentialSchema.nullable(),
  createdAtMs: msSinceEpoch,
  updatedAtMs: msSinceEpoch,
});

/** A person in the list, with their sample count; `youngChild` where their samples look like a young child's. */
export const personSummarySchema = personSchema.extend({ sampleCount: z.int().min(0), youngChild: z.boolean().optional() });

/**
 * What creating a person takes; everything but the name has a default (no external id, enabled, no window, no
 * groups). The store trims, normalises and re-checks it (the validity window's order, unique groups).
 */
export const personInputSchema = z.strictObject({
  name: freeText.trim().min(1).max(200),
  externalId: freeText.trim().max(100).nullable().optional(),
  enabled: z.boolean().optional(),
  validFromMs: z.int().nullable().optional(),
  validUntilMs: z.int().nullable().optional(),
  groups: z.array(groupName).max(100).optional(),
  /** null clears it. */
  credential: personCredentialInputSchema.nullable().optional(),
});

/** PersonPatch: the fields to change (`groups` replaces the set); null clears a nullable field. */
export const personPatchSchema = personInputSchema.partial();

/** Filters of a person list. */
export const personListQuerySchema = z.strictObject({
  /** Part of the name (case and accents ignored) or of the external id. */
  search: freeText.max(200).optional(),
  group: groupName.optional(),
  enabled: z.boolean().optional(),
  /** Page size; default 50, at most 500. */
  limit: z.int().min(1).max(500).optional(),
  /** Rows skipped; default 0. */
  offset: z.int().min(0).optional(),
});

// ---- Events -------------------------------------------------------------------------------------------

export const decisionSchema = z.enum(['granted', 'denied']);

/** AccessEvent: a logged decision; the snapshot itself is fetched with `events:snapshot`. */
export const accessEventSchema = z.object({
  id: rowId,
  atMs: msSinceEpoch,
  decision: decisionSchema,
  reason: z.string(),
  /** Null for an unknown face, and for a person erased since (then `personErasedAtMs` is set). */
  personId: uuid.nullable(),
  /** The person's current name (joined, never copied into the log). */
  personName: z.string().nullable(),
  /** When the recognised person was erased, ms since epoch; null otherwise. */
  personErasedAtMs: msSinceEpoch.nullable(),
  modelId: z.string().nullable(),
  /** Raw cosine as stored; show `matchScore` instead where it is there. */
  similarity: similarity.nullable(),
  /** `similarity` as a 0–100 match score from the curve of `modelId`; absent without a similarity or a curve. */
  matchScore: matchScore.optional(),
  livenessScore: unitScore.nullable(),
  /** Which liveness check failed (a code: see livenessCueSchema; older or newer codes shown as they are). */
  livenessCue: z.string().nullable(),
  /**
   * The card shown, on a card's decisions: `unknown-card` (which card to follow up), and the card + face check of
   * its holder. Cleared with the person's other data when they are erased.
   */
  card: personCredentialSchema.nullable(),
  quality: faceQualitySchema.nullable(),
  hasSnapshot: z.boolean(),
});

export const eventCursorSchema = z.strictObject({ atMs: msSinceEpoch, id: rowId });

/** Filters of an event query; the result is newest first. */
export const eventQuerySchema = z.strictObject({
  /** From this time, ms since epoch, inclusive. */
  fromMs: msSinceEpoch.optional(),
  /** Up to this time, ms since epoch, exclusive. */
  untilMs: msSinceEpoch.optional(),
  personId: uuid.optional(),
  decision: decisionSchema.optional(),
  /** The events of one card (any facility code): where a lost or foreign card was shown. */
  cardNumber: cardField.optional(),
  /** Page size; default 50, at most 500. */
  limit: z.int().min(1).max(500).optional(),
  /** Continue after this event (the previous page's `nextCursor`). */
  after: eventCursorSchema.optional(),
});

// ---- Terminal -----------------------------------------------------------------------------------------

/** What a camera is doing, for the health screen and the door screen's "camera offline". */
export const cameraStateSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('starting') }),
  z.object({ status: z.literal('live'), fps: z.number().min(0) }),
  z.object({ status: z.literal('offline'), reason: z.string(), retryAtMs: msSinceEpoch }),
  z.object({ status: z.literal('stopped') }),
]);

export const timingsSchema = z.object({ detectMs: z.number(), fitMs: z.number(), qualityMs: z.number(), extractMs: z.number() });

/**
 * Where the 1:N threshold in force comes from: `curve`, the extractor's identification curve, the gallery size
 * and the target FPIR; `fixed`, the extractor's fixed `identifySimilarity` (its manifest entry has no curve);
 * `override`, the administrator's `recognition.identifySimilarity`.
 */
export const thresholdSourceSchema = z.enum(['curve', 'fixed', 'override']);

/** IdentificationState: the 1:N threshold for the current gallery and what the curve expects of it. */
export const identificationStateSchema = z.object({
  modelId: z.string(),
  /**
   * Enabled people with a template of the extractor (see TerminalStore.galleryCount): the N the threshold
   * follows. A search compares with one template per person, the mean of their samples (PersonGallery), so a
   * stranger gets one chance per person, as in the curves, which were measured with one template per person.
   */
  gallerySize: z.int().min(0),
  /** Their templates of the extractor, averaged into those rows. */
  galleryTemplates: z.int().min(0),
  /** Target false-positive identification rate per search, 0..1. */
  targetFpir: z.number().min(0).max(1),
  /** The threshold in force, cosine -1..1. */
  thresholdSimilarity: similarity,
  source: thresholdSourceSchema,
  /** Expected FPIR and FNIR (fractions) at the threshold in force; null without a curve. */
  expected: z.object({ fpir: z.number().min(0).max(1), fnir: z.number().min(0).max(1) }).nullable(),
  /**
   * After a card names the person (card + face): the threshold of the one comparison with the card holder's
   * template, cosine — a gallery of one at the same target, never below the 1:1 verification threshold.
   */
  oneToOneSimilarity: similarity.optional(),
  /** Where the curve was measured, a sentence; null without a curve. */
  curveProtocol: z.string().nullable(),
  /**
   * The enrolled faces against the dev gallery (matcher/site-likeness.ts): how many times likelier a stranger
   * matches here than on the curve, and the factor the threshold applies (≥ 1); null where not measured (fewer
   * than 10 people, or no reference for the extractor).
   */
  siteLikeness: z
    .object({
      persons: z.int().min(0),
      comparisons: z.int().min(0),
      /** Per reference level: the dev gallery's FMR at the similarity, the site's comparisons reaching it, the factor and its lower bound. */
      levels: z.array(z.object({ fmr: z.number().gt(0).lt(1), similarity, reaching: z.int().min(0), factor: z.number().min(0), factorLower: z.number().min(0) })),
      applied: z.number().min(1),
      /** What it did to the threshold, a sentence. */
      note: z.string(),
    })
    .nullable(),
  /** Why the threshold does not follow the gallery, where it does not. */
  note: z.string().optional(),
});

/** What the recognition service reports of itself (the terminal service's TerminalHealth). */
export const serviceHealthSchema = z.object({
  camera: cameraStateSchema,
  models: z.object({ detector: z.string(), fitter: z.string(), extractor: z.string() }),
  backend: z.string(),
  /** Where each model runs (NPU or CPU), and why not on the NPU where it does not. */
  engines: z.array(z.object({ modelId: z.string(), engine: z.string(), reason: z.string().optional() })),
  processedFps: z.number().min(0),
  framesProcessed: z.int().min(0),
  framesDropped: z.int().min(0),
  workerRestarts: z.int().min(0),
  lastTimingsMs: timingsSchema.optional(),
  /**
   * The site's liveness mode (the settings' or, unset, the manifest's default), the passive model scoring faces,
   * and why no passive check runs although the policy asks for one (the active challenge stands in).
   */
  liveness: z
    .object({
      mode: livenessModeSchema,
      passiveModelId: z.string().nullable(),
      passiveUnavailable: z.string().optional(),
      /**
       * The passive cue the site trained on its own recordings (`lintel pad install`), where one is installed: when,
       * on what, its threshold, its out-of-fold figures on the training clips and what to expect on other people (fractions 0..1). It runs where
       * the passive check is in force.
       */
      trainedCue: z
        .object({
          trainedAt: z.string(),
          features: z.array(z.string()),
          threshold: z.number(),
          clips: z.number().int().nonnegative(),
          outOfFold: z.object({ bpcer: z.number(), apcerWorst: z.number(), apcerWorstSpecies: z.string(), apcerBySpecies: z.record(z.string(), z.number()) }),
          /** What to expect on people the recordings do not show (folds by person, each decided by a cue trained without it). */
          heldOut: z
            .object({ bpcer: z.number(), apcerWorst: z.number(), apcerWorstSpecies: z.string(), apcerBySpecies: z.record(z.string(), z.number()), folds: z.number().int(), people: z.number().int() })
            .optional(),
        })
        .optional(),
      /** Why an installed trained cue does not run (its file no longer checks: a model it needs removed). */
      trainedCueUnavailable: z.string().optional(),
    })
    .optional(),
  /** Where the 1:N threshold comes from (`curve`, `fixed`: no curve for the extractor, `override`: set by hand), and why it does not follow the gallery. */
  identification: z.object({ source: thresholdSourceSchema, note: z.string().optional() }).optional(),
});

/**
 * The door contact and exit button, where configured: where the door is (`forced-open`: it opened without a grant,
 * exit request or remote open; `held-open`: open past `door.inputs.heldOpenMs`; `unknown` without a contact or
 * while its line cannot be read), since when (null while unknown), and `unavailable` with the reason while an
 * input line cannot be had (retried).
 */
export const doorInputsHealthSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  state: z.enum(['closed', 'open', 'forced-open', 'held-open', 'unknown']),
  sinceMs: msSinceEpoch.nullable(),
  /** Whether an exit button is configured (and read). */
  exitButton: z.boolean(),
  /** One line for the System screen. */
  message: z.string(),
});

/**
 * The Wiegand card reader of `door.inputs.cardReader`: `ok` while its D0/D1 lines are read, `fault` with the reason
 * while they cannot be had (retried) or its card format is unknown, `off` when none is configured.
 */
export const cardReaderHealthSchema = z.object({
  status: z.enum(['ok', 'fault', 'off']),
  /** One line for the System screen. */
  message: z.string().optional(),
});

/** Whether events can be written: `full` since an event was refused for lack of space; the door denies meanwhile. */
export const storageHealthSchema = z.discriminatedUnion('status', [z.object({ status: z.literal('ok') }), z.object({ status: z.literal('full'), sinceMs: msSinceEpoch, message: z.string() })]);

/** The terminal's health: the service's, and what the terminal around it knows (door inputs, storage, faults). */
export const terminalHealthSchema = serviceHealthSchema.extend({
  /**
   * The door contact and exit button, where configured: where the door is (`forced-open`: it opened without a grant,
   * exit request or remote open; `held-open`: open past `door.inputs.heldOpenMs`), and `unavailable` with the reason
   * while an input line cannot be read.
   */
  door: doorInputsHealthSchema.optional(),
  /** The Wiegand card reader, where configured. */
  cardReader: cardReaderHealthSchema.optional(),
  /** Setting `door.showDiagnostics`: the door screen shows track numbers, engines, frame rate and latency. */
  showDiagnostics: z.boolean().optional(),
  /**
   * What the door asks for now, before it knows who comes (its hours in force, else its own mode; a group's may
   * differ): the door screen asks for the card where it is `card+face`.
   */
  credentialMode: credentialModeSchema.optional(),
  /** Why recognition is not running (models missing, a setting naming a model that is not there); absent while it runs. */
  startFailure: z.string().optional(),
  /** Door outputs that cannot open the door (a relay line, Wiegand or OSDP that failed), in words for the System screen. */
  doorController: z.object({ status: z.literal('fault'), message: z.string() }).optional(),
  storage: storageHealthSchema.optional(),
});

/**
 * PersonAccess: what the policy knew of the person; `youngChild` when their samples look like a young child's
 * (`access.policy.credential.youngChildren` says what the door then asks for).
 */
export const personAccessSchema = personSchema
  .pick({ id: true, name: true, enabled: true, validFromMs: true, validUntilMs: true, groups: true })
  .extend({ youngChild: z.boolean().optional() });

/** DecisionEvent: the policy's decision, its event id and the track's age. */
export const decisionEventSchema = z.object({
  eventId: rowId,
  /** The face's track; absent on a card's turn that ended without a face (`unknown-card`, `card-no-face`, `card-face-mismatch`). */
  trackId: z.int().min(0).optional(),
  decidedAtMs: msSinceEpoch,
  decision: decisionSchema,
  reason: decisionReasonSchema,
  person: personAccessSchema.optional(),
  similarity: similarity.optional(),
  liveness: unitScore.optional(),
  /** The check that failed, on a `liveness-failed` decision. */
  livenessCue: livenessCueSchema.optional(),
  /** A failed liveness challenge after which the door asks again on the same face: no full-screen denial. */
  retrying: z.boolean().optional(),
  /** The decided face's quality; absent where no face was decided (a card's turn). */
  quality: faceQualitySchema.optional(),
  /** From the first frame of the track to the decision, ms. */
  trackAgeMs: z.number().min(0),
});

/** The system screen. */
export const systemInfoSchema = z.object({
  version: z.string(),
  terminalName: z.string(),
  startedAtMs: msSinceEpoch,
  dataDir: z.string(),
  storage: z.object({ databaseBytes: z.int().min(0), freeBytes: z.int().min(0).nullable() }),
  counts: z.object({ persons: z.int().min(0), samples: z.int().min(0), events: z.int().min(0) }),
  /** Templates per extractor model: more than one while a rebuild is under way. */
  templates: z.array(z.object({ modelId: z.string(), templateCount: z.int().min(0) })),
  /** A template rebuild after an extractor change, while it runs or after it failed. */
  rebuild: z.object({ modelId: z.string(), doneCount: z.int().min(0), totalCount: z.int().min(0), failedCount: z.int().min(0), state: z.enum(['running', 'done', 'failed']) }).nullable(),
  /** `link` for OSDP outputs: whether the panel polls, and over a secure channel. */
  doorOutputs: z.array(z.object({ name: z.string(), kind: z.enum(['log', 'gpio', 'webhook', 'wiegand', 'osdp']), status: z.enum(['ok', 'unknown', 'degraded', 'unavailable']), message: z.string(), link: z.enum(['online', 'offline', 'secure']).optional() })),
  health: terminalHealthSchema,
  /** The 1:N threshold for the current gallery; null while the terminal is not running. */
  identification: identificationStateSchema.nullable(),
  /** The site hub this door joined (its people come from there); null for a door of its own. */
  hub: z
    .object({
      siteId: z.string(),
      terminalId: z.string(),
      connected: z.boolean(),
      /** The last change of the hub's log applied here, and the newest the hub announced. */
      appliedSeq: z.int().min(0),
      headSeq: z.int().min(0),
      /** Events and enrollments waiting for the hub. */
      pendingEvents: z.int().min(0),
      pendingEnrollments: z.int().min(0),
      lastError: z.string().nullable(),
    })
    .nullable(),
});

// ---- Models -------------------------------------------------------------------------------------------

/** Largest model file `models:add` takes, bytes before base64 (EdgeFace-XS is 3 MB, MiniFASNet 1.7 MB). */
export const MAX_MODEL_FILE_BYTES = 64 * 1024 * 1024;

/** Licences of a model (added-models' ModelLicences); null where the manifest does not say. */
export const modelLicencesSchema = z.object({ code: z.string().nullable(), weights: z.string(), trainingData: z.string().nullable() });

/** ModelListing: a manifest model as the terminal has it. */
export const modelListingSchema = z.object({
  id: z.string(),
  role: z.enum(['detector', 'fitter', 'extractor', 'liveness', 'age']),
  description: z.string(),
  /** `built-in`: shipped with Lintel; `added`: added by an administrator; `not-added`: can be added. */
  state: z.enum(['built-in', 'added', 'not-added']),
  licences: modelLicencesSchema,
  upstream: z.string(),
  /** For models an administrator adds: the file to add and where to get it. */
  file: z.string().nullable(),
  obtainFrom: z.string().nullable(),
  /** When it was added, where it was. */
  addedAtMs: msSinceEpoch.nullable(),
  /** Whether it is the manifest's default of its role (for extractors: the preferred one present). */
  isDefault: z.boolean(),
});

/** A model file uploaded from the System screen: the bytes themselves, never a path on the client. */
export const modelUploadSchema = z.strictObject({
  /** The file's name as the administrator picked it; tells a tampered copy of a known file from an unknown one. */
  name: freeText.min(1).max(255),
  /** base64 (RFC 4648, with padding). */
  dataBase64: z.base64().max(Math.ceil(MAX_MODEL_FILE_BYTES / 3) * 4),
  /** Refuse a file that is another kind of model than this; default any. */
  role: z.enum(['extractor', 'liveness']).optional(),
});

// ---- Enrollment ---------------------------------------------------------------------------------------

export const duplicateWarningSchema = z.object({
  personId: uuid,
  name: z.string(),
  externalId: z.string().nullable(),
  /** The best cosine similarity (-1..1) of a new sample to them. */
  similarity,
  /** The same as a 0–100 match score from the extractor's curve (what administrators are shown); null without a curve. */
  matchScore: matchScore.nullable(),
  /** Which of the checked samples identified as them (indices into the list checked). */
  sampleIndices: z.array(z.int().min(0)),
  /** For the admin: who, how sure, how many samples. */
  message: z.string(),
});

export const photoStatusSchema = z.enum(['enrolled', 'no-face', 'several-faces', 'too-small', 'poor-quality', 'unreadable', 'duplicate']);

/** PhotoResult; `file` is the name the client gave the photo. */
export const photoResultSchema = z.object({
  file: z.string(),
  status: photoStatusSchema,
  /** Why, in words: the decode error, the failed gate with its figure, or the accepted face's figures. */
  detail: z.string(),
  /** The judged face's quality, when a face was judged. */
  quality: faceQualitySchema.optional(),
  /** The enrolled person this photo's face identified as, if any. */
  duplicateOf: duplicateWarningSchema.optional(),
});

/** YoungChildNotice: the enrolled samples look like a young child's (median estimate, years). */
export const youngChildNoticeSchema = z.object({ estimatedAgeYears: z.number().nonnegative() });

/** EnrollFromPhotosResult. */
export const enrollResultSchema = z.discriminatedUnion('outcome', [
  z.object({
    outcome: z.literal('enrolled'),
    person: personSchema,
    sampleIds: z.array(uuid),
    photos: z.array(photoResultSchema),
    duplicates: z.array(duplicateWarningSchema),
    youngChild: youngChildNoticeSchema.optional(),
  }),
  z.object({
    outcome: z.literal('refused'),
    reason: z.enum(['no-usable-photo', 'duplicate-of']),
    photos: z.array(photoResultSchema),
    duplicates: z.array(duplicateWarningSchema),
  }),
]);

/** EnrollSamplesResult: the outcome of committing a live enrollment's samples. */
export const enrollSamplesResultSchema = z.discriminatedUnion('outcome', [
  z.object({
    outcome: z.literal('enrolled'),
    person: personSchema,
    sampleIds: z.array(uuid),
    duplicates: z.array(duplicateWarningSchema),
    youngChild: youngChildNoticeSchema.optional(),
  }),
  z.object({ outcome: z.literal('refused'), reason: z.enum(['duplicate-of', 'no-samples']), duplicates: z.array(duplicateWarningSchema) }),
]);

/** Largest photo accepted by `enroll:photos`, bytes before base64 (a phone JPEG is 2–6 MB). */
export const MAX_PHOTO_BYTES = 12 * 1024 * 1024;
/** Most photos in one `enroll:photos` call. */
export const MAX_PHOTOS = 10;

/** A photo uploaded from the renderer or the browser: the bytes themselves, never a path on the client. */
export const photoUploadSchema = z.strictObject({
  /** For the result list only; not a path the terminal opens. */
  name: freeText.min(1).max(255),
  /** JPEG, PNG or WebP, base64 (RFC 4648, with padding). */
  dataBase64: z.base64().max(Math.ceil(MAX_PHOTO_BYTES / 3) * 4),
});

export const enrollmentHintSchema = z.enum(['no-face', 'several-faces', ...qualityHintSchema.options, 'ok']);

/** Feedback on one processed frame of a live enrollment, for the enrollment screen. */
export const enrollmentFeedbackSchema = z.object({
  frameSeq: z.int().min(0),
  timestampMs: msSinceEpoch,
  hint: enrollmentHintSchema,
  /** samplesTaken / samplesWanted, 0..1. */
  progress: unitScore,
  samplesTaken: z.int().min(0),
  samplesWanted: z.int().min(1),
  /** The face judged, when there is exactly one. */
  faceBoxNorm: boxNormSchema.optional(),
  /** Whether this frame became a sample. */
  accepted: z.boolean(),
  /**
   * Why a usable frame was not taken: `too-similar` to the last sample and too soon after it, or
   * `other-person`: it does not verify against the samples taken so far (someone else stepped in).
   */
  skipped: z.enum(['too-similar', 'other-person']).optional(),
});

// ---- Bulk import --------------------------------------------------------------------------------------

/** A photo's status, or `skipped` (the person was already enrolled) or `invalid` (not attributable to a person). */
export const importStatusSchema = z.enum([...photoStatusSchema.options, 'skipped', 'invalid']);

/** ImportPersonResult. */
export const importPersonResultSchema = z.object({
  person: z.string(),
  externalId: z.string().optional(),
  personId: uuid.optional(),
  status: z.enum(['enrolled', 'refused', 'skipped', 'invalid']),
  /** Samples written (0 unless enrolled). */
  sampleCount: z.int().min(0),
  detail: z.string(),
});

/** ImportSummary. */
export const importSummarySchema = z.object({
  /** Files found, including those not reached after an abort. */
  filesTotal: z.int().min(0),
  /** Files with a result. */
  filesDone: z.int().min(0),
  byStatus: z.record(importStatusSchema, z.int().min(0)),
  personsEnrolled: z.int().min(0),
  personsRefused: z.int().min(0),
  personsSkipped: z.int().min(0),
  samplesEnrolled: z.int().min(0),
  /** Photo files read and judged, unreadable ones included (a skipped person's photos are not read). */
  photosRead: z.int().min(0),
  durationMs: z.number().min(0),
  /** photosRead per second of the whole import, decoding, analysis and writes included. */
  photosPerSecond: z.number().min(0),
  /** True when the signal stopped the import; the person in progress was not written. */
  aborted: z.boolean(),
});
