// The site's access log as CSV (RFC 4180), every door's events in one file: the terminal's columns, with the door.
import { csvRows } from '../admin/events/events-csv.js';
import { cueText, reasonText } from '../wording/wording.js';
import type { HubEvent } from './hub-client.js';

export const HUB_EVENTS_CSV_HEADER = [
  'time',
  'door',
  'decision',
  'reason',
  'person',
  'card number',
  'facility code',
  'liveness',
  'liveness cue',
  'model',
  'cosine similarity',
] as const;

/** Who an event was about: the name, "erased" once the person was deleted, empty for nobody. */
function personText(event: HubEvent): string {
  if (event.personName) return event.personName;
  return event.personId ? 'erased' : '';
}

/** The events as CSV with a header row; `doorNameOf` names a door by its terminal id (the id where it has none). */
export function hubEventsToCsv(events: readonly HubEvent[], doorNameOf: (terminalId: string) => string | undefined): string {
  const rows = events.map((event) => [
    new Date(event.atMs).toISOString(),
    doorNameOf(event.terminalId) ?? event.terminalId,
    event.decision,
    reasonText(event.reason),
    personText(event),
    event.card?.cardNumber,
    event.card?.facilityCode,
    event.livenessScore === null ? null : Number(event.livenessScore.toFixed(4)),
    event.livenessCue === null ? null : cueText(event.livenessCue),
    event.similarity === null ? null : event.modelId,
    event.similarity === null ? null : Number(event.similarity.toFixed(4)),
  ]);
  return csvRows([HUB_EVENTS_CSV_HEADER, ...rows]);
}
