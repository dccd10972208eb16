import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createClient, type Result } from '../contract.js';
import { guardAdminSession } from './guard-client.js';

const unauthorized: Result<never> = { ok: false, error: { code: 'unauthorized', message: 'session expired' } };

test('an admin channel answering unauthorized ends the admin session in the UI; the caller still gets the Result', async () => {
  let lost = 0;
  const client = guardAdminSession(
    createClient(async () => unauthorized),
    () => lost++,
  );
  assert.deepEqual(await client['persons:list']({}), unauthorized);
  assert.equal(lost, 1);
});

test('a wrong PIN (admin:login answers unauthorized) or a device-level refusal does not', async () => {
  let lost = 0;
  const client = guardAdminSession(
    createClient(async () => unauthorized),
    () => lost++,
  );
  await client['admin:login']({ username: 'admin', secret: '0000' });
  await client['persons:photo']({ id: '0b6f7f0e-8a4c-4c43-9a4e-2f1b6b1c9d01' });
  assert.equal(lost, 0);
});
