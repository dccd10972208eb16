// An enrollment at a door of a site: the hub writes people, so the person and samples the door collected become a
// request for the hub (queued while offline), and the person arrives back through the change log.
import { randomUUID } from 'node:crypto';

import type { EnrollRequest } from '../../shared/fleet/messages.js';
import type { EnrollmentStore } from '../enrollment/duplicates.js';
import type { Person, PersonInput } from '../store/persons-repository.js';
import { encodeTemplate, type SampleInput } from '../store/samples-repository.js';

/** The wire form of a door's enrollment (without its request id), and the ids its samples will have on the hub. */
export function toEnrollRequest(person: PersonInput, samples: readonly SampleInput[], nowMs: number): { request: Omit<EnrollRequest, 'requestId'>; sampleIds: string[] } {
  const wireSamples = samples.map((sample) => ({
    id: randomUUID(),
    createdAtMs: nowMs,
    // The alignment record as the hub keeps it: plain JSON (the type's tuples are read-only).
    alignment: { sizePx: sample.alignment.sizePx, fivePointsPx: sample.alignment.fivePointsPx.map(([x, y]) => [x, y]) },
    quality: sample.quality,
    cropJpegBase64: Buffer.from(sample.alignedJpeg).toString('base64'),
    templates: [{ modelId: sample.modelId, dimension: sample.template.length, templateBase64: encodeTemplate(sample.template).toString('base64') }],
    ...(sample.estimatedAgeYears === undefined ? {} : { estimatedAgeYears: sample.estimatedAgeYears }),
  }));
  const credential = person.credential ?? null;
  return {
    request: {
      person: {
        name: person.name,
        externalId: person.externalId ?? null,
        enabled: person.enabled ?? true,
        validFromMs: person.validFromMs ?? null,
        validUntilMs: person.validUntilMs ?? null,
        groups: [...(person.groups ?? [])],
        credentials: credential === null ? [] : [{ facilityCode: credential.facilityCode ?? null, cardNumber: credential.cardNumber }],
      },
      samples: wireSamples,
    },
    sampleIds: wireSamples.map((sample) => sample.id),
  };
}

/**
 * The enrollment store of a terminal joined to a site hub: the duplicate check reads the local people, and
 * `enrollPerson` queues a request for the hub instead of writing. The person it returns is the request as the hub
 * will create it, under the request's id: the hub gives the person their own id, and the change log brings them
 * to this door's store.
 */
export function hubEnrollmentStore(
  persons: EnrollmentStore['persons'],
  requestEnrollment: (request: Omit<EnrollRequest, 'requestId'>) => string,
  nowMs: () => number = Date.now,
): EnrollmentStore {
  return {
    persons,
    enrollPerson(input, samples) {
      const atMs = nowMs();
      const { request, sampleIds } = toEnrollRequest(input, [...samples], atMs);
      const requestId = requestEnrollment(request);
      const fields = request.person;
      const person: Person = {
        id: requestId,
        name: fields.name.trim(),
        externalId: fields.externalId ?? null,
        enabled: fields.enabled ?? true,
        validFromMs: fields.validFromMs ?? null,
        validUntilMs: fields.validUntilMs ?? null,
        groups: [...(fields.groups ?? [])].sort(),
        credential: fields.credentials?.[0] ?? null,
        createdAtMs: atMs,
        updatedAtMs: atMs,
      };
      return { person, sampleIds };
    },
  };
}
