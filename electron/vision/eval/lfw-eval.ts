/**
 * LFW verification evaluation (View 2 protocol) for any embedder: embeds each distinct image once, scores
 * every pair by cosine similarity, computes k-fold accuracy, ROC and TAR@FAR, and writes a JSON report and
 * an SVG ROC plot. The embedder is a function argument, so this module loads no model itself.
 */
import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { cosineSimilarity } from '../matcher/similarity.js';
import { analyseImpostors, type ImpostorAnalysis } from './impostor-analysis.js';
import { readLfwPairs } from './lfw-pairs.js';
import { renderRocSvg } from './roc-svg.js';
import { computeVerificationMetrics, type VerificationMetrics } from './verification-metrics.js';
import { writeFileAtomic } from '../../shared/write-file-atomic.js';
import { median, percentile } from '../statistics.js';

/** Options for {@link evaluateLfw}. */
export interface EvaluateLfwOptions {
  /** Path of LFW's pairs.txt. */
  pairsPath: string;
  /** Folder holding `<Name>/<Name>_NNNN.jpg`. */
  imagesDir: string;
  /** Embeds one image; resolves null when no face is found. Called once per distinct image. */
  embed: (imagePath: string) => Promise<Float32Array | null>;
  /** Called after each image, with images done and images to embed. */
  onProgress?: (done: number, total: number) => void;
  /** Embed calls in flight at once; default 1 (an in-process model gains nothing from more). */
  concurrency?: number;
  /** Name of the embedder for the report and the plot legend; default 'embedder'. */
  label?: string;
  /** FAR targets for TAR@FAR; default [1e-2, 1e-3]. */
  farTargets?: readonly number[];
}

/** One scored pair as written to the report; image paths are relative to imagesDir. */
export interface LfwReportPair {
  fold: number;
  same: boolean;
  imageA: string;
  imageB: string;
  /** Cosine similarity (-1..1), or null when an image had no face or was missing. */
  similarity: number | null;
}

/** Result of {@link evaluateLfw}. */
export interface LfwReport {
  label: string;
  /** ISO 8601 time the evaluation finished. */
  createdAt: string;
  pairsPath: string;
  imagesDir: string;
  folds: number;
  pairsPerFold: number;
  /** Distinct images named by the pairs. */
  imageCount: number;
  /** Length of the embeddings; null if no image produced one. */
  embeddingDimension: number | null;
  metrics: VerificationMetrics;
  /** Images (relative to imagesDir) where embed found no face. Their pairs are scored null. */
  noFaceImages: string[];
  /** Images (relative to imagesDir) named by pairs.txt but absent on disk; not embedded, their pairs scored null. */
  missingImages: string[];
  timings: {
    /** Wall time of the whole evaluation, ms. */
    totalMs: number;
    /** Median time of one embed call, ms. */
    embedMedianMs: number;
    /** 95th percentile (nearest rank) of one embed call, ms. */
    embedP95Ms: number;
  };
  pairs: LfwReportPair[];
  /**
   * Thresholds placed on every cross-person pair of the embedded images (millions, not the protocol's 1,500),
   * with a person-disjoint check that they hold on people not used to choose them.
   */
  impostors: ImpostorAnalysis;
}



async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs the LFW verification protocol with `embed`. Missing image files are reported, not fatal (pairs naming
 * them are scored null, like no-face pairs); an embed call that throws aborts the run with the image's path.
 */
export async function evaluateLfw(options: EvaluateLfwOptions): Promise<LfwReport> {
  const { pairsPath, imagesDir, embed, onProgress, concurrency = 1, label = 'embedder', farTargets } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`evaluateLfw: concurrency must be a positive integer, got ${concurrency}`);
  }
  const startMs = performance.now();
  const parsed = await readLfwPairs(pairsPath, imagesDir);
  const images = [...new Set(parsed.pairs.flatMap((p) => [p.imageA, p.imageB]))];
  const present = await Promise.all(images.map(exists));
  const missing = images.filter((_, i) => !present[i]);
  const queue = images.filter((_, i) => present[i]);

  // One embedding per distinct image: LFW pairs reuse images, and embedding dominates the run time.
  const embeddings = new Map<string, Float32Array | null>();
  const embedMs: number[] = [];
  // The first embedding fixes the dimension; a later mismatch names both images.
  const firstEmbedding = { image: '', dimension: 0 };
  let next = 0;
  let done = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < queue.length) {
      const image = queue[next++]!;
      const callStartMs = performance.now();
      let embedding: Float32Array | null;
      try {
        embedding = await embed(image);
      } catch (error) {
        failed = true;
        throw new Error(`evaluateLfw: embed failed for ${image}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      embedMs.push(performance.now() - callStartMs);
      if (embedding !== null) {
        if (!(embedding instanceof Float32Array) || embedding.length === 0) {
          failed = true;
          throw new TypeError(`evaluateLfw: embed returned neither null nor a non-empty Float32Array for ${image}`);
        }
        if (firstEmbedding.dimension === 0) Object.assign(firstEmbedding, { image, dimension: embedding.length });
        if (embedding.length !== firstEmbedding.dimension) {
          failed = true;
          throw new RangeError(
            `evaluateLfw: embedding dimension mismatch, ${firstEmbedding.dimension} (${firstEmbedding.image}) vs ${embedding.length} (${image})`,
          );
        }
      }
      embeddings.set(image, embedding);
      done++;
      onProgress?.(done, queue.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(queue.length, 1)) }, worker));

  const relative = (image: string): string => path.relative(imagesDir, image);
  const pairs: LfwReportPair[] = parsed.pairs.map((pair) => {
    const a = embeddings.get(pair.imageA) ?? null;
    const b = embeddings.get(pair.imageB) ?? null;
    return {
      fold: pair.fold,
      same: pair.same,
      imageA: relative(pair.imageA),
      imageB: relative(pair.imageB),
      similarity: a === null || b === null ? null : cosineSimilarity(a, b),
    };
  });
  const metrics = computeVerificationMetrics(pairs, farTargets === undefined ? {} : { farTargets });
  const embedded = new Map([...embeddings].filter((entry): entry is [string, Float32Array] => entry[1] !== null));
  // LFW keeps each person's images in a folder named after them.
  const impostors = analyseImpostors(embedded, (image) => path.basename(path.dirname(image)));
  embedMs.sort((x, y) => x - y);
  return {
    label,
    createdAt: new Date().toISOString(),
    pairsPath,
    imagesDir,
    folds: parsed.folds,
    pairsPerFold: parsed.pairsPerFold,
    imageCount: images.length,
    embeddingDimension: firstEmbedding.dimension === 0 ? null : firstEmbedding.dimension,
    metrics,
    noFaceImages: queue.filter((image) => embeddings.get(image) === null).map(relative),
    missingImages: missing.map(relative),
    timings: {
      totalMs: performance.now() - startMs,
      embedMedianMs: median(embedMs),
      embedP95Ms: percentile(embedMs, 0.95),
    },
    pairs,
    impostors,
  };
}

/** SVG plot of one or more reports' ROC curves, e.g. to compare extractors. */
export function renderLfwRocSvg(reports: readonly LfwReport[], title = 'LFW verification ROC'): string {
  return renderRocSvg(
    reports.map((r) => ({ label: r.label, points: r.metrics.roc, accuracyMean: r.metrics.accuracyMean, accuracySd: r.metrics.accuracySd })),
    { title },
  );
}

/**
 * Writes `lfw-report.json` and `lfw-roc.svg` into `outDir` (created if needed), each atomically. Extra
 * fields on `report` (say, model ids and backend) go into the JSON as they are. JSON has no Infinity:
 * non-finite numbers (the ROC's end thresholds, a reject-all threshold) are written as the strings
 * "Infinity" / "-Infinity".
 */
export async function writeLfwReport<Report extends LfwReport>(report: Report, outDir: string): Promise<{ jsonPath: string; svgPath: string }> {
  await mkdir(outDir, { recursive: true });
  const jsonPath = path.join(outDir, 'lfw-report.json');
  const svgPath = path.join(outDir, 'lfw-roc.svg');
  const json = JSON.stringify(report, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value), 2);
  await writeFileAtomic(jsonPath, `${json}\n`);
  await writeFileAtomic(svgPath, renderLfwRocSvg([report], `LFW verification ROC — ${report.label}`));
  return { jsonPath, svgPath };
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes}m${String(seconds % 60).padStart(2, '0')}s` : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** 1e-3 for powers of ten, the plain number otherwise. */
function formatFar(far: number): string {
  const exponent = Math.log10(far);
  return Number.isInteger(exponent) ? `1e${exponent}` : String(far);
}

const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
const percent = (fraction: number): string => `${(fraction * 100).toFixed(2)} %`;
const threshold = (value: number): string => (Number.isFinite(value) ? value.toFixed(4) : String(value));

/** A few lines for a terminal: accuracy mean ± sd, per-fold accuracies, TAR@FAR with thresholds, no-face count. */
export function formatLfwSummary(report: LfwReport): string {
  const m = report.metrics;
  const lines = [
    `LFW verification — ${report.label}: ${report.folds} folds × ${report.pairsPerFold} + ${report.pairsPerFold} pairs, ${report.imageCount} images`,
    `accuracy ${(m.accuracyMean * 100).toFixed(2)} ± ${(m.accuracySd * 100).toFixed(2)} % (mean ± sd over folds; threshold chosen on the other folds)`,
    `per fold: ${m.folds.map((f) => `${(f.accuracy * 100).toFixed(2)}`).join(' ')} %`,
    ...m.tarAtFar.map(
      (p) =>
        `TAR@FAR${formatFar(p.targetFar)} ${percent(p.tar)} at threshold ${threshold(p.threshold)}` +
        ` (${p.falseAccepts} of ${m.negativeCount} different-person pairs accepted${p.belowResolution ? '; target below the 1/N resolution' : ''})`,
    ),
    `best single threshold ${threshold(m.bestThreshold.threshold)} (accuracy ${percent(m.bestThreshold.accuracy)}, in-sample), AUC ${m.auc.toFixed(4)}`,
    `no face: ${plural(report.noFaceImages.length, 'image')}; ${plural(m.noFacePairCount, 'pair')} without a score (no face or missing image), counted as rejected`,
  ];
  if (report.missingImages.length > 0) {
    const shown = report.missingImages.slice(0, 3).join(', ') + (report.missingImages.length > 3 ? ', …' : '');
    lines.push(`missing: ${plural(report.missingImages.length, 'image')} named by pairs.txt not on disk (${shown})`);
  }
  const im = report.impostors;
  lines.push(
    `all image pairs: ${im.impostorPairCount.toLocaleString('en')} different-person and ${im.genuinePairCount.toLocaleString('en')} same-person pairs of ${im.personCount} people`,
    ...im.points.map(
      (p) =>
        `  FAR ${formatFar(p.targetFar)} at threshold ${threshold(p.threshold)}: TAR ${percent(p.tar)}; ` +
        `people-disjoint halves: threshold ${threshold(p.heldOut.thresholdOnA)} → FAR ${p.heldOut.farOnB.toExponential(1)}, ` +
        `${threshold(p.heldOut.thresholdOnB)} → FAR ${p.heldOut.farOnA.toExponential(1)}`,
    ),
  );
  lines.push(`time: ${formatDuration(report.timings.totalMs)} total, ${report.timings.embedMedianMs.toFixed(1)} ms per image (median)`);
  return lines.join('\n');
}
