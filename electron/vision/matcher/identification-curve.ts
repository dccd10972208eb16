/**
 * Thresholds that follow the gallery: the 1:N threshold comes from a target FPIR (false-positive
 * identification rate per search) and the number of people enrolled, read off an identification curve
 * measured on dev data and stored per extractor in the manifest (`identification`, written by
 * `lintel eval ident --write-curve`).
 *
 * Model: a search by someone not enrolled is compared with each of the N enrolled people; with FMR(t) the
 * share of single comparisons reaching similarity t, and comparisons taken as independent,
 * FPIR_N(t) = 1 − (1 − FMR(t))^N. So a target FPIR asks each comparison for FMR = 1 − (1 − FPIR)^(1/N).
 * `lintel eval ident` checks this model against galleries it can measure (models/README.md, "Identification
 * at 1:N").
 *
 * Interpolation: log10 FMR is taken as linear in similarity between the curve's points (the impostor tail
 * of a cosine score is close to exponential), and FNIR as linear in similarity. Beyond the points the end
 * segments are extended: towards lower FMR that is an extrapolation, clamped to similarity ≤ 1.
 */
import type { IdentificationCurve } from '../models/manifest.js';

export type { IdentificationCurve };

/** Expected error rates of a gallery at a threshold, fractions 0..1. */
export interface ExpectedRates {
  /** Share of searches by people not enrolled that name someone. */
  fpir: number;
  /**
   * Share of searches by enrolled people not named, as measured on the dev gallery (`protocol.gallerySize`).
   * A larger gallery adds misses where someone else outscores the person (a wrong top-1); at thresholds for
   * FPIR ≤ 1e-2 that term is small next to this one, so read it as a lower bound for larger galleries.
   */
  fnir: number;
}

/** Per-comparison FMR that gives `fpir` over a gallery of `gallerySize`: 1 − (1 − fpir)^(1/N), computed without cancellation. */
export function comparisonFmrForFpir(fpir: number, gallerySize: number): number {
  if (!(gallerySize >= 1)) throw new RangeError(`gallery size must be ≥ 1, got ${gallerySize}`);
  if (fpir <= 0) return 0;
  if (fpir >= 1) return 1;
  return -Math.expm1(Math.log1p(-fpir) / gallerySize);
}

/** FPIR of a gallery of `gallerySize` when each comparison reaches the threshold with probability `fmr`. */
export function fpirForComparisonFmr(fmr: number, gallerySize: number): number {
  if (fmr <= 0) return 0;
  if (fmr >= 1) return 1;
  return -Math.expm1(gallerySize * Math.log1p(-fmr));
}

/** Index i of the segment [points[i], points[i+1]] to use for `value` of `key` (rising), end segments beyond. */
function segment(points: IdentificationCurve['points'], value: number, rising: (p: IdentificationCurve['points'][number]) => number): number {
  let i = 0;
  while (i < points.length - 2 && value > rising(points[i + 1]!)) i++;
  return i;
}

/** Per-comparison FMR at `similarity`, interpolated in log FMR; 0..1. */
export function comparisonFmrAt(curve: IdentificationCurve, similarity: number): number {
  const { points } = curve;
  const i = segment(points, similarity, (p) => p.similarity);
  const a = points[i]!;
  const b = points[i + 1]!;
  const logFmr = Math.log10(a.fmr) + ((similarity - a.similarity) / (b.similarity - a.similarity)) * (Math.log10(b.fmr) - Math.log10(a.fmr));
  return Math.min(1, 10 ** logFmr);
}

/**
 * The 1:N threshold a door identifies with among `gallerySize` people at `targetFpir`: `thresholdFor` on the
 * extractor's curve, never below its 1:1 verification threshold (the search leaves out hits below it); without a
 * curve, its fixed `identifySimilarity`. `fmrFactor`: the site's strangers match that many times more often than
 * the curve's (site-likeness.ts), default 1.
 */
export function identifyThresholdFor(
  thresholds: { readonly verifySimilarity: number; readonly identifySimilarity: number },
  curve: IdentificationCurve | undefined,
  gallerySize: number,
  targetFpir: number,
  fmrFactor = 1,
): number {
  return curve ? Math.max(thresholds.verifySimilarity, thresholdFor(curve, gallerySize, targetFpir, fmrFactor)) : thresholds.identifySimilarity;
}

/**
 * The similarity threshold (cosine, -1..1) at which a gallery of `gallerySize` people gives `targetFpir` per
 * search by someone not enrolled, e.g. `thresholdFor(curve, 1000, 1e-3)`; where strangers match `fmrFactor`
 * times more often than on the curve (a site's camera), the curve's FMR must be that many times lower.
 */
export function thresholdFor(curve: IdentificationCurve, gallerySize: number, targetFpir: number, fmrFactor = 1): number {
  if (!(targetFpir > 0 && targetFpir < 1)) throw new RangeError(`target FPIR must lie in (0, 1), got ${targetFpir}`);
  if (!(fmrFactor >= 1)) throw new RangeError(`an FMR factor must be ≥ 1 (the threshold is only ever raised for a site), got ${fmrFactor}`);
  const logFmr = Math.log10(comparisonFmrForFpir(targetFpir, Math.max(1, gallerySize)) / fmrFactor);
  const { points } = curve;
  // Segments by falling log FMR: the key that rises along the points is −log FMR.
  const i = segment(points, -logFmr, (p) => -Math.log10(p.fmr));
  const a = points[i]!;
  const b = points[i + 1]!;
  const similarity = a.similarity + ((logFmr - Math.log10(a.fmr)) / (Math.log10(b.fmr) - Math.log10(a.fmr))) * (b.similarity - a.similarity);
  return Math.max(-1, Math.min(1, similarity));
}

/** FNIR at rank 1 on the dev gallery at `similarity`, interpolated linearly and clamped to 0..1. */
function fnirAt(curve: IdentificationCurve, similarity: number): number {
  const { points } = curve;
  if (similarity <= points[0]!.similarity) return points[0]!.fnir;
  const i = segment(points, similarity, (p) => p.similarity);
  const a = points[i]!;
  const b = points[i + 1]!;
  const fnir = a.fnir + ((similarity - a.similarity) / (b.similarity - a.similarity)) * (b.fnir - a.fnir);
  return Math.max(0, Math.min(1, fnir));
}

/**
 * Expected FPIR and FNIR of a gallery of `gallerySize` at `threshold` (cosine similarity), e.g. for the System
 * screen; `fmrFactor` as in `thresholdFor` (the FNIR stays the dev gallery's: a site's own people are not counted).
 */
export function expectedRates(curve: IdentificationCurve, gallerySize: number, threshold: number, fmrFactor = 1): ExpectedRates {
  const fmr = Math.min(1, comparisonFmrAt(curve, threshold) * fmrFactor);
  return { fpir: fpirForComparisonFmr(fmr, Math.max(1, gallerySize)), fnir: fnirAt(curve, threshold) };
}

/**
 * A 0–100 match score for administrators: 10 · −log10 FMR(similarity), clamped to 0..100 and rounded to a
 * whole number. It is a decibel scale of how rarely two different people score this high: 30 means one
 * comparison in 1,000 with someone else reaches it, 50 one in 100,000, and every 10 points is ten times
 * rarer. Unlike a raw cosine, it reads the same whichever extractor made it, and the gallery-size rule stays
 * simple: a gallery of 10^k people needs about 10·k more points for the same FPIR.
 */
export function matchScore(curve: IdentificationCurve, similarity: number): number {
  const fmr = comparisonFmrAt(curve, similarity);
  if (!(fmr > 0)) return 100;
  return Math.round(Math.max(0, Math.min(100, -10 * Math.log10(fmr))));
}
