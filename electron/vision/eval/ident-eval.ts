/**
 * `lintel eval ident`: open-set (1:N) identification on a protocol built by open-set-protocol.ts. Embeds every
 * image once per model (through an {@link EmbeddingCache}), fuses models at score level, scores every search
 * against every enrolled identity, and reports FNIR at FPIR per gallery size (measured where the data holds
 * that many identities, modelled from per-comparison scores beyond), rank-1, the rates at the manifest's
 * identify threshold and FPIR per demographic group. With the young-child rule it also estimates every enrolled
 * image's age and reports the same figures for the door, where a young child's top-1 never opens it by face
 * alone. The embedders and the age estimator are arguments: this module loads no model.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { shuffledIndices } from '../matcher/seeded-random.js';
import { l2Normalize } from '../matcher/similarity.js';
import { galleryReferenceOf, measureSiteLikeness, type GalleryReference, type SiteLikeness } from '../matcher/site-likeness.js';
import type { IdentificationCurve } from '../models/manifest.js';
import { median } from '../statistics.js';
import { modelledFpirByGroup, tailCheck, type ModelledGroupFpirSpread, type TailCheckPoint } from './demographic-tail.js';
import { renderDetSvg, type DetSvgCurve } from './det-svg.js';
import type { CachedEmbedding, EmbeddingCache } from './embedding-cache.js';
import { fitMeanLengthExponent, type MeanTemplateFit } from './mean-template-fit.js';
import {
  detCurve,
  fnirAt,
  fpirAt,
  fmrByGroup,
  fpirByGroup,
  modelledFnir,
  modelledFpir,
  modelledOperatingPoints,
  fmrAt,
  operatingPoints,
  rankOneRate,
  thresholdForShare,
  type DetPoint,
  type GroupFmrSpread,
  type GroupFpirSpread,
  type ImpostorScores,
  type MatedOutcome,
  type RankOneOutcomes,
  type SpreadVerdict,
  DEMOGRAPHIC_SPREAD_TARGET,
} from './open-set-metrics.js';
import type { OpenSetProtocol } from './open-set-protocol.js';
import { scoreMatrix, type MultiSampleRule } from './score-matrix.js';
import { writeFileAtomic } from '../../shared/write-file-atomic.js';
import { YOUNG_CHILD_UNDER_YEARS } from '../age/age-estimator.js';
import { youngChildOf } from '../age/young-child.js';

/** FPIR targets of NIST FRTE 1:N. */
export const DEFAULT_FPIR_TARGETS: readonly number[] = [1e-1, 1e-2, 3e-3, 1e-3];

/** A model run on the face of each image, its output cached between runs. */
export interface CachedFaceModel {
  /** Model id. */
  id: string;
  /** Where this model's outputs are kept between runs; none: run every time. */
  cache?: EmbeddingCache;
  /** Its output for the face of one image (an extractor's embedding; an age estimator's is [years]); `embedding` null when no face was found. */
  embed(imagePath: string): Promise<CachedEmbedding>;
}

/** One model of a (possibly fused) extractor. */
export interface IdentEmbedder extends CachedFaceModel {
  /** Weight of this model's cosine in the fused score; normalised over the models to sum to 1. */
  weight: number;
}

/** Per-model timings, ms (medians over the images that had a face). */
export interface EmbedderTimings {
  id: string;
  weight: number;
  /** Images whose embedding came from the cache. */
  cacheHits: number;
  /** Images embedded in this run. */
  embedded: number;
  /** Median of detection + mesh + quality + extraction for one image (decoding excluded), ms. */
  pipelineMedianMs: number;
  /** Median of alignment + extraction (both mirror passes when mirror averaging is on), ms. */
  extractMedianMs: number;
}

/** One model's outputs over a set of images, and how they were obtained. */
interface CachedRun {
  outputs: Map<string, CachedEmbedding>;
  cacheHits: number;
  /** Images the model ran on in this run. */
  computed: number;
  /** Medians over the images with a face, ms: the whole pipeline, and the model's own step. */
  pipelineMedianMs: number;
  extractMedianMs: number;
}

/** Runs `model` on each of `images` (distinct), cache first; `onImage` after each. */
async function runCached(images: readonly string[], model: CachedFaceModel, onImage?: () => void): Promise<CachedRun> {
  const outputs = new Map<string, CachedEmbedding>();
  let cacheHits = 0;
  let computed = 0;
  const pipelineMs: number[] = [];
  const extractMs: number[] = [];
  for (const image of images) {
    let value = await model.cache?.get(image);
    if (value) cacheHits++;
    else {
      value = await model.embed(image);
      computed++;
      await model.cache?.put(image, value);
      // A killed run keeps most of its work.
      if (computed % 200 === 0) await model.cache?.flush();
    }
    if (value.embedding !== null) {
      pipelineMs.push(value.pipelineMs);
      if (value.extractMs !== null) extractMs.push(value.extractMs);
    }
    outputs.set(image, value);
    onImage?.();
  }
  await model.cache?.flush();
  pipelineMs.sort((a, b) => a - b);
  extractMs.sort((a, b) => a - b);
  return { outputs, cacheHits, computed, pipelineMedianMs: median(pipelineMs), extractMedianMs: median(extractMs) };
}

/**
 * Embeds every image with every model (cache first), and fuses: the fused template is the concatenation of
 * √wᵢ · uᵢ (uᵢ each model's unit template, Σwᵢ = 1), so its dot product with another fused template is the
 * weighted mean of the models' cosines, and it is itself of unit length. Null when any model found no face.
 */
export async function embedImages(
  images: readonly string[],
  embedders: readonly IdentEmbedder[],
  onProgress?: (done: number, total: number) => void,
): Promise<{ fused: Map<string, Float32Array | null>; timings: EmbedderTimings[] }> {
  if (embedders.length === 0) throw new RangeError('embedImages: no embedder');
  const totalWeight = embedders.reduce((sum, e) => sum + e.weight, 0);
  if (!(totalWeight > 0) || embedders.some((e) => !(e.weight > 0))) throw new RangeError('embedImages: weights must be positive');
  const unique = [...new Set(images)];
  const perModel: Array<Map<string, CachedEmbedding>> = [];
  const timings: EmbedderTimings[] = [];
  let done = 0;
  const total = unique.length * embedders.length;
  for (const embedder of embedders) {
    const run = await runCached(unique, embedder, () => onProgress?.(++done, total));
    perModel.push(run.outputs);
    timings.push({
      id: embedder.id,
      weight: embedder.weight / totalWeight,
      cacheHits: run.cacheHits,
      embedded: run.computed,
      pipelineMedianMs: run.pipelineMedianMs,
      extractMedianMs: run.extractMedianMs,
    });
  }
  const fused = new Map<string, Float32Array | null>();
  for (const image of unique) {
    const parts = perModel.map((m) => m.get(image)!.embedding);
    if (parts.some((p) => p === null)) {
      fused.set(image, null);
      continue;
    }
    if (parts.length === 1) {
      fused.set(image, l2Normalize(parts[0]!));
      continue;
    }
    const out = new Float32Array(parts.reduce((sum, p) => sum + p!.length, 0));
    let offset = 0;
    parts.forEach((part, i) => {
      const scale = Math.sqrt(embedders[i]!.weight / totalWeight);
      const unit = l2Normalize(part!);
      for (let d = 0; d < unit.length; d++) out[offset + d] = unit[d]! * scale;
      offset += unit.length;
    });
    fused.set(image, out);
  }
  return { fused, timings };
}

/** A gallery: which identities (columns of the score matrix) are enrolled. */
export interface GallerySelection {
  size: number;
  /** Column indexes. */
  columns: Int32Array;
  /** Enrolled people (not distractors) in it. */
  people: number;
  distractors: number;
}

const NO_COLUMNS: ReadonlySet<number> = new Set();

/**
 * Rank-1 outcomes of the searches against the identities in `columns`. Under the door's young-child rule, a top-1
 * in `cardOnly` makes no identification: a non-mated search's top-1 counts as none (no false positive), a mated
 * search's is a miss even when it is the mate, and a card-only mate is never named (mate similarity null).
 */
export function rankOneOutcomes(
  scores: Float32Array,
  identityCount: number,
  columns: Int32Array,
  mated: ReadonlyArray<{ row: number; mateColumn: number }>,
  nonMatedRows: readonly number[],
  cardOnly: ReadonlySet<number> = NO_COLUMNS,
): RankOneOutcomes {
  const top = (row: number): { similarity: number | null; column: number } => {
    let best = Number.NEGATIVE_INFINITY;
    let bestColumn = -1;
    const base = row * identityCount;
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i]!;
      const score = scores[base + column]!;
      if (score > best) {
        best = score;
        bestColumn = column;
      }
    }
    return bestColumn < 0 ? { similarity: null, column: -1 } : { similarity: best, column: bestColumn };
  };
  return {
    mated: mated.map(({ row, mateColumn }) => {
      const t = top(row);
      const mateScore = scores[row * identityCount + mateColumn]!;
      return {
        topSimilarity: t.similarity,
        topIsMate: t.column === mateColumn && !cardOnly.has(mateColumn),
        mateSimilarity: Number.isNaN(mateScore) || cardOnly.has(mateColumn) ? null : mateScore,
      };
    }),
    nonMatedTop: nonMatedRows.map((row) => {
      const t = top(row);
      return cardOnly.has(t.column) ? null : t.similarity;
    }),
  };
}

/**
 * Per-comparison non-mated similarities (every non-mated search against every enrolled identity), sorted
 * descending, leaving out the identities in `leftOut` and searches without a face.
 */
export function impostorScores(scores: Float32Array, identityCount: number, nonMatedRows: readonly number[], leftOut: ReadonlySet<number> = NO_COLUMNS): ImpostorScores {
  const comparisons = new Float32Array(nonMatedRows.length * identityCount);
  let count = 0;
  for (const row of nonMatedRows) {
    const base = row * identityCount;
    for (let c = 0; c < identityCount; c++) {
      const score = scores[base + c]!;
      if (!Number.isNaN(score) && !leftOut.has(c)) comparisons[count++] = score;
    }
  }
  return { descending: comparisons.subarray(0, count).sort().reverse() };
}

/** Figures for one gallery size. */
export interface GalleryResult {
  gallerySize: number;
  kind: 'measured' | 'modelled';
  /** Enrolled people and distractors (measured galleries only). */
  people?: number;
  distractors?: number;
  matedSearches?: number;
  nonMatedSearches?: number;
  /** Closed-set rank-1 identification rate (measured galleries only). */
  rank1?: number;
  points: Array<{ targetFpir: number; threshold: number; fnir: number; fpir?: number; falsePositives?: number; belowResolution: boolean }>;
  /** FPIR and FNIR at the manifest's identify threshold; absent when there is none (fusions). */
  atShippedThreshold?: { threshold: number; fpir: number; fnir: number };
}

/** How well the independence model predicts a measured gallery. */
export interface ModelCheck {
  gallerySize: number;
  points: Array<{ targetFpir: number; measuredFnir: number; modelledFnir: number; measuredThreshold: number; modelledThreshold: number; modelledFpirAtMeasuredThreshold: number; measuredFpir: number }>;
}

/** The report written to report.json. */
export interface IdentReport {
  label: string;
  createdAt: string;
  extractor: string;
  embedders: EmbedderTimings[];
  enroll: number;
  multi: MultiSampleRule;
  protocol: OpenSetProtocol['summary'] & {
    imagesDir: string;
    nonMatedDirs: string[];
    distractorDirs: string[];
    /** Subjects (people or distractors) left out because no enrollment image had a face. */
    unenrollable: number;
    /** People and distractors enrolled with at least one template. */
    enrolledWithFace: { people: number; distractors: number };
    noFaceImages: number;
  };
  /** Largest measured gallery. */
  gallerySize: number;
  /** Closed-set rank-1 on the largest measured gallery. */
  rank1: number;
  /** gallery size → FPIR target as a string ("0.01") → FNIR (measured, or modelled where `modelledSizes` says so). */
  fnirAtFpir: Record<string, Record<string, number>>;
  /** gallery size → FPIR target → threshold. */
  thresholdAtFpir: Record<string, Record<string, number>>;
  modelledSizes: number[];
  galleries: GalleryResult[];
  modelCheck: ModelCheck[];
  /**
   * One to one, as after a card names the person (card + face): the searches compared with their own person's
   * template only, strangers with one enrolled person at a time. FMR target as a string → FNMR and threshold, from
   * the mated searches' own similarities and every single non-mated comparison (measured, not modelled: a gallery
   * of one is exactly one comparison). A search without a face is a miss.
   */
  oneToOne: { fnmrAtFmr: Record<string, number>; thresholdAtFmr: Record<string, number>; fmrByGroupAt1e3: GroupFmrSpread[] };
  /** Per-comparison non-mated similarities the model uses: count, and FMR at the shipped threshold. */
  comparisons: { count: number; fmrAtShippedThreshold: number | null };
  demographics: {
    atShippedThreshold: GroupFpirSpread[] | null;
    atFpir1e2: GroupFpirSpread[];
    /** The same spread from each group's comparison tail, where counts are too few (demographic-tail.ts). */
    modelled: ModelledDemographics;
  };
  /** Rank-1 / FNIR@FPIR on the largest gallery under the other multi-sample rule (enroll > 1 only). */
  otherRule?: { multi: MultiSampleRule; rank1: number; fnirAtFpir: Record<string, number> };
  /** The door's figures under the young-child rule (`--young-child-rule`); the keys above are the recogniser's alone. */
  youngChildRule?: YoungChildRuleReport;
  /**
   * Several templates a person (enroll > 1): the exponent the mean templates were compared with (`applied`: the
   * manifest's, 0 under 'max') and the one that fits this gallery (mean-template-fit.ts); null at enroll 1.
   */
  meanTemplate: { applied: number; fit: MeanTemplateFit | null } | null;
  /**
   * The largest gallery held as a site (matcher/site-likeness.ts): its own reference (each enrolled sample with
   * every other person's mean template, the similarities 1 in 100, 1,000 and 10,000 reach; `--write-curve` stores it), its likeness
   * against the manifest's reference, and the door's figures at the threshold raised for it.
   */
  siteLikeness: {
    galleryReference: (GalleryReference & { comparisons: number }) | null;
    measured: SiteLikeness | null;
    atShippedThreshold: { gallerySize: number; threshold: number; fpir: number; fnir: number } | null;
  };
  det: Array<{ gallerySize: number; points: DetPoint[] }>;
  timings: { totalMs: number };
}

/**
 * The door's figures under the young-child rule: an enrolled identity whose enrollment images' age estimates make
 * `youngChildOf` answer (median under {@link YOUNG_CHILD_UNDER_YEARS}) is card-only, never let in by face alone.
 * A search whose top-1 is card-only makes no identification: no false positive for a stranger, a miss for a mated
 * search. Modelled sizes leave card-only comparisons out of the per-comparison pool (see `openSetFigures`).
 */
export interface YoungChildRuleReport {
  /** The age estimator's run over the enrollment images (cache hits, images estimated, median times, ms). */
  estimator: { id: string; cacheHits: number; estimated: number; pipelineMedianMs: number; estimateMedianMs: number };
  underYears: number;
  /** Card-only identities, with the median of their enrollment images' estimates, years. */
  cardOnlyIdentities: Array<{ id: string; estimatedAgeYears: number; distractor: boolean }>;
  /** Mated searches of card-only people on the largest measured gallery: misses by the rule. */
  cardOnlyMatedSearches: number;
  /**
   * Other mated searches there whose mate some card-only entry outscores: misses with or without the rule, which
   * the modelled figures (card-only comparisons left out) no longer count against larger galleries; and the
   * highest mate similarity among them (null: none), which matters only when it reaches the thresholds.
   */
  matedOutscoredByCardOnly: { searches: number; highestMateSimilarity: number | null };
  /** Rank-1 on the largest measured gallery, a card-only top-1 a miss. */
  rank1: number;
  /** As the report's keys of the same names. */
  fnirAtFpir: Record<string, Record<string, number>>;
  thresholdAtFpir: Record<string, Record<string, number>>;
  galleries: GalleryResult[];
  modelCheck: ModelCheck[];
  comparisons: IdentReport['comparisons'];
  demographics: IdentReport['demographics'];
}

/**
 * FPIR per group modelled from each group's single comparisons with the enrolled (an exponential tail above the
 * similarity the pool reaches at FMR {@link TAIL_FROM_POOL_FMR}), at the door's threshold for each gallery size and at
 * the largest gallery's FPIR 1e-2 threshold (where the counted figures check it), with the tail's own check.
 */
export interface ModelledDemographics {
  tailFrom: number;
  atShippedThreshold: Array<{ gallerySize: number; spreads: ModelledGroupFpirSpread[] }> | null;
  atFpir1e2: ModelledGroupFpirSpread[];
  tailCheck: Array<{ column: string; points: TailCheckPoint[] }>;
}

/** Where the demographic tails start: the similarity the whole pool of comparisons reaches at this FMR. */
const TAIL_FROM_POOL_FMR = 1e-3;
/** The pool FMRs at which each group's tail is checked against its counts. */
const TAIL_CHECK_POOL_FMRS = [1e-4, 1e-5, 1e-6] as const;

/** The step `onProgress` counts. */
export type IdentProgressStage = 'embedding' | 'estimating ages';

/** Options for {@link evaluateIdentification}. */
export interface EvaluateIdentificationOptions {
  protocol: OpenSetProtocol;
  /** Protocol source folders, for the report. */
  source: { imagesDir: string; nonMatedDirs: readonly string[]; distractorDirs: readonly string[] };
  embedders: readonly IdentEmbedder[];
  label: string;
  /** Gallery sizes asked for; the largest measurable gallery is always added. */
  gallerySizes: readonly number[];
  multi?: MultiSampleRule;
  /** How 'mean' compares a mean template: the door's PersonGallery `lengthExponent` (manifest); default 0. */
  meanLengthExponent?: number;
  fpirTargets?: readonly number[];
  /**
   * The threshold the door identifies with among that many people (the extractor's curve at the default target
   * FPIR, never below its 1:1 threshold; without a curve its fixed one: `identifyThresholdFor`); null for a fusion.
   * `fmrFactor`: a site's strangers match that many times more often (site-likeness.ts), default 1.
   */
  shippedThreshold: ((gallerySize: number, fmrFactor?: number) => number) | null;
  /** The extractor's manifest reference a site's enrolled faces are held against; none: not measured. */
  siteReference?: GalleryReference;
  /** Seed of the gallery subsampling; default 1. */
  seed?: number;
  /**
   * The door's young-child rule: the age estimator run on every enrollment image (its output [years]); default
   * none, the recogniser's figures alone.
   */
  youngChildRule?: { ageEstimator: CachedFaceModel };
  onProgress?: (done: number, total: number, stage: IdentProgressStage) => void;
}

/** Everything {@link evaluateIdentification} returns: the report and what a curve for the manifest needs. */
export interface IdentEvaluation {
  report: IdentReport;
  impostors: ImpostorScores;
  /** Mated outcomes on the largest measured gallery. */
  mated: readonly MatedOutcome[];
  /** The same under the young-child rule (card-only comparisons left out, their searches misses), when asked for. */
  youngChildRule?: { impostors: ImpostorScores; mated: readonly MatedOutcome[] };
}

const key = (fpir: number): string => String(fpir);
/** FMR targets of the one-to-one figures (card + face): the terminal's default target per search is 1e-3. */
const ONE_TO_ONE_FMR_TARGETS = [1e-2, 1e-3, 1e-4, 1e-5] as const;


/** What the figures of one door rule are computed from: the scores, the galleries and the searches. */
interface FiguresInput {
  scores: Float32Array;
  identityCount: number;
  /** Gallery sizes, ascending; a size without a selection is modelled. */
  sizes: readonly number[];
  selections: ReadonlyMap<number, GallerySelection>;
  matedRows: ReadonlyArray<{ row: number; mateColumn: number }>;
  nonMatedRows: readonly number[];
  /** Demographic labels of the non-mated searches, in the order of `nonMatedRows`. */
  nonMatedLabels: ReadonlyArray<Readonly<Record<string, string>>>;
  fpirTargets: readonly number[];
  shippedThreshold: ((gallerySize: number) => number) | null;
}

/** Every gallery size's figures under one door rule. */
interface OpenSetFigures {
  galleries: GalleryResult[];
  det: IdentReport['det'];
  modelCheck: ModelCheck[];
  /** The largest measured gallery and its outcomes. */
  largest: { outcomes: RankOneOutcomes; selection: GallerySelection };
  impostors: ImpostorScores;
  comparisons: IdentReport['comparisons'];
  demographics: IdentReport['demographics'];
}

/**
 * The figures of every gallery size when the identities in `cardOnly` never grant (none: the recogniser alone).
 *
 * Modelled sizes leave the comparisons with card-only entries out of the per-comparison pool. For FPIR that is
 * right: they can never make a false positive (the N of 1 − (1 − FMR)^N still counts them, which errs on the safe
 * side by their share of the gallery). The same pool stands for a mated search's rivals, so a card-only entry that
 * outscores the mate (a wrong top-1, a miss with or without the rule) is no longer modelled; keeping them would
 * be worse, as the pool's card-only comparisons are mostly strangers' small children against an enrolled baby,
 * which says little of how an adult's search ranks the baby. Measured galleries count such misses
 * (`matedOutscoredByCardOnly`) to bound what this leaves out.
 */
function openSetFigures(input: FiguresInput, cardOnly: ReadonlySet<number>): OpenSetFigures {
  const { scores, identityCount, sizes, selections, matedRows, nonMatedRows, fpirTargets, shippedThreshold } = input;
  const impostors = impostorScores(scores, identityCount, nonMatedRows, cardOnly);
  const galleries: GalleryResult[] = [];
  const det: IdentReport['det'] = [];
  const modelCheck: ModelCheck[] = [];
  let largest: OpenSetFigures['largest'] | undefined;
  for (const size of sizes) {
    const selection = selections.get(size);
    const shipped = shippedThreshold?.(size) ?? null;
    if (!selection) {
      // Beyond the data: modelled from the comparisons and the mated searches' own similarities.
      const mated = largest!.outcomes.mated;
      const points = modelledOperatingPoints(mated, impostors, size, fpirTargets).map((p) => ({ targetFpir: p.targetFpir, threshold: p.threshold, fnir: p.fnir, belowResolution: p.belowResolution }));
      galleries.push({
        gallerySize: size,
        kind: 'modelled',
        points,
        ...(shipped === null ? {} : { atShippedThreshold: { threshold: shipped, fpir: modelledFpir(fmrAt(impostors, shipped), size), fnir: modelledFnir(mated, impostors, size, shipped) } }),
      });
      continue;
    }
    const inGallery = new Set(selection.columns);
    const mated = matedRows.filter((m) => inGallery.has(m.mateColumn));
    const outcomes = rankOneOutcomes(scores, identityCount, selection.columns, mated, nonMatedRows, cardOnly);
    const points = operatingPoints(outcomes, fpirTargets);
    galleries.push({
      gallerySize: size,
      kind: 'measured',
      people: selection.people,
      distractors: selection.distractors,
      matedSearches: outcomes.mated.length,
      nonMatedSearches: outcomes.nonMatedTop.length,
      rank1: rankOneRate(outcomes.mated),
      points: points.map((p) => ({ targetFpir: p.targetFpir, threshold: p.threshold, fnir: p.fnir, fpir: p.fpir, falsePositives: p.falsePositives, belowResolution: p.belowResolution })),
      ...(shipped === null ? {} : { atShippedThreshold: { threshold: shipped, fpir: fpirAt(outcomes.nonMatedTop, shipped), fnir: fnirAt(outcomes.mated, shipped) } }),
    });
    det.push({ gallerySize: size, points: thinDet(detCurve(outcomes)) });
    const modelled = modelledOperatingPoints(outcomes.mated, impostors, size, fpirTargets);
    modelCheck.push({
      gallerySize: size,
      points: points.map((p, i) => ({
        targetFpir: p.targetFpir,
        measuredFnir: p.fnir,
        modelledFnir: modelled[i]!.fnir,
        measuredThreshold: p.threshold,
        modelledThreshold: modelled[i]!.threshold,
        measuredFpir: p.fpir,
        modelledFpirAtMeasuredThreshold: modelledFpir(fmrAt(impostors, p.threshold), size),
      })),
    });
    largest = { outcomes, selection };
  }
  const full = largest!;
  const fpir1e2Threshold = operatingPoints(full.outcomes, [1e-2])[0]!.threshold;
  const labelled = input.nonMatedLabels.map((labels, i) => ({ top: full.outcomes.nonMatedTop[i]!, labels }));
  const columns = labelColumnsOf(input.nonMatedLabels);
  const spreadAt = (threshold: number): GroupFpirSpread[] => columns.map((c) => fpirByGroup(labelled, c, threshold));
  // The demographics and the comparisons at the threshold the door would use with the measured gallery.
  const shippedThere = shippedThreshold?.(full.selection.size) ?? null;
  const modelled = modelledDemographics(input, cardOnly, full.selection, impostors, fpir1e2Threshold);
  return {
    galleries,
    det,
    modelCheck,
    largest: full,
    impostors,
    comparisons: { count: impostors.descending.length, fmrAtShippedThreshold: shippedThere === null ? null : fmrAt(impostors, shippedThere) },
    demographics: { atShippedThreshold: shippedThere === null ? null : spreadAt(shippedThere), atFpir1e2: spreadAt(fpir1e2Threshold), modelled },
  };
}

/**
 * The modelled demographic spread: each labelled non-mated search's comparisons with the largest measured gallery's
 * identities (card-only ones left out: they never name anyone), a tail per group (demographic-tail.ts).
 */
function modelledDemographics(input: FiguresInput, cardOnly: ReadonlySet<number>, selection: GallerySelection, impostors: ImpostorScores, fpir1e2Threshold: number): ModelledDemographics {
  const { scores, identityCount } = input;
  const columns = [...selection.columns].filter((c) => !cardOnly.has(c));
  const searches = input.nonMatedRows.flatMap((row, i) => {
    const labels = input.nonMatedLabels[i]!;
    if (Object.keys(labels).length === 0) return [];
    const base = row * identityCount;
    return [{ scores: Float32Array.from(columns, (c) => scores[base + c]!), labels }];
  });
  const labelColumns = labelColumnsOf(searches.map((s) => s.labels));
  const similarityAtPoolFmr = (fmr: number): number => impostors.descending[Math.min(impostors.descending.length - 1, Math.floor(fmr * impostors.descending.length))]!;
  const tailFrom = similarityAtPoolFmr(TAIL_FROM_POOL_FMR);
  const spreadsAt = (threshold: number, gallerySize: number): ModelledGroupFpirSpread[] =>
    threshold < tailFrom ? [] : labelColumns.map((column) => modelledFpirByGroup(searches, column, threshold, gallerySize, tailFrom));
  const checkThresholds = TAIL_CHECK_POOL_FMRS.map((poolFmr) => ({ poolFmr, threshold: similarityAtPoolFmr(poolFmr) }));
  const { shippedThreshold } = input;
  return {
    tailFrom,
    atShippedThreshold: shippedThreshold === null ? null : input.sizes.map((gallerySize) => ({ gallerySize, spreads: spreadsAt(shippedThreshold(gallerySize), gallerySize) })),
    atFpir1e2: spreadsAt(fpir1e2Threshold, selection.size),
    tailCheck: labelColumns.map((column) => ({ column, points: tailCheck(searches, column, tailFrom, checkThresholds) })),
  };
}

/** The demographic label columns (race, gender, age …) the non-mated searches carry, sorted. */
function labelColumnsOf(labels: ReadonlyArray<Readonly<Record<string, string>>>): string[] {
  return [...new Set(labels.flatMap((row) => Object.keys(row)))].sort();
}

/** gallery size → FPIR target → `pick` of that operating point, as the report keys them. */
function bySize(galleries: readonly GalleryResult[], pick: (point: GalleryResult['points'][number]) => number): Record<string, Record<string, number>> {
  return Object.fromEntries(galleries.map((g) => [String(g.gallerySize), Object.fromEntries(g.points.map((p) => [key(p.targetFpir), pick(p)]))]));
}

/** Runs the evaluation; see the module comment. */
export async function evaluateIdentification(options: EvaluateIdentificationOptions): Promise<IdentEvaluation> {
  const startMs = performance.now();
  const { protocol, embedders, gallerySizes, multi = 'max', fpirTargets = DEFAULT_FPIR_TARGETS, shippedThreshold, seed = 1 } = options;
  const images = [...protocol.subjects.flatMap((s) => s.images), ...protocol.mated.map((m) => m.image), ...protocol.nonMated.map((m) => m.image)];
  const { fused, timings } = await embedImages(images, embedders, (done, total) => options.onProgress?.(done, total, 'embedding'));
  const noFaceImages = [...fused.values()].filter((v) => v === null).length;

  // Identities with at least one template; people whose every enrollment image lacks a face are left out with their searches.
  const templatesOf = protocol.subjects.map((s) => s.images.map((i) => fused.get(i)).filter((v): v is Float32Array => v instanceof Float32Array));
  const kept = protocol.subjects.map((_, i) => i).filter((i) => templatesOf[i]!.length > 0);
  const column = new Map(kept.map((subject, c) => [protocol.subjects[subject]!.id, c]));
  const identities = kept.map((i) => templatesOf[i]!);
  const isDistractor = kept.map((i) => protocol.subjects[i]!.distractor);
  const unenrollable = protocol.subjects.length - kept.length;
  const matedSearches = protocol.mated.filter((m) => column.has(m.mateId!));
  const searchVectors = [...matedSearches, ...protocol.nonMated].map((s) => fused.get(s.image) ?? null);
  const matedRows = matedSearches.map((m, row) => ({ row, mateColumn: column.get(m.mateId!)! }));
  const nonMatedRows = protocol.nonMated.map((_, i) => matedSearches.length + i);

  const rules: MultiSampleRule[] = protocol.enrollCount > 1 ? [multi, multi === 'max' ? 'mean' : 'max'] : [multi];
  const { meanLengthExponent = 0 } = options;
  const matrices = rules.map((rule) => scoreMatrix(searchVectors, identities, rule, meanLengthExponent));
  const scores = matrices[0]!;
  const identityCount = identities.length;

  const peopleColumns = isDistractor.map((d, c) => (d ? -1 : c)).filter((c) => c >= 0);
  const distractorColumns = isDistractor.map((d, c) => (d ? c : -1)).filter((c) => c >= 0);
  const peopleOrder = shuffledIndices(peopleColumns.length, seed).map((i) => peopleColumns[i]!);
  const distractorOrder = shuffledIndices(distractorColumns.length, seed + 1).map((i) => distractorColumns[i]!);
  const maxMeasured = identityCount;
  const sizes = [...new Set([...gallerySizes, maxMeasured])].sort((a, b) => a - b);
  const selections = new Map<number, GallerySelection>();
  for (const size of sizes.filter((n) => n <= maxMeasured)) {
    // Smaller than the people enrolled: a random subset of them, no distractor; larger: everyone plus distractors.
    const columns = size <= peopleOrder.length ? peopleOrder.slice(0, size) : [...peopleOrder, ...distractorOrder.slice(0, size - peopleOrder.length)];
    selections.set(size, { size, columns: Int32Array.from(columns), people: Math.min(size, peopleOrder.length), distractors: Math.max(0, size - peopleOrder.length) });
  }

  const input: FiguresInput = { scores, identityCount, sizes, selections, matedRows, nonMatedRows, nonMatedLabels: protocol.nonMated.map((s) => s.labels), fpirTargets, shippedThreshold };
  const alone = openSetFigures(input, NO_COLUMNS);
  const { impostors, galleries } = alone;
  const full = alone.largest;
  // A gallery of one: the single comparisons themselves, with the mated searches' own similarities.
  const oneToOnePoints = modelledOperatingPoints(full.outcomes.mated, impostors, 1, ONE_TO_ONE_FMR_TARGETS);
  const labelColumns = labelColumnsOf(input.nonMatedLabels);
  const searchScores = protocol.nonMated.map((s, i) => ({ scores: scores.subarray(nonMatedRows[i]! * identityCount, (nonMatedRows[i]! + 1) * identityCount), labels: s.labels }));
  const oneToOne = {
    fnmrAtFmr: Object.fromEntries(oneToOnePoints.map((p) => [key(p.targetFpir), p.fnir])),
    thresholdAtFmr: Object.fromEntries(oneToOnePoints.map((p) => [key(p.targetFpir), p.threshold])),
    // Whether a stranger holding someone's card gets in as rarely whatever their group.
    fmrByGroupAt1e3: labelColumns.map((column) => fmrByGroup(searchScores, column, oneToOnePoints.find((p) => p.targetFpir === 1e-3)!.threshold)),
  };

  let otherRule: IdentReport['otherRule'];
  if (matrices.length > 1) {
    const other = rankOneOutcomes(matrices[1]!, identityCount, full.selection.columns, matedRows, nonMatedRows);
    otherRule = {
      multi: rules[1]!,
      rank1: rankOneRate(other.mated),
      fnirAtFpir: Object.fromEntries(operatingPoints(other, fpirTargets).map((p) => [key(p.targetFpir), p.fnir])),
    };
  }

  let youngChildRule: YoungChildRuleReport | undefined;
  let ruleScores: IdentEvaluation['youngChildRule'];
  if (options.youngChildRule) {
    // The door estimates a person's age on the samples that enrolled: here the images that gave a template.
    const samplesOf = kept.map((i) => protocol.subjects[i]!.images.filter((image) => fused.get(image) instanceof Float32Array));
    const samples = [...new Set(samplesOf.flat())];
    let done = 0;
    const estimator = options.youngChildRule.ageEstimator;
    const run = await runCached(samples, estimator, () => options.onProgress?.(++done, samples.length, 'estimating ages'));
    const notices = samplesOf.map((images) => youngChildOf(images.map((image) => run.outputs.get(image)?.embedding?.[0])));
    const cardOnly = new Set(notices.flatMap((notice, c) => (notice ? [c] : [])));
    const rule = openSetFigures(input, cardOnly);
    ruleScores = { impostors: rule.impostors, mated: rule.largest.outcomes.mated };
    const cardOnlyColumns = [...cardOnly];
    const outscoredMateSimilarities = matedRows.flatMap(({ row, mateColumn }) => {
      const mateScore = scores[row * identityCount + mateColumn]!;
      return !cardOnly.has(mateColumn) && cardOnlyColumns.some((c) => scores[row * identityCount + c]! > mateScore) ? [mateScore] : [];
    });
    youngChildRule = {
      estimator: { id: estimator.id, cacheHits: run.cacheHits, estimated: run.computed, pipelineMedianMs: run.pipelineMedianMs, estimateMedianMs: run.extractMedianMs },
      underYears: YOUNG_CHILD_UNDER_YEARS,
      cardOnlyIdentities: cardOnlyColumns.map((c) => ({ id: protocol.subjects[kept[c]!]!.id, estimatedAgeYears: notices[c]!.estimatedAgeYears, distractor: isDistractor[c]! })),
      cardOnlyMatedSearches: matedRows.filter((m) => cardOnly.has(m.mateColumn)).length,
      matedOutscoredByCardOnly: {
        searches: outscoredMateSimilarities.length,
        highestMateSimilarity: outscoredMateSimilarities.length === 0 ? null : Math.max(...outscoredMateSimilarities),
      },
      rank1: rankOneRate(rule.largest.outcomes.mated),
      fnirAtFpir: bySize(rule.galleries, (p) => p.fnir),
      thresholdAtFpir: bySize(rule.galleries, (p) => p.threshold),
      galleries: rule.galleries,
      modelCheck: rule.modelCheck,
      comparisons: rule.comparisons,
      demographics: rule.demographics,
    };
  }

  // The whole gallery held as a site: its own reference, and its likeness against the manifest's.
  const galleryTemplates = identities.flatMap((templates, c) => templates.map((template) => ({ personId: String(c), template })));
  let galleryReference: IdentReport['siteLikeness']['galleryReference'] = null;
  try {
    galleryReference = galleryReferenceOf(galleryTemplates, undefined, undefined, meanLengthExponent);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
  }
  const siteMeasured = options.siteReference ? measureSiteLikeness(galleryTemplates, options.siteReference, { lengthExponent: meanLengthExponent }) : null;
  // Several templates a person: how much of their means' length the door should keep (mean-template-fit.ts).
  const meanTemplate: IdentReport['meanTemplate'] =
    protocol.enrollCount > 1
      ? {
          applied: multi === 'mean' ? meanLengthExponent : 0,
          fit: fitMeanLengthExponent(
            nonMatedRows.map((row) => searchVectors[row]).filter((v): v is Float32Array => v instanceof Float32Array),
            identities,
          ),
        }
      : null;
  const siteThreshold = siteMeasured && shippedThreshold ? shippedThreshold(full.selection.size, siteMeasured.applied) : null;
  const siteLikeness: IdentReport['siteLikeness'] = {
    galleryReference,
    measured: siteMeasured,
    atShippedThreshold:
      siteThreshold === null
        ? null
        : { gallerySize: full.selection.size, threshold: siteThreshold, fpir: fpirAt(full.outcomes.nonMatedTop, siteThreshold), fnir: fnirAt(full.outcomes.mated, siteThreshold) },
  };

  const report: IdentReport = {
    label: options.label,
    createdAt: new Date().toISOString(),
    extractor: embedders.map((e) => (embedders.length > 1 ? `${e.id}:${e.weight}` : e.id)).join('+'),
    embedders: timings,
    enroll: protocol.enrollCount,
    multi,
    protocol: {
      ...protocol.summary,
      imagesDir: options.source.imagesDir,
      nonMatedDirs: [...options.source.nonMatedDirs],
      distractorDirs: [...options.source.distractorDirs],
      unenrollable,
      enrolledWithFace: { people: peopleColumns.length, distractors: distractorColumns.length },
      noFaceImages,
    },
    gallerySize: full.selection.size,
    rank1: rankOneRate(full.outcomes.mated),
    fnirAtFpir: bySize(galleries, (p) => p.fnir),
    thresholdAtFpir: bySize(galleries, (p) => p.threshold),
    modelledSizes: galleries.filter((g) => g.kind === 'modelled').map((g) => g.gallerySize),
    galleries,
    modelCheck: alone.modelCheck,
    oneToOne,
    comparisons: alone.comparisons,
    demographics: alone.demographics,
    ...(otherRule ? { otherRule } : {}),
    ...(youngChildRule ? { youngChildRule } : {}),
    meanTemplate,
    siteLikeness,
    det: alone.det,
    timings: { totalMs: performance.now() - startMs },
  };
  return { report, impostors, mated: full.outcomes.mated, ...(ruleScores ? { youngChildRule: ruleScores } : {}) };
}

/** Keeps a DET curve's corners but at most ~400 points, evenly in log FPIR, so report.json stays small. */
function thinDet(points: DetPoint[]): DetPoint[] {
  if (points.length <= 400) return points;
  const out: DetPoint[] = [];
  let lastLog = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    const log = Math.log10(Math.max(p.fpir, 1e-6));
    if (log - lastLog >= 0.01 || p === points.at(-1)) {
      out.push(p);
      lastLog = log;
    }
  }
  return out;
}

/** Modelled DET points for a gallery of `size`, at FPIRs spread over 1e-4..1. */
function modelledDet(mated: readonly MatedOutcome[], impostors: ImpostorScores, size: number): Array<{ fpir: number; fnir: number }> {
  const targets = Array.from({ length: 41 }, (_, i) => 10 ** (-4 + i / 10));
  return modelledOperatingPoints(mated, impostors, size, targets).map((p) => ({ fpir: p.targetFpir, fnir: p.fnir }));
}

/**
 * Writes `report.json` and `det.svg` into `outDir`, each atomically. Non-finite numbers are written as the
 * strings "Infinity" / "-Infinity" / "NaN" (JSON has none).
 */
export async function writeIdentReport(evaluation: IdentEvaluation, outDir: string): Promise<{ jsonPath: string; svgPath: string }> {
  await mkdir(outDir, { recursive: true });
  const { report } = evaluation;
  const jsonPath = path.join(outDir, 'report.json');
  const svgPath = path.join(outDir, 'det.svg');
  const json = JSON.stringify(report, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value), 2);
  await writeFileAtomic(jsonPath, `${json}\n`);
  const curves: DetSvgCurve[] = [
    ...report.det.map((d) => ({ label: `N = ${d.gallerySize.toLocaleString('en')}, measured`, points: d.points })),
    ...report.modelledSizes.map((size) => ({ label: `N = ${size.toLocaleString('en')}, modelled`, points: modelledDet(evaluation.mated, evaluation.impostors, size), dashed: true })),
  ];
  await writeFileAtomic(svgPath, renderDetSvg(curves, { title: `Open-set identification DET — ${report.label}` }));
  return { jsonPath, svgPath };
}

const percent = (fraction: number | undefined): string => (fraction === undefined || Number.isNaN(fraction) ? '—' : `${(fraction * 100).toFixed(2)} %`);
const VERDICT_TEXT: Record<SpreadVerdict, string> = {
  above: `above ${DEMOGRAPHIC_SPREAD_TARGET}× beyond sampling noise`,
  within: `within ${DEMOGRAPHIC_SPREAD_TARGET}× beyond sampling noise`,
  undecided: `too few searches to tell against ${DEMOGRAPHIC_SPREAD_TARGET}×`,
};

const similarity = (value: number): string => (Number.isFinite(value) ? value.toFixed(4) : String(value));

const ratio = (value: number): string => (Number.isFinite(value) ? value.toFixed(1) : String(value));

/** Per gallery: FNIR at each FPIR target with its threshold, and the rates at the shipped threshold. */
function galleryLines(galleries: readonly GalleryResult[], prefix: string): string[] {
  return galleries.flatMap((g) => {
    const head = `${prefix}N = ${String(g.gallerySize).padStart(6)} ${g.kind === 'measured' ? 'measured' : 'MODELLED'}`;
    const cells = g.points.map((q) => `FNIR@FPIR${q.targetFpir} ${percent(q.fnir)} (t ${similarity(q.threshold)}${q.belowResolution ? ', below resolution' : ''})`);
    const shipped = g.atShippedThreshold;
    return [`${head}: ${cells.join(', ')}`, ...(shipped ? [`${' '.repeat(head.length)}  at the shipped threshold ${shipped.threshold}: FPIR ${percent(shipped.fpir)}, FNIR ${percent(shipped.fnir)}`] : [])];
  });
}

function modelCheckLines(checks: readonly ModelCheck[], prefix: string): string[] {
  return checks.map(
    (check) =>
      `${prefix}model check N = ${check.gallerySize}: ` +
      check.points.map((q) => `FPIR${q.targetFpir} FNIR ${percent(q.measuredFnir)} measured / ${percent(q.modelledFnir)} modelled, FPIR at that threshold ${percent(q.modelledFpirAtMeasuredThreshold)} modelled`).join('; '),
  );
}

/** FPIR per group of each label column at the shipped threshold and at the FPIR 1e-2 threshold. */
function demographicLines(demographics: IdentReport['demographics'], prefix: string): string[] {
  const spread = (title: string, spreads: GroupFpirSpread[] | null): string[] =>
    (spreads ?? []).map(
      (s) =>
        `${prefix}FPIR by ${s.column} ${title} (${similarity(s.threshold)}): ` +
        s.groups.map((g) => `${g.group} ${percent(g.fpir)} (${g.falsePositives}/${g.searches}; 95 % ${percent(g.fpirInterval95[0])}–${percent(g.fpirInterval95[1])})`).join(', ') +
        `; worst/best ${ratio(s.worstOverBest)}, ${VERDICT_TEXT[s.verdict]}`,
    );
  const modelled = (title: string, spreads: readonly ModelledGroupFpirSpread[]): string[] =>
    spreads.map(
      (s) =>
        `${prefix}FPIR by ${s.column} MODELLED from the groups' tails ${title} (${similarity(s.threshold)}, N = ${s.gallerySize}): ` +
        s.groups.map((g) => `${g.group} ${percent(g.fpir)} (95 % ${percent(g.fpirInterval95[0])}–${percent(g.fpirInterval95[1])}; ${g.exceedances} in the tail)`).join(', ') +
        `; worst/best ${ratio(s.worstOverBest)}, ${VERDICT_TEXT[s.verdict]}`,
    );
  const m = demographics.modelled;
  const check = m.tailCheck.map(
    ({ column, points }) =>
      `${prefix}tail check by ${column} (tails from ${similarity(m.tailFrom)}; comparisons predicted / counted at pool FMR ${TAIL_CHECK_POOL_FMRS.join(', ')}): ` +
      [...new Set(points.map((p) => p.group))].map((group) => `${group} ${points.filter((p) => p.group === group).map((p) => `${p.predicted.toFixed(1)}/${p.counted}`).join(' ')}`).join(', '),
  );
  return [
    ...spread('at the shipped threshold', demographics.atShippedThreshold),
    ...spread('at the FPIR 1e-2 threshold', demographics.atFpir1e2),
    ...(m.atShippedThreshold ?? []).flatMap(({ spreads }) => modelled('at the shipped threshold', spreads)),
    ...modelled('at the FPIR 1e-2 threshold', m.atFpir1e2),
    ...check,
  ];
}

/** The door's lines under the young-child rule, each starting "young-child rule:". */
function youngChildRuleLines(rule: YoungChildRuleReport): string[] {
  const prefix = 'young-child rule: ';
  const people = rule.cardOnlyIdentities.map((p) => `${p.id} (${p.estimatedAgeYears} years)`).join(', ') || 'none';
  const e = rule.estimator;
  const outscored = rule.matedOutscoredByCardOnly;
  return [
    `${prefix}card only, median estimate under ${rule.underYears} years (${e.id}: ${e.estimated} estimated, ${e.cacheHits} from the cache): ${people}; ` +
      `${rule.cardOnlyMatedSearches} mated searches of them count as misses; ${outscored.searches} other mated searches have a card-only entry above their mate` +
      (outscored.highestMateSimilarity === null ? '' : ` (not modelled; their mate similarity at most ${similarity(outscored.highestMateSimilarity)})`),
    `${prefix}rank-1 ${percent(rule.rank1)}; ${rule.comparisons.count} comparisons without the card-only entries` +
      (rule.comparisons.fmrAtShippedThreshold === null ? '' : `, FMR at the shipped threshold ${rule.comparisons.fmrAtShippedThreshold.toExponential(2)}`),
    ...galleryLines(rule.galleries, prefix),
    ...modelCheckLines(rule.modelCheck, prefix),
    ...demographicLines(rule.demographics, prefix),
  ];
}

/**
 * A few lines for a terminal: FNIR@FPIR per gallery size with thresholds, rank-1, shipped threshold, demographics,
 * and the same under the young-child rule when it was measured.
 */
function siteLikenessLines(site: IdentReport['siteLikeness']): string[] {
  const lines: string[] = [];
  const reference = site.galleryReference;
  if (reference) {
    lines.push(
      `this gallery's own reference, ${reference.comparisons} cross-person comparisons (sample with another person's mean): ` +
        reference.levels.map((level) => `FMR ${level.fmr} at ${similarity(level.similarity)}`).join(', '),
    );
  }
  const measured = site.measured;
  if (measured) {
    lines.push(
      `held as a site against the manifest's reference (${measured.comparisons} comparisons of ${measured.persons} people): ` +
        measured.levels.map((l) => `FMR ${l.fmr}: ${l.reaching} reach it, factor ${l.factor.toFixed(2)} (lower bound ${l.factorLower.toFixed(2)})`).join('; ') +
        `; applied ${measured.applied.toFixed(2)}`,
    );
  }
  const at = site.atShippedThreshold;
  if (at) lines.push(`  N = ${at.gallerySize} at the threshold raised for it ${similarity(at.threshold)}: FPIR ${percent(at.fpir)}, FNIR ${percent(at.fnir)}`);
  return lines;
}

/** The mean templates' length exponent: the one applied, and the fit (mean-template-fit.ts). */
function meanTemplateLines(meanTemplate: NonNullable<IdentReport['meanTemplate']>): string[] {
  const { applied, fit } = meanTemplate;
  if (!fit) return [`mean templates compared with length exponent ${applied}; too few people of several templates or comparisons to fit one`];
  const length = fit.meanLength;
  return [
    `mean templates compared with length exponent ${applied}; fitted on ${fit.persons} people of several templates (mean length ${length.median.toFixed(3)}, ` +
      `5–95 % ${length.p5.toFixed(3)}–${length.p95.toFixed(3)}), ${fit.comparisons} stranger comparisons: exponent ${fit.lengthExponent.toFixed(2)}`,
    `  similarity reached at FMR ` +
      fit.levels.map((l) => `${l.fmr}: first photo ${similarity(l.firstPhoto)}, mean as cosine ${similarity(l.meanCosine)}, fitted ${similarity(l.fitted)}`).join('; '),
  ];
}

export function formatIdentSummary(report: IdentReport): string {
  const p = report.protocol;
  const lines = [
    `open-set identification — ${report.label}: enroll ${report.enroll} (${report.multi}), ${p.enrolledWithFace.people} people + ${p.enrolledWithFace.distractors} distractors, ` +
      `${p.matedSearches} mated and ${p.nonMatedSearches} non-mated searches, ${p.noFaceImages} images without a face`,
    `rank-1 (closed set, N = ${report.gallerySize}): ${percent(report.rank1)}`,
    ...galleryLines(report.galleries, ''),
  ];
  for (const spread of report.oneToOne.fmrByGroupAt1e3) {
    lines.push(
      `one to one, FMR by ${spread.column} at the FMR 1e-3 threshold (${similarity(spread.threshold)}): ` +
        spread.groups.map((g) => `${g.group} ${percent(g.fmr)} (${g.falseMatches}/${g.comparisons})`).join(', ') +
        `; worst/best ${ratio(spread.worstOverBest)}`,
    );
  }
  lines.push(
    `one to one (card + face, N = 1): ` +
      Object.entries(report.oneToOne.fnmrAtFmr).map(([fmr, fnmr]) => `FNMR@FMR${fmr} ${percent(fnmr)} (t ${similarity(report.oneToOne.thresholdAtFmr[fmr] ?? Number.NaN)})`).join(', '),
  );
  lines.push(...modelCheckLines(report.modelCheck, ''), ...demographicLines(report.demographics, ''));
  if (report.otherRule) lines.push(`with ${report.otherRule.multi} over samples instead: rank-1 ${percent(report.otherRule.rank1)}, ` + Object.entries(report.otherRule.fnirAtFpir).map(([f, v]) => `FNIR@FPIR${f} ${percent(v)}`).join(', '));
  if (report.youngChildRule) lines.push(...youngChildRuleLines(report.youngChildRule));
  if (report.meanTemplate) lines.push(...meanTemplateLines(report.meanTemplate));
  lines.push(...siteLikenessLines(report.siteLikeness));
  lines.push(...report.embedders.map((e) => `${e.id} (weight ${e.weight.toFixed(2)}): ${e.embedded} embedded, ${e.cacheHits} from the cache; ${e.pipelineMedianMs.toFixed(1)} ms per image, ${e.extractMedianMs.toFixed(1)} ms extraction (medians)`));
  return lines.join('\n');
}

/**
 * The identification curve for the manifest from an evaluation: per-comparison FMR on a log grid (four points
 * a decade from 1e-1, down to where at least `minComparisons` comparisons remain above the threshold) and, at
 * the same similarities, FNIR at rank 1 on the evaluation's largest measured gallery.
 *
 * @param minComparisons default 50: the last few comparisons of a data set like LFW are mostly the same person
 *   filed under two names or relatives, not strangers; below this the curve's users extend its last segment.
 */
export function buildIdentificationCurve(evaluation: IdentEvaluation, description: string, minComparisons = 50): IdentificationCurve {
  const { impostors, mated, report } = evaluation;
  const n = impostors.descending.length;
  const points: IdentificationCurve['points'] = [];
  for (let k = 4; 10 ** (-k / 4) * n >= minComparisons; k++) {
    const fmr = 10 ** (-k / 4);
    const threshold = thresholdForShare(impostors.descending, n, fmr);
    if (!Number.isFinite(threshold) || threshold > 1) break;
    const similarity = roundedUp(threshold);
    if (points.length > 0 && similarity <= points.at(-1)!.similarity) continue;
    points.push({ similarity, fmr: Number(fmr.toPrecision(4)), fnir: round(fnirAt(mated, similarity), 5) });
  }
  const full = report.galleries.find((g) => g.gallerySize === report.gallerySize)!;
  const reference = report.siteLikeness.galleryReference;
  return {
    points,
    protocol: {
      description,
      gallerySize: report.gallerySize,
      matedSearches: full.matedSearches ?? 0,
      nonMatedSearches: full.nonMatedSearches ?? 0,
      comparisons: n,
      measuredOn: report.createdAt.slice(0, 10),
    },
    ...(reference ? { galleryReference: { comparisons: reference.comparisons, levels: reference.levels.map((l) => ({ fmr: l.fmr, similarity: roundedUp(l.similarity) })) } } : {}),
  };
}

/** A stored similarity, to 5 digits and rounded up: nothing reaches it more often than the FMR stored beside it says. */
function roundedUp(similarity: number): number {
  return Math.ceil(similarity * 1e5) / 1e5;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
