import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { draftFromPerson, draftProblems, draftToInput, EMPTY_PERSON_DRAFT, serverDraftProblems } from './person-draft.js';

describe('person drafts', () => {
  test('need a name', () => {
    assert.deepEqual(draftProblems(EMPTY_PERSON_DRAFT), { name: 'Enter a name.' });
    assert.deepEqual(draftProblems({ ...EMPTY_PERSON_DRAFT, name: '  Ann Lee ' }), {});
  });

  test('refuse a validity that ends before it starts', () => {
    const draft = { ...EMPTY_PERSON_DRAFT, name: 'Ann', validFrom: '2026-12-01', validUntil: '2026-11-30' };
    assert.deepEqual(draftProblems(draft), { validUntil: 'The last day comes before the first day.' });
    assert.deepEqual(draftProblems({ ...draft, validUntil: '2026-12-01' }), {});
  });

  test('become a PersonInput valid for whole days, blanks as null, groups unique', () => {
    const input = draftToInput({ ...EMPTY_PERSON_DRAFT, name: ' Ann Lee ', externalId: ' ', validFrom: '2026-12-01', validUntil: '2026-12-31', groups: ['staff', ' staff', 'night'], enabled: false });
    assert.deepEqual(input, {
      name: 'Ann Lee',
      externalId: null,
      enabled: false,
      validFromMs: new Date(2026, 11, 1).getTime(),
      validUntilMs: new Date(2027, 0, 1).getTime() - 1,
      groups: ['staff', 'night'],
      credential: null,
    });
  });

  test('carry a card credential: digits only, a facility code only beside a card number', () => {
    const draft = { ...EMPTY_PERSON_DRAFT, name: 'Ann', facilityCode: ' 13 ', cardNumber: '13067' };
    assert.deepEqual(draftProblems(draft), {});
    assert.deepEqual(draftToInput(draft).credential, { facilityCode: 13, cardNumber: 13067 });
    assert.deepEqual(draftToInput({ ...draft, facilityCode: '' }).credential, { facilityCode: null, cardNumber: 13067 });
    assert.deepEqual(draftProblems({ ...draft, facilityCode: '1e3', cardNumber: '-4' }), { facilityCode: 'Digits only.', cardNumber: 'Digits only.' });
    assert.deepEqual(draftProblems({ ...draft, cardNumber: '' }), { cardNumber: 'Enter the card number too, or clear the facility code.' });
  });

  test("show the terminal's range refusal at the field it names", () => {
    const message = 'credential.facilityCode must be a whole number from 0 to 255 in format wiegand26, got 300; credential.cardNumber must be a whole number from 0 to 65535 in format wiegand26, got 70000';
    assert.deepEqual(serverDraftProblems({ code: 'invalid-request', message }), {
      facilityCode: 'Must be a whole number from 0 to 255 in format wiegand26, got 300.',
      cardNumber: 'Must be a whole number from 0 to 65535 in format wiegand26, got 70000.',
    });
    assert.deepEqual(serverDraftProblems({ code: 'conflict', message: 'credential facility 1 card 2 already belongs to another person' }), {});
  });

  test('round-trip a stored person', () => {
    const person = {
      id: '0b6f7f0e-8a4c-4c43-9a4e-2f1b6b1c9d01',
      name: 'Ann Lee',
      externalId: 'E-100',
      enabled: true,
      validFromMs: new Date(2026, 0, 5).getTime(),
      validUntilMs: new Date(2026, 0, 10).getTime() - 1,
      groups: ['staff'],
      credential: { facilityCode: 13, cardNumber: 13067 },
      createdAtMs: 0,
      updatedAtMs: 0,
    };
    const draft = draftFromPerson(person);
    assert.deepEqual(draft, { name: 'Ann Lee', externalId: 'E-100', validFrom: '2026-01-05', validUntil: '2026-01-09', groups: ['staff'], enabled: true, facilityCode: '13', cardNumber: '13067' });
    const input = draftToInput(draft);
    assert.equal(input.validFromMs, person.validFromMs);
    assert.equal(input.validUntilMs, person.validUntilMs);
  });
});
