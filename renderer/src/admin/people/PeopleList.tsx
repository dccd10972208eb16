// The enrolled people, searched by name or external id, a page at a time.
import { useEffect, useRef, useState, type ReactNode } from 'react';

import { useClient } from '../../app/services.js';
import type { ContractErrorBody, ResponseOf } from '../../contract.js';
import { ErrorNotice } from '../../common/ErrorNotice.js';
import { Icon } from '../../common/Icon.js';
import { PersonPhoto } from '../../common/PersonPhoto.js';
import { TextField } from '../../common/TextField.js';

type PersonSummary = ResponseOf<'persons:list'>['persons'][number];

const PAGE_SIZE = 30;
/** Typing pauses this long before the list is asked for, ms. */
const SEARCH_DELAY_MS = 250;

interface Page {
  readonly persons: readonly PersonSummary[];
  readonly total: number;
}

export function PeopleList({ search, onSearch, onOpen }: { readonly search: string; readonly onSearch: (search: string) => void; readonly onOpen: (personId: string) => void }): ReactNode {
  const client = useClient();
  const [page, setPage] = useState<Page | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ContractErrorBody | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    const timer = window.setTimeout(() => {
      setLoading(true);
      client['persons:list']({ search: search.trim() || undefined, limit: PAGE_SIZE, offset: 0 })
        .then((result) => {
          if (!current) return;
          setLoading(false);
          if (result.ok) {
            setPage(result.value);
            setError(null);
          } else {
            setError(result.error);
          }
        })
        .catch(() => undefined);
    }, SEARCH_DELAY_MS);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [client, search, attempt]);

  const searchRef = useRef(search);
  searchRef.current = search;

  const loadMore = async (): Promise<void> => {
    if (!page) return;
    setLoading(true);
    const result = await client['persons:list']({ search: search.trim() || undefined, limit: PAGE_SIZE, offset: page.persons.length });
    // A page of a search changed meanwhile is dropped: the list for the new one is already being asked.
    if (searchRef.current !== search) return;
    setLoading(false);
    if (result.ok) setPage({ persons: [...page.persons, ...result.value.persons], total: result.value.total });
    else setError(result.error);
  };

  return (
    <div className="people-list">
      <div className="search-row">
        <Icon name="search" />
        <TextField label="Search by name or external id" type="search" value={search} onChange={onSearch} maxLength={200} enterKeyHint="search" />
      </div>
      {error ? <ErrorNotice error={error} onRetry={() => setAttempt(attempt + 1)} /> : null}
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
        <button type="button" className="btn btn-block" onClick={() => void loadMore()} disabled={loading}>
          {loading ? 'Loading…' : 'Load more'}
        </button>
      ) : null}
    </div>
  );
}
