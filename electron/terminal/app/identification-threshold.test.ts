// The 1:N threshold in the running terminal, on real models and LFW photos: it follows the gallery size (enroll,
// disable) and the target FPIR without restarting the service, is shown on the System screen, falls back to the
// extractor's fixed threshold (with a health note) where the manifest has no curve, and events carry match scores
// from the curve of the model that made them.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';

import type { Session } from '../../shared/contract/handler.js';
import type { Result } from '../../shared/contract/result.js';
import type { StreamMessage, StreamMessageOf } from '../../shared/contract/streams.js';
import { matchScore, thresholdFor, type IdentificationCurve } from '../../vision/matcher/identification-curve.js';
import { packageRoot } from '../../vision/models/paths.js';
import { lfwPhoto, missingForRealPhotos } from '../enrollment/test/helpers.js';
import type { TerminalApp } from './terminal-app.js';
import { openTestApp } from './test/open-test-app.js';

const admin: Session = { level: 'admin', subject: 'test', expiresAtMs: Number.MAX_SAFE_INTEGER };

/** What system:get says of identification. */
interface Identification {
  modelId: string;
  gallerySize: number;
  galleryTemplates: number;
  targetFpir: number;
  thresholdSimilarity: number;
  source: 'curve' | 'fixed' | 'override';
  expected: { fpir: number; fnir: number } | null;
  curveProtocol: string | null;
  note?: string;
}

interface ManifestModel {
  thresholds?: { verifySimilarity: number; identifySimilarity: number };
  identification?: IdentificationCurve;
}

// A test waiting for a decision that never comes must fail, not hold the suite.
describe('the 1:N threshold in the running terminal', { timeout: 300_000 }, () => {
  let missing = '';
  let app: TerminalApp | undefined;
  let dir = '';
  let models: Record<string, ManifestModel> = {};
  /** The extractor a new terminal runs: the manifest's default. */
  let shipped = '';
  const messages: StreamMessage[] = [];

  async function value<T = unknown>(channel: string, request: unknown): Promise<T> {
    const result = (await (app as TerminalApp).handle(channel, request, { senderOk: true, session: admin, sessionToken: 'test' })) as Result<T>;
    if (!result.ok) assert.fail(`${channel}: ${result.error.code} ${result.error.message}`);
    return result.value;
  }

  async function identification(): Promise<Identification> {
    const system = await value<{ identification: Identification | null }>('system:get', {});
    assert.ok(system.identification, 'system:get carries the identification state');
    return system.identification;
  }

  /** The threshold the terminal should use for `people` comparisons per search at `targetFpir` with the default extractor. */
  function expectedThreshold(people: number, targetFpir: number): number {
    const model = models[shipped]!;
    return Math.max(model.thresholds!.verifySimilarity, thresholdFor(model.identification!, people, targetFpir));
  }

  function cameraOf(name: string, count: number): string {
    const folder = join(dir, 'cameras', name);
    mkdirSync(folder, { recursive: true });
    for (let index = 1; index <= count; index++) copyFileSync(lfwPhoto(name, index), join(folder, `${index}.jpg`));
    return folder;
  }

  before(async () => {
    missing = await missingForRealPhotos();
    if (missing) return;
    dir = mkdtempSync(join(tmpdir(), 'lintel-ident-'));
    // The shipped manifest, with mobileface-256's curve taken out whatever it has: the extractor without a curve.
    const manifest = JSON.parse(readFileSync(join(packageRoot(), 'models', 'manifest.json'), 'utf8')) as { models: Record<string, ManifestModel>; defaults: { extractor: string } };
    delete manifest.models['mobileface-256']!.identification;
    models = manifest.models;
    shipped = manifest.defaults.extractor;
    mkdirSync(join(dir, 'models'));
    writeFileSync(join(dir, 'models', 'manifest.json'), JSON.stringify(manifest));
    symlinkSync(join(packageRoot(), 'models', 'onnx'), join(dir, 'models', 'onnx'));
    app = await openTestApp({
      dataDir: join(dir, 'data'),
      manifestPath: join(dir, 'models', 'manifest.json'),
      defaultCameraUri: `file:${cameraOf('Colin_Powell', 2)}?fps=5`,
      liveness: { mode: 'off' },
    });
    app.subscribe((message) => messages.push(message));
  });

  after(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const ready = (t: TestContext): boolean => {
    if (missing) t.skip(missing);
    return !missing;
  };

  test('enrolling more people raises the threshold, disabling one lowers it, without restarting the service', async (t) => {
    if (!ready(t)) return;
    const terminal = app as TerminalApp;
    const service = terminal.requireService();
    const empty = await identification();
    assert.deepEqual([empty.modelId, empty.gallerySize, empty.source, empty.targetFpir], [shipped, 0, 'curve', 1e-3]);
    assert.match(empty.curveProtocol ?? '', /^Measured on .* by lintel eval ident/);
    const thresholds: number[] = [];
    const ids: string[] = [];
    for (const name of ['Tony_Blair', 'Hugo_Chavez', 'Andre_Agassi', 'Bill_Gates']) {
      const photos = [1, 2].map((index) => ({ name: `${index}.jpg`, dataBase64: readFileSync(lfwPhoto(name, index)).toString('base64') }));
      const enrolled = await value<{ outcome: string; person: { id: string } }>('enroll:photos', { person: { name: name.replace('_', ' ') }, photos, allowDuplicate: true });
      assert.equal(enrolled.outcome, 'enrolled', name);
      ids.push(enrolled.person.id);
      const state = await identification();
      assert.equal(state.gallerySize, ids.length);
      assert.ok(state.galleryTemplates >= ids.length, 'at least one template a person');
      assert.equal(state.thresholdSimilarity, expectedThreshold(state.gallerySize, 1e-3));
      assert.ok(Math.abs(state.expected!.fpir - 1e-3) < 1e-9 || state.thresholdSimilarity === models[shipped]!.thresholds!.verifySimilarity);
      assert.equal(service.matcher.thresholds.identifySimilarity, state.thresholdSimilarity, 'the matcher searches with it');
      thresholds.push(state.thresholdSimilarity);
    }
    assert.ok(thresholds[3]! > thresholds[1]! && thresholds[1]! > thresholds[0]!, `rises with the gallery: ${thresholds.join(', ')}`);
    await value('persons:update', { id: ids[3], patch: { enabled: false } });
    const disabled = await identification();
    assert.equal(disabled.gallerySize, 3, 'a disabled person cannot be granted: not counted');
    assert.equal(disabled.thresholdSimilarity, thresholds[2]);
    await value('persons:update', { id: ids[3], patch: { enabled: true } });
    await value('persons:delete', { id: ids[2] });
    assert.equal((await identification()).gallerySize, 3);
    assert.equal(terminal.requireService(), service, 'the same service: no restart for a gallery change');
  });

  test('a new target applies at once, an override is shown as one, and out-of-range targets are refused', async (t) => {
    if (!ready(t)) return;
    const terminal = app as TerminalApp;
    const service = terminal.requireService();
    const before = await identification();
    await value('settings:update', { values: { 'recognition.targetFpir': 1e-2 } });
    const looser = await identification();
    assert.equal(looser.targetFpir, 1e-2);
    assert.equal(looser.thresholdSimilarity, expectedThreshold(before.gallerySize, 1e-2));
    assert.ok(looser.thresholdSimilarity < before.thresholdSimilarity);
    assert.equal(service.matcher.thresholds.identifySimilarity, looser.thresholdSimilarity);
    for (const wrong of [0, 1e-7, 0.2, 1, -1e-3, '0.01', null]) {
      const result = (await terminal.handle('settings:update', { values: { 'recognition.targetFpir': wrong } }, { senderOk: true, session: admin, sessionToken: 'test' })) as Result<unknown>;
      assert.equal(result.ok ? 'ok' : result.error.code, 'invalid-request', `targetFpir ${JSON.stringify(wrong)}`);
    }
    assert.equal(terminal.store.settings.get('recognition.targetFpir'), 1e-2, 'a refused value changes nothing');
    await value('settings:update', { values: { 'recognition.identifySimilarity': 0.97 } });
    const overridden = await identification();
    assert.deepEqual([overridden.source, overridden.thresholdSimilarity], ['override', 0.97]);
    assert.match(overridden.note ?? '', /set by hand/);
    assert.equal(service.matcher.thresholds.identifySimilarity, 0.97);
    await value('settings:update', { values: { 'recognition.identifySimilarity': null, 'recognition.targetFpir': 1e-3 } });
    assert.deepEqual(await identification(), before);
    assert.equal(terminal.requireService(), service, 'the same service: no restart for a target change');
  });

  test("events carry the match score from their model's curve; the overlay shows it", async (t) => {
    if (!ready(t)) return;
    const granted = new Promise<StreamMessageOf<'decision'>>((resolve) => {
      const stop = (app as TerminalApp).subscribe((message) => {
        if (message.kind !== 'decision' || message.decision.decision !== 'granted') return;
        stop();
        resolve(message);
      });
    });
    await value('settings:update', { values: { 'camera.uri': `file:${cameraOf('Tony_Blair', 2)}?fps=5` } });
    const { decision } = await granted;
    const { events } = await value<{ events: { id: number; modelId: string | null; similarity: number | null; matchScore?: number }[] }>('events:query', {});
    const event = events.find((candidate) => candidate.id === decision.eventId);
    assert.equal(event?.modelId, shipped);
    assert.ok(event.similarity !== null);
    assert.equal(event.matchScore, matchScore(models[shipped]!.identification!, event.similarity), 'the stored cosine is kept, the score computed to show');
    assert.ok(event.matchScore! >= 30, `a grant at FPIR 1e-3 scores at least 30, got ${event.matchScore}`);
    const named = messages.find((message): message is StreamMessageOf<'analysis'> => message.kind === 'analysis' && message.faces.some((face) => face.match));
    assert.equal(typeof named?.faces.find((face) => face.match)?.match?.matchScore, 'number');
  });

  test('an extractor without a curve: its fixed threshold and a health note; older events keep their own model’s scores', async (t) => {
    if (!ready(t)) return;
    const terminal = app as TerminalApp;
    await value('settings:update', { values: { 'recognition.extractorModelId': 'mobileface-256' } });
    const state = await identification();
    assert.deepEqual([state.modelId, state.source, state.thresholdSimilarity, state.expected, state.curveProtocol], ['mobileface-256', 'fixed', models['mobileface-256']!.thresholds!.identifySimilarity, null, null]);
    const system = await value<{ health: { identification?: { source: string; note?: string } } }>('system:get', {});
    assert.equal(system.health.identification?.source, 'fixed');
    assert.match(system.health.identification?.note ?? '', /no identification curve for mobileface-256 in the manifest/);
    assert.equal(terminal.requireService().matcher.thresholds.identifySimilarity, state.thresholdSimilarity);
    const { events } = await value<{ events: { modelId: string | null; similarity: number | null; matchScore?: number }[] }>('events:query', {});
    const old = events.find((event) => event.modelId === shipped && event.similarity !== null);
    assert.ok(old);
    assert.equal(old.matchScore, matchScore(models[shipped]!.identification!, old.similarity!));
    await value('settings:update', { values: { 'recognition.extractorModelId': null } });
    assert.equal((await identification()).source, 'curve', 'back on the default extractor, the threshold follows its curve again');
  });
});
