import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { Result } from '../../shared/contract/result.js';
import { HubStoreFixture, testEvent } from '../test/hub-store-fixture.js';
import type { PostgresHubStore } from '../store/postgres-hub-store.js';
import { startHubAdminServer, type HubAdminServer } from './hub-admin-server.js';

const fixture = new HubStoreFixture();
let store: PostgresHubStore;
let server: HubAdminServer;
let cookie = '';
const logged: string[] = [];

before(async () => {
  await fixture.start();
  store = await fixture.openStore();
  // validateResponses: every answer is checked against the contract's response schema, `card` included.
  server = await startHubAdminServer({ store, port: 0, validateResponses: true, logger: { error: (message, details) => logged.push(`${message} ${JSON.stringify(details)}`) } });
  const setup = await call('admin:setup', { username: 'site-admin', password: 'a long hub password' });
  cookie = setup.cookie ?? '';
});
after(async () => {
  await server.close();
  await fixture.stop();
});

async function call(channel: string, body: unknown) {
  const response = await fetch(`${server.origin}/api/call/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, result: (await response.json()) as Result<{ events: { terminalSeq: number; card: unknown }[] }>, cookie: response.headers.get('set-cookie')?.split(';')[0] };
}

describe('hub admin API: the card on events', () => {
  test('events:list answers each event with its card, and its cardNumber filter reaches the store', async () => {
    await store.registerTerminal({ id: 'front-door' });
    await store.insertEvents('front-door', [
      testEvent(1, { decision: 'denied', reason: 'unknown-card', similarity: null, card: { facilityCode: 12, cardNumber: 34567 } }),
      testEvent(2),
      testEvent(3, { card: { facilityCode: null, cardNumber: 999 } }),
    ]);
    const all = await call('events:list', {});
    assert.equal(all.status, 200, JSON.stringify(all.result));
    assert.ok(all.result.ok);
    assert.deepEqual(all.result.value.events.map((event) => [event.terminalSeq, event.card]), [
      [3, { facilityCode: null, cardNumber: 999 }],
      [2, null],
      [1, { facilityCode: 12, cardNumber: 34567 }],
    ]);
    const one = await call('events:list', { cardNumber: 34567 });
    assert.ok(one.result.ok, JSON.stringify(one.result));
    assert.deepEqual(one.result.value.events.map((event) => event.terminalSeq), [1]);
    // The contract refuses what no card carries before the store is asked.
    for (const cardNumber of [-1, 1.5, '34567', 2 ** 48]) assert.equal((await call('events:list', { cardNumber })).status, 400, String(cardNumber));
    assert.deepEqual(logged, []);
  });
});
