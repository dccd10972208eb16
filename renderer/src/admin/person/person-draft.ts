// A person as the form edits them (text fields, local dates) and as the contract wants them.
import type { ContractErrorBody, RequestOf, ResponseOf } from '../../contract.js';
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
  /** The card credential sent to the access-control panel, as typed; '' for none. */
  readonly facilityCode: string;
  readonly cardNumber: string;
}

export const EMPTY_PERSON_DRAFT: PersonDraft = { name: '', externalId: '', validFrom: '', validUntil: '', groups: [], enabled: true, facilityCode: '', cardNumber: '' };

export function draftFromPerson(person: Person): PersonDraft {
  return {
    name: person.name,
    externalId: person.externalId ?? '',
    validFrom: toDateInput(person.validFromMs),
    validUntil: toDateInput(person.validUntilMs),
    groups: person.groups,
    enabled: person.enabled,
    facilityCode: person.credential?.facilityCode === null || person.credential === null ? '' : String(person.credential.facilityCode),
    cardNumber: person.credential === null ? '' : String(person.credential.cardNumber),
  };
}

export interface DraftProblems {
  readonly name?: string;
  readonly externalId?: string;
  readonly validFrom?: string;
  readonly validUntil?: string;
  readonly facilityCode?: string;
  readonly cardNumber?: string;
}

/** A whole number as typed: digits only (the terminal checks the range of the configured card format). */
const WHOLE_NUMBER = /^\d{1,15}$/;

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
  const facilityCode = draft.facilityCode.trim();
  const cardNumber = draft.cardNumber.trim();
  if (facilityCode !== '' && !WHOLE_NUMBER.test(facilityCode)) problems.facilityCode = 'Digits only.';
  if (cardNumber !== '' && !WHOLE_NUMBER.test(cardNumber)) problems.cardNumber = 'Digits only.';
  else if (cardNumber === '' && facilityCode !== '') problems.cardNumber = 'Enter the card number too, or clear the facility code.';
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
    credential: draft.cardNumber.trim() === '' ? null : { facilityCode: draft.facilityCode.trim() === '' ? null : Number(draft.facilityCode.trim()), cardNumber: Number(draft.cardNumber.trim()) },
  };
}

/**
 * The credential fields a refusal from the terminal names ("credential.facilityCode must be … from 0 to 255 in
 * format wiegand26…"), so the message shows at its field; empty for other errors.
 */
export function serverDraftProblems(error: ContractErrorBody | null): DraftProblems {
  if (error === null || error.code !== 'invalid-request') return {};
  const problems: { -readonly [K in keyof DraftProblems]: string } = {};
  for (const part of error.message.split('; ')) {
    const found = /credential\.(facilityCode|cardNumber)[: ]\s*(.+)$/.exec(part);
    if (found) problems[found[1] as 'facilityCode' | 'cardNumber'] = `${(found[2] as string).charAt(0).toUpperCase()}${(found[2] as string).slice(1)}.`;
  }
  return problems;
}
