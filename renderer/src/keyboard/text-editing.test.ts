import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { applyEditKey, letterFor, type TextEditState } from './text-editing.js';

const caretAt = (value: string, offset: number): TextEditState => ({ value, selectionStart: offset, selectionEnd: offset });

describe('applyEditKey', () => {
  test('inserts at the caret and moves it past the text', () => {
    assert.deepEqual(applyEditKey(caretAt('Ann', 3), { kind: 'insert', text: ' Lee' }), caretAt('Ann Lee', 7));
    assert.deepEqual(applyEditKey(caretAt('Al', 1), { kind: 'insert', text: 'n' }), caretAt('Anl', 2));
  });

  test('replaces a selection', () => {
    assert.deepEqual(applyEditKey({ value: 'Ann Lee', selectionStart: 4, selectionEnd: 7 }, { kind: 'insert', text: 'Ng' }), caretAt('Ann Ng', 6));
  });

  test('treats a backwards selection like a forwards one', () => {
    assert.deepEqual(applyEditKey({ value: 'abcdef', selectionStart: 4, selectionEnd: 1 }, { kind: 'backspace' }), caretAt('aef', 1));
  });

  test('deletes the character before the caret, or nothing at the start', () => {
    assert.deepEqual(applyEditKey(caretAt('1234', 4), { kind: 'backspace' }), caretAt('123', 3));
    assert.deepEqual(applyEditKey(caretAt('1234', 2), { kind: 'backspace' }), caretAt('134', 1));
    assert.deepEqual(applyEditKey(caretAt('1234', 0), { kind: 'backspace' }), caretAt('1234', 0));
  });

  test('deletes a character outside the basic plane whole', () => {
    assert.deepEqual(applyEditKey(caretAt('a😀', 3), { kind: 'backspace' }), caretAt('a', 1));
  });

  test('stops at maxLength, keeping what fits', () => {
    assert.deepEqual(applyEditKey(caretAt('12345678901', 11), { kind: 'insert', text: '2' }, 12), caretAt('123456789012', 12));
    assert.deepEqual(applyEditKey(caretAt('123456789012', 12), { kind: 'insert', text: '3' }, 12), caretAt('123456789012', 12));
    assert.deepEqual(applyEditKey(caretAt('ab', 2), { kind: 'insert', text: 'cdef' }, 4), caretAt('abcd', 4));
  });

  test('clamps a selection beyond the value', () => {
    assert.deepEqual(applyEditKey(caretAt('ab', 10), { kind: 'insert', text: 'c' }), caretAt('abc', 3));
  });

  test('clears the field', () => {
    assert.deepEqual(applyEditKey(caretAt('secret', 3), { kind: 'clear' }), caretAt('', 0));
  });
});

describe('letterFor', () => {
  test('types upper case with shift, lower case without', () => {
    assert.equal(letterFor('a', true), 'A');
    assert.equal(letterFor('A', false), 'a');
  });
});
