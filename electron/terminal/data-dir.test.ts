import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

import { resolveDataDir } from './data-dir.js';

describe('resolveDataDir', () => {
  it('prefers --data, then LINTEL_DATA_DIR, then the platform folder', () => {
    assert.equal(resolveDataDir('rel/dir', { LINTEL_DATA_DIR: '/env' }), resolve('rel/dir'));
    assert.equal(resolveDataDir(undefined, { LINTEL_DATA_DIR: '/env' }), '/env');
    assert.equal(resolveDataDir(undefined, { XDG_CONFIG_HOME: '/xdg' }, 'linux'), '/xdg/Lintel');
    assert.equal(resolveDataDir(undefined, {}, 'linux'), join(homedir(), '.config', 'Lintel'));
    assert.equal(resolveDataDir(undefined, { APPDATA: 'C:/Users/a/AppData/Roaming' }, 'win32'), join('C:/Users/a/AppData/Roaming', 'Lintel'));
  });
});
