// The administrator's door actions and the people's card credentials, through the contract as the System screen
// and the person editor use them. The terminal runs without a camera: none of this needs one.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { adminTestApp } from './test/open-test-app.js';

describe('door actions and credentials', () => {
  const terminal = adminTestApp('lintel-door-actions-');
  const { call } = terminal;

  test('open door now: every output acts and the access log says remote-open', async () => {
    const result = await call<{ eventId: number; outcomes: { name: string; status: string }[] }>('door:open', {});
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.value.outcomes.map(({ name, status }) => ({ name, status })), [{ name: 'log', status: 'done' }]);
    const [event] = terminal.app.store.events.query({ limit: 1 }).events;
    assert.equal(event?.id, result.value.eventId);
    assert.equal(event?.reason, 'remote-open');
    assert.equal(event?.decision, 'granted');
  });

  test('test one output: logged as output-test; an unknown name is not-found; only admins may', async () => {
    const result = await call<{ outcomes: { name: string; status: string }[] }>('door:test-output', { name: 'log' });
    assert.ok(result.ok);
    assert.equal(terminal.app.store.events.query({ limit: 1 }).events[0]?.reason, 'output-test');
    const missing = await call('door:test-output', { name: 'relay' });
    assert.equal(missing.ok ? '' : missing.error.code, 'not-found');
    const device = terminal.app.sessions.issue('token', 'kiosk', 60_000).session;
    for (const channel of ['door:open', 'door:test-output']) {
      const refused = await call(channel, channel === 'door:open' ? {} : { name: 'log' }, device);
      assert.equal(refused.ok, false, channel);
    }
  });

  test("a person's credential is checked against the card format, and a grant carries it to the outputs", async () => {
    const bad = await call('persons:create', { name: 'Bob', credential: { facilityCode: 256, cardNumber: 1 } });
    assert.equal(bad.ok ? '' : bad.error.code, 'invalid-request');
    assert.match(bad.ok ? '' : bad.error.message, /credential\.facilityCode must be a whole number from 0 to 255 in format wiegand26, got 256/);
    const created = await call<{ id: string; credential: unknown }>('persons:create', { name: 'Ann', credential: { facilityCode: 13, cardNumber: 13067 } });
    assert.ok(created.ok);
    assert.deepEqual(created.value.credential, { facilityCode: 13, cardNumber: 13067 });
    const event = { id: 1, atMs: 1, decision: 'granted' as const, reason: 'granted', personId: created.value.id };
    assert.deepEqual(terminal.app.withCredential(event).credential, { facilityCode: 13, cardNumber: 13067, format: 'wiegand26' });
    assert.equal(terminal.app.withCredential({ ...event, decision: 'denied' }).credential, undefined);
    // A narrower format would strand Ann's card: refused, naming her.
    const custom = { name: 'card8', layout: `P${'C'.repeat(8)}P`, parity: [`E${'X'.repeat(4)}${'.'.repeat(5)}`, `${'.'.repeat(5)}${'X'.repeat(4)}O`] };
    const narrowed = await call('settings:update', { values: { 'credentials.customFormats': [custom], 'credentials.format': 'card8' } });
    assert.match(narrowed.ok ? '' : narrowed.error.message, /1 person\(s\) carry a credential that does not fit card8 .*Ann \(facility 13, card 13067\)/);
    const unknown = await call('settings:update', { values: { 'credentials.format': 'h10302' } });
    assert.match(unknown.ok ? '' : unknown.error.message, /no card format "h10302"/);
    assert.ok((await call('settings:update', { values: { 'credentials.format': 'wiegand34' } })).ok);
    // Deleting the person deletes the credential with them.
    assert.ok((await call('persons:delete', { id: created.value.id })).ok);
    assert.equal(terminal.app.store.persons.getByCredential({ facilityCode: 13, cardNumber: 13067 }), undefined);
  });
});
