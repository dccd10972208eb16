/**
 * `npm run bench`: the vision pipeline on real 640×480 frames with one face, per stage, with 1 and 2 intra-op
 * threads; 1:N search over 10k and 100k templates; and @vladmandic/human on the same frames for scale. With
 * `--pad-cue <file>`, also what a site-trained passive cue's measures add per face at the door.
 * Prints figures; it asserts nothing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { OnnxBackend } from '../backend/onnx-backend.js';
import { decodeImageFile } from '../frame/decode.js';
import { resizeBilinear } from '../frame/resize.js';
import { cropRgb, type RgbImage } from '../frame/rgb-image.js';
import { benchSiteLikeness, formatBenchTable, runGalleryBench } from '../matcher/gallery.bench.js';
import { loadManifest } from '../models/manifest.js';
import { defaultManifestPath, packageRoot } from '../models/paths.js';
import { boxToPx } from '../geometry/point.js';
import { frameMeasuresOf, PadFrameMeasures, type PadFrameMeasure } from '../liveness/pad-frame-measures.js';
import { parseSitePadCue } from '../liveness/pad-linear.js';
import { FacePipeline } from '../pipeline/face-pipeline.js';
import { medianAndP95 } from '../statistics.js';

const FRAME_WIDTH_PX = 640;
const FRAME_HEIGHT_PX = 480;

/** Median and 95th percentile (nearest rank) of a sample, ms. */
function summarise(samplesMs: readonly number[]): { medianMs: number; p95Ms: number } {
  const { median, p95 } = medianAndP95(samplesMs);
  return { medianMs: median, p95Ms: p95 };
}

/**
 * Real frames with one face: LFW portraits scaled to fill 640×480 (the face then spans ~250 px, as at a door),
 * or, without LFW, face-api's demo photos cut into 640×480 frames around one face each.
 */
export async function loadBenchFrames(count: number): Promise<{ frames: RgbImage[]; origin: string }> {
  const lfwDir = join(packageRoot(), '..', 'shared', 'data', 'lfw-dev', 'images');
  if (existsSync(lfwDir)) {
    const people = readdirSync(lfwDir).sort().slice(0, count);
    const frames: RgbImage[] = [];
    for (const person of people) {
      const [file] = readdirSync(join(lfwDir, person)).sort();
      if (!file) continue;
      const image = await decodeImageFile(join(lfwDir, person, file));
      const scaled = resizeBilinear(image, FRAME_WIDTH_PX, Math.round((image.heightPx * FRAME_WIDTH_PX) / image.widthPx));
      const top = Math.round((scaled.heightPx - FRAME_HEIGHT_PX) / 2);
      frames.push(cropRgb(scaled, { x: 0, y: top, width: FRAME_WIDTH_PX, height: FRAME_HEIGHT_PX }));
    }
    return { frames, origin: `${frames.length} LFW portraits scaled to ${FRAME_WIDTH_PX}×${FRAME_HEIGHT_PX}` };
  }
  const demoDir = join(packageRoot(), 'node_modules', '@vladmandic', 'face-api', 'demo');
  const frames: RgbImage[] = [];
  for (let i = 1; i <= 6; i++) {
    const image = await decodeImageFile(join(demoDir, `sample${i}.jpg`));
    const scale = Math.max(FRAME_WIDTH_PX / image.widthPx, FRAME_HEIGHT_PX / image.heightPx);
    const scaled = resizeBilinear(image, Math.ceil(image.widthPx * scale), Math.ceil(image.heightPx * scale));
    frames.push(cropRgb(scaled, { x: 0, y: 0, width: FRAME_WIDTH_PX, height: FRAME_HEIGHT_PX }));
  }
  return { frames, origin: `face-api demo photos cropped to ${FRAME_WIDTH_PX}×${FRAME_HEIGHT_PX} (LFW absent at ${lfwDir})` };
}

function row(label: string, samplesMs: readonly number[], targetMs?: number): string {
  const { medianMs, p95Ms } = summarise(samplesMs);
  const target = targetMs === undefined ? '' : `  target ≤ ${targetMs} ms: ${medianMs <= targetMs ? 'met' : 'MISSED'}`;
  return `  ${label.padEnd(34)} median ${medianMs.toFixed(2).padStart(7)} ms   p95 ${p95Ms.toFixed(2).padStart(7)} ms${target}`;
}

/** Runs the benchmark; `args` are the command-line options after `bench`. */
export async function runBench(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      frames: { type: 'string', default: '30' },
      repeats: { type: 'string', default: '3' },
      'skip-human': { type: 'boolean', default: false },
      'skip-gallery': { type: 'boolean', default: false },
      extractor: { type: 'string' },
      // The terminal's data folder: extractors the administrator added live in <data>/models.
      data: { type: 'string' },
      'no-mirror': { type: 'boolean', default: false },
      threads: { type: 'string', default: '1,2' },
      // A site-trained passive cue (lintel pad train): time its per-frame measures (needs --data with MiniFASNet added).
      'pad-cue': { type: 'string' },
    },
  });
  const frameCount = Number(values.frames);
  const repeats = Number(values.repeats);
  const print = (line: string): void => void process.stdout.write(`${line}\n`);
  print(`Lintel vision benchmark — ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.versions.node}`);
  const { frames, origin } = await loadBenchFrames(frameCount);
  print(`frames: ${origin}; ${repeats} passes each`);
  const manifest = await loadManifest(defaultManifestPath(), undefined, values.data === undefined ? {} : { addedModelsDir: join(values.data, 'models') });

  const endToEndMs: number[] = [];
  for (const threads of values.threads.split(',').map(Number)) {
    const pipeline = await FacePipeline.create({
      manifest,
      backend: new OnnxBackend({ intraOpThreads: threads }),
      extractorId: values.extractor,
      ...(values['no-mirror'] ? { mirrorAverage: false } : {}),
    });
    const stages = { detect: [] as number[], fit: [] as number[], detectFit: [] as number[], quality: [] as number[], extract: [] as number[], total: [] as number[] };
    let facesFound = 0;
    // One untimed pass warms the sessions' allocations up.
    await pipeline.analyse(frames[0] as RgbImage);
    for (let pass = 0; pass < repeats; pass++) {
      for (const frame of frames) {
        const startMs = performance.now();
        const result = await pipeline.analyse(frame);
        const face = result.faces[0];
        stages.detect.push(result.timingsMs.detectMs);
        stages.fit.push(result.timingsMs.fitMs);
        stages.detectFit.push(result.timingsMs.detectMs + result.timingsMs.fitMs);
        stages.quality.push(result.timingsMs.qualityMs);
        if (face) {
          const { durationMs } = await pipeline.extract(frame, face);
          stages.extract.push(durationMs);
          if (pass === 0) facesFound++;
        }
        stages.total.push(performance.now() - startMs);
      }
    }
    print(`\npipeline on onnxruntime CPU, ${threads} intra-op thread${threads > 1 ? 's' : ''} (${pipeline.modelIds.detector} → ${pipeline.modelIds.fitter} → ${pipeline.modelIds.extractor}); faces found in ${facesFound}/${frames.length} frames`);
    print(row('detector', stages.detect));
    print(row('fitter (all faces)', stages.fit));
    print(row('detector + fitter', stages.detectFit, 15));
    print(row('quality', stages.quality));
    print(row(`alignment + extraction${pipeline.extractor.mirrorAverage ? ' ×2 (mirror)' : ''}`, stages.extract, 10));
    print(row('end to end (one face)', stages.total));
    if (threads === 1) endToEndMs.push(...stages.total);
    await pipeline.close();
  }

  if (values['pad-cue'] !== undefined) {
    const file = values['pad-cue'];
    const cue = parseSitePadCue(JSON.parse(readFileSync(file, 'utf8')), file);
    const measures = frameMeasuresOf(cue.features);
    const backend = new OnnxBackend({ intraOpThreads: 1 });
    const pipeline = await FacePipeline.create({ manifest, backend });
    // The door's passive check has already scored MiniFASNetV2 on the face: the cue adds the rest.
    const added = measures.filter((measure) => measure !== 'minifasnet-v2');
    const groups: [string, PadFrameMeasure[]][] = [
      ['all but V2 (passive check has it)', added],
      ...added.filter((measure) => !measure.startsWith('colour-')).map((measure): [string, PadFrameMeasure[]] => [measure, [measure]]),
      ['colour (six, one resampling)', added.filter((measure) => measure.startsWith('colour-'))],
    ];
    const measurers = await Promise.all(groups.map(([, group]) => PadFrameMeasures.create({ manifest, backend, measures: group })));
    const samples = groups.map((): number[] => []);
    const faces = [];
    for (const frame of frames) {
      const face = (await pipeline.analyse(frame)).faces[0];
      if (face) faces.push({ frame, boxPx: boxToPx(face.boxNorm, frame.widthPx, frame.heightPx) });
    }
    for (const [g, measurer] of measurers.entries()) {
      if (faces[0]) await measurer.measure(faces[0].frame, faces[0].boxPx, { 'minifasnet-v2': 1 });
      for (let pass = 0; pass < repeats; pass++) {
        for (const { frame, boxPx } of faces) samples[g]!.push((await measurer.measure(frame, boxPx, { 'minifasnet-v2': 1 })).durationMs);
      }
    }
    print(`
site-trained passive cue (${file}: ${cue.features.join(', ')}), 1 intra-op thread, per face on ${faces.length} faces`);
    for (const [g, [label]] of groups.entries()) if (samples[g]!.length > 0) print(row(label, samples[g]!));
    await Promise.all(measurers.map((measurer) => measurer.close()));
    await pipeline.close();
  }

  if (!values['skip-gallery']) {
    print('\n1:N search (top 5), random unit templates');
    const rows = await runGalleryBench({ sizes: [10_000, 100_000], dimensions: [128] });
    print(formatBenchTable(rows));
    // The site's likeness is measured again as the gallery grows by 5 %, at the next search: what it costs then.
    print('\nsite likeness (IdentifyThreshold, at most 100,000 comparisons), 5 random 512-d templates a person');
    for (const persons of [100, 1_000, 10_000]) {
      const { medianMs, p95Ms } = benchSiteLikeness(persons, 5, 512, 5);
      print(`  ${String(persons).padStart(6)} people   median ${medianMs.toFixed(1).padStart(7)} ms   p95 ${p95Ms.toFixed(1).padStart(7)} ms`);
    }
  }

  if (!values['skip-human']) {
    const { runHumanBaseline } = await import('./human-baseline.js');
    const human = await runHumanBaseline(frames.slice(0, Math.min(frames.length, 20)));
    const ours = summarise(endToEndMs).medianMs;
    print(`\n@vladmandic/human ${human.version} on tfjs-${human.backend} (${human.config}), same frames`);
    print(`  end to end                         median ${human.medianMs.toFixed(2).padStart(7)} ms   p95 ${human.p95Ms.toFixed(2).padStart(7)} ms; faces found ${human.facesFound}`);
    print(`  Human / Lintel (1 thread) end-to-end median: ${(human.medianMs / ours).toFixed(1)}×`);
  }
}
