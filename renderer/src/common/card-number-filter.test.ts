import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseCardNumberFilter } from './card-number-filter.js';

test('an empty field is no card filter', () => {
  assert.deepEqual(parseCardNumberFilter('  '), { cardNumber: null });
});

test('digits are a card number, up to 48 bits', () => {
  assert.deepEqual(parseCardNumberFilter(' 0034567 '), { cardNumber: 34567 });
  assert.deepEqual(parseCardNumberFilter(String(2 ** 48 - 1)), { cardNumber: 2 ** 48 - 1 });
});

test('anything else names what is wrong', () => {
  assert.deepEqual(parseCardNumberFilter('12-3'), { problem: 'A card number is digits only.' });
  assert.deepEqual(parseCardNumberFilter('1e5'), { problem: 'A card number is digits only.' });
  assert.deepEqual(parseCardNumberFilter(String(2 ** 48)), { problem: `A card number is at most ${2 ** 48 - 1}.` });
});
