import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openDatabase } from './database.js';
import { StoreError } from './errors.js';
import { PairingRepository } from './pairing-repository.js';
import { tempDir } from './test/test-helpers.js';

test('a pairing code works once, within its time, and only its hash is stored', (t) => {
  const db = openDatabase({ dataDir: tempDir(t) });
  t.after(() => db.close());
  const clock = { nowMs: 1_000_000 };
  const pairing = new PairingRepository(db, () => clock.nowMs);
  const code = pairing.mint(60_000);
  const stored = db.prepare<[], { code_sha256: string }>('SELECT code_sha256 FROM pairing_codes').all();
  assert.equal(stored.length, 1);
  assert.notEqual(stored[0]?.code_sha256, code, 'the code itself is not stored');
  assert.equal(pairing.redeem(code), true);
  assert.equal(pairing.redeem(code), false, 'spent');
  const late = pairing.mint(60_000);
  clock.nowMs += 60_000;
  assert.equal(pairing.redeem(late), false, 'expired');
  assert.equal(pairing.redeem('made-up'), false);
  assert.equal(pairing.redeem(null), false);
  // Another process (lintel pair) mints with its own repository on the same database.
  const other = new PairingRepository(db, () => clock.nowMs).mint();
  assert.equal(pairing.redeem(other), true);
  assert.throws(() => pairing.mint(24 * 60 * 60_000), (error) => error instanceof StoreError && error.code === 'invalid');
});
