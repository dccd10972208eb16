// A site person as the shared person form edits them, and the hub's patch back. The form edits one card; a
// person the hub holds with more keeps the others as they are.
import { draftFromPerson, draftToInput, type PersonDraft } from '../admin/person/person-draft.js';
import type { HubPerson, HubRequestOf } from './hub-client.js';

export type HubPersonPatch = HubRequestOf<'persons:update'>['patch'];

export function draftFromHubPerson(person: HubPerson): PersonDraft {
  return draftFromPerson({ ...person, credential: person.credentials[0] ?? null });
}

/** The whole draft as a patch: the form's card replaces the person's first, an emptied one removes it. */
export function hubPatchFromDraft(draft: PersonDraft, person: HubPerson): HubPersonPatch {
  const { credential, ...fields } = draftToInput(draft);
  const others = person.credentials.slice(1);
  return { ...fields, credentials: credential ? [{ facilityCode: credential.facilityCode ?? null, cardNumber: credential.cardNumber }, ...others] : others };
}
