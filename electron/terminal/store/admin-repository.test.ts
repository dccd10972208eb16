import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';

import type Database from 'better-sqlite3';

import { AdminRepository, type AdminRepositoryOptions } from './admin-repository.js';
import { openDatabase } from './database.js';
import { StoreError } from './errors.js';
import { FAST_SCRYPT, tempDir } from './test/test-helpers.js';

interface Setup {
  db: Database.Database;
  admins: AdminRepository;
  clock: { nowMs: number };
  make(options?: AdminRepositoryOptions, pepper?: Buffer): AdminRepository;
}

function setup(t: { after(fn: () => void): void }): Setup {
  const db = openDatabase({ dataDir: tempDir(t) });
  t.after(() => db.close());
  const clock = { nowMs: 1_000_000 };
  const pepper = randomBytes(32);
  const make = (options: AdminRepositoryOptions = {}, pepperKey = pepper): AdminRepository =>
    new AdminRepository(db, pepperKey, { nowMs: () => clock.nowMs, scrypt: FAST_SCRYPT, ...options });
  return { db, admins: make(), clock, make };
}

const hasCode = (code: string) => (error: unknown): boolean => error instanceof StoreError && error.code === code;

describe('AdminRepository', () => {
  test('verifies a PIN and a password; wrong secrets and unknown names answer the same', async (t) => {
    const { admins, clock } = setup(t);
    await admins.create('admin', 'pin', '482913');
    await admins.create('Jo', 'password', 'correct horse battery');
    assert.deepEqual(await admins.verify('admin', '482913'), { ok: true });
    assert.deepEqual(await admins.verify('Jo', 'correct horse battery'), { ok: true });
    assert.deepEqual(await admins.verify('admin', '482914'), { ok: false, reason: 'invalid', triesLeft: 4 });
    assert.deepEqual(await admins.verify('nobody', '482913'), { ok: false, reason: 'invalid', triesLeft: 4 });
    assert.equal(admins.get('admin')?.lastLoginAtMs, clock.nowMs);
    assert.equal(admins.count(), 2);
    assert.deepEqual(admins.list().map((admin) => [admin.username, admin.kind]), [['Jo', 'password'], ['admin', 'pin']]);
  });

  test('stores a salted hash with its parameters, peppered by the key: another key cannot verify', async (t) => {
    const { db, admins, make } = setup(t);
    await admins.create('a', 'pin', '1234');
    await admins.create('b', 'pin', '1234');
    const rows = db.prepare<[], { salt: Buffer; hash: Buffer; scheme: string; scrypt_cost: number }>('SELECT salt, hash, scheme, scrypt_cost FROM admins').all();
    assert.notDeepEqual(rows[0]?.hash, rows[1]?.hash, 'same PIN, different salts');
    assert.deepEqual([rows[0]?.scheme, rows[0]?.scrypt_cost, rows[0]?.salt.length, rows[0]?.hash.length], ['scrypt-hmac-sha256-v1', 1024, 16, 32]);
    assert.deepEqual(await make({}, randomBytes(32)).verify('a', '1234'), { ok: false, reason: 'invalid', triesLeft: 4 });
  });

  test('after 5 failures a source waits, twice as long after each further one; the right PIN waits too', async (t) => {
    const { admins, clock } = setup(t);
    await admins.create('admin', 'pin', '482913');
    for (let left = 4; left >= 1; left--) assert.deepEqual(await admins.verify('admin', '000000', 'ip:a'), { ok: false, reason: 'invalid', triesLeft: left });
    const lockedUntilMs = clock.nowMs + 30_000;
    assert.deepEqual(await admins.verify('admin', '000000', 'ip:a'), { ok: false, reason: 'locked', lockedUntilMs });
    assert.deepEqual(await admins.verify('admin', '482913', 'ip:a'), { ok: false, reason: 'locked', lockedUntilMs });
    assert.deepEqual([admins.get('admin')?.failedAttempts, admins.get('admin')?.lockedUntilMs], [5, lockedUntilMs], 'attempts while locked are not counted');
    clock.nowMs = lockedUntilMs;
    assert.deepEqual(await admins.verify('admin', '000000', 'ip:a'), { ok: false, reason: 'locked', lockedUntilMs: clock.nowMs + 60_000 });
    clock.nowMs += 60_000;
    assert.deepEqual(await admins.verify('admin', '000000', 'ip:a'), { ok: false, reason: 'locked', lockedUntilMs: clock.nowMs + 120_000 });
    clock.nowMs += 120_000;
    assert.deepEqual(await admins.verify('admin', '482913', 'ip:a'), { ok: true });
    assert.deepEqual([admins.get('admin')?.failedAttempts, admins.get('admin')?.lockedUntilMs], [0, null]);
    assert.deepEqual(await admins.verify('admin', '000000', 'ip:a'), { ok: false, reason: 'invalid', triesLeft: 4 }, 'a success starts over');
  });

  test('the wait never passes the longest lockout, and failures are forgotten after a day', async (t) => {
    const { admins, clock } = setup(t);
    await admins.create('admin', 'pin', '482913');
    const waitsMs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const result = await admins.verify('admin', '000000', 'ip:a');
      if (result.ok === false && result.reason === 'locked') {
        waitsMs.push(result.lockedUntilMs - clock.nowMs);
        clock.nowMs = result.lockedUntilMs;
      }
    }
    assert.deepEqual(waitsMs.slice(0, 6), [30_000, 60_000, 120_000, 240_000, 480_000, 900_000]);
    assert.equal(Math.max(...waitsMs), 15 * 60_000);
    clock.nowMs += 24 * 60 * 60_000 + 1;
    assert.deepEqual(await admins.verify('admin', '000000', 'ip:a'), { ok: false, reason: 'invalid', triesLeft: 4 });
  });

  test('one source locked out does not lock another: the kiosk still logs in', async (t) => {
    const { admins } = setup(t);
    await admins.create('admin', 'pin', '482913');
    for (let i = 0; i < 5; i++) await admins.verify('admin', '000000', 'ip:203.0.113.9');
    assert.equal((await admins.verify('admin', '482913', 'ip:203.0.113.9')).ok, false);
    assert.deepEqual(await admins.verify('admin', '482913', 'kiosk'), { ok: true });
  });

  test('an unknown username answers exactly as a known one, try by try, and takes a hash as long', async (t) => {
    const { admins, clock } = setup(t);
    await admins.create('admin', 'pin', '482913');
    const known = [];
    const unknown = [];
    for (let i = 0; i < 7; i++) {
      known.push(await admins.verify('admin', '000000', 'ip:a'));
      unknown.push(await admins.verify('nobody', '000000', 'ip:a'));
      clock.nowMs += 1;
    }
    assert.deepEqual(unknown, known);
    assert.equal(admins.unlock('nobody'), false, 'no admin of that name');
    assert.equal(admins.unlock('admin'), true);
    assert.deepEqual(await admins.verify('admin', '482913', 'ip:a'), { ok: true });
  });

  test('parallel guesses are counted before hashing, so they cannot exceed the limit', async (t) => {
    const { admins } = setup(t);
    await admins.create('admin', 'pin', '482913');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => admins.verify('admin', String(100000 + i), 'ip:a')));
    const reasons = results.map((result) => (result.ok ? 'ok' : result.reason));
    assert.equal(reasons.filter((reason) => reason === 'invalid').length, 4);
    assert.equal(reasons.filter((reason) => reason === 'locked').length, 1, 'the fifth failure locks');
    assert.equal(reasons.filter((reason) => reason === 'busy').length, 15, 'one hash runs, four wait, the rest are turned away uncounted');
    assert.equal(admins.get('admin')?.failedAttempts, 5);
    assert.equal(admins.unlock('admin'), true);
    assert.deepEqual(await admins.verify('admin', '482913', 'ip:a'), { ok: true });
  });

  test('one hash at a time: a flood of unknown names is turned away beyond the queue, not hashed', async (t) => {
    const { admins } = setup(t);
    const results = await Promise.all(Array.from({ length: 40 }, async (_, i) => admins.verify(`nobody-${i}`, '0000', 'ip:a')));
    const reasons = results.map((result) => (result.ok ? 'ok' : result.reason));
    assert.deepEqual([reasons.filter((reason) => reason === 'invalid').length, reasons.filter((reason) => reason === 'busy').length], [5, 35]);
    // Once the queue has drained, logins are checked again.
    assert.equal((await admins.verify('nobody-0', '0000', 'ip:a')).ok, false);
    assert.notEqual(await admins.verify('nobody-99', '0000', 'ip:a').then((result) => (result.ok ? 'ok' : result.reason)), 'busy');
  });

  test('a hash made with old parameters is redone at the next login', async (t) => {
    const { db, make } = setup(t);
    await make({ scrypt: { ...FAST_SCRYPT, cost: 512 } }).create('admin', 'pin', '482913');
    const stronger = make({ scrypt: FAST_SCRYPT });
    assert.deepEqual(await stronger.verify('admin', '482913'), { ok: true });
    assert.equal(db.prepare('SELECT scrypt_cost FROM admins').pluck().get(), 1024);
    assert.deepEqual(await stronger.verify('admin', '482913'), { ok: true });
  });

  test('validates PINs, passwords and names; changes and deletes credentials', async (t) => {
    const { admins } = setup(t);
    await assert.rejects(admins.create('admin', 'pin', '123'), hasCode('invalid'));
    await assert.rejects(admins.create('admin', 'pin', '12a4'), hasCode('invalid'));
    await assert.rejects(admins.create('admin', 'password', 'short'), hasCode('invalid'));
    await assert.rejects(admins.create(' ', 'pin', '1234'), hasCode('invalid'));
    await admins.create('admin', 'pin', '1234');
    await assert.rejects(admins.create('admin', 'pin', '5678'), hasCode('conflict'));
    await admins.setSecret('admin', 'password', 'a longer password');
    assert.deepEqual(await admins.verify('admin', '1234'), { ok: false, reason: 'invalid', triesLeft: 4 });
    assert.deepEqual(await admins.verify('admin', 'a longer password'), { ok: true });
    await assert.rejects(admins.setSecret('nobody', 'pin', '1234'), hasCode('not-found'));
    assert.equal(admins.delete('admin'), true);
    assert.equal(admins.count(), 0);
  });
});
