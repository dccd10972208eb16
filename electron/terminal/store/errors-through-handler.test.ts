// The contract's handler turns the store's errors into the codes the UI acts on; the rest stay 'internal', so no
// detail of a broken database reaches a client.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { contract } from '../../shared/contract/channels.js';
import { createHandler } from '../../shared/contract/handler.js';
import type { ErrorCode } from '../../shared/contract/result.js';
import { StoreError, type StoreErrorCode } from './errors.js';

test("StoreErrors through the handler: the codes the UI acts on pass through, the rest are 'internal'", async () => {
  const expected: Record<StoreErrorCode, ErrorCode> = {
    'not-found': 'not-found',
    conflict: 'conflict',
    invalid: 'invalid-request',
    'schema-too-new': 'internal',
    'not-lintel': 'internal',
    'key-file': 'internal',
    'key-mismatch': 'internal',
    decrypt: 'internal',
    'migration-failed': 'internal',
    'backup-invalid': 'internal',
  };
  let thrown: StoreErrorCode = 'not-found';
  const handle = createHandler(
    { 'persons:get': contract['persons:get'] },
    {
      'persons:get': () => {
        throw new StoreError(thrown, `store says ${thrown}`);
      },
    },
    { logger: { error: () => undefined }, authorize: () => true },
  );
  for (const [code, want] of Object.entries(expected) as [StoreErrorCode, ErrorCode][]) {
    thrown = code;
    const result = await handle('persons:get', { id: '0b6f3a52-5d3c-4c1e-9a57-3f1c2b7e8d90' }, { senderOk: true });
    assert.deepEqual(result.ok ? undefined : result.error.code, want, code);
  }
});
