// An enrolled person's faces: photos checked as they are uploaded, samples added to (or replacing) a person's,
// whether from photos or the live camera. The duplicate check still guards the gallery: new samples that
// identify as someone else are refused unless the administrator says otherwise.
import type { z } from 'zod';

import type { photoVerdictSchema } from '../../shared/contract/faces.js';
import type { Person } from '../store/persons-repository.js';
import { StoreError } from '../store/errors.js';
import type { SampleInput } from '../store/samples-repository.js';
import type { TerminalStore } from '../store/store.js';
import { findDuplicates, type DuplicateMatcher, type DuplicateWarning } from './duplicates.js';
import { acceptedSamples, judgePhotos, photoResults, type JudgePhotosOptions, type PhotoResult } from './enroll-photos.js';
import { DEFAULT_DOMINANCE_RATIO, PHOTO_ENROLLMENT_GATES } from './gates.js';
import { decodePhoto, judgePhoto, type EnrollmentAnalyser, type PhotoBytes } from './photo-sample.js';

/** The store calls adding samples makes. */
export type PersonSamplesStore = Pick<TerminalStore, 'addSamples' | 'persons'>;

/** What one uploaded photo would give, told before anything is enrolled: the contract's shape, declared once there. */
export type PhotoVerdict = z.output<typeof photoVerdictSchema>;

/**
 * Judges one uploaded photo as enrollment will (the checked decoder, one subject, the photo gates) without making
 * a template or writing anything: the administrator sees at once which photos will not do.
 */
export async function checkPhoto(analyser: Pick<EnrollmentAnalyser, 'analyse'>, photo: PhotoBytes): Promise<PhotoVerdict> {
  const decoded = await decodePhoto(photo);
  const judged = 'status' in decoded ? decoded : await judgePhoto(analyser, decoded, { gates: PHOTO_ENROLLMENT_GATES, dominanceRatio: DEFAULT_DOMINANCE_RATIO });
  if (judged.status === 'usable') return { file: photo.name, status: 'usable', detail: judged.detail, quality: judged.face.quality };
  if (judged.status === 'accepted') throw new Error('a decoded photo is judged, never sampled, here');
  return { file: photo.name, status: judged.status, detail: judged.detail, ...('quality' in judged ? { quality: judged.quality } : {}) };
}

/** What `addSamplesToPerson` needs. */
export interface AddSamplesOptions {
  readonly store: PersonSamplesStore;
  readonly matcher: DuplicateMatcher;
  readonly personId: string;
  readonly samples: readonly SampleInput[];
  /** Put the samples in place of all the person's samples (re-enroll); default false (add). */
  readonly replace?: boolean;
  /** Write even when the samples identify as someone else (twins); default false. */
  readonly allowDuplicate?: boolean;
}

export type AddSamplesResult =
  | { readonly outcome: 'added'; readonly person: Person; readonly sampleIds: readonly string[]; readonly duplicates: readonly DuplicateWarning[] }
  | { readonly outcome: 'refused'; readonly reason: 'duplicate-of' | 'no-samples'; readonly duplicates: readonly DuplicateWarning[] };

/**
 * Adds samples to an enrolled person (or replaces theirs) in one transaction, after checking them against
 * everyone else enrolled: a face that is another person's would let them in under this name. A StoreError
 * 'not-found' for no such person.
 */
export function addSamplesToPerson(options: AddSamplesOptions): AddSamplesResult {
  const { store, matcher, personId, samples } = options;
  const person = store.persons.get(personId);
  if (!person) throw new StoreError('not-found', `no person with id ${personId}`);
  if (samples.length === 0) return { outcome: 'refused', reason: 'no-samples', duplicates: [] };
  const duplicates = findDuplicates(matcher, store.persons, samples, { excludePersonId: personId });
  if (duplicates.length > 0 && options.allowDuplicate !== true) return { outcome: 'refused', reason: 'duplicate-of', duplicates };
  const sampleIds = store.addSamples(personId, samples, { replace: options.replace ?? false });
  return { outcome: 'added', person, sampleIds, duplicates };
}

/** The outcome of `addPhotosToPerson`, with each photo's result. */
export type AddPhotosResult =
  | (Extract<AddSamplesResult, { outcome: 'added' }> & { readonly photos: readonly PhotoResult[] })
  | { readonly outcome: 'refused'; readonly reason: 'no-usable-photo' | 'duplicate-of'; readonly photos: readonly PhotoResult[]; readonly duplicates: readonly DuplicateWarning[] };

/**
 * Adds the usable photos of an enrolled person as samples (one each at most), or with `replace` re-enrolls them
 * from these photos: their old samples go only when at least one new one is written. The person is looked up
 * before any photo is read.
 */
export async function addPhotosToPerson(options: Omit<AddSamplesOptions, 'samples'> & JudgePhotosOptions): Promise<AddPhotosResult> {
  if (!options.store.persons.get(options.personId)) throw new StoreError('not-found', `no person with id ${options.personId}`);
  const outcomes = await judgePhotos(options);
  const samples = acceptedSamples(outcomes).map(({ sample }) => sample);
  const result = addSamplesToPerson({ ...options, samples });
  const results = photoResults(options.photos, outcomes, result.duplicates, result.outcome === 'refused' && result.reason === 'duplicate-of');
  if (result.outcome === 'added') return { ...result, photos: results };
  return { outcome: 'refused', reason: result.reason === 'no-samples' ? 'no-usable-photo' : 'duplicate-of', photos: results, duplicates: result.duplicates };
}
