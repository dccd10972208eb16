// Models an administrator adds, through the terminal's contract: the channels' reject paths, a MiniFASNet added
// and taken as the liveness model, a setting naming a model not added refused, and an added extractor that the
// manifest prefers taken at once, with the templates rebuilt.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';

import type { Session } from '../../shared/contract/handler.js';
import type { Result } from '../../shared/contract/result.js';
import { MAX_MODEL_FILE_BYTES } from '../../shared/contract/schemas.js';
import { defaultManifestPath, packageRoot } from '../../vision/models/paths.js';
import { DEMO_DIR, lfwPhoto, missingForRealPhotos } from '../enrollment/test/helpers.js';
import { MINIFASNET_V2, missingModelFile } from '../models/test/fixtures.js';
import type { TerminalApp } from './terminal-app.js';
import { openTestApp } from './test/open-test-app.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** An app on a temporary data folder, with an admin session; `call` runs one contract call. */
async function openApp(dir: string, manifestPath?: string): Promise<{ app: TerminalApp; call: <T>(channel: string, request: unknown, session?: Session) => Promise<Result<T>> }> {
  const app = await openTestApp({ dataDir: join(dir, 'data'), defaultCameraUri: `file:${DEMO_DIR}?fps=2`, ...(manifestPath ? { manifestPath } : {}) });
  const { token, session } = app.sessions.issue('admin', 'ann', 60 * 60_000);
  const call = async <T,>(channel: string, request: unknown, as: Session = session): Promise<Result<T>> =>
    (await app.handle(channel, request, { senderOk: true, session: as, sessionToken: token })) as Result<T>;
  return { app, call };
}

function assertError(result: Result<unknown>, code: string, pattern: RegExp): void {
  assert.ok(!result.ok, `expected ${code}, got ${JSON.stringify(result).slice(0, 200)}`);
  assert.equal(result.error.code, code, result.error.message);
  assert.match(result.error.message, pattern);
}

const upload = (name: string, bytes: Uint8Array, role?: 'extractor' | 'liveness'): unknown => ({ name, dataBase64: Buffer.from(bytes).toString('base64'), ...(role ? { role } : {}) });

describe('TerminalApp: models an administrator adds', () => {
  let missing = '';
  let dir = '';
  let opened: Awaited<ReturnType<typeof openApp>> | undefined;

  before(async () => {
    missing = (await missingForRealPhotos({ needLfw: false })) || missingModelFile(MINIFASNET_V2);
    if (missing) return;
    dir = mkdtempSync(join(tmpdir(), 'lintel-app-models-'));
    opened = await openApp(dir);
  });

  after(async () => {
    await opened?.app.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const ready = (t: TestContext): boolean => {
    if (missing) t.skip(missing);
    return !missing;
  };

  test('models:add refuses what it must, naming the problem, and writes nothing', async (t) => {
    if (!ready(t)) return;
    const { call, app } = opened as Awaited<ReturnType<typeof openApp>>;
    const bytes = readFileSync(MINIFASNET_V2);
    const tampered = Buffer.from(bytes);
    tampered[4096] = (tampered[4096] as number) ^ 0x10;
    assertError(await call('models:add', upload('notes.txt', Buffer.from('hello'))), 'invalid-request', /not a model the manifest knows/);
    assertError(await call('models:add', upload('MiniFASNetV2.onnx', tampered)), 'invalid-request', /tampered with, or a different version/);
    assertError(await call('models:add', upload('MiniFASNetV2.onnx', bytes, 'extractor')), 'invalid-request', /a liveness model, not an extractor model/);
    assertError(await call('models:add', { name: 'MiniFASNetV2.onnx', dataBase64: 'not base64!' }), 'invalid-request', /dataBase64/);
    assertError(await call('models:add', { name: 'big.onnx', dataBase64: 'A'.repeat(Math.ceil(MAX_MODEL_FILE_BYTES / 3) * 4 + 4) }), 'invalid-request', /dataBase64/);
    assertError(await call('models:add', { name: '', dataBase64: '' }), 'invalid-request', /name/);
    const device = app.sessions.issue('token', 'kiosk', 60_000);
    assertError(await call('models:add', upload('MiniFASNetV2.onnx', bytes), device.session), 'unauthorized', /./);
    assertError(await call('models:list', {}, device.session), 'unauthorized', /./);
    assert.ok(!existsSync(join(dir, 'data', 'models')) || readFileSync(join(dir, 'data', 'models', 'added.json'), 'utf8').includes('"models": []'));
  });

  test('a liveness setting naming a model not added is refused with what to do; once added, the terminal runs it', async (t) => {
    if (!ready(t)) return;
    const { call, app } = opened as Awaited<ReturnType<typeof openApp>>;
    assertError(
      await call('settings:update', { values: { 'liveness.modelId': 'minifasnet-v2' } }),
      'invalid-request',
      /^setting liveness\.modelId: model minifasnet-v2 has not been added: get MiniFASNetV2\.onnx from .* and run `lintel models add <file>`/,
    );
    assertError(await call('settings:update', { values: { 'liveness.modelId': 'blazeface-256' } }), 'invalid-request', /"blazeface-256" is a detector, not a liveness/);

    const before = await call<{ id: string; state: string }[]>('models:list', {});
    assert.ok(before.ok);
    assert.equal(before.value.find((model) => model.id === 'minifasnet-v2')?.state, 'not-added');

    const added = await call<{ id: string; state: string; licences: { code: string; weights: string; trainingData: string | null } }>('models:add', upload('MiniFASNetV2.onnx', readFileSync(MINIFASNET_V2), 'liveness'));
    assert.ok(added.ok, JSON.stringify(added));
    assert.equal(added.value.id, 'minifasnet-v2');
    assert.equal(added.value.state, 'added');
    assert.equal(added.value.licences.code, 'Apache-2.0');

    const set = await call('settings:update', { values: { 'liveness.modelId': 'minifasnet-v2' } });
    assert.ok(set.ok, JSON.stringify(set));
    const engines = app.requireService().health().engines.map((engine) => engine.modelId);
    assert.ok(engines.includes('minifasnet-v2'), `the worker loaded ${engines.join(', ')}`);
  });
});

describe('TerminalApp: the preferred extractor, once added', () => {
  let missing = '';
  let dir = '';
  let opened: Awaited<ReturnType<typeof openApp>> | undefined;
  let shippedDefault = '';
  const converted = join(packageRoot(), 'models', 'onnx', 'mobileface-256.onnx');

  before(async () => {
    missing = await missingForRealPhotos();
    if (missing) return;
    dir = mkdtempSync(join(tmpdir(), 'lintel-app-preferred-'));
    // A manifest where MobileFaceNet is also a model the administrator adds (its converted file is an ONNX file,
    // so it stands in for EdgeFace here), and preferred over the default extractor once added.
    const manifest = JSON.parse(readFileSync(defaultManifestPath(), 'utf8')) as { models: Record<string, Record<string, unknown>>; defaults: Record<string, unknown> };
    const bytes = readFileSync(converted);
    manifest.models['mobileface-added'] = {
      ...manifest.models['mobileface-256'],
      source: {
        kind: 'added',
        file: 'mobileface-256.onnx',
        sha256: sha256(bytes),
        format: 'onnx',
        licence: 'MIT',
        weightsLicence: 'MIT',
        trainingData: 'unknown',
        upstream: 'human-models mobileface',
        obtainFrom: 'models/onnx after npm run models',
      },
      onnx: { file: 'mobileface-added.onnx', sha256: sha256(bytes) },
    };
    shippedDefault = manifest.defaults['extractor'] as string;
    manifest.defaults.preferredExtractors = ['mobileface-added'];
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    symlinkSync(join(packageRoot(), 'models', 'onnx'), join(dir, 'onnx'));
    opened = await openApp(dir, join(dir, 'manifest.json'));
  });

  after(async () => {
    await opened?.app.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the terminal keeps the default until the preferred extractor is added, then switches and rebuilds the templates', async (t) => {
    if (missing) return t.skip(missing);
    const { call, app } = opened as Awaited<ReturnType<typeof openApp>>;
    assert.equal(app.requireService().health().models.extractor, shippedDefault);
    const photos = [1, 2].map((index) => ({ name: `${index}.jpg`, dataBase64: readFileSync(lfwPhoto('Tony_Blair', index)).toString('base64') }));
    const enrolled = await call<{ outcome: string }>('enroll:photos', { person: { name: 'Tony Blair' }, photos });
    assert.ok(enrolled.ok && enrolled.value.outcome === 'enrolled', JSON.stringify(enrolled));

    const added = await call<{ id: string; isDefault: boolean }>('models:add', upload('mobileface-256.onnx', readFileSync(converted), 'extractor'));
    assert.ok(added.ok, JSON.stringify(added));
    assert.equal(added.value.isDefault, true);
    assert.equal(app.requireService().health().models.extractor, 'mobileface-added');

    // The existing rebuild mechanism makes the new extractor's templates from the stored crops.
    let system = await call<{ rebuild: { modelId: string; state: string } | null; templates: { modelId: string; templateCount: number }[] }>('system:get', {});
    for (let waitedMs = 0; system.ok && system.value.rebuild?.state === 'running' && waitedMs < 30_000; waitedMs += 200) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      system = await call('system:get', {});
    }
    assert.ok(system.ok);
    assert.equal(system.value.rebuild?.modelId, 'mobileface-added');
    assert.equal(system.value.rebuild?.state, 'done');
    assert.ok((system.value.templates.find((entry) => entry.modelId === 'mobileface-added')?.templateCount ?? 0) > 0);

    // An extractor set explicitly wins over the preference.
    const set = await call('settings:update', { values: { 'recognition.extractorModelId': 'faceapi-resnet-128' } });
    assert.ok(set.ok, JSON.stringify(set));
    assert.equal(app.requireService().health().models.extractor, 'faceapi-resnet-128');
  });
});
