// Wire shapes of a person's faces: photos checked at upload, the samples a person has, samples added to or
// replacing theirs, and a zip of photos uploaded for an import. Zod only, like the rest of the contract.
import { z } from 'zod';

import { duplicateWarningSchema, faceQualitySchema, msSinceEpoch, personSchema, photoResultSchema, uuid, youngChildNoticeSchema } from './schemas.js';

/** What enrollment would make of one photo, told as soon as it is chosen (`enroll:check-photo`). */
export const photoVerdictSchema = z.object({
  file: z.string(),
  status: z.enum(['usable', 'no-face', 'several-faces', 'too-small', 'poor-quality', 'unreadable']),
  /** Why, in words, with the figure and the limit. */
  detail: z.string(),
  quality: faceQualitySchema.optional(),
});

/** One of a person's samples: the aligned face crop it was made from (JPEG, base64), its quality and when. */
export const sampleViewSchema = z.object({
  id: uuid,
  createdAtMs: msSinceEpoch,
  quality: faceQualitySchema,
  /** The extractors it has a template of. */
  modelIds: z.array(z.string()),
  cropBase64: z.base64(),
  /** The face's estimated age, years; null until the terminal has estimated it. */
  estimatedAgeYears: z.number().nonnegative().nullable(),
});

/**
 * A person's samples (`persons:samples`), oldest first; `youngChild` when they look like a young child's, so that
 * the door asks for card and face unless `access.policy.credential.youngChildren` says otherwise.
 */
export const personSamplesSchema = z.object({ personId: uuid, samples: z.array(sampleViewSchema), youngChild: youngChildNoticeSchema.nullable() });

/** The outcome of adding photos to an enrolled person (`persons:add-photos`), with each photo's result. */
export const addPhotosResultSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('added'), person: personSchema, sampleIds: z.array(uuid), photos: z.array(photoResultSchema), duplicates: z.array(duplicateWarningSchema) }),
  z.object({ outcome: z.literal('refused'), reason: z.enum(['no-usable-photo', 'duplicate-of']), photos: z.array(photoResultSchema), duplicates: z.array(duplicateWarningSchema) }),
]);

/** The outcome of adding a live session's samples to an enrolled person (`enroll:live-add`). */
export const addSamplesResultSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('added'), person: personSchema, sampleIds: z.array(uuid), duplicates: z.array(duplicateWarningSchema) }),
  z.object({ outcome: z.literal('refused'), reason: z.enum(['duplicate-of', 'no-samples']), duplicates: z.array(duplicateWarningSchema) }),
]);

/** Largest zip `import:upload` takes, bytes before base64. */
export const MAX_IMPORT_ZIP_BYTES = 64 * 1024 * 1024;
