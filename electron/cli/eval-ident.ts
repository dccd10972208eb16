import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { writeFileAtomic } from '../shared/write-file-atomic.js';
import { AgeEstimator } from '../vision/age/age-estimator.js';
import { OnnxBackend } from '../vision/backend/onnx-backend.js';
import { EmbeddingCache, type EmbeddingCacheKey } from '../vision/eval/embedding-cache.js';
import { evalFace } from '../vision/eval/eval-face.js';
import {
  buildIdentificationCurve,
  evaluateIdentification,
  formatIdentSummary,
  writeIdentReport,
  type CachedFaceModel,
  type IdentEmbedder,
  type IdentProgressStage,
} from '../vision/eval/ident-eval.js';
import type { MultiSampleRule } from '../vision/eval/score-matrix.js';
import { withIdentificationCurve } from '../vision/eval/manifest-curve.js';
import { identifyThresholdFor } from '../vision/matcher/identification-curve.js';
import { buildOpenSetProtocol, readErrata } from '../vision/eval/open-set-protocol.js';
import { decodeImageFile } from '../vision/frame/decode.js';
import { loadManifest, mirrorAverageOf, parseManifest, resolveModel, type IdentificationCurve, type LoadedManifest } from '../vision/models/manifest.js';
import { defaultManifestPath } from '../vision/models/paths.js';
import { FacePipeline, fivePointsPx } from '../vision/pipeline/face-pipeline.js';
import { resolveDataDir } from '../terminal/data-dir.js';
import { DEFAULT_TARGET_FPIR } from '../terminal/access/identify-threshold.js';
import { addedModelsDir } from '../terminal/models/added-models.js';
import { createProgressBar, type ProgressBar } from './progress-bar.js';

/** A problem with the command line of `eval ident`: lintel prints it with the usage. */
export class EvalIdentUsageError extends Error {}

/** One model of `--extractor a:0.6+b:0.4` and its weight (default 1 each; normalised later). */
export interface ExtractorPart {
  id: string;
  weight: number;
}

/** Parses `--extractor`: `id`, `a+b` (equal weights) or `a:0.6+b:0.4`. */
export function parseExtractorSpec(spec: string): ExtractorPart[] {
  const parts = spec.split('+').map((part) => {
    const [id, weightText, extra] = part.trim().split(':');
    const weight = weightText === undefined ? 1 : Number(weightText);
    if (!id || extra !== undefined || !(weight > 0) || !Number.isFinite(weight)) {
      throw new EvalIdentUsageError(`--extractor takes ids joined by "+", each with an optional positive weight (a:0.6+b:0.4), got "${spec}"`);
    }
    return { id, weight };
  });
  if (new Set(parts.map((p) => p.id)).size !== parts.length) throw new EvalIdentUsageError(`--extractor names a model twice: "${spec}"`);
  return parts;
}

/** Gallery sizes from `--gallery-sizes 100,1000,10000`. */
function parseSizes(text: string): number[] {
  const sizes = text.split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new EvalIdentUsageError(`--gallery-sizes takes whole numbers ≥ 1 separated by commas, got "${text}"`);
  return sizes;
}

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new EvalIdentUsageError(`--${name} must be a whole number ≥ 1, got "${value}"`);
  return parsed;
}

/** Something the command opens and must close, whatever happens. */
interface Closable {
  close(): Promise<void>;
}

/** What picks and places the face in every image (detector, fitter, mesh passes, evalFace): part of every cache key. */
function faceKey(manifest: LoadedManifest, passes: number): EmbeddingCacheKey {
  const defaults = manifest.manifest.defaults;
  const [detector, fitter] = [resolveModel(manifest, defaults.detector), resolveModel(manifest, defaults.fitter)];
  return { detector: `${detector.id}@${detector.entry.onnx.sha256}`, fitter: `${fitter.id}@${fitter.entry.onnx.sha256}`, passes, face: 'central; padded x2 when none' };
}

/** One model's embedder: its pipeline is created on the first image the cache does not hold. */
async function createEmbedder(
  manifest: LoadedManifest,
  part: ExtractorPart,
  options: { threads: number; passes: number; mirror: boolean; cacheDir: string },
  closables: Closable[],
): Promise<IdentEmbedder> {
  const extractor = resolveModel(manifest, part.id);
  if (extractor.entry.role !== 'extractor') throw new EvalIdentUsageError(`${part.id} is a ${extractor.entry.role}, not an extractor`);
  // --no-mirror turns it off; otherwise the model's own choice.
  const mirror = options.mirror && mirrorAverageOf(extractor.entry);
  // Whatever changes an embedding changes the key: the converted files' hashes, the face chosen, mirror and passes.
  const cache = await EmbeddingCache.open(options.cacheDir, { model: part.id, modelSha256: extractor.entry.onnx.sha256, mirror, ...faceKey(manifest, options.passes) });
  let pipeline: Promise<FacePipeline> | undefined;
  return {
    id: part.id,
    weight: part.weight,
    cache,
    async embed(imagePath) {
      pipeline ??= FacePipeline.create({
        manifest,
        backend: new OnnxBackend({ intraOpThreads: options.threads }),
        extractorId: part.id,
        fitterPasses: options.passes,
        mirrorAverage: mirror,
      }).then((p) => {
        closables.push(p);
        return p;
      });
      const p = await pipeline;
      const decoded = await decodeImageFile(imagePath);
      const startMs = performance.now();
      const { image, face } = await evalFace(p, decoded);
      if (!face) return { embedding: null, pipelineMs: performance.now() - startMs, extractMs: null };
      const { template, durationMs } = await p.extract(image, face);
      return { embedding: template.vector, pipelineMs: performance.now() - startMs, extractMs: durationMs };
    },
  };
}

/**
 * The manifest's age estimator (`defaults.age`) as a cached face model for `--young-child-rule`: its one-float
 * "embedding" is the estimated age, years, of the face evalFace picks, so the embedding cache keeps it. The
 * pipeline and the estimator are loaded on the first image the cache does not hold.
 */
async function createAgeModel(manifest: LoadedManifest, options: { threads: number; passes: number; cacheDir: string }, closables: Closable[]): Promise<CachedFaceModel> {
  const ageId = manifest.manifest.defaults.age;
  if (!ageId) throw new EvalIdentUsageError('--young-child-rule needs an age estimator: the manifest names none in defaults.age');
  const model = resolveModel(manifest, ageId);
  // The estimate depends on the face's five points, not on the extractor: one cache serves every extractor.
  const cache = await EmbeddingCache.open(options.cacheDir, { model: ageId, modelSha256: model.entry.onnx.sha256, output: 'age, years', ...faceKey(manifest, options.passes) });
  let loaded: Promise<{ pipeline: FacePipeline; estimator: AgeEstimator }> | undefined;
  const load = async (): Promise<{ pipeline: FacePipeline; estimator: AgeEstimator }> => {
    const backend = new OnnxBackend({ intraOpThreads: options.threads });
    // Only its analysis runs (the face is found as the embedders find it); its extractor stays idle.
    const pipeline = await FacePipeline.create({ manifest, backend, fitterPasses: options.passes });
    closables.push(pipeline);
    const estimator = await AgeEstimator.load(model, backend);
    closables.push(estimator);
    return { pipeline, estimator };
  };
  return {
    id: ageId,
    cache,
    async embed(imagePath) {
      loaded ??= load();
      const { pipeline, estimator } = await loaded;
      const decoded = await decodeImageFile(imagePath);
      const startMs = performance.now();
      const { image, face } = await evalFace(pipeline, decoded);
      if (!face) return { embedding: null, pipelineMs: performance.now() - startMs, extractMs: null };
      const estimateStartMs = performance.now();
      const years = await estimator.estimateYears(image, fivePointsPx(face, image));
      const endMs = performance.now();
      return { embedding: Float32Array.of(years), pipelineMs: endMs - startMs, extractMs: endMs - estimateStartMs };
    },
  };
}

/**
 * `lintel eval ident`: open-set identification on a folder of people (see electron/vision/eval/ident-eval.ts
 * and models/README.md, "Identification at 1:N").
 */
export async function commandEvalIdent(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    allowPositionals: false,
    options: {
      manifest: { type: 'string' },
      extractor: { type: 'string' },
      threads: { type: 'string' },
      passes: { type: 'string' },
      'no-mirror': { type: 'boolean' },
      images: { type: 'string' },
      'non-mated': { type: 'string', multiple: true },
      distractors: { type: 'string', multiple: true },
      errata: { type: 'string' },
      enroll: { type: 'string' },
      multi: { type: 'string' },
      'gallery-sizes': { type: 'string' },
      out: { type: 'string' },
      cache: { type: 'string' },
      'write-curve': { type: 'boolean' },
      'write-mean-exponent': { type: 'boolean' },
      half: { type: 'string' },
      data: { type: 'string' },
      'young-child-rule': { type: 'boolean' },
    },
  });
  if (!values.images) throw new EvalIdentUsageError('eval ident needs --images <dir of Name/*.jpg>');
  const enroll = positiveInt(values.enroll, 'enroll', 1);
  const multi = (values.multi ?? 'max') as MultiSampleRule;
  if (multi !== 'max' && multi !== 'mean') throw new EvalIdentUsageError(`--multi is max or mean, got "${values.multi}"`);
  const gallerySizes = parseSizes(values['gallery-sizes'] ?? '100,1000,10000');
  const passes = positiveInt(values.passes, 'passes', 1);
  const mirror = !values['no-mirror'];
  const manifestPath = values.manifest ? resolve(values.manifest) : defaultManifestPath();
  // Models an administrator added (EdgeFace) live in the terminal's data folder.
  const manifest = await loadManifest(manifestPath, undefined, { addedModelsDir: addedModelsDir(resolveDataDir(values.data)) });
  const parts = parseExtractorSpec(values.extractor ?? manifest.manifest.defaults.extractor);
  // For the labels: whether every model averages with the mirror image (each decides for itself, see createEmbedder).
  const mirrored = mirror && parts.every((part) => mirrorAverageOf(resolveModel(manifest, part.id).entry));
  if (values['write-curve'] && parts.length > 1) throw new EvalIdentUsageError('--write-curve needs one extractor: the manifest stores a curve per model');
  if (values['write-mean-exponent'] && (parts.length > 1 || enroll < 2 || multi !== 'mean')) {
    throw new EvalIdentUsageError('--write-mean-exponent needs one extractor, --enroll 3 (or more) and --multi mean: it is fitted on people of several samples');
  }
  if (values['write-mean-exponent'] && values['write-curve']) {
    throw new EvalIdentUsageError('--write-curve and --write-mean-exponent come from different runs: the curve from one photo a person, the exponent from several');
  }
  const nonMatedDirs = values['non-mated'] ?? [];
  const distractorDirs = values.distractors ?? [];
  const errata = values.errata ? await readErrata(values.errata) : [];
  if (values.half !== undefined && values.half !== '1' && values.half !== '2') throw new EvalIdentUsageError(`--half is 1 or 2, got "${values.half}"`);
  const half = values.half === undefined ? undefined : (Number(values.half) as 1 | 2);
  const protocol = await buildOpenSetProtocol({ imagesDir: values.images, enrollCount: enroll, nonMatedDirs, distractorDirs, errata, ...(half ? { half } : {}) });
  if (values.errata) {
    const { leftOutByErrata, errataNotFound } = protocol.summary;
    process.stdout.write(`errata ${values.errata}: ${leftOutByErrata} image${leftOutByErrata === 1 ? '' : 's'} left out` + (errataNotFound.length ? `; not found under the folders given: ${errataNotFound.join(', ')}` : '') + '\n');
  }

  const closables: Closable[] = [];
  const cacheDir = resolve(values.cache ?? 'out/cache');
  const threads = positiveInt(values.threads, 'threads', 1);
  const embedders = await Promise.all(parts.map((part) => createEmbedder(manifest, part, { threads, passes, mirror, cacheDir }, closables)));
  const youngChildRule = values['young-child-rule'] ? { ageEstimator: await createAgeModel(manifest, { threads, passes, cacheDir }, closables) } : undefined;
  // What the door would use with each gallery size: the extractor's curve at the shipped target FPIR.
  const { thresholds, identification } = resolveModel(manifest, parts[0]!.id).entry;
  const shippedThreshold =
    parts.length === 1 && thresholds ? (gallerySize: number, fmrFactor = 1) => identifyThresholdFor(thresholds, identification, gallerySize, DEFAULT_TARGET_FPIR, fmrFactor) : null;
  const siteReference = parts.length === 1 ? identification?.galleryReference : undefined;
  // Mean templates compared as the door compares them: with the manifest's length exponent (for one extractor).
  const meanLengthExponent = parts.length === 1 ? (identification?.meanTemplate?.lengthExponent ?? 0) : 0;
  let progress: { stage: IdentProgressStage; bar: ProgressBar } | undefined;
  try {
    const evaluation = await evaluateIdentification({
      protocol,
      source: { imagesDir: resolve(values.images), nonMatedDirs: nonMatedDirs.map((d) => resolve(d)), distractorDirs: distractorDirs.map((d) => resolve(d)) },
      embedders,
      label: `${values.extractor ?? parts[0]!.id}${mirrored ? ' + mirror' : ''}, enroll ${enroll}${enroll > 1 ? ` (${multi})` : ''}`,
      gallerySizes,
      multi,
      meanLengthExponent,
      shippedThreshold,
      ...(siteReference ? { siteReference } : {}),
      ...(youngChildRule ? { youngChildRule } : {}),
      onProgress: (done, total, stage) => {
        if (progress?.stage !== stage) {
          progress?.bar.done();
          progress = { stage, bar: createProgressBar(stage, total) };
        }
        progress.bar.update(done);
      },
    });
    progress?.bar.done();
    const outDir = resolve(values.out ?? 'out/ident');
    await mkdir(outDir, { recursive: true });
    await writeIdentReport(evaluation, outDir);
    process.stdout.write(`${formatIdentSummary(evaluation.report)}\nreport: ${outDir}\n`);
    // The last two folders name the data set (lfw-dev/images) without the machine's paths.
    const short = (dir: string): string => `${basename(dirname(resolve(dir)))}/${basename(resolve(dir))}`;
    const folders = (dirs: readonly string[]): string => dirs.map(short).join(', ');
    const description =
      `lintel eval ident --images ${short(values.images)}${nonMatedDirs.length ? ` --non-mated ${folders(nonMatedDirs)}` : ''}` +
      `${distractorDirs.length ? ` --distractors ${folders(distractorDirs)}` : ''}${values.errata ? ` --errata ${basename(values.errata)}` : ''}${half ? ` --half ${half}` : ''}; enroll ${enroll}, ${mirrored ? 'mirror averaging' : 'no mirror'}, ${passes} mesh pass${passes === 1 ? '' : 'es'}`;
    // Re-read right before writing: others may have edited the manifest during the run.
    const writeCurve = async (build: (current: IdentificationCurve | undefined) => IdentificationCurve): Promise<IdentificationCurve> => {
      const text = await readFile(manifestPath, 'utf8');
      const current = parseManifest(text, manifestPath).models[parts[0]!.id]?.identification;
      const curve = build(current);
      const edited = withIdentificationCurve(text, parts[0]!.id, curve);
      parseManifest(edited, manifestPath);
      await writeFileAtomic(manifestPath, edited);
      return curve;
    };
    if (values['write-curve']) {
      // Under the young-child rule the door never grants a card-only identity by face: its comparisons make no
      // false positive, so the curve that sets the door's threshold leaves them out.
      const rule = evaluation.youngChildRule;
      const measured = rule ? buildIdentificationCurve({ ...evaluation, ...rule }, `${description}; young-child rule`) : buildIdentificationCurve(evaluation, description);
      // The mean-template exponent comes from another run (several photos a person): it stays.
      const curve = await writeCurve((current) => (current?.meanTemplate ? { ...measured, meanTemplate: current.meanTemplate } : measured));
      process.stdout.write(`identification curve (${curve.points.length} points, FMR ${curve.points[0]!.fmr} … ${curve.points.at(-1)!.fmr}) written to ${manifestPath}\n`);
    }
    if (values['write-mean-exponent']) {
      const fit = evaluation.report.meanTemplate?.fit;
      if (!fit) throw new EvalIdentUsageError('no mean-template exponent to write: too few people of several images or too few stranger comparisons');
      await writeCurve((current) => {
        if (!current) throw new EvalIdentUsageError(`${parts[0]!.id} has no identification curve in the manifest to hold the exponent: write one first (--write-curve, --enroll 1)`);
        return { ...current, meanTemplate: { lengthExponent: fit.lengthExponent, description, measuredOn: new Date().toISOString().slice(0, 10) } };
      });
      process.stdout.write(`mean-template length exponent ${fit.lengthExponent} written to ${manifestPath}\n`);
    }
  } finally {
    await Promise.all(closables.map((c) => c.close()));
  }
}
