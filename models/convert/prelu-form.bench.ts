/**
 * A converted model with its PReLUs written as PRelu nodes against the Relu form the converters write (see
 * PreluForm), in one process: both forms are converted from the installed source (TFLite or TFJS graph), and
 * the model's own stage of the real pipeline is timed on the benchmark frames, alternating the two forms face
 * by face so that both see the same machine load: an extractor's alignment + extraction, with and without
 * mirror averaging, or the fitter's crop + FaceMesh on each detected face. Prints median / p95 ms, their ratio
 * and whether the two forms' results (templates, landmarks and presence) are identical. A command, not a test:
 * `npx tsx models/convert/prelu-form.bench.ts [--model mobilefacenet-192] [--frames 30] [--repeats 3]`.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { OnnxBackend } from '../../electron/vision/backend/onnx-backend.js';
import { loadBenchFrames } from '../../electron/vision/bench/bench.js';
import { FaceDetector, type FaceDetection } from '../../electron/vision/detector/face-detector.js';
import { FaceFitter } from '../../electron/vision/fitter/face-fitter.js';
import type { RgbImage } from '../../electron/vision/frame/rgb-image.js';
import { loadManifest, npmSource, resolveModel, type LoadedManifest, type ModelEntry } from '../../electron/vision/models/manifest.js';
import { defaultManifestPath, packageRoot } from '../../electron/vision/models/paths.js';
import { FacePipeline, type AnalysedFace } from '../../electron/vision/pipeline/face-pipeline.js';
import { medianAndP95 } from '../../electron/vision/statistics.js';
import { convertTfjsGraph, type PreluForm } from './tfjs-graph-to-onnx.js';
import { convertTflite } from './tflite-to-onnx.js';

const FORMS: readonly PreluForm[] = ['prelu', 'relu'];

const { values } = parseArgs({
  options: { model: { type: 'string', default: 'mobilefacenet-192' }, frames: { type: 'string', default: '30' }, repeats: { type: 'string', default: '3' } },
});
const print = (line: string): void => void process.stdout.write(`${line}\n`);
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const modelId = values.model;
const repeats = Number(values.repeats);

/** One timed run of the benchmarked stage: its time and the values the two forms must agree on. */
interface TimedRun {
  readonly durationMs: number;
  readonly values: Float32Array;
}

function converterFor(entry: ModelEntry): (path: string, form: PreluForm) => Promise<Uint8Array> {
  if (entry.source.format === 'tflite') return (path, prelu) => convertTflite(path, entry, { prelu });
  if (entry.source.format === 'tfjs-graph') return (path, prelu) => convertTfjsGraph(path, entry, { prelu });
  throw new Error(`${modelId} is converted from ${entry.source.format}; only TFLite and TFJS graph models have a PReLU form`);
}

/** Runs every face through both forms, alternating, `repeats` times; prints the times and whether results agree. */
async function timeForms<Face>(title: string, faces: readonly Face[], run: (form: PreluForm, face: Face) => Promise<TimedRun>): Promise<void> {
  const first = faces[0];
  if (first === undefined) throw new Error('no face found in the benchmark frames');
  // One untimed run per form warms the sessions' allocations up.
  for (const form of FORMS) await run(form, first);
  const timesMs = new Map<PreluForm, number[]>(FORMS.map((form) => [form, []]));
  let identical = true;
  for (let pass = 0; pass < repeats; pass++) {
    for (const face of faces) {
      const results: Float32Array[] = [];
      for (const form of FORMS) {
        const { durationMs, values: result } = await run(form, face);
        timesMs.get(form)?.push(durationMs);
        results.push(result);
      }
      identical &&= results.every((result) => result.length === results[0]?.length && result.every((v, i) => Object.is(v, results[0]?.[i])));
    }
  }
  print(`\n${title}, ${faces.length} faces × ${repeats}; results of the two forms identical: ${identical ? 'yes' : 'NO'}`);
  const prelu = medianAndP95(timesMs.get('prelu') ?? []);
  for (const form of FORMS) {
    const { median, p95 } = medianAndP95(timesMs.get(form) ?? []);
    const label = `${form === 'prelu' ? 'one PRelu node' : 'relu(x) + (−a)·relu(−x)'} (${form})`;
    print(`  ${label.padEnd(36)} median ${median.toFixed(2).padStart(7)} ms   p95 ${p95.toFixed(2).padStart(7)} ms   ${(prelu.median / median).toFixed(2)}× the PRelu form's speed`);
  }
}

/** Alignment + extraction of the faces the pipeline finds, with and without mirror averaging. */
async function benchExtractor(manifests: ReadonlyMap<PreluForm, LoadedManifest>, frames: readonly RgbImage[]): Promise<void> {
  for (const mirrorAverage of [true, false]) {
    const pipelines = new Map<PreluForm, FacePipeline>();
    for (const form of FORMS) {
      pipelines.set(form, await FacePipeline.create({ manifest: manifests.get(form) as LoadedManifest, backend: new OnnxBackend({ intraOpThreads: 1 }), extractorId: modelId, mirrorAverage }));
    }
    const faces: [RgbImage, AnalysedFace][] = [];
    for (const frame of frames) {
      const face = (await (pipelines.get('prelu') as FacePipeline).analyse(frame)).faces[0];
      if (face) faces.push([frame, face]);
    }
    await timeForms(`alignment + extraction${mirrorAverage ? ' ×2 (mirror)' : ''}`, faces, async (form, [frame, face]) => {
      const { template, durationMs } = await (pipelines.get(form) as FacePipeline).extract(frame, face);
      return { durationMs, values: template.vector };
    });
    await Promise.all([...pipelines.values()].map((pipeline) => pipeline.close()));
  }
}

/** Crop + FaceMesh on every face the installed detector finds: the fitter's time per face. */
async function benchFitter(loaded: LoadedManifest, manifests: ReadonlyMap<PreluForm, LoadedManifest>, frames: readonly RgbImage[]): Promise<void> {
  const backend = new OnnxBackend({ intraOpThreads: 1 });
  const detector = await FaceDetector.create({ model: resolveModel(loaded, loaded.manifest.defaults.detector), backend });
  const fitters = new Map<PreluForm, FaceFitter>();
  for (const form of FORMS) fitters.set(form, await FaceFitter.create({ model: resolveModel(manifests.get(form) as LoadedManifest, modelId), backend }));
  const faces: [RgbImage, FaceDetection][] = [];
  for (const frame of frames) for (const detection of (await detector.detect(frame)).detections) faces.push([frame, detection]);
  await timeForms('fitter (crop + FaceMesh)', faces, async (form, [frame, detection]) => {
    const { landmarks, durationMs } = await (fitters.get(form) as FaceFitter).fit(frame, detection);
    return { durationMs, values: Float32Array.of(landmarks.presence, ...landmarks.meshPx) };
  });
  await Promise.all([detector.close(), ...[...fitters.values()].map((fitter) => fitter.close())]);
}

const loaded = await loadManifest(defaultManifestPath());
const entry = loaded.manifest.models[modelId];
if (!entry) throw new Error(`no ${modelId} in the manifest`);
if (entry.role !== 'extractor' && entry.role !== 'fitter') throw new Error(`${modelId} is a ${entry.role}; the bench times extractors and fitters`);
const convert = converterFor(entry);
const { package: packageName, file } = npmSource(entry);
const source = join(packageRoot(), 'node_modules', packageName, file);

// Each form gets its own file and a manifest whose entry pins it; the other stages stay the installed ones.
const dir = await mkdtemp(join(tmpdir(), 'lintel-prelu-bench-'));
try {
  const manifests = new Map<PreluForm, LoadedManifest>();
  for (const form of FORMS) {
    const bytes = await convert(source, form);
    const path = join(dir, `${modelId}.${form}.onnx`);
    await writeFile(path, bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const models = { ...loaded.manifest.models, [modelId]: { ...entry, onnx: { file: path, sha256 } } };
    manifests.set(form, { ...loaded, manifest: { ...loaded.manifest, models } });
  }

  print(`PReLU forms of ${modelId} — ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.versions.node}, load ${load()}`);
  const { frames, origin } = await loadBenchFrames(Number(values.frames));
  print(`frames: ${origin}; ${repeats} passes each; onnxruntime CPU, 1 intra-op thread; the forms alternate face by face`);
  if (entry.role === 'extractor') await benchExtractor(manifests, frames);
  else await benchFitter(loaded, manifests, frames);
  print(`\nload after: ${load()}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
