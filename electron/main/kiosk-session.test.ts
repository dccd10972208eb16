import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { Result } from '../shared/contract/result.js';
import { SessionRegistry } from '../terminal/app/sessions.js';
import { DEVICE_SESSION_MS, DEVICE_SUBJECT, KioskSession } from './kiosk-session.js';

const HOUR_MS = 60 * 60_000;

function setup() {
  let nowMs = 1_750_000_000_000;
  const registry = new SessionRegistry(() => nowMs);
  const kiosk = new KioskSession(registry);
  /** What the terminal's admin:login answers: a fresh admin session. */
  const login = (username = 'ada'): Result<{ token: string; expiresAtMs: number; username: string }> => {
    const { token, session } = registry.issue('admin', username, HOUR_MS);
    return { ok: true, value: { token, expiresAtMs: session.expiresAtMs, username } };
  };
  return { registry, kiosk, login, advance: (ms: number) => (nowMs += ms) };
}

describe('kiosk session record', () => {
  test('a call starts with the device session, whose token is never handed out', () => {
    const { kiosk } = setup();
    const { context } = kiosk.begin();
    assert.equal(context.senderOk, true);
    assert.equal(context.session?.level, 'token');
    assert.equal(context.session?.subject, DEVICE_SUBJECT);
    // Without a token a logout cannot end the device session.
    assert.equal(context.sessionToken, undefined);
    assert.equal(kiosk.hasAdmin, false);
  });

  test('the device session is kept between calls and renewed once it expired', () => {
    const { kiosk, advance } = setup();
    const first = kiosk.begin().context.session;
    assert.deepEqual(kiosk.begin().context.session, first);
    advance(DEVICE_SESSION_MS + 1);
    const renewed = kiosk.begin().context.session;
    assert.ok(renewed && first && renewed.expiresAtMs > first.expiresAtMs);
  });

  test('a login sets the admin session; the renderer does not get the token', () => {
    const { kiosk, login } = setup();
    const ticket = kiosk.begin();
    const answer = login();
    assert.ok(answer.ok);
    const forRenderer = kiosk.settle(ticket, 'admin:login', answer);
    assert.ok(forRenderer.ok);
    const value = forRenderer.value as { token?: string; username: string };
    assert.equal(value.token, undefined);
    assert.ok(!JSON.stringify(forRenderer).includes(answer.value.token));
    assert.equal(value.username, 'ada');

    const next = kiosk.begin().context;
    assert.equal(next.session?.level, 'admin');
    assert.equal(next.session?.subject, 'ada');
    assert.equal(next.sessionToken, answer.value.token);
    assert.equal(kiosk.hasAdmin, true);
  });

  test('admin:setup logs in the same way', () => {
    const { kiosk, login } = setup();
    kiosk.settle(kiosk.begin(), 'admin:setup', login('root'));
    assert.equal(kiosk.begin().context.session?.subject, 'root');
  });

  test('a failed login changes nothing', () => {
    const { kiosk } = setup();
    const refused: Result<never> = { ok: false, error: { code: 'unauthorized', message: 'wrong PIN' } };
    assert.deepEqual(kiosk.settle(kiosk.begin(), 'admin:login', refused), refused);
    assert.equal(kiosk.begin().context.session?.level, 'token');
  });

  test('logout clears the admin session, even when the answer was an error', () => {
    for (const answer of [{ ok: true, value: null }, { ok: false, error: { code: 'internal', message: 'x' } }] as const) {
      const { kiosk, login, registry } = setup();
      const granted = login();
      assert.ok(granted.ok);
      kiosk.settle(kiosk.begin(), 'admin:login', granted);
      kiosk.settle(kiosk.begin(), 'admin:logout', answer);
      assert.equal(kiosk.hasAdmin, false);
      assert.equal(registry.resolve(granted.value.token), undefined);
      assert.equal(kiosk.begin().context.session?.level, 'token');
    }
  });

  test('a renderer crash or navigation (clearAdmin) ends the admin session and revokes its token', () => {
    const { kiosk, login, registry } = setup();
    const granted = login();
    assert.ok(granted.ok);
    kiosk.settle(kiosk.begin(), 'admin:login', granted);
    kiosk.clearAdmin();
    assert.equal(kiosk.hasAdmin, false);
    assert.equal(registry.resolve(granted.value.token), undefined);
    assert.equal(kiosk.begin().context.session?.level, 'token');
  });

  test('a login that finishes after the page changed does not log the new page in', () => {
    const { kiosk, login, registry } = setup();
    const ticket = kiosk.begin();
    kiosk.clearAdmin();
    const granted = login();
    assert.ok(granted.ok);
    kiosk.settle(ticket, 'admin:login', granted);
    assert.equal(kiosk.hasAdmin, false);
    assert.equal(registry.resolve(granted.value.token), undefined);
  });

  test('a second login replaces the first, whose token is revoked', () => {
    const { kiosk, login, registry } = setup();
    const first = login('ada');
    const second = login('grace');
    assert.ok(first.ok && second.ok);
    kiosk.settle(kiosk.begin(), 'admin:login', first);
    kiosk.settle(kiosk.begin(), 'admin:login', second);
    assert.equal(registry.resolve(first.value.token), undefined);
    assert.equal(kiosk.begin().context.session?.subject, 'grace');
  });

  test('an expired admin session falls back to the device session', () => {
    const { kiosk, login, advance } = setup();
    kiosk.settle(kiosk.begin(), 'admin:login', login());
    advance(HOUR_MS + 1);
    const { context } = kiosk.begin();
    assert.equal(context.session?.level, 'token');
    assert.equal(context.sessionToken, undefined);
  });

  test('dispose revokes both sessions', () => {
    const registry = new SessionRegistry();
    const issued: string[] = [];
    const revoked: string[] = [];
    const kiosk = new KioskSession({
      issue: (level, subject, ttlMs) => {
        const session = registry.issue(level, subject, ttlMs);
        issued.push(session.token);
        return session;
      },
      resolve: (token) => registry.resolve(token),
      revoke: (token) => {
        if (token) revoked.push(token);
        return registry.revoke(token);
      },
    });
    kiosk.begin();
    const admin = registry.issue('admin', 'ada', HOUR_MS);
    kiosk.settle(kiosk.begin(), 'admin:login', { ok: true, value: { token: admin.token, expiresAtMs: admin.session.expiresAtMs, username: 'ada' } });
    kiosk.dispose();
    const [deviceToken] = issued;
    assert.ok(deviceToken);
    assert.ok(revoked.includes(admin.token));
    assert.ok(revoked.includes(deviceToken));
    assert.equal(registry.resolve(admin.token), undefined);
    assert.equal(registry.resolve(deviceToken), undefined);
  });

  test('other channels pass their Result through unchanged', () => {
    const { kiosk } = setup();
    const result: Result<unknown> = { ok: true, value: { token: 'not a login' } };
    assert.equal(kiosk.settle(kiosk.begin(), 'persons:list', result), result);
  });
});
