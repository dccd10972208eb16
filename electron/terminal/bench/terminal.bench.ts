/**
 * `npm run bench:terminal`: the terminal service on this machine with the CPU backend.
 * - a 30 fps 640×480 file source with one face: frames processed per second and frames dropped;
 * - every enrolled person shown a new photo of themselves is granted, and people never enrolled are denied: the
 *   decisions, and the time from the first frame showing an enrolled face to the grant (median over the grants
 *   only: a denial ends sooner and would flatter it);
 * - with 10,000 enrolled persons: the process's resident memory and the 1:N lookup time.
 * Liveness is off: LFW stills cannot turn their heads; the challenge's own cost is measured by
 * electron/vision/liveness/bench/active.bench.ts.
 * Prints figures; it asserts nothing. Needs the LFW dev data (../shared/data/lfw-dev).
 */
import { existsSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import sharp from 'sharp';

import { OnnxBackend } from '../../vision/backend/onnx-backend.js';
import { decodeImageFile, encodeJpeg } from '../../vision/frame/decode.js';
import { createSeededRandom, randomUnitVector } from '../../vision/matcher/seeded-random.js';
import { MAX_SITE_PERSONS, measureSiteLikeness } from '../../vision/matcher/site-likeness.js';
import { loadManifest } from '../../vision/models/manifest.js';
import { defaultManifestPath, packageRoot } from '../../vision/models/paths.js';
import { FacePipeline } from '../../vision/pipeline/face-pipeline.js';
import { medianAndP95 } from '../../vision/statistics.js';
import { decisionSettingsSchema } from '../../shared/shapes/decision-settings.js';
import { FileCamera } from '../camera/file-camera.js';
import { TerminalStore } from '../store/store.js';
import { TerminalService, type DecisionEvent } from '../terminal-service.js';

const LFW = join(packageRoot(), '..', 'shared', 'data', 'lfw-dev', 'images');
const print = (line: string): void => void process.stdout.write(`${line}\n`);
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** Writes a clip: `blank` frames with nobody, then `count` frames of the photo in a 640×480 frame. */
async function writeClip(photo: string, dir: string, blank: number, count: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  const empty = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#303030' } }).jpeg().toBuffer();
  const face = await sharp(photo).resize(640, 480, { fit: 'contain', background: '#303030' }).jpeg().toBuffer();
  await Promise.all(
    Array.from({ length: blank + count }, (_, i) => sharp(i < blank ? empty : face).toFile(join(dir, `frame-${String(i).padStart(4, '0')}.jpg`))),
  );
}

const { values } = parseArgs({
  options: { people: { type: 'string', default: '8' }, strangers: { type: 'string', default: '8' }, gallery: { type: 'string', default: '10000' }, 'memory-only': { type: 'string' }, clip: { type: 'string' } },
});

/** In a fresh process: open the store, start the service on a clip, report RSS and lookup time as JSON. */
async function measureMemory(dataDir: string, clip: string): Promise<void> {
  const memoryStore = TerminalStore.open({ dataDir });
  const camera = new FileCamera({ path: clip, fps: 30 });
  const service = await TerminalService.start({ store: memoryStore, camera, manifestPath: defaultManifestPath(), decisionSettings: decisionSettingsSchema.parse({ liveness: { mode: 'off' } }) });
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const rss = process.memoryUsage().rss;
  const random = createSeededRandom(11);
  const lookupsMs: number[] = [];
  for (let i = 0; i < 200; i++) {
    const probe = randomUnitVector(random, service.matcher.gallery.dimension);
    const startMs = performance.now();
    service.matcher.identify(probe, 5);
    lookupsMs.push(performance.now() - startMs);
  }
  const size = service.matcher.gallery.size;
  const processed = service.health().framesProcessed;
  await service.stop();
  memoryStore.close();
  process.stdout.write(`${JSON.stringify({ rss, size, processed, ...medianAndP95(lookupsMs) })}\n`);
}

if (values['memory-only'] && values.clip) {
  await measureMemory(values['memory-only'], values.clip);
  process.exit(0);
}
if (!existsSync(LFW)) {
  print(`LFW dev data absent at ${LFW}: nothing to measure`);
  process.exit(0);
}
print(`Lintel terminal benchmark — ${cpus()[0]?.model ?? 'CPU'}, ${cpus().length} cores, Node ${process.versions.node}, CPU backend`);
const dir = await mkdtemp(join(tmpdir(), 'lintel-terminal-bench-'));
const store = TerminalStore.open({ dataDir: join(dir, 'data') });
try {
  // People with at least two photos: enroll the first, show the second at the door. Strangers: people with one
  // photo, never enrolled, from the other end of the alphabet.
  const names = readdirSync(LFW).sort();
  const people = names.filter((name) => existsSync(join(LFW, name, `${name}_0002.jpg`))).slice(0, Number(values.people));
  const strangers = names
    .filter((name) => !existsSync(join(LFW, name, `${name}_0002.jpg`)))
    .reverse()
    .slice(0, Number(values.strangers));
  const pipeline = await FacePipeline.create({ manifest: await loadManifest(defaultManifestPath()), backend: new OnnxBackend() });
  for (const name of people) {
    const image = await decodeImageFile(join(LFW, name, `${name}_0001.jpg`));
    const [face] = (await pipeline.analyse(image)).faces;
    if (!face) continue;
    const { template, alignedCrop, alignment } = await pipeline.extract(image, face);
    store.enrollPerson({ name: name.replaceAll('_', ' ') }, [{ modelId: template.modelId, template: template.vector, quality: face.quality, alignedJpeg: await encodeJpeg(alignedCrop), alignment }]);
  }
  const extractorId = pipeline.modelIds.extractor;
  const dimension = pipeline.extractor.dimension;
  const alignment = pipeline.extractor.template;
  await pipeline.close();

  // Identification latency: stills cannot pass the liveness challenge, which is measured on its own.
  const settings = decisionSettingsSchema.parse({ liveness: { mode: 'off' } });
  const latenciesMs: number[] = [];
  const results: string[] = [];
  const tally = { granted: 0, enrolledDenied: 0, strangersDenied: 0, strangersGranted: 0, undecided: 0 };
  const visitors = [...people.map((name) => ({ name, enrolled: true, photo: `${name}_0002.jpg` })), ...strangers.map((name) => ({ name, enrolled: false, photo: `${name}_0001.jpg` }))];
  for (const { name, enrolled, photo } of visitors) {
    const clip = join(dir, 'clips', name);
    await writeClip(join(LFW, name, photo), clip, 6, 60);
    const camera = new FileCamera({ path: clip, fps: 30 });
    const firstFaceAtMs = new Map<number, number>();
    camera.onFrame((frame) => {
      if (frame.seq % 66 === 6) firstFaceAtMs.set(Math.floor(frame.seq / 66), frame.timestampMs);
    });
    const service = await TerminalService.start({ store, camera, manifestPath: defaultManifestPath(), decisionSettings: settings });
    const decision = await new Promise<DecisionEvent | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), 15_000);
      service.once('decision', (event) => {
        clearTimeout(timer);
        resolve(event);
      });
    });
    const decidedAtMs = Date.now();
    await service.stop();
    const shownAtMs = firstFaceAtMs.get(0);
    const granted = decision?.decision === 'granted';
    if (granted && shownAtMs !== undefined) latenciesMs.push(decidedAtMs - shownAtMs);
    if (!decision) tally.undecided++;
    else if (enrolled) tally[granted && decision.person?.name === name.replaceAll('_', ' ') ? 'granted' : 'enrolledDenied']++;
    else tally[granted ? 'strangersGranted' : 'strangersDenied']++;
    results.push(`${enrolled ? '' : 'stranger '}${name}: ${decision ? `${decision.decision} (${decision.reason}${decision.person ? `, ${decision.person.name}` : ''})` : 'no decision'}`);
  }
  print(`\ndecisions: ${results.join('; ')}`);
  print(
    `enrolled people granted as themselves: ${tally.granted} of ${people.length}; strangers denied: ${tally.strangersDenied} of ${strangers.length}, let in: ${tally.strangersGranted}; no decision: ${tally.undecided}`,
  );
  const latency = medianAndP95(latenciesMs);
  print(
    `first frame with an enrolled face → grant (${settings.framesToAgree} frames to agree, 30 fps source): median ${latency.median.toFixed(0)} ms, p95 ${latency.p95.toFixed(0)} ms over ${latenciesMs.length} grants  (target ≤ 300 ms median)`,
  );

  // Throughput: the same kind of source for 10 s.
  const throughputClip = join(dir, 'clips', people[0] as string);
  const camera = new FileCamera({ path: throughputClip, fps: 30 });
  let framesShown = 0;
  camera.onFrame(() => framesShown++);
  const service = await TerminalService.start({ store, camera, manifestPath: defaultManifestPath(), decisionSettings: settings });
  const before = service.health();
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  const health = service.health();
  await service.stop();
  const processed = health.framesProcessed - before.framesProcessed;
  print(
    `30 fps 640×480 source for 10 s: ${framesShown} frames shown, ${processed} processed (${(processed / 10).toFixed(1)} fps), ${health.framesDropped - before.framesDropped} dropped as stale; no queue (the worker takes the newest frame)`,
  );
  if (health.lastTimingsMs) {
    const t = health.lastTimingsMs;
    print(`  last frame: detect ${t.detectMs.toFixed(1)} ms, fit ${t.fitMs.toFixed(1)} ms, extract ${t.extractMs.toFixed(1)} ms`);
  }

  // A large gallery: 10,000 persons with random templates and a small crop each.
  const gallerySize = Number(values.gallery);
  const random = createSeededRandom(7);
  const crop = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#808080' } }).jpeg().toBuffer();
  const enrollStartMs = performance.now();
  for (let i = 0; i < gallerySize; i++) {
    store.enrollPerson({ name: `Person ${i}` }, [{ modelId: extractorId, template: randomUnitVector(random, dimension), quality: { interOcularPx: 80, yawDeg: 0, pitchDeg: 0, rollDeg: 0, sharpness: 100, brightness: 120, contrast: 40, presence: 1, detectorScore: 1 }, alignedJpeg: crop, alignment }]);
  }
  print(`\nenrolled ${gallerySize} persons in ${((performance.now() - enrollStartMs) / 1000).toFixed(1)} s`);
  // The site's likeness (IdentifyThreshold) on the main process: a subset of people's templates read and compared.
  const readMs: number[] = [];
  const measureMs: number[] = [];
  for (let run = 0; run < 5; run++) {
    const startMs = performance.now();
    const { persons, templates } = store.galleryTemplates(extractorId, MAX_SITE_PERSONS, run + 1);
    readMs.push(performance.now() - startMs);
    measureSiteLikeness(templates, { levels: [{ fmr: 1e-3, similarity: 0.3 }] }, { persons, seed: run + 1 });
    measureMs.push(performance.now() - startMs - readMs.at(-1)!);
  }
  print(
    `site likeness with ${gallerySize} enrolled: templates of ${Math.min(gallerySize, MAX_SITE_PERSONS)} people read and decrypted in ${medianAndP95(readMs).median.toFixed(0)} ms, ` +
      `compared in ${medianAndP95(measureMs).median.toFixed(0)} ms (medians of 5)`,
  );
  // Measured in a fresh process, as the terminal runs: this one holds the benchmark's own clips and caches, and
  // the terminal runs compiled JavaScript (dist/, from npm run build), not TypeScript through tsx's loader.
  store.close();
  const self = fileURLToPath(import.meta.url);
  const compiled = self.endsWith('.js') ? self : fileURLToPath(new URL('../../../dist/electron/terminal/bench/terminal.bench.js', import.meta.url));
  const entry = existsSync(compiled) ? [compiled] : ['--import', 'tsx', self];
  const child = spawnSync(process.execPath, [...entry, '--memory-only', join(dir, 'data'), '--clip', throughputClip], { encoding: 'utf8' });
  const lastLine = child.stdout.trim().split('\n').at(-1) ?? '';
  if (child.status !== 0 || !lastLine.startsWith('{')) {
    // The compiled tree lags the sources until the next build, and an older store refuses a newer database.
    throw new Error(`the memory measurement (${entry.join(' ')}) failed, exit ${child.status}${entry.length === 1 ? ' — is dist/ older than the sources? run npm run build' : ''}:\n${child.stderr.trim()}`);
  }
  const measured = JSON.parse(lastLine) as { rss: number; size: number; processed: number; median: number; p95: number };
  print(
    `gallery of ${measured.size} templates, service running on a 30 fps source (${measured.processed} frames in 5 s): process RSS ${mb(measured.rss)} (target < 400 MB; ${entry.length === 1 ? 'compiled' : 'through tsx'}); 1:N lookup median ${measured.median.toFixed(2)} ms, p95 ${measured.p95.toFixed(2)} ms (target < 5 ms)`,
  );
} finally {
  store.close();
  await rm(dir, { recursive: true, force: true });
}
