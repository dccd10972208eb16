import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { CHANNELS, contract, type Contract } from './channels.js';
import { authorizeByLevel, createHandler, type HandlerContext, type HandlerOptions, type ImplementationsOf, type Session } from './handler.js';
import { ContractError, type Result } from './result.js';

const NOW = 1_750_000_000_000;
const PERSON_ID = '0b6f3a52-5d3c-4c1e-9a57-3f1c2b7e8d90';
const person = {
  id: PERSON_ID,
  name: 'Ann Lee',
  externalId: null,
  enabled: true,
  validFromMs: null,
  validUntilMs: null,
  groups: ['staff'] as readonly string[],
  credential: null,
  createdAtMs: NOW,
  updatedAtMs: NOW,
};
const health = {
  camera: { status: 'live', fps: 15 },
  models: { detector: 'd', fitter: 'f', extractor: 'e' },
  backend: 'onnxruntime-node',
  engines: [{ modelId: 'd', engine: 'cpu' }],
  processedFps: 12,
  framesProcessed: 100,
  framesDropped: 3,
  workerRestarts: 0,
} as const;

const token: Session = { level: 'token', subject: 'kiosk', expiresAtMs: NOW + 60_000 };
const admin: Session = { level: 'admin', subject: 'root', expiresAtMs: NOW + 60_000 };

/** Every channel fails unless a test gives it an implementation. */
function implementations(overrides: Partial<ImplementationsOf<Contract>> = {}): ImplementationsOf<Contract> {
  const base = Object.fromEntries(
    CHANNELS.map((channel) => [
      channel,
      () => {
        throw new ContractError('unavailable', `${channel} is not implemented in this test`);
      },
    ]),
  ) as unknown as ImplementationsOf<Contract>;
  return { ...base, ...overrides };
}

function setup(overrides: Partial<ImplementationsOf<Contract>> = {}, options: Partial<HandlerOptions> = {}) {
  const logged: { message: string; details: Readonly<Record<string, unknown>> }[] = [];
  const handle = createHandler(contract, implementations(overrides), {
    logger: { error: (message, details) => logged.push({ message, details }) },
    authorize: authorizeByLevel(() => NOW),
    validateResponses: true,
    ...options,
  });
  return { handle, logged };
}

const trusted = (session?: Session): HandlerContext => ({ senderOk: true, session });

function assertError(result: Result<unknown>, code: string, pattern?: RegExp): string {
  assert.equal(result.ok, false, `expected an error, got ${JSON.stringify(result)}`);
  if (result.ok) throw new Error('unreachable');
  assert.equal(result.error.code, code, result.error.message);
  if (pattern) assert.match(result.error.message, pattern);
  return result.error.message;
}

describe('createHandler: happy paths', () => {
  test("auth 'none': health:get without a session", async () => {
    const { handle } = setup({ 'health:get': () => health });
    assert.deepEqual(await handle('health:get', {}, trusted()), { ok: true, value: health });
  });

  test("auth 'token': decisions:recent with a device session, the parsed request reaching the implementation", async () => {
    let seen: unknown;
    const { handle } = setup({
      'decisions:recent': (request) => {
        seen = request;
        return [];
      },
    });
    assert.deepEqual(await handle('decisions:recent', { limit: 5 }, trusted(token)), { ok: true, value: [] });
    assert.deepEqual(seen, { limit: 5 });
  });

  test("auth 'admin': persons:get with an admin session; the context reaches the implementation", async () => {
    let subject: string | undefined;
    const { handle } = setup({
      'persons:get': ({ id }, context) => {
        subject = context.session?.subject;
        return { ...person, id };
      },
    });
    assert.deepEqual(await handle('persons:get', { id: PERSON_ID }, trusted(admin)), { ok: true, value: person });
    assert.equal(subject, 'root');
  });

  test('an admin session may call token channels', async () => {
    const { handle } = setup({ 'admin:logout': () => null });
    assert.deepEqual(await handle('admin:logout', {}, trusted(admin)), { ok: true, value: null });
  });

  test('async implementations and zod trimming: persons:create receives the trimmed name', async () => {
    const { handle } = setup({ 'persons:create': async (input) => ({ ...person, name: input.name }) });
    const result = await handle('persons:create', { name: '  Ann Lee ' }, trusted(admin));
    assert.deepEqual(result, { ok: true, value: person });
  });
});

describe('createHandler: rejects', () => {
  test("a failed transport sender check is 'forbidden', before the channel is even looked up", async () => {
    const { handle } = setup({ 'health:get': () => health });
    assertError(await handle('health:get', {}, { senderOk: false }), 'forbidden');
    assertError(await handle('no:such', {}, { senderOk: false }), 'forbidden');
  });

  test("checkSender can refuse a channel to a sender the transport trusts: 'forbidden'", async () => {
    const { handle } = setup({ 'health:get': () => health }, { checkSender: (channel) => channel !== 'health:get' });
    assertError(await handle('health:get', {}, trusted()), 'forbidden');
  });

  test("an unknown channel is 'invalid-request', naming it", async () => {
    const { handle } = setup();
    assertError(await handle('persons:explode', {}, trusted(admin)), 'invalid-request', /unknown channel "persons:explode"/);
    // Names inherited from Object.prototype are not channels.
    assertError(await handle('constructor', {}, trusted(admin)), 'invalid-request', /unknown channel/);
  });

  test("no session on a token or admin channel is 'unauthorized'", async () => {
    const { handle } = setup({ 'decisions:recent': () => [], 'persons:get': () => person });
    assertError(await handle('decisions:recent', {}, trusted()), 'unauthorized', /needs a session/);
    assertError(await handle('persons:get', { id: PERSON_ID }, trusted()), 'unauthorized', /needs an admin session/);
  });

  test("a token session on an admin channel is 'unauthorized'", async () => {
    const { handle } = setup({ 'persons:get': () => person });
    assertError(await handle('persons:get', { id: PERSON_ID }, trusted(token)), 'unauthorized');
  });

  test("an expired session is 'unauthorized'", async () => {
    const { handle } = setup({ 'persons:get': () => person });
    assertError(await handle('persons:get', { id: PERSON_ID }, trusted({ ...admin, expiresAtMs: NOW })), 'unauthorized');
  });

  test('auth is checked before the request is parsed: a bad request without a session is unauthorized', async () => {
    const { handle } = setup();
    assertError(await handle('persons:get', { id: 'nope' }, trusted()), 'unauthorized');
  });

  test("a request failing its schema is 'invalid-request' with the issue paths", async () => {
    const { handle } = setup({ 'persons:update': () => person });
    const message = assertError(
      await handle('persons:update', { id: 'not-a-uuid', patch: { name: '', groups: ['ok', 7] } }, trusted(admin)),
      'invalid-request',
    );
    assert.match(message, /^persons:update: /);
    assert.match(message, /\bid: /);
    assert.match(message, /patch\.name: /);
    assert.match(message, /patch\.groups\.1: /);
  });

  test("unknown keys, a missing request and a non-object are 'invalid-request'", async () => {
    const { handle } = setup({ 'health:get': () => health });
    assertError(await handle('health:get', { extra: 1 }, trusted()), 'invalid-request', /\(root\): .*extra/);
    assertError(await handle('health:get', undefined, trusted()), 'invalid-request', /\(root\)/);
    assertError(await handle('persons:list', 'all', trusted(admin)), 'invalid-request');
  });

  test('an error thrown with a known code passes through with its message', async () => {
    const { handle, logged } = setup({
      'persons:get': () => {
        throw new ContractError('not-found', `no person with id ${PERSON_ID}`);
      },
      'persons:create': () => {
        throw Object.assign(new Error('external id "7" already belongs to another person'), { code: 'conflict' });
      },
    });
    assertError(await handle('persons:get', { id: PERSON_ID }, trusted(admin)), 'not-found', /no person with id/);
    assertError(await handle('persons:create', { name: 'Ann' }, trusted(admin)), 'conflict', /already belongs/);
    assert.equal(logged.length, 0);
  });

  test("a code alias maps a domain code (the store's 'invalid') to an ErrorCode", async () => {
    const { handle } = setup({
      'persons:create': () => {
        throw Object.assign(new Error('the validity window ends before it starts'), { name: 'StoreError', code: 'invalid' });
      },
    });
    assertError(await handle('persons:create', { name: 'Ann' }, trusted(admin)), 'invalid-request', /validity window/);
  });

  test("anything else is 'internal' with a generic message; the details are logged, never returned", async () => {
    const secret = 'SQLITE_IOERR at /var/lib/lintel/lintel.db';
    const { handle, logged } = setup({
      'persons:list': () => {
        throw Object.assign(new Error(secret), { code: 'SQLITE_IOERR' });
      },
      'groups:list': () => {
        throw 'a string';
      },
      'health:get': () => {
        throw new ContractError('internal', secret);
      },
    });
    for (const [channel, session] of [['persons:list', admin], ['groups:list', admin], ['health:get', undefined]] as const) {
      const message = assertError(await handle(channel, {}, trusted(session)), 'internal');
      assert.equal(message, `${channel} failed`);
      assert.doesNotMatch(message, /SQLITE|lintel\.db|a string/);
    }
    assert.equal(logged.length, 3);
    assert.equal((logged[0]?.details.error as Error).message, secret);
  });

  test("a response that breaks its schema is 'internal' and logged when validateResponses is on", async () => {
    const broken = { ...person, id: 'not-a-uuid' };
    const { handle, logged } = setup({ 'persons:get': () => broken });
    assertError(await handle('persons:get', { id: PERSON_ID }, trusted(admin)), 'internal', /^persons:get failed$/);
    assert.match(logged[0]?.message ?? '', /does not match the contract/);
    assert.match(String(logged[0]?.details.issues), /\bid: /);
  });

  test('without validateResponses the response is returned unchecked (production)', async () => {
    const broken = { ...person, id: 'not-a-uuid' };
    const { handle } = setup({ 'persons:get': () => broken }, { validateResponses: false });
    assert.deepEqual(await handle('persons:get', { id: PERSON_ID }, trusted(admin)), { ok: true, value: broken });
  });

  test("an authorize or checkSender that throws is 'internal', not a rejection", async () => {
    const { handle, logged } = setup({}, {
      authorize: () => {
        throw new Error('session store down');
      },
    });
    assertError(await handle('health:get', {}, trusted()), 'internal');
    assert.equal(logged.length, 1);
  });
});

describe('authorizeByLevel', () => {
  test('none admits anyone; token admits token and admin; admin admits admin only; expiry is exclusive', () => {
    const authorize = authorizeByLevel(() => NOW);
    assert.equal(authorize('none', undefined, 'x:y'), true);
    assert.equal(authorize('token', undefined, 'x:y'), false);
    assert.equal(authorize('token', token, 'x:y'), true);
    assert.equal(authorize('token', admin, 'x:y'), true);
    assert.equal(authorize('admin', token, 'x:y'), false);
    assert.equal(authorize('admin', admin, 'x:y'), true);
    assert.equal(authorize('admin', { ...admin, expiresAtMs: NOW }, 'x:y'), false);
  });
});
