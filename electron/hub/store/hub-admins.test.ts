import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { HubStoreFixture } from '../test/hub-store-fixture.js';
import { HubStoreError } from './errors.js';

const fixture = new HubStoreFixture();
before(() => fixture.start());
after(() => fixture.stop());

describe('hub admins', () => {
  test('the first admin is made once; short passwords and bad usernames are refused', async () => {
    const store = await fixture.openStore();
    assert.equal(await store.admins.createFirst('Site-Admin', 'a long hub password'), true);
    assert.equal(await store.admins.createFirst('second', 'another long password'), false);
    assert.deepEqual((await store.admins.list()).map((admin) => admin.username), ['site-admin']);
    await assert.rejects(store.admins.create('other', 'short'), (error) => error instanceof HubStoreError && error.code === 'invalid');
    await assert.rejects(store.admins.create('no spaces', 'a long hub password'), (error) => error instanceof HubStoreError && error.code === 'invalid');
    await assert.rejects(store.admins.create('site-admin', 'a long hub password'), (error) => error instanceof HubStoreError && error.code === 'conflict');
    // The hash in the database is not the password, and differs per admin for the same password.
    await store.admins.create('other', 'a long hub password');
    const { rows } = await store.database.query<{ hash: Buffer }>('SELECT hash FROM admins ORDER BY username');
    assert.notDeepEqual(rows[0]?.hash, rows[1]?.hash);
  });

  test('wrong passwords lock the username for a while, doubling; the right one afterwards resets the count', async () => {
    let nowMs = 1_800_000_000_000;
    const store = await fixture.openStore(() => nowMs);
    await store.admins.create('admin', 'correct horse battery');
    for (let tries = 4; tries >= 1; tries--) assert.deepEqual(await store.admins.verify('admin', 'wrong password!'), { ok: false, reason: 'invalid', triesLeft: tries });
    assert.deepEqual(await store.admins.verify('admin', 'wrong password!'), { ok: false, reason: 'locked', lockedUntilMs: nowMs + 30_000 });
    // Locked: even the right password waits.
    assert.deepEqual(await store.admins.verify('admin', 'correct horse battery'), { ok: false, reason: 'locked', lockedUntilMs: nowMs + 30_000 });
    nowMs += 30_001;
    assert.deepEqual(await store.admins.verify('admin', 'wrong password!'), { ok: false, reason: 'locked', lockedUntilMs: nowMs + 60_000 });
    nowMs += 60_001;
    assert.deepEqual(await store.admins.verify('admin', 'correct horse battery'), { ok: true });
    assert.deepEqual(await store.admins.verify('admin', 'wrong password!'), { ok: false, reason: 'invalid', triesLeft: 4 });
    assert.deepEqual(await store.admins.verify('nobody', 'whatever it is'), { ok: false, reason: 'invalid', triesLeft: 4 });
  });

  test('sessions open by token until they expire or end; the database holds no token', async () => {
    let nowMs = 1_800_000_000_000;
    const store = await fixture.openStore(() => nowMs);
    await store.admins.create('admin', 'correct horse battery');
    const { token, expiresAtMs } = await store.admins.createSession('admin', 60_000);
    assert.deepEqual(await store.admins.sessionOf(token), { username: 'admin', expiresAtMs });
    const { rows } = await store.database.query<{ token_hash: Buffer }>('SELECT token_hash FROM admin_sessions');
    assert.equal(rows[0]?.token_hash.toString('base64url') === token, false);
    assert.equal(await store.admins.sessionOf('not-a-token'), undefined);
    nowMs += 60_000;
    assert.equal(await store.admins.sessionOf(token), undefined);
    const second = await store.admins.createSession('admin', 60_000);
    await store.admins.endSession(second.token);
    assert.equal(await store.admins.sessionOf(second.token), undefined);
  });
});
