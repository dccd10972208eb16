// Pick one person to filter by, found by name.
import { useEffect, useState, type ReactNode } from 'react';

import { useClient } from '../../app/services.js';
import type { ResponseOf } from '../../contract.js';
import { Icon } from '../../common/Icon.js';
import { TextField } from '../../common/TextField.js';

type PersonSummary = ResponseOf<'persons:list'>['persons'][number];

export function PersonFilter({ person, onChange }: { readonly person: { readonly id: string; readonly name: string } | null; readonly onChange: (person: { readonly id: string; readonly name: string } | null) => void }): ReactNode {
  const client = useClient();
  const [search, setSearch] = useState('');
  const [matches, setMatches] = useState<readonly PersonSummary[]>([]);

  useEffect(() => {
    const text = search.trim();
    if (!text) {
      setMatches([]);
      return;
    }
    let current = true;
    const timer = window.setTimeout(() => {
      client['persons:list']({ search: text, limit: 6 })
        .then((result) => {
          if (current && result.ok) setMatches(result.value.persons);
        })
        .catch(() => undefined);
    }, 250);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [client, search]);

  if (person) {
    return (
      <div className="field">
        <span className="segmented-label">Person</span>
        <button type="button" className="chip chip-on chip-large" onClick={() => onChange(null)} aria-label={`Person: ${person.name}. Remove this filter`}>
          <Icon name="user" />
          {person.name}
          <Icon name="cross" />
        </button>
      </div>
    );
  }
  return (
    <div className="person-filter">
      <TextField label="Person" type="search" value={search} onChange={setSearch} placeholder="Type a name" maxLength={200} />
      {matches.length > 0 ? (
        <ul className="chips" aria-label="Matching people">
          {matches.map((match) => (
            <li key={match.id}>
              <button
                type="button"
                className="chip"
                onClick={() => {
                  onChange({ id: match.id, name: match.name });
                  setSearch('');
                }}
              >
                <Icon name="user" />
                {match.name}
                {match.externalId ? ` · ${match.externalId}` : ''}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
