/**
 * Open-set (1:N) identification metrics, as NIST FRTE 1:N reports them, on the rank-1 result of each search.
 *
 * Decision rule: a search names its top-1 gallery identity iff that candidate's similarity ≥ threshold.
 * - FPIR(t), false-positive identification rate: share of non-mated searches (people not enrolled) whose
 *   top-1 similarity is ≥ t.
 * - FNIR(t), false-negative identification rate: share of mated searches that do not name their mate: the
 *   top-1 is below t, or the top-1 is someone else (a wrong top-1 is a miss even when above t).
 * - Rank-1 (closed-set): share of mated searches whose top-1 is their mate, whatever the similarity.
 * Searches without a face (`topSimilarity: null`) stay in every denominator: a mated one is a miss, a
 * non-mated one a correct rejection — no face, no opening, as at the door.
 *
 * Modelled figures for galleries larger than the data: with FMR(t) the share of single non-mated
 * comparisons (one search against one enrolled person) scoring ≥ t, and comparisons taken as independent,
 * FPIR_N(t) = 1 − (1 − FMR(t))^N; a mated search with mate similarity s is named at rank 1 by a gallery of
 * N when s ≥ t and none of the N − 1 others outscores it, probability (1 − FMR⁺(s))^(N−1) with FMR⁺(s) the
 * share of comparisons strictly above s. Searches by one person are correlated in reality (a face that
 * resembles someone resembles them in every photo), which the model ignores; check it against measured sizes.
 */

/** The rank-1 outcome of one mated search. */
export interface MatedOutcome {
  /** Similarity (cosine, -1..1) of the top-1 candidate; null when the search image had no face. */
  topSimilarity: number | null;
  /** True when the top-1 candidate is the searched person and may be named (not a card-only entry of the young-child rule). */
  topIsMate: boolean;
  /**
   * Similarity to the searched person's own enrolled template(s); null without a face, or when the person can never
   * be named (card-only under the young-child rule).
   */
  mateSimilarity: number | null;
}

/** Rank-1 outcomes of all searches against one gallery. */
export interface RankOneOutcomes {
  mated: readonly MatedOutcome[];
  /** Top-1 similarity of each non-mated search; null when the image had no face or the top-1 is card-only (no identification). */
  nonMatedTop: readonly (number | null)[];
}

/** One operating point. Rates are fractions 0..1. */
export interface OpenSetOperatingPoint {
  targetFpir: number;
  /** Smallest similarity threshold whose FPIR is ≤ the target (accept when similarity ≥ threshold). */
  threshold: number;
  fpir: number;
  fnir: number;
  falsePositives: number;
  /** True when the target is below 1 / (non-mated searches): only FPIR 0 qualifies, the figure is a bound. */
  belowResolution: boolean;
}

/** One point of a DET curve. */
export interface DetPoint {
  threshold: number;
  fpir: number;
  fnir: number;
}

/** Non-null values sorted descending. */
export function sortedDescending(values: Iterable<number | null>): Float64Array {
  const out: number[] = [];
  for (const value of values) if (value !== null) out.push(value);
  return Float64Array.from(out).sort().reverse();
}

/** Number of values ≥ threshold in a descending array. */
export function countAtOrAbove(descending: ArrayLike<number>, threshold: number): number {
  let low = 0;
  let high = descending.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((descending[mid] as number) >= threshold) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Number of values strictly above threshold in a descending array. */
export function countAbove(descending: ArrayLike<number>, threshold: number): number {
  let low = 0;
  let high = descending.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((descending[mid] as number) > threshold) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** FPIR at `threshold`: non-mated searches whose top-1 is ≥ threshold, over all non-mated searches. */
export function fpirAt(nonMatedTop: readonly (number | null)[], threshold: number): number {
  if (nonMatedTop.length === 0) return Number.NaN;
  let positives = 0;
  for (const top of nonMatedTop) if (top !== null && top >= threshold) positives++;
  return positives / nonMatedTop.length;
}

/** FNIR at `threshold`: mated searches whose top-1 is not their mate or is below threshold, over all mated searches. */
export function fnirAt(mated: readonly MatedOutcome[], threshold: number): number {
  if (mated.length === 0) return Number.NaN;
  let hits = 0;
  for (const m of mated) if (m.topIsMate && m.topSimilarity !== null && m.topSimilarity >= threshold) hits++;
  return 1 - hits / mated.length;
}

/** Closed-set rank-1 identification rate: mated searches whose top-1 is their mate, 0..1. */
export function rankOneRate(mated: readonly MatedOutcome[]): number {
  if (mated.length === 0) return Number.NaN;
  return mated.filter((m) => m.topIsMate && m.topSimilarity !== null).length / mated.length;
}

/**
 * The smallest threshold that lets at most floor(target × count) of the descending `scores` reach it: just above
 * the first score that must be rejected (1e-7 above it: float32 similarities near 1 are ~6e-8 apart).
 */
export function thresholdForShare(descending: ArrayLike<number>, count: number, target: number): number {
  const allowed = Math.floor(target * count + 1e-9);
  if (allowed >= descending.length) return Number.NEGATIVE_INFINITY;
  return (descending[allowed] as number) + 1e-7;
}

/** FNIR at each FPIR target, with its threshold, measured on these outcomes. */
export function operatingPoints(outcomes: RankOneOutcomes, fpirTargets: readonly number[]): OpenSetOperatingPoint[] {
  const nonMated = sortedDescending(outcomes.nonMatedTop);
  const count = outcomes.nonMatedTop.length;
  return fpirTargets.map((targetFpir) => {
    const threshold = thresholdForShare(nonMated, count, targetFpir);
    const falsePositives = countAtOrAbove(nonMated, threshold);
    return {
      targetFpir,
      threshold,
      fpir: count === 0 ? Number.NaN : falsePositives / count,
      fnir: fnirAt(outcomes.mated, threshold),
      falsePositives,
      belowResolution: targetFpir * count < 1,
    };
  });
}

/** The DET curve: one point per distinct non-mated top-1 similarity (plus the ends), FPIR falling as the threshold rises. */
export function detCurve(outcomes: RankOneOutcomes): DetPoint[] {
  const nonMated = sortedDescending(outcomes.nonMatedTop);
  const count = outcomes.nonMatedTop.length;
  const hits = sortedDescending(outcomes.mated.map((m) => (m.topIsMate ? m.topSimilarity : null)));
  const matedCount = outcomes.mated.length;
  const points: DetPoint[] = [];
  const thresholds = [Number.POSITIVE_INFINITY, ...new Set(nonMated)];
  for (const threshold of thresholds) {
    // Just above each non-mated score: the FPIR steps down there.
    const t = Number.isFinite(threshold) ? threshold + 1e-7 : threshold;
    points.push({ threshold: t, fpir: countAtOrAbove(nonMated, t) / Math.max(1, count), fnir: 1 - countAtOrAbove(hits, t) / Math.max(1, matedCount) });
  }
  points.push({ threshold: Number.NEGATIVE_INFINITY, fpir: nonMated.length / Math.max(1, count), fnir: 1 - hits.length / Math.max(1, matedCount) });
  return points.sort((a, b) => a.fpir - b.fpir || b.fnir - a.fnir);
}

/**
 * Wilson score interval of a binomial share at 95 % confidence: [low, high] around `successes / trials`. With the
 * handful of false positives a demographic group gets at a strict threshold, the interval, not the share, says
 * what the data can tell.
 */
export function wilsonInterval95(successes: number, trials: number): [number, number] {
  if (trials <= 0) return [0, 1];
  const z = 1.959964;
  const share = successes / trials;
  const denominator = 1 + (z * z) / trials;
  const centre = (share + (z * z) / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((share * (1 - share)) / trials + (z * z) / (4 * trials * trials))) / denominator;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * What the groups' 95 % intervals say about a spread target (the worst group at most `factor` times the best):
 * `'above'` when some group's lower bound exceeds `factor` times another's upper bound (the spread is beyond the
 * target whatever the sampling noise), `'within'` when the highest upper bound is at most `factor` times the
 * lowest lower bound (within it whatever the noise), else `'undecided'`: the data is too small to tell.
 */
export type SpreadVerdict = 'above' | 'within' | 'undecided';

function spreadVerdict(intervals: ReadonlyArray<readonly [number, number]>, factor: number): SpreadVerdict {
  if (intervals.length < 2) return 'within';
  const highestLow = Math.max(...intervals.map(([low]) => low));
  const lowestHigh = Math.min(...intervals.map(([, high]) => high));
  if (highestLow > factor * lowestHigh) return 'above';
  const highestHigh = Math.max(...intervals.map(([, high]) => high));
  const lowestLow = Math.min(...intervals.map(([low]) => low));
  return highestHigh <= factor * lowestLow ? 'within' : 'undecided';
}

/** The spread target of the demographic figures: the worst group's rate at most twice the best's. */
export const DEMOGRAPHIC_SPREAD_TARGET = 2;

/** FPIR of one demographic group at one threshold. */
export interface GroupFpir {
  group: string;
  searches: number;
  falsePositives: number;
  fpir: number;
  /** Wilson 95 % interval of the FPIR. */
  fpirInterval95: [number, number];
}

/** FPIR per group of one label column, and the spread. */
export interface GroupFpirSpread {
  column: string;
  threshold: number;
  groups: GroupFpir[];
  /** Highest FPIR over lowest; Infinity when the lowest is 0 and the highest is not; NaN with no false positive at all. */
  worstOverBest: number;
  worst: string | null;
  best: string | null;
  /** Whether the 95 % intervals put the spread above or within {@link DEMOGRAPHIC_SPREAD_TARGET}, or cannot tell. */
  verdict: SpreadVerdict;
}

/** FPIR per value of `labels[column]` among the non-mated searches that carry the column, at `threshold`. */
export function fpirByGroup(
  nonMated: ReadonlyArray<{ top: number | null; labels: Readonly<Record<string, string>> }>,
  column: string,
  threshold: number,
): GroupFpirSpread {
  const tally = new Map<string, { searches: number; falsePositives: number }>();
  for (const search of nonMated) {
    const group = search.labels[column];
    if (group === undefined || group === '') continue;
    const entry = tally.get(group) ?? { searches: 0, falsePositives: 0 };
    entry.searches++;
    if (search.top !== null && search.top >= threshold) entry.falsePositives++;
    tally.set(group, entry);
  }
  const groups = [...tally]
    .map(([group, t]) => ({ group, ...t, fpir: t.falsePositives / t.searches, fpirInterval95: wilsonInterval95(t.falsePositives, t.searches) }))
    .sort((a, b) => b.fpir - a.fpir || a.group.localeCompare(b.group));
  return { column, threshold, groups, ...fpirSpread(groups) };
}

/**
 * The spread of groups sorted by falling FPIR, each with its 95 % interval: worst over best (Infinity when the best is
 * 0 and the worst is not, NaN when every group is 0), their names, and the verdict against the 2× target.
 */
export function fpirSpread(groups: ReadonlyArray<{ group: string; fpir: number; fpirInterval95: readonly [number, number] }>): Pick<GroupFpirSpread, 'worstOverBest' | 'worst' | 'best' | 'verdict'> {
  const worst = groups[0];
  const best = groups.at(-1);
  return {
    worstOverBest: !worst || !best || worst.fpir === 0 ? Number.NaN : best.fpir === 0 ? Number.POSITIVE_INFINITY : worst.fpir / best.fpir,
    worst: worst?.group ?? null,
    best: best?.group ?? null,
    verdict: spreadVerdict(groups.map((g) => g.fpirInterval95), DEMOGRAPHIC_SPREAD_TARGET),
  };
}

/** One to one, per group: the share of a group's single comparisons with enrolled people that reach a threshold. */
export interface GroupFmrSpread {
  column: string;
  threshold: number;
  groups: Array<{ group: string; comparisons: number; falseMatches: number; fmr: number }>;
  /** Highest FMR over lowest; Infinity when the lowest is 0 and the highest is not; NaN with no false match at all. */
  worstOverBest: number;
}

/**
 * FMR per value of `labels[column]`: each non-mated search's scores with every enrolled identity (NaN: no face,
 * not a comparison), counted by the search's group, at `threshold`.
 */
export function fmrByGroup(searches: ReadonlyArray<{ scores: ArrayLike<number>; labels: Readonly<Record<string, string>> }>, column: string, threshold: number): GroupFmrSpread {
  const tally = new Map<string, { comparisons: number; falseMatches: number }>();
  for (const { scores, labels } of searches) {
    const group = labels[column];
    if (group === undefined || group === '') continue;
    const entry = tally.get(group) ?? { comparisons: 0, falseMatches: 0 };
    for (let i = 0; i < scores.length; i++) {
      const score = scores[i]!;
      if (Number.isNaN(score)) continue;
      entry.comparisons++;
      if (score >= threshold) entry.falseMatches++;
    }
    tally.set(group, entry);
  }
  const groups = [...tally]
    .filter(([, t]) => t.comparisons > 0)
    .map(([group, t]) => ({ group, ...t, fmr: t.falseMatches / t.comparisons }))
    .sort((a, b) => b.fmr - a.fmr || a.group.localeCompare(b.group));
  const worst = groups[0]?.fmr ?? 0;
  const best = groups.at(-1)?.fmr ?? 0;
  return { column, threshold, groups, worstOverBest: worst === 0 ? Number.NaN : best === 0 ? Number.POSITIVE_INFINITY : worst / best };
}

/** FPIR of a gallery of `gallerySize` when each comparison is a false match with probability `fmr` (independent). */
export function modelledFpir(fmr: number, gallerySize: number): number {
  if (fmr <= 0) return 0;
  if (fmr >= 1) return 1;
  return -Math.expm1(gallerySize * Math.log1p(-fmr));
}

/** The per-comparison FMR that gives `fpir` over a gallery of `gallerySize`: 1 − (1 − fpir)^(1/N). */
export function fmrForFpir(fpir: number, gallerySize: number): number {
  if (fpir <= 0) return 0;
  if (fpir >= 1) return 1;
  return -Math.expm1(Math.log1p(-fpir) / gallerySize);
}

/** Per-comparison non-mated similarities (one search against one enrolled person), sorted descending. */
export interface ImpostorScores {
  descending: Float32Array | Float64Array;
}

/** FMR(t): share of comparisons scoring ≥ t. */
export function fmrAt(impostors: ImpostorScores, threshold: number): number {
  const n = impostors.descending.length;
  return n === 0 ? Number.NaN : countAtOrAbove(impostors.descending, threshold) / n;
}

/** Modelled operating point for a gallery of `gallerySize` at `targetFpir`, from comparisons and mate similarities. */
export interface ModelledOperatingPoint {
  targetFpir: number;
  gallerySize: number;
  /** Per-comparison FMR the target asks for. */
  fmr: number;
  threshold: number;
  fnir: number;
  /** True when the FMR asked for is below 1 / comparisons: the threshold is the highest comparison's, a bound. */
  belowResolution: boolean;
}

/**
 * Modelled FNIR at `threshold` for a gallery of `gallerySize`: 1 − mean over mated searches of
 * [s ≥ t] · (1 − FMR⁺(s))^(N−1), s the mate similarity (see the module comment).
 */
export function modelledFnir(mated: readonly MatedOutcome[], impostors: ImpostorScores, gallerySize: number, threshold: number): number {
  if (mated.length === 0) return Number.NaN;
  const n = impostors.descending.length;
  let named = 0;
  for (const m of mated) {
    const s = m.mateSimilarity;
    if (s === null || s < threshold) continue;
    const fmrAbove = n === 0 ? 0 : countAbove(impostors.descending, s) / n;
    named += fmrAbove === 0 ? 1 : Math.exp((gallerySize - 1) * Math.log1p(-fmrAbove));
  }
  return 1 - named / mated.length;
}

/** Modelled threshold and FNIR at each FPIR target for a gallery of `gallerySize`. */
export function modelledOperatingPoints(
  mated: readonly MatedOutcome[],
  impostors: ImpostorScores,
  gallerySize: number,
  fpirTargets: readonly number[],
): ModelledOperatingPoint[] {
  const n = impostors.descending.length;
  return fpirTargets.map((targetFpir) => {
    const fmr = fmrForFpir(targetFpir, gallerySize);
    const threshold = thresholdForShare(impostors.descending, n, fmr);
    return { targetFpir, gallerySize, fmr, threshold, fnir: modelledFnir(mated, impostors, gallerySize, threshold), belowResolution: fmr * n < 1 };
  });
}
