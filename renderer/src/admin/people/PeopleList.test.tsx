import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useState, type ReactNode } from 'react';

import type { ResponseOf } from '../../contract.js';
import { fireEvent, renderScreen, screen, waitFor } from '../../test/render-screen.js';
import { PeopleList } from './PeopleList.js';

type PersonSummary = ResponseOf<'persons:list'>['persons'][number];

function person(index: number, name: string): PersonSummary {
  const id = `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
  return { id, name, externalId: null, enabled: true, validFromMs: null, validUntilMs: null, groups: [], credential: null, createdAtMs: 1_700_000_000_000, updatedAtMs: 1_700_000_000_000, sampleCount: 1 };
}

function SearchablePeople(): ReactNode {
  const [search, setSearch] = useState('');
  return <PeopleList search={search} onSearch={setSearch} onOpen={() => undefined} />;
}

test('a further page of a search changed meanwhile is dropped: the list shows what the search says', async () => {
  let release: () => void = () => undefined;
  const rendered = renderScreen(<SearchablePeople />, {
    'persons:list': ({ search, offset }) =>
      offset
        ? new Promise((resolve) => (release = () => resolve({ persons: [person(2, 'Charles Babbage')], total: 2 })))
        : search === 'grace'
          ? { persons: [person(3, 'Grace Hopper')], total: 1 }
          : { persons: [person(1, 'Ada Lovelace')], total: 2 },
  });
  await screen.findByText('Ada Lovelace');
  fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
  await waitFor(() => assert.equal(rendered.requestsOf('persons:list').at(-1)?.offset, 1));
  fireEvent.change(screen.getByLabelText('Search by name or external id'), { target: { value: 'grace' } });
  await screen.findByText('Grace Hopper');
  release();
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.ok(screen.queryByText('Charles Babbage') === null && screen.queryByText('Ada Lovelace') === null, 'only the searched person is listed');
  assert.equal(screen.getByRole('status').textContent, 'Showing 1 of 1');
});
