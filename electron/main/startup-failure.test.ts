import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { describeStartupFailure } from './startup-failure.js';

describe('startup failure dialog', () => {
  test('says what failed, and what to do where that is known', () => {
    const abi = describeStartupFailure(new Error('better_sqlite3.node was compiled against a different Node.js version using NODE_MODULE_VERSION 115'), '/d');
    assert.equal(abi.title, 'Lintel cannot start');
    assert.match(abi.message, /NODE_MODULE_VERSION 115/);
    assert.match(abi.message, /install-app-deps/);

    const store = Object.assign(new Error('/d/lintel.key is missing but the database needs key k1'), { name: 'StoreError' });
    assert.match(describeStartupFailure(store, '/d').message, /data is in \/d/);
    const denied = Object.assign(new Error('EACCES: permission denied, mkdir /d'), { code: 'EACCES' });
    assert.match(describeStartupFailure(denied, '/d').message, /writable/);

    assert.match(describeStartupFailure(new Error('the renderer is not built: index.html is missing'), '/d').message, /npm run build/);
    assert.equal(describeStartupFailure('plain text', '/d').message, 'plain text');
  });
});
