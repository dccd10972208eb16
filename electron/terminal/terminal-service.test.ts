import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import sharp from 'sharp';

import { OnnxBackend } from '../vision/backend/onnx-backend.js';
import { decodeImageFile } from '../vision/frame/decode.js';
import { loadManifest } from '../vision/models/manifest.js';
import { defaultManifestPath, packageRoot } from '../vision/models/paths.js';
import { FacePipeline } from '../vision/pipeline/face-pipeline.js';
import { decisionSettingsSchema } from '../shared/shapes/decision-settings.js';
import { FileCamera } from './camera/file-camera.js';
import { TerminalStore } from './store/store.js';
import { TerminalService, type DecisionEvent, type DecisionSink } from './terminal-service.js';
import { photoSample } from './test/photo-sample.js';

const LFW = join(packageRoot(), '..', 'shared', 'data', 'lfw-dev', 'images');
const MODELS_PRESENT = existsSync(join(packageRoot(), 'models/onnx/blazeface-256.onnx'));
// Two people with several photos each in the dev split.
const ENROLLED = 'Colin_Powell';
const STRANGER = 'Tony_Blair';
// A photo of the stranger with no one else in it, whose face sits where the enrolled person's does (IoU 0.84).
const STRANGER_IN_PLACE = 6;

const lfwPhoto = (name: string, index: number): string => join(LFW, name, `${name}_${String(index).padStart(4, '0')}.jpg`);

/** Writes `count` copies of a photo, scaled into a 640×480 frame, as a folder the file camera plays. */
async function framesOf(photo: string, dir: string, count: number): Promise<string> {
  await mkdir(dir, { recursive: true });
  const frame = await sharp(photo).resize(640, 480, { fit: 'contain', background: '#202020' }).jpeg().toBuffer();
  await Promise.all(Array.from({ length: count }, (_, i) => sharp(frame).toFile(join(dir, `frame-${String(i).padStart(3, '0')}.jpg`))));
  return dir;
}

function nextDecision(service: TerminalService, timeoutMs: number): Promise<DecisionEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no decision within ${timeoutMs} ms`)), timeoutMs);
    service.once('decision', (decision) => {
      clearTimeout(timer);
      resolve(decision);
    });
  });
}

describe('TerminalService (file camera, real models, real store)', () => {
  let dir: string;
  let store: TerminalStore;
  let skip = '';
  /** The stranger's own similarity to the enrolled person's template, computed in this thread. */
  let strangerSimilarity = 0;
  const opened: Parameters<DecisionSink['open']>[0][] = [];
  /** Whether the event's snapshot was stored when its door output was driven, per opening. */
  const snapshotAtOpen: boolean[] = [];

  before(async () => {
    if (!MODELS_PRESENT) skip = 'converted models absent: run npm run models';
    else if (!existsSync(lfwPhoto(ENROLLED, 2))) skip = `LFW dev data absent at ${LFW}`;
    if (skip) return;
    dir = await mkdtemp(join(tmpdir(), 'lintel-service-'));
    store = TerminalStore.open({ dataDir: join(dir, 'data') });
    // Enroll from one photo, as an admin would, with the pipeline in this thread.
    const pipeline = await FacePipeline.create({ manifest: await loadManifest(defaultManifestPath()), backend: new OnnxBackend() });
    try {
      const sample = await photoSample(pipeline, await decodeImageFile(lfwPhoto(ENROLLED, 1)));
      const stranger = (await photoSample(pipeline, await decodeImageFile(lfwPhoto(STRANGER, STRANGER_IN_PLACE)))).template;
      strangerSimilarity = stranger.reduce((sum, value, i) => sum + value * (sample.template[i] ?? 0), 0);
      store.enrollPerson({ name: 'Colin Powell', groups: ['staff'] }, [sample]);
    } finally {
      await pipeline.close();
    }
  });

  after(async () => {
    store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function startService(folder: string, cameraOptions: { loop?: boolean; fps?: number } = {}): Promise<TerminalService> {
    const camera = new FileCamera({ path: folder, fps: 15, ...cameraOptions });
    return TerminalService.start({
      store,
      camera,
      manifestPath: defaultManifestPath(),
      // Recognition alone: the liveness challenge has its own tests (app/liveness-challenge.test.ts).
      decisionSettings: decisionSettingsSchema.parse({ framesToAgree: 3, unknownAfterFrames: 5, liveness: { mode: 'off' } }),
      sinks: [
        {
          open: async (event) => {
            opened.push(event);
            snapshotAtOpen.push(store.events.getSnapshot(event.id) !== undefined);
          },
        },
      ],
    });
  }

  /** The event's snapshot once it is attached (it is encoded after the door opened), or undefined after `timeoutMs`. */
  async function snapshotOf(eventId: number, timeoutMs = 10_000): Promise<Buffer | undefined> {
    const untilMs = Date.now() + timeoutMs;
    for (;;) {
      const jpeg = store.events.getSnapshot(eventId);
      if (jpeg || Date.now() > untilMs) return jpeg;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('grants an enrolled person seen in another photo, stores the event and opens the door', async (t) => {
    if (skip) return t.skip(skip);
    const service = await startService(await framesOf(lfwPhoto(ENROLLED, 2), join(dir, 'enrolled'), 30));
    try {
      const decision = await nextDecision(service, 30_000);
      assert.equal(decision.decision, 'granted');
      assert.equal(decision.person?.name, 'Colin Powell');
      const stored = store.events.get(decision.eventId);
      assert.equal(stored?.decision, 'granted');
      assert.equal(stored?.personId, decision.person?.id);
      assert.equal(opened.at(-1)?.personName, 'Colin Powell');
      // The door does not wait for the JPEG encoder: the snapshot is attached after the outputs were driven.
      assert.equal(snapshotAtOpen.at(-1), false, 'the snapshot was encoded before the door opened');
      assert.ok((await snapshotOf(decision.eventId))?.length, 'a snapshot is stored');
      const health = service.health();
      assert.equal(health.camera.status, 'live');
      assert.ok(health.framesProcessed >= 3);
    } finally {
      await service.stop();
    }
  });

  it('denies a stranger as unknown', async (t) => {
    if (skip) return t.skip(skip);
    const service = await startService(await framesOf(lfwPhoto(STRANGER, 1), join(dir, 'stranger'), 30));
    try {
      const decision = await nextDecision(service, 30_000);
      assert.deepEqual([decision.decision, decision.reason], ['denied', 'unknown']);
      assert.equal(decision.person, undefined);
      assert.equal(store.events.get(decision.eventId)?.reason, 'unknown');
    } finally {
      await service.stop();
    }
  });

  it('gives a stranger who steps into an enrolled person\'s place a new track and their own similarity', async (t) => {
    if (skip) return t.skip(skip);
    // One clip: the enrolled person, then the stranger at the same place (LFW faces are centred), no gap.
    const folder = join(dir, 'handover');
    await framesOf(lfwPhoto(ENROLLED, 2), join(folder, 'a'), 30);
    await framesOf(lfwPhoto(STRANGER, STRANGER_IN_PLACE), join(folder, 'b'), 40);
    const clip = join(dir, 'handover-clip');
    await mkdir(clip, { recursive: true });
    for (const [part, count] of [['a', 30], ['b', 40]] as const) {
      for (let i = 0; i < count; i++) await copyFile(join(folder, part, `frame-${String(i).padStart(3, '0')}.jpg`), join(clip, `${part}-${String(i).padStart(3, '0')}.jpg`));
    }
    const decisions: DecisionEvent[] = [];
    const service = await startService(clip, { loop: false, fps: 10 });
    service.on('decision', (decision) => decisions.push(decision));
    try {
      const untilMs = Date.now() + 60_000;
      while (decisions.length < 2 && Date.now() < untilMs) await new Promise((resolve) => setTimeout(resolve, 50));
      const [granted, denied] = decisions;
      assert.equal(granted?.person?.name, 'Colin Powell', 'the enrolled person is granted first');
      assert.ok(denied, 'the stranger is decided too');
      assert.deepEqual([denied.decision, denied.reason], ['denied', 'unknown']);
      assert.notEqual(denied.trackId, granted.trackId, 'the stranger has a track of their own');
      // The event keeps the stranger's own best similarity (none below the 1:1 threshold), not the enrolled person's.
      const stored = store.events.get(denied.eventId);
      const verifySimilarity = service.matcher.thresholds.verifySimilarity;
      if (strangerSimilarity >= verifySimilarity) assert.ok(Math.abs((stored?.similarity ?? Number.NaN) - strangerSimilarity) < 0.02, `stored ${stored?.similarity}, the stranger's own ${strangerSimilarity}`);
      else assert.equal(stored?.similarity, null, `stored ${stored?.similarity}, the stranger's own ${strangerSimilarity} is below ${verifySimilarity}`);
      assert.ok((granted.similarity ?? 0) > verifySimilarity);
    } finally {
      await service.stop();
    }
  });
});
