import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { deriveKeys, KEY_BYTES, KEY_FILE_NAME, loadOrCreateKey, seal, unseal } from './crypto.js';
import { StoreError } from './errors.js';
import { tempDir } from './test/test-helpers.js';

const key = Buffer.alloc(32, 7);
const isDecryptError = (error: unknown): boolean => error instanceof StoreError && error.code === 'decrypt';
const isKeyFileError = (pattern: RegExp) => (error: unknown): boolean => error instanceof StoreError && error.code === 'key-file' && pattern.test(error.message);

describe('seal / unseal', () => {
  test('round-trips, with a fresh IV each time and 29 bytes of overhead', () => {
    const plaintext = Buffer.from('template bytes');
    const a = seal(key, plaintext, 'sample:1:crop');
    const b = seal(key, plaintext, 'sample:1:crop');
    assert.notDeepEqual(a, b);
    assert.equal(a.length, plaintext.length + 29);
    assert.equal(a[0], 1);
    assert.deepEqual(unseal(key, a, 'sample:1:crop'), plaintext);
    assert.deepEqual(unseal(key, seal(key, Buffer.alloc(0), 'x'), 'x'), Buffer.alloc(0));
  });

  test('any altered byte (version, IV, ciphertext, tag) fails to open', () => {
    const sealed = seal(key, Buffer.from('a face crop'), 'sample:1:crop');
    for (const index of [0, 1, 13, 20, sealed.length - 1]) {
      const altered = Buffer.from(sealed);
      altered[index]! ^= 0x01;
      assert.throws(() => unseal(key, altered, 'sample:1:crop'), isDecryptError, `byte ${index}`);
    }
    assert.throws(() => unseal(key, sealed.subarray(0, 28), 'sample:1:crop'), /too short/);
  });

  test('another row, column or key fails to open', () => {
    const sealed = seal(key, Buffer.from('a face crop'), 'sample:1:crop');
    assert.throws(() => unseal(key, sealed, 'sample:2:crop'), isDecryptError);
    assert.throws(() => unseal(key, sealed, 'sample:1:template:model-a'), isDecryptError);
    assert.throws(() => unseal(Buffer.alloc(32, 8), sealed, 'sample:1:crop'), isDecryptError);
  });

  test('derived keys differ per purpose and the key id is stable', () => {
    const a = deriveKeys(key);
    const b = deriveKeys(Buffer.from(key));
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.blobKey, a.pepperKey);
    assert.notDeepEqual(a.blobKey, key);
    assert.match(a.keyId, /^[0-9a-f]{16}$/);
    assert.notEqual(deriveKeys(Buffer.alloc(32, 8)).keyId, a.keyId);
  });
});

describe('loadOrCreateKey', () => {
  test('creates a 32-byte key with mode 0600 once, then reads the same key', (t) => {
    const dir = tempDir(t);
    const created = loadOrCreateKey(dir);
    assert.equal(created.length, KEY_BYTES);
    const path = join(dir, KEY_FILE_NAME);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(readFileSync(path), created);
    assert.deepEqual(loadOrCreateKey(dir), created);
  });

  test('refuses a key readable by group or others, with the fix in the message', (t) => {
    const dir = tempDir(t);
    loadOrCreateKey(dir);
    chmodSync(join(dir, KEY_FILE_NAME), 0o640);
    assert.throws(() => loadOrCreateKey(dir), isKeyFileError(/mode 0640.*chmod 600/));
    chmodSync(join(dir, KEY_FILE_NAME), 0o604);
    assert.throws(() => loadOrCreateKey(dir), isKeyFileError(/group or others/));
  });

  test('refuses a key of the wrong size and a symlink', (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, KEY_FILE_NAME), Buffer.alloc(31), { mode: 0o600 });
    assert.throws(() => loadOrCreateKey(dir), isKeyFileError(/31 bytes, expected 32/));
    const other = tempDir(t);
    writeFileSync(join(other, 'real.key'), Buffer.alloc(32), { mode: 0o600 });
    symlinkSync(join(other, 'real.key'), join(other, KEY_FILE_NAME));
    assert.throws(() => loadOrCreateKey(other), isKeyFileError(/not a regular file/));
  });
});
