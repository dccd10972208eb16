/**
 * `lintel eval ident`: open-set (1:N) identification on a protocol built by open-set-protocol.ts. Embeds every
 * image once per model (through an {@link EmbeddingCache}), fuses models at score level, scores every search
 * against every enrolled identity, and reports FNIR at FPIR per gallery size (measured where the data holds
 * that many identities, modelled from per-comparison scores beyond), rank-1, the rates at the manifest's
 * identify threshold and FPIR per demographic group. The embedders are arguments: this module loads no model.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { createDotProducts, createWasmMemory, ROW_ALIGN_FLOATS, WASM_PAGE_BYTES } from '../matcher/dot-products.js';
import { createSeededRandom } from '../matcher/seeded-random.js';
import { l2Normalize } from '../matcher/similarity.js';
import type { IdentificationCurve } from '../models/manifest.js';
import { median } from '../statistics.js';
import { renderDetSvg, type DetSvgCurve } from './det-svg.js';
import type { CachedEmbedding, EmbeddingCache } from './embedding-cache.js';
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
import { writeFileAtomic } from '../../shared/write-file-atomic.js';

/** FPIR targets of NIST FRTE 1:N. */
export const DEFAULT_FPIR_TARGETS: readonly number[] = [1e-1, 1e-2, 3e-3, 1e-3];

/** One model of a (possibly fused) extractor. */
export interface IdentEmbedder {
  /** Model id. */
  id: string;
  /** Weight of this model's cosine in the fused score; normalised over the models to sum to 1. */
  weight: number;
  /** Where this model's embeddings are kept between runs; none: embed every time. */
  cache?: EmbeddingCache;
  /** Embeds the face of one image; `embedding` null when no face was found. */
  embed(imagePath: string): Promise<CachedEmbedding>;
}

/** How the templates of a person enrolled with several images are searched. */
export type MultiSampleRule = 'max' | 'mean';

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
  const perModel = embedders.map(() => new Map<string, CachedEmbedding>());
  const timings: EmbedderTimings[] = [];
  let done = 0;
  const total = unique.length * embedders.length;
  for (const [index, embedder] of embedders.entries()) {
    let hits = 0;
    let embedded = 0;
    const pipelineMs: number[] = [];
    const extractMs: number[] = [];
    for (const image of unique) {
      let value = await embedder.cache?.get(image);
      if (value) hits++;
      else {
        value = await embedder.embed(image);
        embedded++;
        await embedder.cache?.put(image, value);
        if (embedded % 200 === 0) await embedder.cache?.flush();
      }
      if (value.embedding !== null) {
        pipelineMs.push(value.pipelineMs);
        if (value.extractMs !== null) extractMs.push(value.extractMs);
      }
      perModel[index]!.set(image, value);
      onProgress?.(++done, total);
    }
    await embedder.cache?.flush();
    pipelineMs.sort((a, b) => a - b);
    extractMs.sort((a, b) => a - b);
    timings.push({ id: embedder.id, weight: embedder.weight / totalWeight, cacheHits: hits, embedded, pipelineMedianMs: median(pipelineMs), extractMedianMs: median(extractMs) });
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

/**
 * Similarities of every search (rows) against every enrolled identity (columns), row-major: per identity the
 * best of its templates ('max') or its mean template ('mean'). A search without a face gets a row of NaN; an
 * identity without any template a column of NaN. Uses the gallery's WebAssembly SIMD kernel.
 */
export function scoreMatrix(
  searches: readonly (Float32Array | null)[],
  identities: readonly (readonly Float32Array[])[],
  rule: MultiSampleRule,
): Float32Array {
  const dimension = searches.find((s) => s !== null)?.length ?? identities.flat()[0]?.length ?? 0;
  const rows: Float32Array[] = [];
  const rowOwner: number[] = [];
  identities.forEach((templates, identity) => {
    if (templates.length === 0) return;
    if (rule === 'mean') {
      const sum = new Float32Array(dimension);
      for (const t of templates) for (let d = 0; d < dimension; d++) sum[d] = sum[d]! + t[d]!;
      rows.push(l2Normalize(sum));
      rowOwner.push(identity);
    } else {
      for (const t of templates) {
        rows.push(t);
        rowOwner.push(identity);
      }
    }
  });
  const out = new Float32Array(searches.length * identities.length).fill(Number.NaN);
  if (rows.length === 0 || dimension === 0) return out;
  const stride = Math.ceil(dimension / ROW_ALIGN_FLOATS) * ROW_ALIGN_FLOATS;
  const probeAt = 0;
  const matrixAt = stride;
  const scoresAt = matrixAt + rows.length * stride;
  const memory = createWasmMemory(Math.ceil(((scoresAt + rows.length) * 4) / WASM_PAGE_BYTES) + 1);
  const heap = new Float32Array(memory.buffer);
  rows.forEach((row, r) => heap.set(row, matrixAt + r * stride));
  const dots = createDotProducts(memory);
  searches.forEach((search, s) => {
    if (search === null) return;
    heap.fill(0, probeAt, probeAt + stride);
    heap.set(search, probeAt);
    dots.run(matrixAt, probeAt, rows.length, stride, scoresAt);
    const base = s * identities.length;
    for (let r = 0; r < rows.length; r++) {
      const score = heap[scoresAt + r]!;
      const at = base + rowOwner[r]!;
      const current = out[at]!;
      if (Number.isNaN(current) || score > current) out[at] = score;
    }
  });
  return out;
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

/** Rank-1 outcomes of the searches against the identities in `columns`. */
export function rankOneOutcomes(
  scores: Float32Array,
  identityCount: number,
  columns: Int32Array,
  mated: ReadonlyArray<{ row: number; mateColumn: number }>,
  nonMatedRows: readonly number[],
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
      return { topSimilarity: t.similarity, topIsMate: t.column === mateColumn, mateSimilarity: Number.isNaN(mateScore) ? null : mateScore };
    }),
    nonMatedTop: nonMatedRows.map((row) => top(row).similarity),
  };
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
  demographics: { atShippedThreshold: GroupFpirSpread[] | null; atFpir1e2: GroupFpirSpread[] };
  /** Rank-1 / FNIR@FPIR on the largest gallery under the other multi-sample rule (enroll > 1 only). */
  otherRule?: { multi: MultiSampleRule; rank1: number; fnirAtFpir: Record<string, number> };
  det: Array<{ gallerySize: number; points: DetPoint[] }>;
  timings: { totalMs: number };
}

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
  fpirTargets?: readonly number[];
  /** The manifest's identify threshold; null for a fusion. */
  shippedThreshold: number | null;
  /** Seed of the gallery subsampling; default 1. */
  seed?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Everything {@link evaluateIdentification} returns: the report and what a curve for the manifest needs. */
export interface IdentEvaluation {
  report: IdentReport;
  impostors: ImpostorScores;
  /** Mated outcomes on the largest measured gallery. */
  mated: readonly MatedOutcome[];
}

const key = (fpir: number): string => String(fpir);
/** FMR targets of the one-to-one figures (card + face): the terminal's default target per search is 1e-3. */
const ONE_TO_ONE_FMR_TARGETS = [1e-2, 1e-3, 1e-4, 1e-5] as const;

function shuffled(count: number, seed: number): number[] {
  const random = createSeededRandom(seed);
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Runs the evaluation; see the module comment. */
export async function evaluateIdentification(options: EvaluateIdentificationOptions): Promise<IdentEvaluation> {
  const startMs = performance.now();
  const { protocol, embedders, gallerySizes, multi = 'max', fpirTargets = DEFAULT_FPIR_TARGETS, shippedThreshold, seed = 1 } = options;
  const images = [...protocol.subjects.flatMap((s) => s.images), ...protocol.mated.map((m) => m.image), ...protocol.nonMated.map((m) => m.image)];
  const { fused, timings } = await embedImages(images, embedders, options.onProgress);
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
  const matrices = rules.map((rule) => scoreMatrix(searchVectors, identities, rule));
  const scores = matrices[0]!;
  const identityCount = identities.length;

  const peopleColumns = isDistractor.map((d, c) => (d ? -1 : c)).filter((c) => c >= 0);
  const distractorColumns = isDistractor.map((d, c) => (d ? c : -1)).filter((c) => c >= 0);
  const peopleOrder = shuffled(peopleColumns.length, seed).map((i) => peopleColumns[i]!);
  const distractorOrder = shuffled(distractorColumns.length, seed + 1).map((i) => distractorColumns[i]!);
  const maxMeasured = identityCount;
  const sizes = [...new Set([...gallerySizes, maxMeasured])].sort((a, b) => a - b);
  const selections = new Map<number, GallerySelection>();
  for (const size of sizes.filter((n) => n <= maxMeasured)) {
    // Smaller than the people enrolled: a random subset of them, no distractor; larger: everyone plus distractors.
    const columns = size <= peopleOrder.length ? peopleOrder.slice(0, size) : [...peopleOrder, ...distractorOrder.slice(0, size - peopleOrder.length)];
    selections.set(size, { size, columns: Int32Array.from(columns), people: Math.min(size, peopleOrder.length), distractors: Math.max(0, size - peopleOrder.length) });
  }

  // Every non-mated search against every identity: the per-comparison scores of the model.
  const comparisons = new Float32Array(nonMatedRows.length * identityCount);
  let comparisonCount = 0;
  for (const row of nonMatedRows) {
    const base = row * identityCount;
    for (let c = 0; c < identityCount; c++) {
      const score = scores[base + c]!;
      if (!Number.isNaN(score)) comparisons[comparisonCount++] = score;
    }
  }
  const impostors: ImpostorScores = { descending: comparisons.subarray(0, comparisonCount).sort().reverse() };

  const galleries: GalleryResult[] = [];
  const det: IdentReport['det'] = [];
  const modelCheck: ModelCheck[] = [];
  let largest: { outcomes: RankOneOutcomes; selection: GallerySelection } | undefined;
  for (const size of sizes) {
    const selection = selections.get(size);
    if (!selection) {
      // Beyond the data: modelled from the comparisons and the mated searches' own similarities.
      const mated = largest!.outcomes.mated;
      const points = modelledOperatingPoints(mated, impostors, size, fpirTargets).map((p) => ({ targetFpir: p.targetFpir, threshold: p.threshold, fnir: p.fnir, belowResolution: p.belowResolution }));
      galleries.push({
        gallerySize: size,
        kind: 'modelled',
        points,
        ...(shippedThreshold === null
          ? {}
          : { atShippedThreshold: { threshold: shippedThreshold, fpir: modelledFpir(fmrAt(impostors, shippedThreshold), size), fnir: modelledFnir(mated, impostors, size, shippedThreshold) } }),
      });
      continue;
    }
    const inGallery = new Set(selection.columns);
    const mated = matedRows.filter((m) => inGallery.has(m.mateColumn));
    const outcomes = rankOneOutcomes(scores, identityCount, selection.columns, mated, nonMatedRows);
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
      ...(shippedThreshold === null
        ? {}
        : { atShippedThreshold: { threshold: shippedThreshold, fpir: fpirAt(outcomes.nonMatedTop, shippedThreshold), fnir: fnirAt(outcomes.mated, shippedThreshold) } }),
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
  // A gallery of one: the single comparisons themselves, with the mated searches' own similarities.
  const oneToOnePoints = modelledOperatingPoints(full.outcomes.mated, impostors, 1, ONE_TO_ONE_FMR_TARGETS);
  const labelColumns = [...new Set(protocol.nonMated.flatMap((s) => Object.keys(s.labels)))].sort();
  const searchScores = protocol.nonMated.map((s, i) => ({ scores: scores.subarray(nonMatedRows[i]! * identityCount, (nonMatedRows[i]! + 1) * identityCount), labels: s.labels }));
  const oneToOne = {
    fnmrAtFmr: Object.fromEntries(oneToOnePoints.map((p) => [key(p.targetFpir), p.fnir])),
    thresholdAtFmr: Object.fromEntries(oneToOnePoints.map((p) => [key(p.targetFpir), p.threshold])),
    // Whether a stranger holding someone's card gets in as rarely whatever their group.
    fmrByGroupAt1e3: labelColumns.map((column) => fmrByGroup(searchScores, column, oneToOnePoints.find((p) => p.targetFpir === 1e-3)!.threshold)),
  };
  const fpir1e2Threshold = operatingPoints(full.outcomes, [1e-2])[0]!.threshold;
  const labelled = protocol.nonMated.map((s, i) => ({ top: full.outcomes.nonMatedTop[i]!, labels: s.labels }));
  const columns = [...new Set(protocol.nonMated.flatMap((s) => Object.keys(s.labels)))].sort();
  const spreadAt = (threshold: number): GroupFpirSpread[] => columns.map((c) => fpirByGroup(labelled, c, threshold));

  let otherRule: IdentReport['otherRule'];
  if (matrices.length > 1) {
    const other = rankOneOutcomes(matrices[1]!, identityCount, full.selection.columns, matedRows, nonMatedRows);
    otherRule = {
      multi: rules[1]!,
      rank1: rankOneRate(other.mated),
      fnirAtFpir: Object.fromEntries(operatingPoints(other, fpirTargets).map((p) => [key(p.targetFpir), p.fnir])),
    };
  }
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
    fnirAtFpir: Object.fromEntries(galleries.map((g) => [String(g.gallerySize), Object.fromEntries(g.points.map((p) => [key(p.targetFpir), p.fnir]))])),
    thresholdAtFpir: Object.fromEntries(galleries.map((g) => [String(g.gallerySize), Object.fromEntries(g.points.map((p) => [key(p.targetFpir), p.threshold]))])),
    modelledSizes: galleries.filter((g) => g.kind === 'modelled').map((g) => g.gallerySize),
    galleries,
    modelCheck,
    oneToOne,
    comparisons: { count: impostors.descending.length, fmrAtShippedThreshold: shippedThreshold === null ? null : fmrAt(impostors, shippedThreshold) },
    demographics: { atShippedThreshold: shippedThreshold === null ? null : spreadAt(shippedThreshold), atFpir1e2: spreadAt(fpir1e2Threshold) },
    ...(otherRule ? { otherRule } : {}),
    det,
    timings: { totalMs: performance.now() - startMs },
  };
  return { report, impostors, mated: full.outcomes.mated };
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

/** A few lines for a terminal: FNIR@FPIR per gallery size with thresholds, rank-1, shipped threshold, demographics. */
export function formatIdentSummary(report: IdentReport): string {
  const p = report.protocol;
  const lines = [
    `open-set identification — ${report.label}: enroll ${report.enroll} (${report.multi}), ${p.enrolledWithFace.people} people + ${p.enrolledWithFace.distractors} distractors, ` +
      `${p.matedSearches} mated and ${p.nonMatedSearches} non-mated searches, ${p.noFaceImages} images without a face`,
    `rank-1 (closed set, N = ${report.gallerySize}): ${percent(report.rank1)}`,
  ];
  for (const g of report.galleries) {
    const head = `N = ${String(g.gallerySize).padStart(6)} ${g.kind === 'measured' ? 'measured' : 'MODELLED'}`;
    const cells = g.points.map((q) => `FNIR@FPIR${q.targetFpir} ${percent(q.fnir)} (t ${similarity(q.threshold)}${q.belowResolution ? ', below resolution' : ''})`);
    lines.push(`${head}: ${cells.join(', ')}`);
    if (g.atShippedThreshold) lines.push(`${' '.repeat(head.length)}  at the shipped threshold ${g.atShippedThreshold.threshold}: FPIR ${percent(g.atShippedThreshold.fpir)}, FNIR ${percent(g.atShippedThreshold.fnir)}`);
  }
  for (const spread of report.oneToOne.fmrByGroupAt1e3) {
    lines.push(
      `one to one, FMR by ${spread.column} at the FMR 1e-3 threshold (${similarity(spread.threshold)}): ` +
        spread.groups.map((g) => `${g.group} ${percent(g.fmr)} (${g.falseMatches}/${g.comparisons})`).join(', ') +
        `; worst/best ${Number.isFinite(spread.worstOverBest) ? spread.worstOverBest.toFixed(1) : String(spread.worstOverBest)}`,
    );
  }
  lines.push(
    `one to one (card + face, N = 1): ` +
      Object.entries(report.oneToOne.fnmrAtFmr).map(([fmr, fnmr]) => `FNMR@FMR${fmr} ${percent(fnmr)} (t ${similarity(report.oneToOne.thresholdAtFmr[fmr] ?? Number.NaN)})`).join(', '),
  );
  for (const check of report.modelCheck) {
    lines.push(
      `model check N = ${check.gallerySize}: ` +
        check.points.map((q) => `FPIR${q.targetFpir} FNIR ${percent(q.measuredFnir)} measured / ${percent(q.modelledFnir)} modelled, FPIR at that threshold ${percent(q.modelledFpirAtMeasuredThreshold)} modelled`).join('; '),
    );
  }
  const spread = (title: string, spreads: GroupFpirSpread[] | null): void => {
    if (!spreads) return;
    for (const s of spreads) {
      lines.push(
        `FPIR by ${s.column} ${title} (${similarity(s.threshold)}): ` +
          s.groups.map((g) => `${g.group} ${percent(g.fpir)} (${g.falsePositives}/${g.searches}; 95 % ${percent(g.fpirInterval95[0])}–${percent(g.fpirInterval95[1])})`).join(', ') +
          `; worst/best ${Number.isFinite(s.worstOverBest) ? s.worstOverBest.toFixed(1) : String(s.worstOverBest)}, ${VERDICT_TEXT[s.verdict]}`,
      );
    }
  };
  spread('at the shipped threshold', report.demographics.atShippedThreshold);
  spread('at the FPIR 1e-2 threshold', report.demographics.atFpir1e2);
  if (report.otherRule) lines.push(`with ${report.otherRule.multi} over samples instead: rank-1 ${percent(report.otherRule.rank1)}, ` + Object.entries(report.otherRule.fnirAtFpir).map(([f, v]) => `FNIR@FPIR${f} ${percent(v)}`).join(', '));
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
    // Rounded up, so the stored threshold never lets more comparisons through than the FMR says.
    const similarity = Math.ceil(threshold * 1e5) / 1e5;
    if (points.length > 0 && similarity <= points.at(-1)!.similarity) continue;
    points.push({ similarity, fmr: Number(fmr.toPrecision(4)), fnir: round(fnirAt(mated, similarity), 5) });
  }
  const full = report.galleries.find((g) => g.gallerySize === report.gallerySize)!;
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
  };
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
