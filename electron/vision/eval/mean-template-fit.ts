/**
 * How much of a mean template's length the door's similarities keep (PersonGallery `lengthExponent`).
 *
 * The identification curve is measured with one photo a person. The door searches a person by the normalised
 * mean of their samples, and the more the samples differ the closer strangers come to that mean: on LFW's 291
 * people enrolled from 3 photos, the similarity 1 in 100,000 stranger comparisons reach is 0.479 against 0.457
 * for their first photo alone, and FPIR at the door's threshold is 0.29 % where the curve promises 0.1 %.
 * Multiplying the cosine by the mean's length (1 for one sample, shorter the more the samples differ) raised to
 * an exponent takes that back. The exponent is fitted without counting a single false positive: the one whose
 * stranger comparisons reach the same similarities, at FMR 1e-3, 1e-4 and 1e-5, as the same strangers reach
 * against each person's first photo alone (least squares over the levels with at least 10 comparisons).
 */
import { scoreMatrix } from './score-matrix.js';
import { median, percentile } from '../statistics.js';

/** The exponents tried: 0 to 1 in steps of 0.05. */
const EXPONENT_STEPS = 20;
/** The FMR levels compared. */
const FIT_FMRS = [1e-3, 1e-4, 1e-5] as const;
/** A level counts only where at least this many comparisons reach it. */
const MIN_REACHING = 10;

/** What the fit found. */
export interface MeanTemplateFit {
  /** The exponent that fits best (0..1). */
  lengthExponent: number;
  /** People with two or more templates the fit was made on. */
  persons: number;
  /** Stranger comparisons with them (strangers × people). */
  comparisons: number;
  /** Their mean templates' lengths. */
  meanLength: { median: number; p5: number; p95: number };
  /** At each level: the similarity reached against the first photo, the mean as a cosine, and the mean at the fit. */
  levels: Array<{ fmr: number; firstPhoto: number; meanCosine: number; fitted: number }>;
}

/** The `k`-th highest value (k ≥ 1) of `values`, which it sorts in place. */
function kthHighest(values: Float32Array, k: number): number {
  values.sort();
  return values[values.length - k]!;
}

/** Every finite value of the row-major score matrix, as one array. */
function finiteScores(matrix: Float32Array): Float32Array {
  let count = 0;
  for (const value of matrix) if (!Number.isNaN(value)) count++;
  const out = new Float32Array(count);
  let k = 0;
  for (const value of matrix) if (!Number.isNaN(value)) out[k++] = value;
  return out;
}

/**
 * Fits the exponent on `identities` (each person's unit templates; those with one are left out) searched by
 * `strangers` (unit templates of people none of them is); null with no person of two or more templates or too
 * few comparisons for the first level.
 */
export function fitMeanLengthExponent(strangers: readonly Float32Array[], identities: readonly (readonly Float32Array[])[]): MeanTemplateFit | null {
  const several = identities.filter((templates) => templates.length > 1);
  if (several.length === 0 || strangers.length === 0) return null;
  const dimension = several[0]![0]!.length;
  const lengths: number[] = [];
  const means = several.map((templates) => {
    const sum = new Float32Array(dimension);
    for (const t of templates) for (let d = 0; d < dimension; d++) sum[d] = sum[d]! + t[d]!;
    let norm = 0;
    for (const v of sum) norm += v * v;
    norm = Math.sqrt(norm);
    lengths.push(norm / templates.length);
    return [sum.map((v) => v / norm)];
  });
  const firstPhoto = finiteScores(scoreMatrix(strangers, several.map((templates) => [templates[0]!]), 'max'));
  const cosines = scoreMatrix(strangers, means, 'max');
  const comparisons = firstPhoto.length;
  const levels = FIT_FMRS.map((fmr) => ({ fmr, k: Math.ceil(fmr * comparisons) })).filter(({ k }) => k >= MIN_REACHING);
  if (levels.length === 0) return null;
  const reference = levels.map(({ k }) => kthHighest(firstPhoto, k));

  // Each comparison's scale by its person (the column): length ** exponent.
  const people = several.length;
  const quantilesAt = (exponent: number): number[] => {
    const scales = lengths.map((length) => length ** exponent);
    const scaled = new Float32Array(cosines.length);
    let n = 0;
    for (let i = 0; i < cosines.length; i++) {
      const value = cosines[i]!;
      if (!Number.isNaN(value)) scaled[n++] = value * scales[i % people]!;
    }
    const all = scaled.subarray(0, n);
    return levels.map(({ k }) => kthHighest(all, k));
  };
  let best = { exponent: 0, error: Number.POSITIVE_INFINITY, quantiles: [] as number[] };
  for (let step = 0; step <= EXPONENT_STEPS; step++) {
    const exponent = step / EXPONENT_STEPS;
    const quantiles = quantilesAt(exponent);
    const error = quantiles.reduce((sum, q, i) => sum + (q - reference[i]!) ** 2, 0);
    if (error < best.error) best = { exponent, error, quantiles };
  }
  const asCosine = quantilesAt(0);
  const sortedLengths = [...lengths].sort((a, b) => a - b);
  return {
    lengthExponent: best.exponent,
    persons: people,
    comparisons,
    meanLength: { median: median(sortedLengths), p5: percentile(sortedLengths, 0.05), p95: percentile(sortedLengths, 0.95) },
    levels: levels.map(({ fmr }, i) => ({ fmr, firstPhoto: reference[i]!, meanCosine: asCosine[i]!, fitted: best.quantiles[i]! })),
  };
}
