import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { createClient } from '../contract.js';
import { createHttpInvoke } from './http-invoke.js';

interface Sent {
  readonly url: string;
  readonly init: RequestInit;
}

function fakeFetch(status: number, body: string, sent: Sent[] = []): typeof fetch {
  return (async (url: string, init: RequestInit) => {
    sent.push({ url, init });
    return new Response(body, { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}

describe('createHttpInvoke', () => {
  test('posts the JSON request to the channel path with the session cookie and reads the Result', async () => {
    const sent: Sent[] = [];
    const client = createClient(createHttpInvoke(fakeFetch(200, JSON.stringify({ ok: true, value: { hasAdmin: true, session: null } }), sent)));
    const result = await client['admin:status']({});
    assert.deepEqual(result, { ok: true, value: { hasAdmin: true, session: null } });
    assert.equal(sent[0]?.url, '/api/call/admin:status');
    assert.equal(sent[0]?.init.method, 'POST');
    assert.equal(sent[0]?.init.body, '{}');
    assert.equal(sent[0]?.init.credentials, 'same-origin');
    assert.equal(sent[0]?.init.keepalive, true);
  });

  test('reads a failed Result from a 4xx answer too', async () => {
    const client = createClient(createHttpInvoke(fakeFetch(401, JSON.stringify({ ok: false, error: { code: 'unauthorized', message: 'log in first' } }))));
    assert.deepEqual(await client['persons:list']({}), { ok: false, error: { code: 'unauthorized', message: 'log in first' } });
  });

  test('turns an answer that is no Result into unavailable', async () => {
    const client = createClient(createHttpInvoke(fakeFetch(502, '<html>Bad gateway</html>')));
    const result = await client['health:get']({});
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.error.code, 'unavailable');
      assert.match(result.error.message, /HTTP 502/);
    }
    const notResult = await createClient(createHttpInvoke(fakeFetch(200, '{"value":1}')))['health:get']({});
    assert.equal(notResult.ok, false);
  });

  test('sends large uploads without keepalive (browsers cap keepalive bodies)', async () => {
    const sent: Sent[] = [];
    const client = createClient(createHttpInvoke(fakeFetch(200, JSON.stringify({ ok: true, value: null }), sent)));
    await client['enroll:photos']({ person: { name: 'Ann' }, photos: [{ name: 'a.jpg', dataBase64: 'A'.repeat(20_000) }] });
    assert.equal(sent[0]?.init.keepalive, false);
  });
});
