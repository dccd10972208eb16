import assert from 'node:assert/strict';
import { test } from 'node:test';

import { eventQueryOf, NO_EVENT_FILTERS } from './event-filters.js';

test('no filters ask for everything', () => {
  assert.deepEqual(eventQueryOf(NO_EVENT_FILTERS), {});
});

test('filters become bounds, a person and a decision', () => {
  const query = eventQueryOf({
    from: '2026-11-24T08:00',
    until: '2026-11-24T17:30',
    person: { id: '0b6f7f0e-8a4c-4c43-9a4e-2f1b6b1c9d01', name: 'Ann' },
    decision: 'denied',
    cardNumber: ' 34567 ',
  });
  assert.deepEqual(query, {
    fromMs: new Date(2026, 10, 24, 8, 0).getTime(),
    untilMs: new Date(2026, 10, 24, 17, 31).getTime() - 1,
    personId: '0b6f7f0e-8a4c-4c43-9a4e-2f1b6b1c9d01',
    decision: 'denied',
    cardNumber: 34567,
  });
});

test('a card number that is not one filters nothing', () => {
  for (const cardNumber of ['12a', '-5', '3.5', String(2 ** 48)]) assert.deepEqual(eventQueryOf({ ...NO_EVENT_FILTERS, cardNumber }), {}, cardNumber);
});

test('an unfinished date is no bound', () => {
  assert.deepEqual(eventQueryOf({ ...NO_EVENT_FILTERS, from: '2026-11-' }), {});
});
