import type { z } from 'zod';

import type { DeepReadonly } from '../../shared/contract/handler.js';
import type { enrollResultSchema, photoResultSchema, photoStatusSchema } from '../../shared/contract/schemas.js';
import { StoreError } from '../store/errors.js';
import type { PersonInput } from '../store/persons-repository.js';
import type { SampleInput } from '../store/samples-repository.js';
import { enrollSamples, type DuplicateMatcher, type DuplicateWarning, type EnrollmentStore } from './duplicates.js';
import { DEFAULT_DOMINANCE_RATIO, PHOTO_ENROLLMENT_GATES, resolveGates, type EnrollmentGates } from './gates.js';
import { decodePhoto, photoName, samplePhoto, type EnrollmentAnalyser, type PhotoOutcome, type PhotoSource } from './photo-sample.js';
import { youngChildOf } from '../../vision/age/young-child.js';

/** What became of one photo. `duplicate`: usable, but the person was refused as someone already enrolled. */
export type PhotoStatus = z.output<typeof photoStatusSchema>;

/** One photo's result, for the admin. */
export type PhotoResult = DeepReadonly<z.output<typeof photoResultSchema>>;

/** What `enrollFromPhotos` needs. */
export interface EnrollFromPhotosOptions {
  readonly store: EnrollmentStore;
  readonly pipeline: EnrollmentAnalyser;
  /** Its gallery must be attached to `store`, so the duplicate check sees everyone enrolled. */
  readonly matcher: DuplicateMatcher;
  readonly person: PersonInput;
  /** Image files or uploaded bytes (JPEG, PNG or WebP, up to MAX_PHOTO_PIXELS), one sample each at most. */
  readonly photos: readonly PhotoSource[];
  /** Folders photo files must be in (links followed); default anywhere. */
  readonly roots?: readonly string[];
  /** Overrides of PHOTO_ENROLLMENT_GATES. */
  readonly gates?: Partial<EnrollmentGates>;
  /** See pickSubject; default 2. */
  readonly dominanceRatio?: number;
  /** See enrollSamples; default false. */
  readonly allowDuplicate?: boolean;
  /** Aborting throws its reason between photos; nothing is written. */
  readonly signal?: AbortSignal;
  /** Called as each photo starts, for progress. */
  readonly onPhoto?: (index: number, file: string) => void;
}

/** What enrolling from photos did: the person and each photo's verdict, or refused with why. */
export type EnrollFromPhotosResult = DeepReadonly<z.output<typeof enrollResultSchema>>;

/** How photos are read and judged; the part of EnrollFromPhotosOptions that is not about whom they are of. */
export type JudgePhotosOptions = Pick<EnrollFromPhotosOptions, 'pipeline' | 'photos' | 'roots' | 'gates' | 'dominanceRatio' | 'signal' | 'onPhoto'>;

/** Reads and judges each photo in order (decode, one subject, the gates, then template and crop). */
export async function judgePhotos(options: JudgePhotosOptions): Promise<PhotoOutcome[]> {
  const { photos, signal } = options;
  const sampleOptions = { gates: resolveGates(PHOTO_ENROLLMENT_GATES, options.gates), dominanceRatio: options.dominanceRatio ?? DEFAULT_DOMINANCE_RATIO };
  const outcomes: PhotoOutcome[] = [];
  // The next photo decodes (on libuv's pool) while this one is analysed: a few percent on two cores.
  const load = { ...(options.roots ? { roots: options.roots } : {}), ...(signal ? { signal } : {}) };
  const decode = (photo: PhotoSource | undefined): ReturnType<typeof decodePhoto> | undefined => {
    if (photo === undefined) return undefined;
    const decoding = decodePhoto(photo, load);
    // Awaited later, or never (an abort): a rejection meanwhile is not unhandled.
    decoding.catch(() => undefined);
    return decoding;
  };
  let pending = decode(photos[0]);
  for (const [index, file] of photos.entries()) {
    signal?.throwIfAborted();
    options.onPhoto?.(index, photoName(file));
    const decoded = await (pending as ReturnType<typeof decodePhoto>);
    pending = decode(photos[index + 1]);
    outcomes.push('status' in decoded ? decoded : await samplePhoto(options.pipeline, decoded, sampleOptions));
  }
  signal?.throwIfAborted();
  return outcomes;
}

/** The accepted photos' samples, with the index of the photo each came from. */
export function acceptedSamples(outcomes: readonly PhotoOutcome[]): { readonly index: number; readonly sample: SampleInput }[] {
  return outcomes.flatMap((outcome, index) => (outcome.status === 'accepted' ? [{ index, sample: outcome.sample }] : []));
}

/**
 * Each photo's result once its samples were written or refused: `refusedAsDuplicate` marks every usable photo
 * `duplicate`; a photo whose sample raised a warning says whom it looks like.
 */
export function photoResults(
  photos: readonly PhotoSource[],
  outcomes: readonly PhotoOutcome[],
  duplicates: readonly DuplicateWarning[],
  refusedAsDuplicate: boolean,
): PhotoResult[] {
  const accepted = acceptedSamples(outcomes);
  // Which warning each accepted photo's sample raised, by photo index.
  const duplicateOf = new Map<number, DuplicateWarning>();
  for (const warning of duplicates) {
    for (const sampleIndex of warning.sampleIndices) {
      const photoIndex = accepted[sampleIndex]?.index;
      if (photoIndex !== undefined && !duplicateOf.has(photoIndex)) duplicateOf.set(photoIndex, warning);
    }
  }
  return outcomes.map((outcome, index): PhotoResult => {
    const file = photoName(photos[index] as PhotoSource);
    if (outcome.status !== 'accepted') return { file, status: outcome.status, detail: outcome.detail, ...('quality' in outcome ? { quality: outcome.quality } : {}) };
    const warning = duplicateOf.get(index);
    const quality = outcome.sample.quality;
    if (refusedAsDuplicate) {
      const why = warning ? warning.message : `not enrolled: another photo is ${duplicates[0]?.message ?? 'a duplicate'}`;
      return { file, status: 'duplicate', detail: why, quality, ...(warning ? { duplicateOf: warning } : {}) };
    }
    const note = warning ? `; warning: ${warning.message}` : '';
    return { file, status: 'enrolled', detail: outcome.detail + note, quality, ...(warning ? { duplicateOf: warning } : {}) };
  });
}

/**
 * Enrolls a new person from photo files: each photo is judged (one subject, the quality gates), the accepted
 * ones are checked against everyone enrolled (see enrollSamples for the duplicate policy), then the person
 * and all accepted samples (template, aligned crop JPEG, quality) are written in one store transaction, so a
 * crash leaves all of them or none. A taken external id is a StoreError 'conflict' before any photo is read.
 */
export async function enrollFromPhotos(options: EnrollFromPhotosOptions): Promise<EnrollFromPhotosResult> {
  const { store, person, photos } = options;
  const externalId = person.externalId?.trim();
  if (externalId && store.persons.getByExternalId(externalId)) {
    throw new StoreError('conflict', `external id "${externalId}" already belongs to another person`);
  }
  const outcomes = await judgePhotos(options);
  const samples: SampleInput[] = acceptedSamples(outcomes).map(({ sample }) => sample);
  const result = enrollSamples({ store, matcher: options.matcher, person, samples, allowDuplicate: options.allowDuplicate });
  const refusedAsDuplicate = result.outcome === 'refused' && result.reason === 'duplicate-of';
  const results = photoResults(photos, outcomes, result.duplicates, refusedAsDuplicate);
  if (result.outcome === 'enrolled') {
    const youngChild = youngChildOf(samples.map((sample) => sample.estimatedAgeYears));
    return { outcome: 'enrolled', person: result.person, sampleIds: result.sampleIds, photos: results, duplicates: result.duplicates, ...(youngChild ? { youngChild } : {}) };
  }
  return { outcome: 'refused', reason: result.reason === 'no-samples' ? 'no-usable-photo' : 'duplicate-of', photos: results, duplicates: result.duplicates };
}
