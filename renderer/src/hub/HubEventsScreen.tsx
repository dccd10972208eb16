// Events from every door, newest first, filtered by door, decision, person, card and time; a page at a time, each
// event's snapshot (when the door kept one) opened large on demand, and every matching event exported as CSV.
import { useEffect, useState, type ReactNode } from 'react';

import { SnapshotViewer } from '../admin/events/SnapshotViewer.js';
import { parseCardNumberFilter } from '../common/card-number-filter.js';
import { DateField } from '../common/DateField.js';
import { formatDateTime, parseDateTimeInput } from '../common/dates.js';
import { ErrorNotice, Notice } from '../common/ErrorNotice.js';
import { Icon } from '../common/Icon.js';
import { SelectField } from '../common/SelectField.js';
import { TextField } from '../common/TextField.js';
import { usePagedList } from '../common/use-paged-list.js';
import type { ContractErrorBody, Result } from '../contract.js';
import { cardText, cueText, reasonText } from '../wording/wording.js';
import type { HubDoor, HubEvent, HubPerson, HubRequestOf, HubResponseOf } from './hub-client.js';
import { exportHubEventsCsv } from './export-hub-events.js';
import { useHubClient } from './hub-services.js';

const PAGE_SIZE = 50;

export interface EventFilters {
  readonly terminalId: string;
  readonly decision: '' | 'granted' | 'denied';
  readonly personId: string;
  /** Digits as typed, or '': the events of that card, whatever its facility code. */
  readonly cardNumber: string;
  /** `YYYY-MM-DDTHH:MM`, local time, or ''. */
  readonly from: string;
  readonly until: string;
}

export const NO_FILTERS: EventFilters = { terminalId: '', decision: '', personId: '', cardNumber: '', from: '', until: '' };

/** The events:list request the filters ask for, or the problem with them. */
export function eventQuery(filters: EventFilters): { readonly request: HubRequestOf<'events:list'> } | { readonly problem: string } {
  const fromMs = filters.from ? parseDateTimeInput(filters.from) : null;
  const untilMs = filters.until ? parseDateTimeInput(filters.until) : null;
  if (filters.from && fromMs === null) return { problem: 'The start is not a date and time.' };
  if (filters.until && untilMs === null) return { problem: 'The end is not a date and time.' };
  if (fromMs !== null && untilMs !== null && untilMs < fromMs) return { problem: 'The end is before the start.' };
  const card = parseCardNumberFilter(filters.cardNumber);
  if ('problem' in card) return card;
  return {
    request: {
      limit: PAGE_SIZE,
      ...(filters.terminalId ? { terminalId: filters.terminalId } : {}),
      ...(filters.decision ? { decision: filters.decision } : {}),
      ...(filters.personId ? { personId: filters.personId } : {}),
      ...(card.cardNumber !== null ? { cardNumber: card.cardNumber } : {}),
      ...(fromMs !== null ? { fromMs } : {}),
      // The end's minute is included.
      ...(untilMs !== null ? { untilMs: untilMs + 59_999 } : {}),
    },
  };
}

function personText(event: HubEvent): string {
  if (event.personName) return event.personName;
  return event.personId ? 'A person since erased' : 'Unknown person';
}

export function HubEventsScreen(): ReactNode {
  const client = useHubClient();
  const [filters, setFilters] = useState<EventFilters>(NO_FILTERS);
  const [doors, setDoors] = useState<readonly HubDoor[]>([]);
  const [persons, setPersons] = useState<readonly HubPerson[]>([]);
  const [problem, setProblem] = useState<ContractErrorBody | null>(null);
  const [snapshot, setSnapshot] = useState<{ readonly url: string; readonly caption: string } | null>(null);
  const [exporting, setExporting] = useState<number | null>(null);
  const [exported, setExported] = useState<string | null>(null);
  const query = eventQuery(filters);
  const {
    page: listing,
    loading,
    error: listingError,
    loadMore,
    reload,
  } = usePagedList({
    query: 'request' in query ? query.request : null,
    first: (request): Promise<Result<HubResponseOf<'events:list'>>> => client['events:list'](request),
    next: (request, shown) => (shown.next ? client['events:list']({ ...request, before: shown.next }) : null),
    append: (shown, further) => ({ events: [...shown.events, ...further.events], next: further.next }),
  });
  // Each problem is said at its own field: the card's at the card number, the dates' at the end.
  const card = parseCardNumberFilter(filters.cardNumber);
  const cardProblem = 'problem' in card ? card.problem : undefined;
  const dateProblem = 'problem' in query && query.problem !== cardProblem ? query.problem : undefined;

  useEffect(() => {
    void client['doors:list']({}).then((result) => result.ok && setDoors(result.value.doors));
    void client['persons:list']({ limit: 500 }).then((result) => result.ok && setPersons(result.value.persons));
  }, [client]);

  const openSnapshot = async (event: HubEvent): Promise<void> => {
    setProblem(null);
    const result = await client['events:snapshot']({ id: event.id });
    if (!result.ok) return setProblem(result.error);
    if (result.value.jpegBase64 === null) return setProblem({ code: 'not-found', message: 'this snapshot is no longer kept' });
    setSnapshot({ url: `data:image/jpeg;base64,${result.value.jpegBase64}`, caption: `${personText(event)} at ${event.terminalId}, ${formatDateTime(event.atMs)}` });
  };

  const set = (patch: Partial<EventFilters>): void => setFilters((current) => ({ ...current, ...patch }));

  const exportCsv = async (): Promise<void> => {
    if (!('request' in query)) return;
    setExporting(0);
    setExported(null);
    setProblem(null);
    const doorNames = new Map(doors.map((door) => [door.id, door.name]));
    const outcome = await exportHubEventsCsv(client, query.request, (terminalId) => doorNames.get(terminalId), setExporting);
    setExporting(null);
    if ('error' in outcome) setProblem(outcome.error);
    else setExported(`${outcome.count} event${outcome.count === 1 ? '' : 's'} exported.`);
  };

  return (
    <section className="screen hub-events" aria-labelledby="hub-events-heading">
      <header className="screen-header">
        <h1 id="hub-events-heading">Events</h1>
        <button type="button" className="btn" onClick={reload} disabled={loading}>
          Refresh
        </button>
        <button type="button" className="btn" onClick={() => void exportCsv()} disabled={exporting !== null || !('request' in query)}>
          <Icon name="download" />
          {exporting !== null ? `Exporting… ${exporting}` : 'Export CSV'}
        </button>
      </header>
      <div className="filters" role="search" aria-label="Filter events">
        <SelectField label="Door" value={filters.terminalId} onChange={(terminalId) => set({ terminalId })} choices={[{ value: '', label: 'Every door' }, ...doors.map((door) => ({ value: door.id, label: door.name }))]} />
        <SelectField
          label="Decision"
          value={filters.decision}
          onChange={(decision) => set({ decision: decision === 'granted' || decision === 'denied' ? decision : '' })}
          choices={[
            { value: '', label: 'Granted and denied' },
            { value: 'granted', label: 'Granted' },
            { value: 'denied', label: 'Denied' },
          ]}
        />
        <SelectField label="Person" value={filters.personId} onChange={(personId) => set({ personId })} choices={[{ value: '', label: 'Anyone' }, ...persons.map((person) => ({ value: person.id, label: person.name }))]} />
        <TextField label="Card number" value={filters.cardNumber} onChange={(cardNumber) => set({ cardNumber })} keyboard="digits" inputMode="numeric" maxLength={16} error={cardProblem} />
        <DateField label="From" type="datetime-local" value={filters.from} onChange={(from) => set({ from })} />
        <DateField label="Until" type="datetime-local" value={filters.until} onChange={(until) => set({ until })} error={dateProblem} />
      </div>
      {exported ? <Notice tone="success">{exported}</Notice> : null}
      {problem ? <ErrorNotice error={problem} /> : null}
      {listingError ? <ErrorNotice error={listingError} onRetry={reload} /> : null}
      {listing && listing.events.length === 0 ? <p className="muted">No events match these filters.</p> : null}
      {listing && listing.events.length > 0 ? (
        <ul className="event-list" aria-label="Events, newest first">
          {listing.events.map((event) => (
            <li key={event.id} className="event-row">
              {event.hasSnapshot ? (
                <button type="button" className="btn btn-small hub-snapshot-button" onClick={() => void openSnapshot(event)} aria-label={`Snapshot of ${personText(event)} at ${event.terminalId}`}>
                  <Icon name="camera" />
                </button>
              ) : (
                <span className="muted hub-no-snapshot">—</span>
              )}
              <div className="event-main">
                <span className={event.decision === 'granted' ? 'badge badge-ok' : 'badge badge-bad'}>{event.decision === 'granted' ? 'Granted' : 'Denied'}</span>
                <span className="event-person">{personText(event)}</span>
                <span className="event-door">
                  <Icon name="door" /> {doors.find((door) => door.id === event.terminalId)?.name ?? event.terminalId}
                </span>
                <span className="event-reason">
                  {reasonText(event.reason)}
                  {event.livenessCue ? <span className="event-cue"> — {cueText(event.livenessCue)}</span> : null}
                  {event.card ? <span className="event-card"> · {cardText(event.card)}</span> : null}
                </span>
              </div>
              <div className="event-side">
                <span>{formatDateTime(event.atMs)}</span>
                <span className="muted">{event.similarity !== null ? `similarity ${event.similarity.toFixed(2)}` : 'no match'}</span>
              </div>
            </li>
          ))}
        </ul>
      ) : null}
      {loading && !listing ? <p className="muted">Loading…</p> : null}
      {listing?.next ? (
        <button type="button" className="btn btn-block" onClick={loadMore} disabled={loading}>
          Older events
        </button>
      ) : null}
      {snapshot ? <SnapshotViewer url={snapshot.url} caption={snapshot.caption} onClose={() => setSnapshot(null)} /> : null}
    </section>
  );
}
