import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { CONTENT_SECURITY_POLICY } from '../../host/static-files.js';
import type { Result } from '../../shared/contract/result.js';
import { HubStoreFixture, TEST_QUALITY, testEvent, testJpeg } from '../test/hub-store-fixture.js';
import type { PostgresHubStore } from '../store/postgres-hub-store.js';
import { packageRoot } from '../../vision/models/paths.js';
import { startHubAdminServer, type HubAdminServer } from './hub-admin-server.js';
import { WorkerPhotoEnroller } from './photo-enrollment.js';

const fixture = new HubStoreFixture();
let store: PostgresHubStore;
let server: HubAdminServer;
const photos = new WorkerPhotoEnroller();
const MODELS_PRESENT = existsSync(join(packageRoot(), 'models/onnx/blazeface-256.onnx'));
const LFW_PHOTO = '/work/shared/data/lfw-dev/images/Aaron_Sorkin/Aaron_Sorkin_0001.jpg';
const logged: string[] = [];

before(async () => {
  await fixture.start();
  store = await fixture.openStore();
  server = await startHubAdminServer({ store, port: 0, validateResponses: true, photos, logger: { error: (message, details) => logged.push(`${message} ${JSON.stringify(details)}`) } });
});
after(async () => {
  if (logged.length > 0) console.log(logged);
  await server.close();
  await fixture.stop();
});

/** One call; returns the status, the Result and the cookie the hub set (if any). */
async function call(channel: string, body: unknown, options: { cookie?: string; origin?: string } = {}) {
  const response = await fetch(`${server.origin}/api/call/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(options.cookie ? { cookie: options.cookie } : {}), ...(options.origin ? { origin: options.origin } : {}) },
    body: JSON.stringify(body),
  });
  const setCookie = response.headers.get('set-cookie');
  return { status: response.status, result: (await response.json()) as Result<never>, cookie: setCookie?.split(';')[0] };
}

async function sample() {
  const template = new Float32Array(128).map((_, i) => Math.cos(i));
  return {
    id: randomUUID(),
    createdAtMs: 1_700_000_000_000,
    alignment: null,
    quality: TEST_QUALITY,
    cropJpegBase64: (await testJpeg()).toString('base64'),
    templates: [{ modelId: 'mobilefacenet', dimension: 128, templateBase64: Buffer.from(template.buffer).toString('base64') }],
  };
}

describe('hub admin API', () => {
  let cookie = '';

  test('nothing but login and the first setup answers without a session; setup makes the first admin once', async () => {
    const denied = await call('doors:list', {});
    assert.equal(denied.status, 401);
    const setup = await call('admin:setup', { username: 'site-admin', password: 'a long hub password' });
    assert.equal(setup.status, 200, JSON.stringify(setup.result));
    assert.match(setup.cookie ?? '', /^lintel_hub_admin=.+/);
    const second = await call('admin:setup', { username: 'intruder', password: 'another long password' });
    assert.equal(second.status, 409);
    const wrong = await call('admin:login', { username: 'site-admin', password: 'not the password' });
    assert.equal(wrong.status, 401);
    assert.equal((wrong.result as { error: { triesLeft?: number } }).error.triesLeft, 4);
    const login = await call('admin:login', { username: 'site-admin', password: 'a long hub password' });
    assert.equal(login.status, 200);
    cookie = login.cookie ?? '';
    const me = await call('admin:whoami', {}, { cookie });
    assert.deepEqual((me.result as { value: { username: string } }).value.username, 'site-admin');
    // A hub served without its folder (this one) cannot revoke: it says where to do it instead.
    const revoke = await call('doors:revoke', { id: 'door-1' }, { cookie });
    assert.equal(revoke.status, 503);
    assert.match((revoke.result as { error: { message: string } }).error.message, /lintel hub revoke-terminal/);
    assert.equal((await call('doors:revoke', { id: 'Not/AnId' }, { cookie })).status, 400);
  });

  test('a call from another site, to another host name, or with a bad request is refused', async () => {
    const foreign = await call('doors:list', {}, { cookie, origin: 'https://evil.example' });
    assert.equal(foreign.status, 403);
    // A DNS-rebinding page reaches the hub under its own name: fetch cannot set Host, node:http can.
    const rebound = await new Promise<number>((resolve, reject) => {
      const url = new URL(server.origin);
      const request = httpRequest({ host: url.hostname, port: url.port, path: '/api/call/doors:list', method: 'POST', headers: { host: 'evil.example', 'content-type': 'application/json', cookie } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.once('error', reject);
      request.end('{}');
    });
    assert.equal(rebound, 421);
    const bad = await call('persons:create', { name: '', samples: [] }, { cookie });
    assert.equal(bad.status, 400);
    assert.match((bad.result as { error: { message: string } }).error.message, /name/);
    const unknown = await call('persons:get', { id: randomUUID() }, { cookie });
    assert.equal(unknown.status, 404);
  });

  test('persons are created with enrolled samples, listed, disabled and erased with progress over the doors', async () => {
    await store.registerTerminal({ id: 'front-door', name: 'Front door' });
    await store.registerTerminal({ id: 'back-door', name: 'Back door' });
    await store.setTerminalState('front-door', { online: true, modelId: 'mobilefacenet', appVersion: '0.1.0', appliedSeq: 0, door: { open: false }, atMs: 1 });
    const created = await call('persons:create', { name: 'Erin', groups: ['staff'], samples: [await sample()] }, { cookie });
    assert.equal(created.status, 200, JSON.stringify(created.result));
    const person = (created.result as { value: { id: string } }).value;
    const listed = await call('persons:list', { search: 'eri' }, { cookie });
    assert.deepEqual((listed.result as { value: { total: number; persons: { sampleCount: number }[] } }).value.persons.map((row) => row.sampleCount), [1]);
    const disabled = await call('persons:update', { id: person.id, patch: { enabled: false } }, { cookie });
    assert.equal((disabled.result as { value: { enabled: boolean } }).value.enabled, false);

    const doors = await call('doors:list', {}, { cookie });
    const value = (doors.result as { value: { headSeq: number; doors: { id: string; online: boolean; modelId: string | null; behindBy: number }[] } }).value;
    assert.equal(value.headSeq, 2);
    assert.deepEqual(
      value.doors.map((door) => [door.id, door.online, door.modelId, door.behindBy]),
      [
        ['back-door', false, null, 2],
        ['front-door', true, 'mobilefacenet', 2],
      ],
    );

    const erased = await call('persons:delete', { id: person.id }, { cookie });
    assert.deepEqual((erased.result as { value: { erasedOn: number; of: number } }).value, { ...(erased.result as { value: object }).value, erasedOn: 0, of: 2 });
    await store.recordApplied('front-door', 3);
    const progress = await call('erasures:get', { personId: person.id }, { cookie });
    assert.deepEqual((progress.result as { value: { erasedOn: number; of: number; pendingTerminalIds: string[] } }).value.pendingTerminalIds, ['back-door']);
  });

  test('events from every door with filters, and a snapshot', async () => {
    const jpeg = await testJpeg();
    await store.insertEvents('front-door', [testEvent(1, { snapshotJpegBase64: jpeg.toString('base64') }), testEvent(2, { decision: 'denied', reason: 'unknown', similarity: null })]);
    await store.insertEvents('back-door', [testEvent(1)]);
    const denied = await call('events:list', { decision: 'denied' }, { cookie });
    const events = (denied.result as { value: { events: { terminalId: string; terminalSeq: number }[] } }).value.events;
    assert.deepEqual(events.map((event) => [event.terminalId, event.terminalSeq]), [['front-door', 2]]);
    const all = await call('events:list', { terminalId: 'front-door' }, { cookie });
    const withSnapshot = (all.result as { value: { events: { id: number; hasSnapshot: boolean }[] } }).value.events.find((event) => event.hasSnapshot);
    const snapshot = await call('events:snapshot', { id: withSnapshot?.id ?? 0 }, { cookie });
    assert.equal((snapshot.result as { value: { jpegBase64: string } }).value.jpegBase64, jpeg.toString('base64'));
    assert.deepEqual(logged, []);
  });

  test('groups, schedules, door policies and site settings are written as fleet payloads', async () => {
    const put = await call('documents:put', { entity: 'schedule', id: 'staff', body: { group: 'staff', windows: [{ days: [1, 2, 3, 4, 5], from: '07:00', to: '19:00' }] } }, { cookie });
    assert.equal(put.status, 200, JSON.stringify(put.result));
    const policy = await call('documents:put', { entity: 'door-policy', id: 'front-door', body: { terminalId: 'front-door', allowedGroups: ['staff'] } }, { cookie });
    assert.equal(policy.status, 200, JSON.stringify(policy.result));
    const wrong = await call('documents:put', { entity: 'schedule', id: 'staff', body: { group: 'staff', windows: [] } }, { cookie });
    assert.equal(wrong.status, 400);
    // A form that read no policy (expectedVersion null) does not write over the one saved meanwhile.
    const stale = await call('documents:put', { entity: 'door-policy', id: 'front-door', body: { terminalId: 'front-door', allowedGroups: null }, expectedVersion: null }, { cookie });
    assert.equal((stale.result as { error: { code: string } }).error.code, 'conflict', JSON.stringify(stale.result));
    const listed = await call('documents:list', { entity: 'door-policy' }, { cookie });
    assert.deepEqual((listed.result as { value: { id: string; body: unknown }[] }).value, [{ id: 'front-door', version: 1, body: { terminalId: 'front-door', allowedGroups: ['staff'], settings: {} } }]);
    const removed = await call('documents:delete', { entity: 'schedule', id: 'staff' }, { cookie });
    assert.equal(removed.status, 200);
    await call('documents:put', { entity: 'group', id: 'staff', body: { name: 'staff' } }, { cookie });
    const renamed = await call('groups:rename', { from: 'staff', to: 'employees', expectedVersion: 1 }, { cookie });
    assert.deepEqual({ ...(renamed.result as { value: Record<string, unknown> }).value, seq: 0 }, { version: 1, seq: 0, scheduleMoved: false, doorPolicies: ['front-door'], members: 0 });
    const moved = await call('documents:list', { entity: 'door-policy' }, { cookie });
    assert.deepEqual((moved.result as { value: { body: { allowedGroups: string[] } }[] }).value[0]?.body.allowedGroups, ['employees']);
  });

  test('a call without a session is refused before its body is read', async () => {
    // A body far over the limit would answer 413 if it were read; unread, the call is simply unauthorized.
    const response = await fetch(`${server.origin}/api/call/persons:create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(20 * 1024 * 1024) });
    assert.equal(response.status, 401);
    const login = await fetch(`${server.origin}/api/call/admin:login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'x', password: 'y'.repeat(10_000) }) });
    assert.equal(login.status, 413, 'an open channel takes a small body only');
  });

  test('a person from photos: the inference worker judges each photo and cuts the crop and template', async (t) => {
    if (!MODELS_PRESENT) return t.skip('converted models absent: run npm run models');
    if (!existsSync(LFW_PHOTO)) return t.skip(`${LFW_PHOTO} absent (LFW dev images)`);
    const face = readFileSync(LFW_PHOTO).toString('base64');
    const wall = (await testJpeg()).toString('base64');
    const created = await call('persons:create-from-photos', { name: 'Aaron', photos: [{ name: 'face.jpg', base64: face }, { name: 'wall.jpg', base64: wall }] }, { cookie });
    assert.equal(created.status, 200, JSON.stringify(created.result));
    const value = (created.result as { value: { person: { id: string }; photos: { name: string; status: string }[]; youngChild?: unknown } }).value;
    assert.deepEqual(value.photos.map((photo) => [photo.name, photo.status]), [['face.jpg', 'accepted'], ['wall.jpg', 'no-face']]);
    assert.equal(value.youngChild, undefined, 'an adult face is not taken for a young child');
    const page = await store.changesAfter(0);
    const payload = page.changes.find((change) => change.id === value.person.id)?.payload as { samples: { cropJpegBase64: string; templates: { modelId: string }[]; alignment: unknown }[] };
    assert.equal(payload.samples.length, 1);
    assert.ok(payload.samples[0]?.cropJpegBase64.startsWith('/9j/'));
    assert.ok((payload.samples[0]?.templates.length ?? 0) >= 1);
    assert.notEqual(payload.samples[0]?.alignment, null);
    const none = await call('persons:create-from-photos', { name: 'Nobody', photos: [{ name: 'wall.jpg', base64: wall }] }, { cookie });
    assert.equal(none.status, 400);
    assert.match((none.result as { error: { message: string } }).error.message, /wall\.jpg: no face/);
  });

  test('logout ends the session', async () => {
    const out = await call('admin:logout', {}, { cookie });
    assert.equal(out.status, 200);
    assert.match(out.cookie ?? '', /^lintel_hub_admin=$/);
    assert.equal((await call('doors:list', {}, { cookie })).status, 401);
  });
});

describe('hub admin UI files', () => {
  test('the built UI is served with the CSP on GET; routes fall back to hub.html, missing assets and other methods do not', async () => {
    const rendererDir = mkdtempSync(join(tmpdir(), 'lintel-hub-ui-'));
    mkdirSync(join(rendererDir, 'assets'));
    writeFileSync(join(rendererDir, 'hub.html'), '<!doctype html><title>Lintel hub</title>');
    writeFileSync(join(rendererDir, 'assets', 'hub.js'), 'export {};');
    const ui = await startHubAdminServer({ store, port: 0, rendererDir, logger: { error: (message) => logged.push(message) } });
    try {
      const page = await fetch(`${ui.origin}/`);
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
      assert.match(await page.text(), /Lintel hub/);
      assert.match(await (await fetch(`${ui.origin}/events`)).text(), /Lintel hub/);
      assert.equal((await fetch(`${ui.origin}/assets/hub.js`)).headers.get('content-type'), 'text/javascript; charset=utf-8');
      assert.equal((await fetch(`${ui.origin}/assets/missing.js`)).status, 404);
      assert.equal((await fetch(`${ui.origin}/`, { method: 'POST', body: '{}' })).status, 405);
      // The API beside it is unchanged: a call still needs a session.
      assert.equal((await fetch(`${ui.origin}/api/call/doors:list`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, 401);
    } finally {
      await ui.close();
      rmSync(rendererDir, { recursive: true, force: true });
    }
  });
});
