import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { MAX_CARD_FIELD } from '../../shared/contract/schemas.js';
import { testEvent } from '../test/hub-store-fixture.js';
import { HubStoreError } from './errors.js';
import type { WireEvent } from './hub-store.js';
import { checkEvent } from './validate.js';

/** Asserts checkEvent refuses the event as 'invalid' with a message naming `field`. */
function assertRefused(event: WireEvent, field: RegExp): void {
  assert.throws(
    () => checkEvent(event, 3),
    (error) => error instanceof HubStoreError && error.code === 'invalid' && field.test(error.message),
  );
}

describe('checkEvent: the card shown', () => {
  test('a card, no card, and a card from a caller that left the field out are accepted', () => {
    checkEvent(testEvent(1, { card: { facilityCode: 12, cardNumber: 34567 } }), 0);
    checkEvent(testEvent(1, { card: { facilityCode: null, cardNumber: 0 } }), 0);
    checkEvent(testEvent(1, { card: { facilityCode: MAX_CARD_FIELD, cardNumber: MAX_CARD_FIELD } }), 0);
    checkEvent(testEvent(1, { card: null }), 0);
    const { card: _card, ...older } = testEvent(1);
    checkEvent(older as WireEvent, 0);
  });

  test('a card number or facility code that is not a whole number within range is refused, naming the field', () => {
    assertRefused(testEvent(1, { card: { facilityCode: null, cardNumber: -1 } }), /^events\[3\]\.card\.cardNumber /);
    assertRefused(testEvent(1, { card: { facilityCode: null, cardNumber: 1.5 } }), /^events\[3\]\.card\.cardNumber /);
    assertRefused(testEvent(1, { card: { facilityCode: null, cardNumber: MAX_CARD_FIELD + 1 } }), /^events\[3\]\.card\.cardNumber must be at most/);
    assertRefused(testEvent(1, { card: { facilityCode: null, cardNumber: '34567' as unknown as number } }), /^events\[3\]\.card\.cardNumber /);
    assertRefused(testEvent(1, { card: { facilityCode: -2, cardNumber: 34567 } }), /^events\[3\]\.card\.facilityCode /);
    assertRefused(testEvent(1, { card: { facilityCode: Number.NaN, cardNumber: 34567 } }), /^events\[3\]\.card\.facilityCode /);
    assertRefused(testEvent(1, { card: 'card 34567' as unknown as WireEvent['card'] }), /^events\[3\]\.card must be a card or null/);
  });
});
