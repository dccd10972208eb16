import type { z } from 'zod';

import type { DeepReadonly } from '../../shared/contract/handler.js';
import type { duplicateWarningSchema, enrollSamplesResultSchema } from '../../shared/contract/schemas.js';
import type { FaceMatcher } from '../../vision/matcher/face-matcher.js';
import type { PersonInput } from '../store/persons-repository.js';
import type { SampleInput } from '../store/samples-repository.js';
import type { TerminalStore } from '../store/store.js';

/** The matcher calls enrollment makes; its gallery must be attached to the store (`store.attachGallery`). */
export type DuplicateMatcher = Pick<FaceMatcher, 'identify' | 'verify' | 'modelId' | 'matchScore'>;

/** The store calls enrollment makes. */
export type EnrollmentStore = Pick<TerminalStore, 'enrollPerson' | 'persons'>;

/** An enrolled person the new samples identify as: who, how sure, which samples (the contract's duplicateWarningSchema). */
export type DuplicateWarning = DeepReadonly<z.output<typeof duplicateWarningSchema>>;

/**
 * Identifies each template against the matcher's gallery; every enrolled person (other than
 * `excludePersonId`) hit at or above the identification threshold is a warning, best first. Hits on persons
 * deleted since the gallery was filled are ignored. Throws when a template is of another model than the
 * matcher's: the check would be meaningless.
 */
export function findDuplicates(
  matcher: DuplicateMatcher,
  persons: Pick<EnrollmentStore['persons'], 'get'>,
  templates: readonly { readonly template: Float32Array; readonly modelId: string }[],
  options: { readonly excludePersonId?: string } = {},
): DuplicateWarning[] {
  const byPerson = new Map<string, { similarity: number; sampleIndices: number[] }>();
  for (const [index, { template, modelId }] of templates.entries()) {
    if (modelId !== matcher.modelId) throw new Error(`a template of ${modelId} cannot be checked against a gallery of ${matcher.modelId}`);
    // Two hits: the best may be the person being added to.
    const hit = matcher.identify(template, 2).find((candidate) => candidate.match && candidate.id !== options.excludePersonId);
    if (!hit) continue;
    const entry = byPerson.get(hit.id) ?? { similarity: -1, sampleIndices: [] };
    entry.similarity = Math.max(entry.similarity, hit.similarity);
    entry.sampleIndices.push(index);
    byPerson.set(hit.id, entry);
  }
  const warnings: DuplicateWarning[] = [];
  for (const [personId, { similarity, sampleIndices }] of byPerson) {
    const person = persons.get(personId);
    if (!person) continue;
    const who = person.externalId ? `${person.name} (${person.externalId})` : person.name;
    const matchScore = matcher.matchScore(similarity);
    const how = matchScore !== null ? `match score ${matchScore}/100` : `similarity ${similarity.toFixed(3)}`;
    warnings.push({
      personId,
      name: person.name,
      externalId: person.externalId,
      similarity,
      matchScore,
      sampleIndices,
      message: `already enrolled as ${who}: ${how} in ${sampleIndices.length} of ${templates.length} sample(s)`,
    });
  }
  return warnings.sort((a, b) => b.similarity - a.similarity);
}

/** What `enrollSamples` needs. */
export interface EnrollSamplesOptions {
  readonly store: EnrollmentStore;
  readonly matcher: DuplicateMatcher;
  readonly person: PersonInput;
  readonly samples: readonly SampleInput[];
  /** Enroll even when the samples identify as someone already enrolled (twins, a deliberate second record); default false. */
  readonly allowDuplicate?: boolean;
}

/** What committing samples did: the person enrolled, or refused with why. */
export type EnrollSamplesResult = DeepReadonly<z.output<typeof enrollSamplesResultSchema>>;

/**
 * Writes a new person with all their samples in one store transaction, after the duplicate check. By default
 * a person whose samples identify as someone already enrolled is refused, naming them: one face under two
 * records makes the door log whichever scores higher, and it is usually a re-enrollment under a new name or a
 * mislabelled photo. `allowDuplicate` enrolls anyway and still returns the warnings. StoreErrors (a taken
 * external id, an invalid name) are thrown before anything is written.
 */
export function enrollSamples(options: EnrollSamplesOptions): EnrollSamplesResult {
  const { store, matcher, person, samples } = options;
  if (samples.length === 0) return { outcome: 'refused', reason: 'no-samples', duplicates: [] };
  const duplicates = findDuplicates(matcher, store.persons, samples);
  if (duplicates.length > 0 && !options.allowDuplicate) return { outcome: 'refused', reason: 'duplicate-of', duplicates };
  const { person: enrolled, sampleIds } = store.enrollPerson(person, samples);
  return { outcome: 'enrolled', person: enrolled, sampleIds, duplicates };
}
