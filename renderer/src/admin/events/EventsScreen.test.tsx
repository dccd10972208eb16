import assert from 'node:assert/strict';
import { test } from 'node:test';

import { fireEvent, renderScreen, screen, waitFor } from '../../test/render-screen.js';
import { EventsScreen } from './EventsScreen.js';
import type { AccessEvent } from './events-csv.js';

const unknownCard: AccessEvent = {
  id: 7,
  atMs: Date.UTC(2026, 11, 3, 8, 30),
  decision: 'denied',
  reason: 'unknown-card',
  personId: null,
  personName: null,
  personErasedAtMs: null,
  modelId: null,
  similarity: null,
  livenessScore: null,
  livenessCue: null,
  card: { facilityCode: 12, cardNumber: 34567 },
  quality: null,
  hasSnapshot: false,
};

test('an event shows the card shown, and the card number filters the log', async () => {
  const rendered = renderScreen(<EventsScreen />, { 'events:query': () => ({ events: [unknownCard], nextCursor: null }) });
  await screen.findByText(/card 34567 \(facility 12\)/);

  fireEvent.change(screen.getByLabelText('Card number'), { target: { value: '34567' } });
  await waitFor(() => assert.equal(rendered.requestsOf('events:query').at(-1)?.cardNumber, 34567));

  fireEvent.change(screen.getByLabelText('Card number'), { target: { value: '34x' } });
  await screen.findByText('A card number is digits only.');
  await waitFor(() => assert.equal(rendered.requestsOf('events:query').at(-1)?.cardNumber, undefined, 'no card filter while the number is not one'));
});

test('a further page of filters changed meanwhile is dropped: the list shows what the filters say', async () => {
  const granted: AccessEvent = { ...unknownCard, id: 9, decision: 'granted', reason: 'recognised', personId: 'p-1', personName: 'Ada Lovelace', card: null };
  const older: AccessEvent = { ...granted, id: 8, atMs: granted.atMs - 60_000, personName: 'Charles Babbage' };
  let release: () => void = () => undefined;
  const rendered = renderScreen(<EventsScreen />, {
    'events:query': ({ after, cardNumber }) =>
      after
        ? new Promise((resolve) => (release = () => resolve({ events: [older], nextCursor: null })))
        : cardNumber === 34567
          ? { events: [unknownCard], nextCursor: null }
          : { events: [granted], nextCursor: { atMs: granted.atMs, id: granted.id } },
  });
  await screen.findByText('Ada Lovelace');
  fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
  await waitFor(() => assert.ok(rendered.requestsOf('events:query').at(-1)?.after, 'the next page is asked'));
  fireEvent.change(screen.getByLabelText('Card number'), { target: { value: '34567' } });
  await screen.findByText(/card 34567 \(facility 12\)/);
  release();
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(screen.getAllByRole('listitem').length, 1);
  assert.ok(screen.queryByText('Charles Babbage') === null && screen.queryByText('Ada Lovelace') === null, 'only the card-filtered event is listed');
});
