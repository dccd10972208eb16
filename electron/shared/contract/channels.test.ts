import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { CHANNELS, contract, createClient, isChannel, type Channel } from './channels.js';

describe('contract', () => {
  test('channel names are domain:verb', () => {
    for (const channel of CHANNELS) assert.match(channel, /^[a-z]+:[a-z]+(-[a-z]+)*$/, channel);
  });

  test('every channel has an auth level, and admin:login and health:get need none', () => {
    for (const channel of CHANNELS) assert.ok(['none', 'token', 'kiosk', 'admin'].includes(contract[channel].auth), channel);
    assert.equal(contract['admin:login'].auth, 'none');
    assert.equal(contract['health:get'].auth, 'none');
    assert.equal(contract['persons:delete'].auth, 'admin');
  });

  test('every request schema is strict: an unknown key fails', () => {
    for (const channel of CHANNELS) {
      const result = contract[channel].request.safeParse({ unexpected: true });
      assert.equal(result.success, false, channel);
    }
  });

  test('isChannel knows the map and nothing inherited', () => {
    assert.equal(isChannel('persons:list'), true);
    assert.equal(isChannel('toString'), false);
    assert.equal(isChannel('persons:explode'), false);
  });

  test('bounds: ids are UUIDs, page sizes capped, photos capped', () => {
    assert.equal(contract['persons:get'].request.safeParse({ id: '42' }).success, false);
    assert.equal(contract['persons:list'].request.safeParse({ limit: 501 }).success, false);
    assert.equal(contract['events:query'].request.safeParse({ limit: 0 }).success, false);
    assert.equal(contract['events:snapshot'].request.safeParse({ eventId: 1.5 }).success, false);
    assert.equal(contract['admin:login'].request.safeParse({ username: 'root', secret: 'x'.repeat(257) }).success, false);
    const photo = { name: 'a.jpg', dataBase64: '/9j/4AAQ' };
    assert.equal(contract['enroll:photos'].request.safeParse({ person: { name: 'Ann' }, photos: [photo] }).success, true);
    assert.equal(contract['enroll:photos'].request.safeParse({ person: { name: 'Ann' }, photos: Array(11).fill(photo) }).success, false);
    assert.equal(contract['enroll:photos'].request.safeParse({ person: { name: 'Ann' }, photos: [] }).success, false);
  });

  test('a control character in any free-text field fails, naming the field', () => {
    const nul = 'Ann\u0000Lee';
    const cases: [Channel, unknown, string][] = [
      ['persons:create', { name: nul }, 'name'],
      ['persons:create', { name: 'Ann', externalId: 'E\u001b[31m' }, 'externalId'],
      ['persons:create', { name: 'Ann', groups: ['staff\n'] }, 'groups.0'],
      ['persons:update', { id: '00000000-0000-4000-8000-000000000000', patch: { name: nul } }, 'patch.name'],
      ['persons:list', { search: nul }, 'search'],
      ['enroll:photos', { person: { name: nul }, photos: [{ name: 'a.jpg', dataBase64: '/9j/4AAQ' }] }, 'person.name'],
      ['enroll:photos', { person: { name: 'Ann' }, photos: [{ name: 'a\u0000.jpg', dataBase64: '/9j/4AAQ' }] }, 'photos.0.name'],
      ['enroll:live-commit', { sessionId: '00000000-0000-4000-8000-000000000000', person: { name: nul } }, 'person.name'],
      ['import:start', { source: { kind: 'csv', path: '/data/imports/a.csv\u0000' } }, 'source.path'],
      ['admin:login', { username: 'ad\u0000min', secret: '1234' }, 'username'],
      ['settings:update', { values: { 'terminal.name': 'Door\u0007' } }, 'values.terminal.name'],
    ];
    for (const [channel, request, field] of cases) {
      const result = contract[channel].request.safeParse(request);
      assert.equal(result.success, false, `${channel} ${field}`);
      assert.deepEqual(result.error?.issues.map((issue) => issue.path.join('.')), [field], channel);
      assert.match(result.error?.issues[0]?.message ?? '', /control characters/);
    }
    // Accents, other scripts and emoji are names like any other.
    assert.equal(contract['persons:create'].request.safeParse({ name: 'Zoë Ødegård 李小龍 🙂' }).success, true);
  });

  test('settings:update takes some settings, in range, and no unknown key', () => {
    const schema = contract['settings:update'].request;
    assert.equal(schema.safeParse({ values: { 'admin.idleLogoutMs': 30_000 } }).success, true);
    assert.equal(schema.safeParse({ values: { 'admin.idleLogoutMs': 100 } }).success, false);
    assert.equal(schema.safeParse({ values: { 'door.colour': 'red' } }).success, false);
  });
});

describe('createClient', () => {
  test('calls the transport with the channel and request, and returns its Result', async () => {
    const calls: [Channel, unknown][] = [];
    const client = createClient(async (channel, request) => {
      calls.push([channel, request]);
      return { ok: true, value: { hasAdmin: true } };
    });
    assert.deepEqual(await client['admin:status']({}), { ok: true, value: { hasAdmin: true } });
    assert.deepEqual(calls, [['admin:status', {}]]);
    assert.deepEqual(Object.keys(client).sort(), [...CHANNELS].sort());
  });

  test("a transport failure is an 'unavailable' Result, not a rejection", async () => {
    const client = createClient(() => Promise.reject(new Error('main process gone')));
    assert.deepEqual(await client['health:get']({}), { ok: false, error: { code: 'unavailable', message: 'health:get: main process gone' } });
  });
});
