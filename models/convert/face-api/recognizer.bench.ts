/**
 * Converts face-api's recogniser, writes it to models/onnx/, and prints its size, sha256 and the median
 * onnxruntime-node latency over 50 runs with 1 and 2 intra-op threads. A command, not a test:
 * `npx tsx models/convert/face-api/recognizer.bench.ts`. The models CLI is the proper way to convert.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as ort from 'onnxruntime-node';

import { loadManifest, npmSource, resolveModel } from '../../../electron/vision/models/manifest.js';
import { convertFaceApiRecognizer } from '../face-api-recognizer.js';

const RUNS = 50;
const WARM_UP_RUNS = 5;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const loaded = await loadManifest(join(repoRoot, 'models/manifest.json'));
const { entry, onnxPath } = resolveModel(loaded, 'faceapi-resnet-128');
const weightsManifestPath = join(repoRoot, 'node_modules', npmSource(entry).package, npmSource(entry).file);

const startedMs = performance.now();
const bytes = await convertFaceApiRecognizer(weightsManifestPath, entry);
const convertMs = performance.now() - startedMs;
await mkdir(dirname(onnxPath), { recursive: true });
await writeFile(onnxPath, bytes);
const sha256 = createHash('sha256').update(bytes).digest('hex');
console.log(`${relative(repoRoot, onnxPath)}: ${bytes.length} bytes (${(bytes.length / 2 ** 20).toFixed(2)} MiB), sha256 ${sha256}, converted in ${convertMs.toFixed(0)} ms`);

const side = entry.input.widthPx;
const input = new ort.Tensor('float32', Float32Array.from({ length: 3 * side * side }, (_, i) => Math.sin(i) * 0.5), [1, 3, side, side]);
for (const threads of [1, 2]) {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1 });
  const feeds = { [entry.input.name]: input };
  for (let i = 0; i < WARM_UP_RUNS; i++) await session.run(feeds);
  const timesMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const runStartMs = performance.now();
    await session.run(feeds);
    timesMs.push(performance.now() - runStartMs);
  }
  timesMs.sort((a, b) => a - b);
  const medianMs = ((timesMs[RUNS / 2 - 1] as number) + (timesMs[RUNS / 2] as number)) / 2;
  console.log(`intraOpNumThreads ${threads}: median ${medianMs.toFixed(2)} ms over ${RUNS} runs (min ${timesMs[0]?.toFixed(2)}, max ${timesMs[RUNS - 1]?.toFixed(2)})`);
  await session.release();
}
