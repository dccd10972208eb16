import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { draftFromPerson, draftProblems, draftToInput, EMPTY_PERSON_DRAFT } from './person-draft.js';

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
    const input = draftToInput({ name: ' Ann Lee ', externalId: ' ', validFrom: '2026-12-01', validUntil: '2026-12-31', groups: ['staff', ' staff', 'night'], enabled: false });
    assert.deepEqual(input, {
      name: 'Ann Lee',
      externalId: null,
      enabled: false,
      validFromMs: new Date(2026, 11, 1).getTime(),
      validUntilMs: new Date(2027, 0, 1).getTime() - 1,
      groups: ['staff', 'night'],
    });
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
      createdAtMs: 0,
      updatedAtMs: 0,
    };
    const draft = draftFromPerson(person);
    assert.deepEqual(draft, { name: 'Ann Lee', externalId: 'E-100', validFrom: '2026-01-05', validUntil: '2026-01-09', groups: ['staff'], enabled: true });
    const input = draftToInput(draft);
    assert.equal(input.validFromMs, person.validFromMs);
    assert.equal(input.validUntilMs, person.validUntilMs);
  });
});
