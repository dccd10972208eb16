// lintel eval, calib and bench: the measurements behind models/README.md (LFW verification, open-set
// identification, PAD, INT8 against FP32), the NPU calibration set, and the timing bench.
import { mkdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import type { QuantRole } from '../../models/quantize/lfw-int8.js';
import { OnnxBackend } from '../vision/backend/onnx-backend.js';
import { evaluateLfw, formatLfwSummary, writeLfwReport } from '../vision/eval/lfw-eval.js';
import { decodeImageFile } from '../vision/frame/decode.js';
import { centralFace } from '../vision/pipeline/central-face.js';
import type { FacePipeline } from '../vision/pipeline/face-pipeline.js';
import { CliError, commonOptions, createPipeline, loadCliManifest, positiveInt, UsageError } from './cli-common.js';
import { createProgressBar, type ProgressBar } from './progress-bar.js';

/** `lintel eval lfw|ident|pad|age …`. */
export async function commandEval(args: string[]): Promise<void> {
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
    const { PadProtocolError } = await import('../vision/liveness/pad-protocol.js');
    await commandEvalPad(rest).catch((error: unknown) => {
      if (error instanceof EvalPadUsageError) throw new UsageError(error.message);
      throw error instanceof PadProtocolError ? new CliError(error.message) : error;
    });
    return;
  }
  if (dataset === 'age') {
    const { commandEvalAge } = await import('./eval-age.js');
    await commandEvalAge(rest);
    return;
  }
  if (dataset !== 'lfw') throw new UsageError('eval supports four measurements: lfw, ident, pad and age');
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
      label: `${pipeline.modelIds.extractor}${pipeline.extractor.mirrorAverage ? ' + mirror' : ''}, ${pipeline.modelIds.fitter} ×${positiveInt(values.passes, 'passes', 1)}`,
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
      label: `${fp32.modelIds.extractor}${fp32.extractor.mirrorAverage ? ' + mirror' : ''}, ${fp32.modelIds.fitter} ×${positiveInt(values.passes, 'passes', 1)}`,
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

/** `lintel calib export …`. */
export async function commandCalib(args: string[]): Promise<void> {
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
      mirror: pipeline.extractor.mirrorAverage,
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

/** `lintel bench …`. */
export async function commandBench(args: string[]): Promise<void> {
  const { runBench } = await import('../vision/bench/bench.js');
  await runBench(args);
}
