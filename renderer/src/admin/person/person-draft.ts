// A person as the form edits them (text fields, local dates) and as the contract wants them.
import type { RequestOf, ResponseOf } from '../../contract.js';
import { endOfDayMs, startOfDayMs, toDateInput } from '../../common/dates.js';

export type Person = ResponseOf<'persons:get'>;
export type PersonInput = RequestOf<'persons:create'>;

export interface PersonDraft {
  readonly name: string;
  readonly externalId: string;
  /** `YYYY-MM-DD`, local; '' for no limit. */
  readonly validFrom: string;
  readonly validUntil: string;
  readonly groups: readonly string[];
  readonly enabled: boolean;
}

export const EMPTY_PERSON_DRAFT: PersonDraft = { name: '', externalId: '', validFrom: '', validUntil: '', groups: [], enabled: true };

export function draftFromPerson(person: Person): PersonDraft {
  return {
    name: person.name,
    externalId: person.externalId ?? '',
    validFrom: toDateInput(person.validFromMs),
    validUntil: toDateInput(person.validUntilMs),
    groups: person.groups,
    enabled: person.enabled,
  };
}

export interface DraftProblems {
  readonly name?: string;
  readonly externalId?: string;
  readonly validFrom?: string;
  readonly validUntil?: string;
}

/** What must be fixed before the draft can be saved; empty when nothing. */
export function draftProblems(draft: PersonDraft): DraftProblems {
  const problems: { -readonly [K in keyof DraftProblems]: string } = {};
  const name = draft.name.trim();
  if (name.length === 0) problems.name = 'Enter a name.';
  else if (name.length > 200) problems.name = 'At most 200 characters.';
  if (draft.externalId.trim().length > 100) problems.externalId = 'At most 100 characters.';
  const fromMs = draft.validFrom ? startOfDayMs(draft.validFrom) : null;
  const untilMs = draft.validUntil ? endOfDayMs(draft.validUntil) : null;
  if (draft.validFrom && fromMs === null) problems.validFrom = 'Enter a date.';
  if (draft.validUntil && untilMs === null) problems.validUntil = 'Enter a date.';
  if (fromMs !== null && untilMs !== null && untilMs < fromMs) problems.validUntil = 'The last day comes before the first day.';
  return problems;
}

/** The draft as the contract's PersonInput (valid from the start of its first day to the end of its last). */
export function draftToInput(draft: PersonDraft): PersonInput {
  const externalId = draft.externalId.trim();
  return {
    name: draft.name.trim(),
    externalId: externalId.length > 0 ? externalId : null,
    enabled: draft.enabled,
    validFromMs: draft.validFrom ? startOfDayMs(draft.validFrom) : null,
    validUntilMs: draft.validUntil ? endOfDayMs(draft.validUntil) : null,
    groups: [...new Set(draft.groups.map((group) => group.trim()).filter(Boolean))],
  };
}
