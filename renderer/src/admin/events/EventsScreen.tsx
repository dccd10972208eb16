// The access log: filter by time, person, decision and card, newest first, page by page; export as CSV.
import { useState, type ReactNode } from 'react';

import { useClient } from '../../app/services.js';
import type { ContractErrorBody, ResponseOf, Result } from '../../contract.js';
import { DateField } from '../../common/DateField.js';
import { formatDateTime } from '../../common/dates.js';
import { ErrorNotice, Notice } from '../../common/ErrorNotice.js';
import { Icon } from '../../common/Icon.js';
import { parseCardNumberFilter } from '../../common/card-number-filter.js';
import { Segmented } from '../../common/Segmented.js';
import { TextField } from '../../common/TextField.js';
import { usePagedList } from '../../common/use-paged-list.js';
import { cardText, cueText, reasonText } from '../../wording/wording.js';
import { eventQueryOf, NO_EVENT_FILTERS, type EventFilters } from './event-filters.js';
import type { AccessEvent } from './events-csv.js';
import { exportEventsCsv } from './export-events.js';
import { PersonFilter } from './PersonFilter.js';
import { SnapshotThumb } from './SnapshotThumb.js';

type Cursor = ResponseOf<'events:query'>['nextCursor'];

const PAGE_SIZE = 50;

interface Listing {
  readonly events: readonly AccessEvent[];
  readonly nextCursor: Cursor;
}

function personText(event: AccessEvent): string {
  if (event.personErasedAtMs !== null) return 'erased';
  return event.personName ?? '—';
}

export function EventsScreen(): ReactNode {
  const client = useClient();
  const [filters, setFilters] = useState<EventFilters>(NO_EVENT_FILTERS);
  const [exporting, setExporting] = useState<number | null>(null);
  const [exported, setExported] = useState<string | null>(null);
  const [exportError, setExportError] = useState<ContractErrorBody | null>(null);
  const query = eventQueryOf(filters);
  const {
    page: listing,
    loading,
    error,
    loadMore,
    reload,
  } = usePagedList({
    query,
    first: (asked): Promise<Result<Listing>> => client['events:query']({ ...asked, limit: PAGE_SIZE }),
    next: (asked, shown) => (shown.nextCursor ? client['events:query']({ ...asked, limit: PAGE_SIZE, after: shown.nextCursor }) : null),
    append: (shown, further) => ({ events: [...shown.events, ...further.events], nextCursor: further.nextCursor }),
  });

  const exportCsv = async (): Promise<void> => {
    setExporting(0);
    setExported(null);
    setExportError(null);
    const outcome = await exportEventsCsv(client, query, setExporting);
    setExporting(null);
    if ('error' in outcome) setExportError(outcome.error);
    else setExported(`${outcome.count} event${outcome.count === 1 ? '' : 's'} exported.`);
  };

  const set = <K extends keyof EventFilters>(key: K, value: EventFilters[K]): void => setFilters({ ...filters, [key]: value });
  const cardFilter = parseCardNumberFilter(filters.cardNumber);
  return (
    <section className="screen events" aria-labelledby="events-heading">
      <header className="screen-header">
        <h1 id="events-heading">Events</h1>
        <button type="button" className="btn" onClick={() => void exportCsv()} disabled={exporting !== null}>
          <Icon name="download" />
          {exporting !== null ? `Exporting… ${exporting}` : 'Export CSV'}
        </button>
      </header>
      <div className="filters" role="search" aria-label="Filter events">
        <DateField label="From" type="datetime-local" value={filters.from} onChange={(value) => set('from', value)} />
        <DateField label="Until" type="datetime-local" value={filters.until} onChange={(value) => set('until', value)} />
        <PersonFilter person={filters.person} onChange={(person) => set('person', person)} />
        <TextField
          label="Card number"
          value={filters.cardNumber}
          onChange={(value) => set('cardNumber', value)}
          keyboard="digits"
          inputMode="numeric"
          maxLength={16}
          error={'problem' in cardFilter ? cardFilter.problem : null}
        />
        <Segmented
          className="filter-wide"
          label="Decision"
          value={filters.decision}
          onChange={(value) => set('decision', value)}
          options={[
            { value: 'all', label: 'All' },
            { value: 'granted', label: 'Granted', icon: 'check' },
            { value: 'denied', label: 'Denied', icon: 'cross' },
          ]}
        />
      </div>
      {exported ? <Notice tone="success">{exported}</Notice> : null}
      {exportError ? <ErrorNotice error={exportError} onRetry={() => void exportCsv()} retryText="Export again" /> : null}
      {error ? <ErrorNotice error={error} onRetry={reload} /> : null}
      {listing && listing.events.length === 0 ? <p className="muted">No events match these filters.</p> : null}
      {listing && listing.events.length > 0 ? (
        <ul className="event-list" aria-label="Events, newest first">
          {listing.events.map((event) => (
            <li key={event.id} className="event-row">
              <SnapshotThumb eventId={event.id} hasSnapshot={event.hasSnapshot} caption={`${event.decision === 'granted' ? 'Granted' : 'Denied'} · ${personText(event)} · ${formatDateTime(event.atMs)}`} />
              <div className="event-main">
                <span className={event.decision === 'granted' ? 'badge badge-ok' : 'badge badge-bad'}>
                  <Icon name={event.decision === 'granted' ? 'check' : 'cross'} />
                  {event.decision === 'granted' ? 'Granted' : 'Denied'}
                </span>
                <span className="event-person">{personText(event)}</span>
                <span className="event-reason">
                  {reasonText(event.reason)}
                  {event.livenessCue ? <span className="event-cue"> — {cueText(event.livenessCue)}</span> : null}
                  {event.card ? <span className="event-card"> · {cardText(event.card)}</span> : null}
                </span>
              </div>
              <div className="event-side">
                <time dateTime={new Date(event.atMs).toISOString()}>{formatDateTime(event.atMs)}</time>
                <span className="muted">{event.matchScore !== undefined ? `match score ${event.matchScore}` : event.similarity !== null ? `similarity ${event.similarity.toFixed(2)}` : 'no match'}</span>
              </div>
            </li>
          ))}
        </ul>
      ) : null}
      {loading && !listing ? <p className="muted">Loading…</p> : null}
      {listing?.nextCursor ? (
        <button type="button" className="btn btn-block" onClick={loadMore} disabled={loading}>
          {loading ? 'Loading…' : 'Load more'}
        </button>
      ) : null}
    </section>
  );
}
