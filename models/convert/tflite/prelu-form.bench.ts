/**
 * MobileFaceNet with its PReLU written as one PRelu node against the Relu form the converter writes (see
 * PreluForm), in one process: both are converted from the installed TFLite file, and the real pipeline's
 * alignment + extraction, with and without mirror averaging, is timed on the benchmark frames, alternating the
 * two forms frame by frame so that both see the same machine load. Prints median / p95 ms, their ratio and
 * whether the templates are identical. A command, not a test:
 * `npx tsx models/convert/tflite/prelu-form.bench.ts [--frames 30] [--repeats 3]`.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { OnnxBackend } from '../../../electron/vision/backend/onnx-backend.js';
import { loadBenchFrames } from '../../../electron/vision/bench/bench.js';
import type { RgbImage } from '../../../electron/vision/frame/rgb-image.js';
import { loadManifest, npmSource, type LoadedManifest } from '../../../electron/vision/models/manifest.js';
import { defaultManifestPath, packageRoot } from '../../../electron/vision/models/paths.js';
import { FacePipeline, type AnalysedFace } from '../../../electron/vision/pipeline/face-pipeline.js';
import { medianAndP95 } from '../../../electron/vision/statistics.js';
import { convertTflite, type PreluForm } from '../tflite-to-onnx.js';

const MODEL_ID = 'mobilefacenet-192';
const FORMS: readonly PreluForm[] = ['prelu', 'relu'];

const { values } = parseArgs({ options: { frames: { type: 'string', default: '30' }, repeats: { type: 'string', default: '3' } } });
const print = (line: string): void => void process.stdout.write(`${line}\n`);

const loaded = await loadManifest(defaultManifestPath());
const entry = loaded.manifest.models[MODEL_ID];
if (!entry) throw new Error(`no ${MODEL_ID} in the manifest`);
const { package: packageName, file } = npmSource(entry);
const source = join(packageRoot(), 'node_modules', packageName, file);

// Each form gets its own file and a manifest whose entry pins it; the detector and fitter stay the installed ones.
const dir = await mkdtemp(join(tmpdir(), 'lintel-prelu-bench-'));
const manifests = new Map<PreluForm, LoadedManifest>();
try {
  for (const form of FORMS) {
    const bytes = await convertTflite(source, entry, { prelu: form });
    const path = join(dir, `${MODEL_ID}.${form}.onnx`);
    await writeFile(path, bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const models = { ...loaded.manifest.models, [MODEL_ID]: { ...entry, onnx: { file: path, sha256 } } };
    manifests.set(form, { ...loaded, manifest: { ...loaded.manifest, models } });
  }

  print(`PReLU forms of ${MODEL_ID} — ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.versions.node}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const { frames, origin } = await loadBenchFrames(Number(values.frames));
  print(`frames: ${origin}; ${values.repeats} passes each; onnxruntime CPU, 1 intra-op thread; the forms alternate frame by frame`);

  for (const mirrorAverage of [true, false]) {
    const pipelines = new Map<PreluForm, FacePipeline>();
    for (const form of FORMS) {
      pipelines.set(form, await FacePipeline.create({ manifest: manifests.get(form) as LoadedManifest, backend: new OnnxBackend({ intraOpThreads: 1 }), extractorId: MODEL_ID, mirrorAverage }));
    }
    const first = pipelines.get('prelu') as FacePipeline;
    const faces: [RgbImage, AnalysedFace][] = [];
    for (const frame of frames) {
      const face = (await first.analyse(frame)).faces[0];
      if (face) faces.push([frame, face]);
    }
    const timesMs = new Map<PreluForm, number[]>(FORMS.map((form) => [form, []]));
    let identical = true;
    // One untimed extraction per form warms the sessions' allocations up.
    for (const pipeline of pipelines.values()) await pipeline.extract(...(faces[0] as [RgbImage, AnalysedFace]));
    for (let pass = 0; pass < Number(values.repeats); pass++) {
      for (const [frame, face] of faces) {
        const templates: Float32Array[] = [];
        for (const form of FORMS) {
          const { template, durationMs } = await (pipelines.get(form) as FacePipeline).extract(frame, face);
          timesMs.get(form)?.push(durationMs);
          templates.push(template.vector);
        }
        identical &&= templates.every((vector) => vector.every((v, i) => v === templates[0]?.[i]));
      }
    }
    print(`\nalignment + extraction${mirrorAverage ? ' ×2 (mirror)' : ''}, ${faces.length} faces; templates of the two forms identical: ${identical ? 'yes' : 'NO'}`);
    const prelu = medianAndP95(timesMs.get('prelu') ?? []);
    for (const form of FORMS) {
      const { median, p95 } = medianAndP95(timesMs.get(form) ?? []);
      print(`  ${`${form === 'prelu' ? 'one PRelu node' : 'relu(x) + (−a)·relu(−x)'} (${form})`.padEnd(36)} median ${median.toFixed(2).padStart(7)} ms   p95 ${p95.toFixed(2).padStart(7)} ms   ${(prelu.median / median).toFixed(2)}× the PRelu form's speed`);
    }
    await Promise.all([...pipelines.values()].map((pipeline) => pipeline.close()));
  }
  print(`\nload after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
