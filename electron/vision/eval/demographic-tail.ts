/**
 * Demographic FPIR where the data holds too few false positives to count: at the door's threshold a group of
 * ~700 strangers expects under one false positive, so counted FPIR per group cannot tell a 2× spread from noise.
 * What each group does have is hundreds of thousands of single comparisons with the enrolled people, and their
 * upper tail. Modelled here as FRTE's demographic reports read FMR per group, extended by the same tail model the
 * identification curve uses (log FMR linear in similarity, i.e. an exponential tail):
 *
 * - Tail: above `tailFrom` (the similarity the whole pool reaches with FMR 1e-3), a group's comparisons that
 *   exceed it are taken as `tailFrom` + an exponential excess; rate λ_g by maximum likelihood, k / Σ(s − tailFrom).
 *   FMR_g(t) = (k / n) · e^(−λ_g (t − tailFrom)) for t ≥ tailFrom (n the group's comparisons).
 * - FPIR_g(t) over a gallery of N = 1 − (1 − FMR_g(t))^N, as the gallery-size model (comparisons independent).
 * - Uncertainty: the group's searches resampled with replacement (a search's comparisons stay together: a face that
 *   resembles one enrolled person resembles them in every comparison), the tail fitted again each time; the 2.5th
 *   and 97.5th percentiles of FPIR_g are its interval, and the verdict reads them as the counted spread's does.
 *
 * It is a model: it says what the groups' tails imply, not what was counted. `tailCheck` compares its predictions
 * with the counts where there are counts (each group's comparisons above stricter thresholds of the pool, and the
 * counted FPIR at a threshold with enough false positives).
 */
import { createSeededRandom } from '../matcher/seeded-random.js';
import { fpirSpread, type SpreadVerdict } from './open-set-metrics.js';

/** One non-mated search: its similarity to every enrolled identity that can be named (NaN: no face), and its labels. */
export interface LabelledSearchScores {
  scores: ArrayLike<number>;
  labels: Readonly<Record<string, string>>;
}

/** What the tail fit needs of one search: its comparisons, and those at or above `tailFrom` with their excess. */
interface SearchTail {
  comparisons: number;
  exceedances: number;
  /** Σ (s − tailFrom) over the exceedances. */
  excessSum: number;
}

/** An exponential tail fitted above `tailFrom`. */
export interface ExponentialTail {
  tailFrom: number;
  comparisons: number;
  exceedances: number;
  /** λ, per unit of similarity: FMR falls by e for every 1/λ of similarity above `tailFrom`. */
  ratePerSimilarity: number;
}

/** Fewer exceedances than this and a group's tail is not fitted: its interval is [0, 1]. */
export const MIN_TAIL_EXCEEDANCES = 10;

function tailOf(searches: readonly SearchTail[], tailFrom: number): ExponentialTail {
  let comparisons = 0;
  let exceedances = 0;
  let excessSum = 0;
  for (const s of searches) {
    comparisons += s.comparisons;
    exceedances += s.exceedances;
    excessSum += s.excessSum;
  }
  return { tailFrom, comparisons, exceedances, ratePerSimilarity: excessSum > 0 ? exceedances / excessSum : Number.POSITIVE_INFINITY };
}

/** Per-comparison FMR the tail gives at `threshold` (≥ its `tailFrom`; below it, the share at `tailFrom`). */
export function tailFmrAt(tail: ExponentialTail, threshold: number): number {
  if (tail.comparisons === 0 || tail.exceedances === 0) return 0;
  const share = tail.exceedances / tail.comparisons;
  const above = threshold - tail.tailFrom;
  return above <= 0 ? share : share * Math.exp(-tail.ratePerSimilarity * above);
}

/** Fits an exponential tail above `tailFrom` to every comparison of `scores` (NaN left out). */
export function fitExponentialTail(scores: ArrayLike<number>, tailFrom: number): ExponentialTail {
  return tailOf([searchTail(scores, tailFrom)], tailFrom);
}

function searchTail(scores: ArrayLike<number>, tailFrom: number): SearchTail {
  let comparisons = 0;
  let exceedances = 0;
  let excessSum = 0;
  for (let i = 0; i < scores.length; i++) {
    const score = scores[i]!;
    if (Number.isNaN(score)) continue;
    comparisons++;
    if (score >= tailFrom) {
      exceedances++;
      excessSum += score - tailFrom;
    }
  }
  return { comparisons, exceedances, excessSum };
}

function fpirOver(fmr: number, gallerySize: number): number {
  if (fmr <= 0) return 0;
  if (fmr >= 1) return 1;
  return -Math.expm1(gallerySize * Math.log1p(-fmr));
}

/** One group's modelled FPIR. */
export interface GroupModelledFpir {
  group: string;
  searches: number;
  comparisons: number;
  /** Comparisons at or above `tailFrom`: what the tail is fitted on. */
  exceedances: number;
  ratePerSimilarity: number;
  fmr: number;
  fpir: number;
  /** 2.5th and 97.5th percentiles over the resampled searches; [0, 1] when the tail has too few exceedances. */
  fpirInterval95: [number, number];
}

/** Modelled FPIR per group of one label column at one threshold and gallery size, and the spread. */
export interface ModelledGroupFpirSpread {
  column: string;
  threshold: number;
  gallerySize: number;
  tailFrom: number;
  groups: GroupModelledFpir[];
  /** Highest modelled FPIR over the lowest (point estimates); NaN when every group is 0. */
  worstOverBest: number;
  worst: string | null;
  best: string | null;
  verdict: SpreadVerdict;
}

/** Options of {@link modelledFpirByGroup}. */
export interface ModelledFpirOptions {
  /** Resamples for the intervals; default 400. */
  resamples?: number;
  seed?: number;
}

/** Searches split by the value of `labels[column]`, each reduced to what the tail needs; groups without a label left out. */
export function searchTailsByGroup(searches: readonly LabelledSearchScores[], column: string, tailFrom: number): Map<string, SearchTail[]> {
  const byGroup = new Map<string, SearchTail[]>();
  for (const search of searches) {
    const group = search.labels[column];
    if (group === undefined || group === '') continue;
    const tail = searchTail(search.scores, tailFrom);
    if (tail.comparisons === 0) continue;
    const list = byGroup.get(group) ?? [];
    list.push(tail);
    byGroup.set(group, list);
  }
  return byGroup;
}

/**
 * Modelled FPIR per value of `labels[column]` at `threshold` over a gallery of `gallerySize`, each group's tail fitted
 * above `tailFrom` (which must not exceed `threshold`); see the module comment.
 */
export function modelledFpirByGroup(
  searches: readonly LabelledSearchScores[],
  column: string,
  threshold: number,
  gallerySize: number,
  tailFrom: number,
  options: ModelledFpirOptions = {},
): ModelledGroupFpirSpread {
  if (threshold < tailFrom) throw new RangeError(`threshold ${threshold} is below the tail's start ${tailFrom}: count there instead`);
  const resamples = options.resamples ?? 400;
  const random = createSeededRandom(options.seed ?? 1);
  const groups: GroupModelledFpir[] = [];
  for (const [group, tails] of [...searchTailsByGroup(searches, column, tailFrom)].sort(([a], [b]) => a.localeCompare(b))) {
    const tail = tailOf(tails, tailFrom);
    const fmr = tailFmrAt(tail, threshold);
    let interval: [number, number] = [0, 1];
    if (tail.exceedances >= MIN_TAIL_EXCEEDANCES) {
      const draws = new Float64Array(resamples);
      const sample: SearchTail[] = new Array(tails.length);
      for (let r = 0; r < resamples; r++) {
        for (let i = 0; i < tails.length; i++) sample[i] = tails[Math.floor(random() * tails.length)]!;
        draws[r] = fpirOver(tailFmrAt(tailOf(sample, tailFrom), threshold), gallerySize);
      }
      draws.sort();
      interval = [draws[Math.floor(0.025 * (resamples - 1))]!, draws[Math.ceil(0.975 * (resamples - 1))]!];
    }
    groups.push({ group, searches: tails.length, comparisons: tail.comparisons, exceedances: tail.exceedances, ratePerSimilarity: tail.ratePerSimilarity, fmr, fpir: fpirOver(fmr, gallerySize), fpirInterval95: interval });
  }
  groups.sort((a, b) => b.fpir - a.fpir || a.group.localeCompare(b.group));
  return { column, threshold, gallerySize, tailFrom, groups, ...fpirSpread(groups) };
}

/** How one group's tail predicts its counted comparisons above a stricter threshold. */
export interface TailCheckPoint {
  group: string;
  /** The pool's FMR at the threshold (1e-4, 1e-5 …) and the threshold. */
  poolFmr: number;
  threshold: number;
  predicted: number;
  counted: number;
}

/**
 * The tail model against the counts: for each group, comparisons predicted and counted at or above the thresholds
 * where the pool's FMR is each of `poolFmrs`, the tail fitted above `tailFrom` as {@link modelledFpirByGroup} does.
 */
export function tailCheck(
  searches: readonly LabelledSearchScores[],
  column: string,
  tailFrom: number,
  thresholds: ReadonlyArray<{ poolFmr: number; threshold: number }>,
): TailCheckPoint[] {
  const points: TailCheckPoint[] = [];
  const byGroup = new Map<string, LabelledSearchScores[]>();
  for (const search of searches) {
    const group = search.labels[column];
    if (group === undefined || group === '') continue;
    const list = byGroup.get(group) ?? [];
    list.push(search);
    byGroup.set(group, list);
  }
  for (const [group, list] of [...byGroup].sort(([a], [b]) => a.localeCompare(b))) {
    const tail = tailOf(list.map((s) => searchTail(s.scores, tailFrom)), tailFrom);
    for (const { poolFmr, threshold } of thresholds) {
      let counted = 0;
      for (const { scores } of list) for (let i = 0; i < scores.length; i++) if (scores[i]! >= threshold) counted++;
      points.push({ group, poolFmr, threshold, predicted: tailFmrAt(tail, threshold) * tail.comparisons, counted });
    }
  }
  return points;
}
