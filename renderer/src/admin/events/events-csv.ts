// The access log as CSV (RFC 4180) for a spreadsheet: one row per event, every text cell guarded against
// formula injection, since names and reasons come from people and spreadsheets execute cells like `=…`.
import type { ResponseOf } from '../../contract.js';
import { cueText, reasonText } from '../../wording/wording.js';

export type AccessEvent = ResponseOf<'events:query'>['events'][number];

/**
 * The match score (0–100, from the curve of the event's model) is what administrators read; the raw cosine and
 * the model that made it close the row, for audits (a cosine means nothing without its model).
 */
export const EVENTS_CSV_HEADER = [
  'time',
  'decision',
  'reason',
  'person',
  'external id',
  'card number',
  'facility code',
  'match score',
  'liveness',
  'liveness cue',
  'model',
  'cosine similarity',
] as const;

/** Characters that make a spreadsheet read a cell as a formula (OWASP's list: = + - @, tab and CR). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field: text that starts like a formula gets a leading `'`; a field with a comma, quote or line break is
 * quoted, quotes doubled. Numbers are written as they are (we format them, and `-0.12` must stay a number).
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Lines joined by CRLF, the last one terminated too. */
export function csvRows(rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  return rows.map((row) => row.map(csvField).join(',') + '\r\n').join('');
}

/** Who an event was about, in the export: the name, "erased" once the person was deleted, empty for nobody. */
export function eventPersonText(event: AccessEvent): string {
  if (event.personErasedAtMs !== null) return 'erased';
  return event.personName ?? '';
}

/**
 * The events as CSV with a header row. `externalIdOf` gives a person's external id where known (events carry
 * the person's id and name only).
 */
export function eventsToCsv(events: readonly AccessEvent[], externalIdOf: (personId: string) => string | null | undefined): string {
  const rows = events.map((event) => [
    new Date(event.atMs).toISOString(),
    event.decision,
    reasonText(event.reason),
    eventPersonText(event),
    event.personId !== null && event.personErasedAtMs === null ? externalIdOf(event.personId) : null,
    event.card?.cardNumber,
    event.card?.facilityCode,
    event.matchScore,
    event.livenessScore === null ? null : Number(event.livenessScore.toFixed(4)),
    event.livenessCue === null ? null : cueText(event.livenessCue),
    event.similarity === null ? null : event.modelId,
    event.similarity === null ? null : Number(event.similarity.toFixed(4)),
  ]);
  return csvRows([EVENTS_CSV_HEADER, ...rows]);
}
