import assert from 'node:assert/strict';
import { test } from 'node:test';

import { secretProblem } from './secret-rules.js';

test('accepts a PIN of 4 to 12 digits typed twice the same', () => {
  assert.equal(secretProblem('pin', '2468', '2468'), null);
  assert.equal(secretProblem('pin', '123456789012', '123456789012'), null);
});

test('refuses short, long, non-digit and mistyped PINs', () => {
  assert.equal(secretProblem('pin', '123', '123'), 'A PIN has 4 to 12 digits.');
  assert.equal(secretProblem('pin', '1234567890123', '1234567890123'), 'A PIN has 4 to 12 digits.');
  assert.equal(secretProblem('pin', '12a4', '12a4'), 'A PIN has digits only.');
  assert.equal(secretProblem('pin', '1234', '1243'), 'The two PINs differ.');
});

test('wants passwords of at least 8 characters typed twice the same', () => {
  assert.equal(secretProblem('password', 'seven77', 'seven77'), 'A password has at least 8 characters.');
  assert.equal(secretProblem('password', 'long enough', 'long enougH'), 'The two passwords differ.');
  assert.equal(secretProblem('password', 'long enough', 'long enough'), null);
});
