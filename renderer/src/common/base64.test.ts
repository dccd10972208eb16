import assert from 'node:assert/strict';
import { test } from 'node:test';

import { bytesToBase64 } from './base64.js';

test('encodes bytes as padded base64, also across chunk boundaries', () => {
  assert.equal(bytesToBase64(new Uint8Array([])), '');
  assert.equal(bytesToBase64(new Uint8Array([0xff, 0xd8, 0xff])), '/9j/');
  assert.equal(bytesToBase64(new Uint8Array([1, 2])), 'AQI=');
  const large = new Uint8Array(100_001).map((_, index) => index * 7);
  assert.equal(bytesToBase64(large), Buffer.from(large).toString('base64'));
});
