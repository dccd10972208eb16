// The enrolled people, searched by name or external id, a page at a time.
import type { ReactNode } from 'react';

import { useClient } from '../../app/services.js';
import type { ResponseOf } from '../../contract.js';
import { ErrorNotice } from '../../common/ErrorNotice.js';
import { Icon } from '../../common/Icon.js';
import { PersonPhoto } from '../../common/PersonPhoto.js';
import { TextField } from '../../common/TextField.js';
import { usePagedList } from '../../common/use-paged-list.js';

const PAGE_SIZE = 30;
/** Typing pauses this long before the list is asked for, ms. */
const SEARCH_DELAY_MS = 250;

type Page = ResponseOf<'persons:list'>;

export function PeopleList({ search, onSearch, onOpen }: { readonly search: string; readonly onSearch: (search: string) => void; readonly onOpen: (personId: string) => void }): ReactNode {
  const client = useClient();
  const { page, loading, error, loadMore, reload } = usePagedList({
    query: { search: search.trim() || undefined, limit: PAGE_SIZE },
    delayMs: SEARCH_DELAY_MS,
    first: (query) => client['persons:list']({ ...query, offset: 0 }),
    next: (query, shown: Page) => (shown.persons.length < shown.total ? client['persons:list']({ ...query, offset: shown.persons.length }) : null),
    append: (shown, further) => ({ persons: [...shown.persons, ...further.persons], total: further.total }),
  });

  return (
    <div className="people-list">
      <div className="search-row">
        <Icon name="search" />
        <TextField label="Search by name or external id" type="search" value={search} onChange={onSearch} maxLength={200} enterKeyHint="search" />
      </div>
      {error ? <ErrorNotice error={error} onRetry={reload} /> : null}
      {page ? (
        <p className="muted" role="status">
          {page.total === 0 ? (search.trim() ? 'Nobody matches this search.' : 'Nobody is enrolled yet.') : `Showing ${page.persons.length} of ${page.total}`}
        </p>
      ) : loading ? (
        <p className="muted">Loading…</p>
      ) : null}
      {page && page.persons.length > 0 ? (
        <ul className="person-list">
          {page.persons.map((person) => (
            <li key={person.id}>
              <button type="button" className="person-row" onClick={() => onOpen(person.id)} aria-label={`${person.name}${person.externalId ? `, ${person.externalId}` : ''}${person.enabled ? '' : ', disabled'}`}>
                <PersonPhoto personId={person.id} name={person.name} size="small" />
                <span className="person-main">
                  <span className="person-name">{person.name}</span>
                  <span className="person-meta">
                    {person.externalId ? <span>{person.externalId}</span> : null}
                    <span>
                      {person.sampleCount} sample{person.sampleCount === 1 ? '' : 's'}
                    </span>
                    {person.youngChild ? (
                      <span className="chip chip-static" title="The photos look under 6 years old: the door asks for card and face unless young children may use the face alone">
                        young child
                      </span>
                    ) : null}
                    {person.groups.map((group) => (
                      <span key={group} className="chip chip-static">
                        {group}
                      </span>
                    ))}
                  </span>
                </span>
                <span className={person.enabled ? 'badge badge-ok' : 'badge badge-bad'}>
                  <Icon name={person.enabled ? 'check' : 'ban'} />
                  {person.enabled ? 'Enabled' : 'Disabled'}
                </span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {page && page.persons.length < page.total ? (
        <button type="button" className="btn btn-block" onClick={loadMore} disabled={loading}>
          {loading ? 'Loading…' : 'Load more'}
        </button>
      ) : null}
    </div>
  );
}
