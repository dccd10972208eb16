#!/usr/bin/env node
import { mkdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

import { ModelFileError, type InferenceBackend } from '../vision/backend/inference-backend.js';
import { OnnxBackend } from '../vision/backend/onnx-backend.js';
import { evaluateLfw, formatLfwSummary, writeLfwReport } from '../vision/eval/lfw-eval.js';
import { LfwPairsParseError } from '../vision/eval/lfw-pairs.js';
import { decodeImageFile, ImageDecodeError } from '../vision/frame/decode.js';
import { ManifestError, loadManifest, modelEntry, type LoadedManifest } from '../vision/models/manifest.js';
import { defaultManifestPath } from '../vision/models/paths.js';
import { centralFace } from '../vision/pipeline/central-face.js';
import { FacePipeline, type AnalysedFace } from '../vision/pipeline/face-pipeline.js';
import type { QuantRole } from '../../models/quantize/lfw-int8.js';
import { IdentifyThreshold, type GalleryCounter, type IdentificationState } from '../terminal/access/identify-threshold.js';
import { resolveDataDir } from '../terminal/data-dir.js';
import { TerminalStore } from '../terminal/store/store.js';
import { addedModelsDir } from '../terminal/models/added-models.js';
import { StoreError } from '../terminal/store/errors.js';
import { writeAnnotatedImage } from './annotate.js';
import { commandAdmin, commandEnroll, commandEvents, commandIdentify, commandImport, commandPersons, DataCommandError } from './data-commands.js';
import { createProgressBar, type ProgressBar } from './progress-bar.js';

const USAGE = `Usage: lintel <command> [options]

Commands:
  detect <image> [--out annotated.png]    faces, landmarks, quality and stage times as JSON
  compare <imageA> <imageB>               similarity of the largest face of each, and the verdict at the 1:1
                                          verification threshold; beside it the door's 1:N threshold, which
                                          follows the gallery size (the terminal's with --data)
  eval lfw --images <dir> --pairs <file> [--out <dir>]
                                          LFW verification accuracy, TAR@FAR, ROC curve
           [--quant int8 [--quant-models detector,fitter,extractor] [--calib <dir>]]
                                          the same, FP32 beside simulated NPU INT8 (default: all three models;
                                          calibration set from calib export, default out/calib)
  eval ident --images <dir> [--non-mated <dir>]… [--distractors <dir>]… [--enroll 1|3|5] [--multi max|mean]
           [--gallery-sizes 100,1000,10000] [--extractor a[:w]+b[:w]] [--out <dir>] [--cache <dir>] [--write-curve]
                                          open-set 1:N identification: FNIR at FPIR per gallery size (modelled
                                          beyond the data), rank-1, demographic FPIR, DET plot (default out/ident;
                                          embeddings cached in out/cache; --write-curve stores the curve in the manifest)
  eval pad --frames <dir> --clips <clips.csv> [--split devel] [--checks passive|a,b,…]… [--frame-rule mean|median|min|max]
           [--threshold x] [--criterion apcer5|bpcer5|eer] [--out <dir>] [--cache <dir>] [--data <dir>]
                                          presentation attacks (ISO/IEC 30107-3): APCER per attack species, worst,
                                          BPCER, BPCER20, EER, face-detection rate, DET plot; thresholds chosen on
                                          train (devel when reporting another split); frames cached (default out/pad-<split>)
  calib export --images <dir> [--out <dir>] [--count <n>] [--exclude-pairs <pairs.txt>]
                                          INT8 calibration set from a folder of photos: detector, fitter and
                                          extractor inputs with RKNN dataset.txt files (default out/calib, 200
                                          faces; --exclude-pairs leaves out LFW people that pairs file names)
  bench                                   per-stage timings on real frames (same as npm run bench)
  doctor [--rknn-lib <path>] [--precision auto|int8|fp16[,<model>=int8|fp16]] [--frames 20] [--runs 60]
                                          NPU runtime, model builds, cameras, GPIO, the terminal's configured
                                          camera and door relays (from --data's settings), stage times against the
                                          budget (median of --runs timed runs after 3 warm-up runs)
  doctor --wiegand-loopback --chip <dev> --d0 <n> --d1 <n> --d0-in <n> --d1-in <n> [--in-chip <dev>]
         [--pulse-level low|high] [--pulse-us 50] [--interval-us 2000] [--format <name>] [--frames 20]
                                          with D0/D1 wired to two inputs: send frames, read them back from the
                                          kernel's edge timestamps, print pulse width, interval and jitter

On the terminal's data (--data <dir>, or LINTEL_DATA_DIR, or the app-data folder):
  serve [--camera <uri>] [--host <addr>] [--port <n>] [--rknn-lib <path> [--precision auto|int8|fp16[,<model>=int8|fp16]]]
        [--tls-cert <pem> --tls-key <pem>] [--public-origin <url>] [--hub <bundle.json>]
                                          the whole terminal headless: UI and API on 127.0.0.1:7300 (default),
                                          camera from the settings, --camera, LINTEL_CAMERA or the demo photos;
                                          HTTPS with a certificate and key; behind a TLS proxy, the address
                                          browsers use (or LINTEL_PUBLIC_ORIGIN); --hub joins the site hub of
                                          the bundle lintel hub enroll-terminal wrote (people come from the hub)
  admin add --username <name> (--pin <digits> | --password-stdin)
                                          create an administrator (the first one can also be made at the kiosk)
  admin unlock <name>                     end the waits wrong PINs put on an administrator, from everywhere
  pair [--minutes <n>]                    a pairing address for a browser: works once, within n minutes (10)
  enroll --name <name> [--id <external id>] [--group <g>]… <photo>…
                                          enroll one person from photos (refused if they match someone enrolled)
  import <folder | file.csv>              bulk import (Name/*.jpg, or CSV id,name,photo) with a result per file;
                                          exit 1 when any file failed
  identify <photo>                        who the largest face is, with the similarity, or unknown with the
                                          closest enrolled person and their score; the gallery counted in people
  persons [--search <text>] [--json]      the enrolled persons
  events [--since <date>] [--decision granted|denied] [--limit <n>] [--json]
                                          the access log, newest first
  models list [--json]                    every model of the manifest: built in, added or not added, licences
  models add <file> [--role extractor|liveness]
                                          add a model no registry ships (EdgeFace, MiniFASNet): checked against
                                          the manifest's sha256, converted, kept in <data>/models and recorded
  models remove <id>                      remove an added model

The site hub (many doors, one PostgreSQL, MQTT through Mosquitto; see lintel hub help):
  hub init|serve|enroll-terminal|revoke-terminal|home-assistant|broker-config

Common options:
  --manifest <file>     model manifest (default: the one shipped with Lintel)
  --extractor <id>      extractor model id from the manifest (default: the manifest's default)
  --data <dir>          also use the models added to this terminal data folder (default: LINTEL_DATA_DIR if set)
  --threads <n>         intra-op threads per model (default 1)
  --passes <n>          face-mesh passes per face (default 1)
  --no-mirror           do not average each template with its mirror image's
`;

/** A problem with the command line itself: printed with the usage, exit code 2. */
class UsageError extends Error {}

const commonOptions = {
  manifest: { type: 'string' },
  extractor: { type: 'string' },
  data: { type: 'string' },
  threads: { type: 'string' },
  passes: { type: 'string' },
  'no-mirror': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new UsageError(`--${name} must be a whole number ≥ 1, got "${value}"`);
  return parsed;
}

/** The manifest of `--manifest` (default the repository's), with the models added to `--data` when one is named. */
async function loadCliManifest(values: { manifest?: string; data?: string }): Promise<LoadedManifest> {
  // Added models only where a data folder is named: measurements do not change with what this machine's app data holds.
  const dataDir = values.data ?? process.env.LINTEL_DATA_DIR;
  return loadManifest(values.manifest ? resolve(values.manifest) : defaultManifestPath(), undefined, dataDir ? { addedModelsDir: addedModelsDir(resolveDataDir(dataDir)) } : {});
}

async function createPipeline(
  values: { manifest?: string; extractor?: string; data?: string; threads?: string; passes?: string; 'no-mirror'?: boolean },
  backend?: InferenceBackend,
): Promise<FacePipeline> {
  const manifest = await loadCliManifest(values);
  return FacePipeline.create({
    manifest,
    backend: backend ?? new OnnxBackend({ intraOpThreads: positiveInt(values.threads, 'threads', 1) }),
    extractorId: values.extractor,
    fitterPasses: positiveInt(values.passes, 'passes', 1),
    mirrorAverage: !values['no-mirror'],
  });
}

function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function describeFace(face: AnalysedFace, widthPx: number, heightPx: number): object {
  const q = face.quality;
  return {
    boxNorm: { x: round(face.boxNorm.x, 4), y: round(face.boxNorm.y, 4), width: round(face.boxNorm.width, 4), height: round(face.boxNorm.height, 4) },
    boxPx: {
      x: round(face.boxNorm.x * widthPx, 1),
      y: round(face.boxNorm.y * heightPx, 1),
      width: round(face.boxNorm.width * widthPx, 1),
      height: round(face.boxNorm.height * heightPx, 1),
    },
    fivePointsNorm: face.fivePointsNorm.map((p) => [round(p.x, 4), round(p.y, 4)]),
    landmarkCount: face.meshNorm.length / 3,
    quality: {
      interOcularPx: round(q.interOcularPx, 1),
      yawDeg: round(q.yawDeg, 1),
      pitchDeg: round(q.pitchDeg, 1),
      rollDeg: round(q.rollDeg, 1),
      sharpness: round(q.sharpness, 1),
      brightness: round(q.brightness, 1),
      contrast: round(q.contrast, 1),
      presence: round(q.presence, 4),
      detectorScore: round(q.detectorScore, 4),
    },
  };
}

async function commandDetect(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...commonOptions, out: { type: 'string' } } });
  const [imagePath] = positionals;
  if (!imagePath || positionals.length > 1) throw new UsageError('detect takes one image');
  const decodeStartMs = performance.now();
  const image = await decodeImageFile(imagePath);
  const decodeMs = performance.now() - decodeStartMs;
  const pipeline = await createPipeline(values);
  try {
    const result = await pipeline.analyse(image);
    const timingsMs = Object.fromEntries(Object.entries({ decodeMs, ...result.timingsMs }).map(([k, v]) => [k, round(v)]));
    const report = {
      image: imagePath,
      widthPx: result.widthPx,
      heightPx: result.heightPx,
      models: pipeline.modelIds,
      backend: pipeline.backendName,
      faces: result.faces.map((face) => describeFace(face, result.widthPx, result.heightPx)),
      timingsMs,
    };
    if (values.out) {
      try {
        await mkdir(dirname(resolve(values.out)), { recursive: true });
        await writeAnnotatedImage(image, result.faces, values.out);
      } catch (error) {
        throw new CliError(`cannot write the annotated image ${values.out}: ${(error as Error).message}`);
      }
      Object.assign(report, { annotated: values.out });
    }
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await pipeline.close();
  }
}

async function commandCompare(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: commonOptions });
  if (positionals.length !== 2) throw new UsageError('compare takes two images');
  const images = await Promise.all(positionals.map((path) => decodeImageFile(path)));
  const pipeline = await createPipeline(values);
  try {
    const templates = [];
    for (const [index, image] of images.entries()) {
      const { faces } = await pipeline.analyse(image);
      const face = faces[0];
      if (!face) throw new CliError(`no face found in ${positionals[index]}: use a photo where the face is visible and at least ~40 px between the eyes`);
      templates.push((await pipeline.extract(image, face)).template);
    }
    const similarity = pipeline.compare(templates[0]!, templates[1]!);
    const threshold = pipeline.extractor.thresholds.verifySimilarity;
    const samePerson = similarity >= threshold;
    const door = await doorThresholds(values, pipeline.modelIds.extractor);
    process.stdout.write(
      `${JSON.stringify(
        {
          imageA: positionals[0],
          imageB: positionals[1],
          extractor: pipeline.modelIds.extractor,
          similarity: round(similarity, 4),
          threshold,
          thresholdKind: '1:1 verification (the extractor\'s verifySimilarity in the manifest)',
          samePerson,
          door,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await pipeline.close();
  }
}

/** The 1:N gallery sizes compare shows the door's threshold at, where no terminal data folder is named. */
const EXAMPLE_GALLERY_SIZES = [100, 1000, 10_000] as const;

/**
 * The thresholds the door identifies with for `modelId` (1:N, stricter than compare's 1:1, following the number of
 * enrolled people on the manifest's identification curve): at the gallery and settings of the `--data` folder when
 * one is named, else at a few gallery sizes and the default target FPIR.
 */
async function doorThresholds(values: { manifest?: string; data?: string }, modelId: string): Promise<object> {
  const manifest = await loadCliManifest(values);
  const { thresholds, identification: curve } = modelEntry(manifest, modelId);
  if (!thresholds) throw new CliError(`model ${modelId} has no thresholds in the manifest`);
  const at = (gallery: GalleryCounter, settings: { targetFpir?: number; override?: number } = {}): IdentificationState =>
    new IdentifyThreshold({ modelId, fixed: thresholds, ...(curve ? { curve } : {}), gallery, ...settings }).state();
  const summarise = (state: IdentificationState): object => ({
    persons: state.gallerySize,
    similarity: round(state.thresholdSimilarity, 4),
    source: state.source,
    ...(state.note ? { note: state.note } : {}),
  });
  const kind = '1:N identification: follows the number of enrolled people on the identification curve at the target FPIR per search';
  const dataDir = values.data ?? process.env.LINTEL_DATA_DIR;
  if (dataDir === undefined) {
    const states = EXAMPLE_GALLERY_SIZES.map((persons) => at({ galleryRevision: 0, galleryCount: () => ({ persons, templates: persons }) }));
    return { thresholdKind: kind, targetFpir: states[0]!.targetFpir, byGallerySize: states.map(summarise) };
  }
  const store = TerminalStore.open({ dataDir: resolveDataDir(dataDir) });
  try {
    const override = store.settings.get('recognition.identifySimilarity');
    const state = at(store, { targetFpir: store.settings.get('recognition.targetFpir'), ...(override !== null ? { override } : {}) });
    return { thresholdKind: kind, targetFpir: state.targetFpir, terminal: summarise(state) };
  } finally {
    store.close();
  }
}

async function commandEval(args: string[]): Promise<void> {
  const [dataset, ...rest] = args;
  if (dataset === 'ident') {
    const { commandEvalIdent, EvalIdentUsageError } = await import('./eval-ident.js');
    const { ProtocolError } = await import('../vision/eval/open-set-protocol.js');
    await commandEvalIdent(rest).catch((error: unknown) => {
      if (error instanceof EvalIdentUsageError) throw new UsageError(error.message);
      throw error instanceof ProtocolError ? new CliError(error.message) : error;
    });
    return;
  }
  if (dataset === 'pad') {
    const { commandEvalPad, EvalPadUsageError } = await import('./eval-pad.js');
    const { PadProtocolError } = await import('../vision/eval/pad-protocol.js');
    await commandEvalPad(rest).catch((error: unknown) => {
      if (error instanceof EvalPadUsageError) throw new UsageError(error.message);
      throw error instanceof PadProtocolError ? new CliError(error.message) : error;
    });
    return;
  }
  if (dataset !== 'lfw') throw new UsageError('eval supports three datasets: lfw, ident and pad');
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: false,
    options: {
      ...commonOptions,
      images: { type: 'string' },
      pairs: { type: 'string' },
      out: { type: 'string' },
      quant: { type: 'string' },
      'quant-models': { type: 'string' },
      calib: { type: 'string' },
    },
  });
  void positionals;
  if (!values.images || !values.pairs) throw new UsageError('eval lfw needs --images <dir> and --pairs <pairs.txt>');
  const { parseQuantOptions, QuantOptionError } = await import('../../models/quantize/lfw-int8.js');
  let quantRoles: ReturnType<typeof parseQuantOptions>;
  try {
    quantRoles = parseQuantOptions(values);
  } catch (error) {
    throw error instanceof QuantOptionError ? new UsageError(error.message) : error;
  }
  if (!quantRoles && values.calib !== undefined) throw new UsageError('--calib needs --quant int8');
  if (!(await stat(values.images).then((info) => info.isDirectory(), () => false))) {
    throw new CliError(`${values.images} is not a folder: --images takes LFW's images folder (<Name>/<Name>_NNNN.jpg)`);
  }
  if (quantRoles) {
    await evalLfwInt8({ ...values, images: values.images, pairs: values.pairs }, quantRoles);
    return;
  }
  const pipeline = await createPipeline(values);
  let progress: ReturnType<typeof createProgressBar> | undefined;
  try {
    const report = await evaluateLfw({
      pairsPath: values.pairs,
      imagesDir: values.images,
      label: `${pipeline.modelIds.extractor}${values['no-mirror'] ? '' : ' + mirror'}, ${pipeline.modelIds.fitter} ×${positiveInt(values.passes, 'passes', 1)}`,
      embed: async (imagePath) => {
        const image = await decodeImageFile(imagePath);
        const face = centralFace((await pipeline.analyse(image)).faces);
        return face ? (await pipeline.extract(image, face)).template.vector : null;
      },
      onProgress: (done, total) => {
        progress ??= createProgressBar('embedding', total);
        progress.update(done);
      },
    });
    progress?.done();
    const outDir = resolve(values.out ?? 'out/lfw');
    await mkdir(outDir, { recursive: true });
    await writeLfwReport({ ...report, models: pipeline.modelIds, backend: pipeline.backendName }, outDir);
    process.stdout.write(`${formatLfwSummary(report)}\nreport: ${outDir}\n`);
  } finally {
    await pipeline.close();
  }
}

/** `eval lfw --quant int8`: FP32 and simulated-INT8 pipelines on the same images, reported side by side. */
async function evalLfwInt8(
  values: { images: string; pairs: string; out?: string; calib?: string; manifest?: string; data?: string; extractor?: string; threads?: string; passes?: string; 'no-mirror'?: boolean },
  roles: readonly QuantRole[],
): Promise<void> {
  const { compareLfwInt8, createInt8Backend, formatLfwInt8Comparison } = await import('../../models/quantize/lfw-int8.js');
  const { CalibrationSetError } = await import('../../models/quantize/calibration-set.js');
  const manifest = await loadCliManifest(values);
  const fp32 = await createPipeline(values);
  let int8: FacePipeline | undefined;
  let progress: ProgressBar | undefined;
  try {
    const calibDir = resolve(values.calib ?? 'out/calib');
    const intraOpThreads = positiveInt(values.threads, 'threads', 1);
    const { backend, models } = await createInt8Backend({
      manifest,
      modelIds: fp32.modelIds,
      roles,
      calibDir,
      inner: new OnnxBackend({ intraOpThreads }),
      intraOpThreads,
      onCalibration: (modelId, done, total) => {
        progress ??= createProgressBar(`calibrating ${modelId}`, total);
        progress.update(done);
        if (done < total) return;
        progress.done();
        progress = undefined;
      },
    }).catch((error: unknown) => {
      throw error instanceof CalibrationSetError ? new CliError(error.message) : error;
    });
    int8 = await createPipeline(values, backend);
    const result = await compareLfwInt8({
      fp32,
      int8,
      roles,
      pairsPath: values.pairs,
      imagesDir: values.images,
      pickFace: centralFace,
      label: `${fp32.modelIds.extractor}${values['no-mirror'] ? '' : ' + mirror'}, ${fp32.modelIds.fitter} ×${positiveInt(values.passes, 'passes', 1)}`,
      onProgress: (done, total) => {
        progress ??= createProgressBar('embedding FP32 + INT8', total);
        progress.update(done);
      },
    });
    progress?.done();
    const outDir = resolve(values.out ?? 'out/lfw-int8');
    for (const [name, report] of [['fp32', result.fp32], ['int8', result.int8]] as const) {
      await writeLfwReport({ ...report, models: fp32.modelIds, backend: fp32.backendName, quantised: name === 'int8' ? roles : [] }, resolve(outDir, name));
    }
    process.stdout.write(`${formatLfwInt8Comparison(result, models)}\nreports: ${outDir}/{fp32,int8}\n`);
  } finally {
    await Promise.all([fp32.close(), int8?.close()]);
  }
}

async function commandCalib(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  if (action !== 'export') throw new UsageError('calib supports one action: export');
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: false,
    options: { ...commonOptions, images: { type: 'string' }, out: { type: 'string' }, count: { type: 'string' }, 'exclude-pairs': { type: 'string' } },
  });
  void positionals;
  if (!values.images) throw new UsageError('calib export needs --images <dir> (a folder of photos with faces)');
  const faceCount = positiveInt(values.count, 'count', 200);
  if (!(await stat(values.images).then((info) => info.isDirectory(), () => false))) throw new CliError(`${values.images} is not a folder of photos`);
  const { exportCalibrationSet, listPhotos } = await import('../vision/calib/calibration-export.js');
  let excludeFolders = new Set<string>();
  if (values['exclude-pairs']) {
    // LFW keeps each person's photos in a folder of their name; the pairs file names the people to leave out.
    const { readLfwPairs } = await import('../vision/eval/lfw-pairs.js');
    const { pairs } = await readLfwPairs(values['exclude-pairs'], values.images);
    excludeFolders = new Set(pairs.flatMap((pair) => [pair.imageA, pair.imageB]).map((image) => basename(dirname(image))));
  }
  const photos = await listPhotos(values.images, excludeFolders);
  if (photos.length === 0) throw new CliError(`no photos (.jpg, .jpeg, .png, .webp) under ${values.images}${excludeFolders.size > 0 ? ' once the excluded people are left out' : ''}`);
  const manifest = await loadCliManifest(values);
  const pipeline = await createPipeline(values);
  const outDir = resolve(values.out ?? 'out/calib');
  const progress = createProgressBar('calibration faces', faceCount);
  try {
    const info = await exportCalibrationSet({
      pipeline,
      manifest,
      photos,
      source: resolve(values.images),
      outDir,
      faceCount,
      mirror: !values['no-mirror'],
      ...(values['exclude-pairs'] ? { excluded: { pairsFile: resolve(values['exclude-pairs']), people: excludeFolders.size } } : {}),
      onProgress: (faces) => progress.update(faces),
    }).catch((error: unknown) => {
      throw error instanceof Error && error.message.startsWith('no face found') ? new CliError(error.message) : error;
    });
    progress.done();
    const sets = Object.entries(info.datasets).map(([id, set]) => `  ${set.role.padEnd(9)} ${id}: ${set.images} images, ${join(outDir, id, 'dataset.txt')}`);
    process.stdout.write(`${info.faces} faces from ${info.photos.length} photos\n${sets.join('\n')}\n`);
  } finally {
    await pipeline.close();
  }
}

async function commandBench(args: string[]): Promise<void> {
  const { runBench } = await import('../vision/bench/bench.js');
  await runBench(args);
}

/** An error the user can act on: printed without a stack trace, exit code 1. */
class CliError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'detect':
        await commandDetect(args);
        return 0;
      case 'compare':
        await commandCompare(args);
        return 0;
      case 'eval':
        await commandEval(args);
        return 0;
      case 'bench':
        await commandBench(args);
        return 0;
      case 'calib':
        await commandCalib(args);
        return 0;
      case 'doctor':
        return await (await import('./doctor.js')).runDoctor(args);
      case 'enroll':
        return await commandEnroll(args);
      case 'import':
        return await commandImport(args);
      case 'identify':
        await commandIdentify(args);
        return 0;
      case 'persons':
        await commandPersons(args);
        return 0;
      case 'events':
        await commandEvents(args);
        return 0;
      case 'serve':
        return await (await import('./serve-command.js')).commandServe(args);
      case 'models':
        return await (await import('./models-commands.js')).commandModels(args);
      case 'admin':
        return await commandAdmin(args);
      case 'pair':
        return (await import('./pair-command.js')).commandPair(args);
      case 'hub':
        return await (await import('./hub-command.js')).commandHub(args);
      case undefined:
        process.stderr.write(USAGE);
        return 2;
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`lintel: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (
      error instanceof CliError ||
      error instanceof ImageDecodeError ||
      error instanceof ModelFileError ||
      error instanceof ManifestError ||
      error instanceof LfwPairsParseError ||
      error instanceof DataCommandError ||
      error instanceof StoreError
    ) {
      process.stderr.write(`lintel: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
