import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { devShortcut } from './dev-shortcuts.js';

const key = (key: string, modifiers: { control?: boolean; shift?: boolean; meta?: boolean } = {}, type = 'keyDown') => ({
  type,
  key,
  control: modifiers.control ?? false,
  shift: modifiers.shift ?? false,
  meta: modifiers.meta ?? false,
});

describe('development shortcuts', () => {
  test('F12 and Ctrl+Shift+I open devtools; F5 and Ctrl+R reload', () => {
    assert.equal(devShortcut(key('F12')), 'devtools');
    assert.equal(devShortcut(key('I', { control: true, shift: true })), 'devtools');
    assert.equal(devShortcut(key('F5')), 'reload');
    assert.equal(devShortcut(key('r', { control: true })), 'reload');
  });

  test('typing is not a shortcut, nor a key release', () => {
    assert.equal(devShortcut(key('r')), null);
    assert.equal(devShortcut(key('i', { shift: true })), null);
    assert.equal(devShortcut(key('F12', {}, 'keyUp')), null);
  });
});
