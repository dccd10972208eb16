/**
 * Presentation-attack detection metrics after ISO/IEC 30107-3, on clip scores where higher means "more like a
 * bona-fide presentation": APCER per attack species, the worst species, BPCER, BPCER at an APCER target
 * (BPCER20 = BPCER at APCER 5 %), EER and the DET curve.
 *
 * Decision rule everywhere: a clip is accepted as bona fide iff its score is not null and `score >= threshold`.
 * APCER (of a species) = accepted attacks / attacks of that species; BPCER = rejected bona-fide clips / bona-fide
 * clips. A clip without a score (no face in any frame) is a non-response: the standard counts it apart
 * (APNRR / BPNRR), so it is in no APCER or BPCER denominator. Rates are fractions 0..1.
 *
 * Resolution: with n clips of a species the smallest non-zero APCER is 1/n (Replay-Attack devel: 30 clips per
 * species and support, 60 bona-fide clips), so "APCER ≤ 5 %" there means at most one accepted clip.
 */

/** A clip's score and what it was. */
export interface ScoredClip {
  /** `print/hand`, `tablet-video/fixed`…, or `bona-fide` (see pad-protocol's speciesKey). */
  readonly speciesKey: string;
  readonly bonaFide: boolean;
  /** Combined score of the clip's frames, higher = more bona fide; null when no frame had a face. */
  readonly score: number | null;
}

/** The rates at one threshold. */
export interface PadRates {
  readonly threshold: number;
  /** Bona-fide clips rejected, of those with a score. */
  readonly bpcer: number;
  /** Species key → accepted attacks of that species, of those with a score. */
  readonly apcerBySpecies: Record<string, number>;
  /** The highest APCER of any species (ISO/IEC 30107-3's APCER of the attack type at the worst species). */
  readonly apcerWorst: number;
  readonly apcerWorstSpecies: string;
  /** Accepted attacks of all species together. */
  readonly apcerPooled: number;
}

/** One DET point. */
export interface DetPoint {
  readonly threshold: number;
  readonly apcerPooled: number;
  readonly apcerWorst: number;
  readonly bpcer: number;
}

/** Counts behind the rates. */
export interface PadCounts {
  readonly bonaFide: number;
  readonly attacks: number;
  /** Species key → attack clips with a score. */
  readonly attacksBySpecies: Record<string, number>;
  /** Clips with no score (no face in any frame): bona-fide and attack non-responses. */
  readonly bonaFideNoResponse: number;
  readonly attackNoResponse: number;
}

/** How frames are combined into a clip score. */
export const FRAME_RULES = ['mean', 'median', 'min', 'max'] as const;
export type FrameRule = (typeof FRAME_RULES)[number];

/** The clip score from its frames' scores (null = no face in that frame); null when no frame has a score. */
export function combineFrames(frameScores: readonly (number | null)[], rule: FrameRule): number | null {
  const scores = frameScores.filter((score): score is number => score !== null);
  if (scores.length === 0) return null;
  switch (rule) {
    case 'mean':
      return scores.reduce((sum, score) => sum + score, 0) / scores.length;
    case 'min':
      return Math.min(...scores);
    case 'max':
      return Math.max(...scores);
    case 'median': {
      const sorted = scores.sort((a, b) => a - b);
      const mid = Math.floor(sorted.length / 2);
      return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    }
  }
}

interface Prepared {
  readonly bonaFide: number[];
  readonly bySpecies: Map<string, number[]>;
}

function prepare(clips: readonly ScoredClip[]): Prepared {
  const bonaFide: number[] = [];
  const bySpecies = new Map<string, number[]>();
  for (const clip of clips) {
    if (clip.score === null) continue;
    if (!Number.isFinite(clip.score)) throw new RangeError(`pad metrics: clip score must be finite or null, got ${clip.score}`);
    if (clip.bonaFide) bonaFide.push(clip.score);
    else {
      const list = bySpecies.get(clip.speciesKey) ?? [];
      list.push(clip.score);
      bySpecies.set(clip.speciesKey, list);
    }
  }
  if (bonaFide.length === 0 || bySpecies.size === 0) throw new RangeError('pad metrics need scored bona-fide clips and scored attack clips');
  return { bonaFide, bySpecies };
}

/** Counts of clips, scored and not. */
export function countClips(clips: readonly ScoredClip[]): PadCounts {
  const attacksBySpecies: Record<string, number> = {};
  let bonaFide = 0;
  let attacks = 0;
  let bonaFideNoResponse = 0;
  let attackNoResponse = 0;
  for (const clip of clips) {
    if (clip.score === null) {
      if (clip.bonaFide) bonaFideNoResponse++;
      else attackNoResponse++;
    } else if (clip.bonaFide) bonaFide++;
    else {
      attacks++;
      attacksBySpecies[clip.speciesKey] = (attacksBySpecies[clip.speciesKey] ?? 0) + 1;
    }
  }
  return { bonaFide, attacks, attacksBySpecies, bonaFideNoResponse, attackNoResponse };
}

function ratesOn(prepared: Prepared, threshold: number): PadRates {
  const accepted = (scores: readonly number[]): number => scores.reduce((n, score) => n + (score >= threshold ? 1 : 0), 0);
  const apcerBySpecies: Record<string, number> = {};
  let worst = -1;
  let worstSpecies = '';
  let acceptedAttacks = 0;
  let attacks = 0;
  for (const key of [...prepared.bySpecies.keys()].sort()) {
    const scores = prepared.bySpecies.get(key)!;
    const n = accepted(scores);
    acceptedAttacks += n;
    attacks += scores.length;
    const apcer = n / scores.length;
    apcerBySpecies[key] = apcer;
    if (apcer > worst) {
      worst = apcer;
      worstSpecies = key;
    }
  }
  return {
    threshold,
    bpcer: (prepared.bonaFide.length - accepted(prepared.bonaFide)) / prepared.bonaFide.length,
    apcerBySpecies,
    apcerWorst: worst,
    apcerWorstSpecies: worstSpecies,
    apcerPooled: acceptedAttacks / attacks,
  };
}

/** APCER per species, worst and pooled, and BPCER at `threshold`. */
export function padRatesAt(clips: readonly ScoredClip[], threshold: number): PadRates {
  return ratesOn(prepare(clips), threshold);
}

/** Every distinct score, ascending, then +Infinity (reject all): the thresholds where a rate can change. */
function candidateThresholds(prepared: Prepared): number[] {
  const all = new Set<number>(prepared.bonaFide);
  for (const scores of prepared.bySpecies.values()) for (const score of scores) all.add(score);
  return [...[...all].sort((a, b) => a - b), Number.POSITIVE_INFINITY];
}

/** The DET curve: rates at every threshold where one changes, thresholds ascending (APCER falling, BPCER rising). */
export function detCurve(clips: readonly ScoredClip[]): DetPoint[] {
  const prepared = prepare(clips);
  return candidateThresholds(prepared).map((threshold) => {
    const rates = ratesOn(prepared, threshold);
    return { threshold, apcerPooled: rates.apcerPooled, apcerWorst: rates.apcerWorst, bpcer: rates.bpcer };
  });
}

/**
 * The lowest threshold at which every species' APCER is at most `maxApcer`, placed halfway between the highest
 * attack score that must be rejected and the next higher score, so it transfers to other data without sitting on
 * a sample. +Infinity when only rejecting everything meets the target.
 */
export function thresholdForApcer(clips: readonly ScoredClip[], maxApcer: number): number {
  const prepared = prepare(clips);
  // Per species, the score of the first attack that must be rejected when up to floor(maxApcer·n) may pass.
  let mustReject = Number.NEGATIVE_INFINITY;
  for (const scores of prepared.bySpecies.values()) {
    const descending = [...scores].sort((a, b) => b - a);
    const allowed = Math.floor(maxApcer * descending.length + 1e-9);
    if (allowed < descending.length) mustReject = Math.max(mustReject, descending[allowed]!);
  }
  if (mustReject === Number.NEGATIVE_INFINITY) return Number.NEGATIVE_INFINITY;
  const above = candidateThresholds(prepared).find((threshold) => threshold > mustReject)!;
  return Number.isFinite(above) ? (mustReject + above) / 2 : Number.POSITIVE_INFINITY;
}

/**
 * The lowest threshold at which BPCER is at most `maxBpcer`: halfway between the highest bona-fide score that may
 * be rejected and the next lower score.
 */
export function thresholdForBpcer(clips: readonly ScoredClip[], maxBpcer: number): number {
  const prepared = prepare(clips);
  const ascending = [...prepared.bonaFide].sort((a, b) => a - b);
  const allowed = Math.floor(maxBpcer * ascending.length + 1e-9);
  if (allowed === 0) {
    const below = candidateThresholds(prepared).filter((threshold) => threshold < ascending[0]!);
    return below.length > 0 ? (below[below.length - 1]! + ascending[0]!) / 2 : ascending[0]!;
  }
  // Reject the `allowed` lowest bona-fide scores: the threshold sits above the last of them, at most at the next one.
  const lastRejected = ascending[allowed - 1]!;
  const firstKept = ascending[allowed]!;
  if (firstKept === lastRejected) return firstKept;
  const between = candidateThresholds(prepared).find((threshold) => threshold > lastRejected)!;
  return (lastRejected + Math.min(between, firstKept)) / 2;
}

/** BPCER at the lowest threshold where the worst species' APCER is at most `maxApcer` (BPCER20: maxApcer 0.05). */
export function bpcerAtApcer(clips: readonly ScoredClip[], maxApcer: number): { bpcer: number; threshold: number } {
  const threshold = thresholdForApcer(clips, maxApcer);
  return { bpcer: padRatesAt(clips, threshold).bpcer, threshold };
}

/**
 * Equal error rate of pooled APCER and BPCER: at the threshold where they are closest, their mean. On a step
 * curve they rarely meet exactly; `threshold` is where the gap is smallest.
 */
export function equalErrorRate(clips: readonly ScoredClip[]): { eer: number; threshold: number } {
  let best = { gap: Number.POSITIVE_INFINITY, eer: Number.NaN, threshold: Number.NaN };
  for (const point of detCurve(clips)) {
    const gap = Math.abs(point.apcerPooled - point.bpcer);
    if (gap < best.gap) best = { gap, eer: (point.apcerPooled + point.bpcer) / 2, threshold: point.threshold };
  }
  return { eer: best.eer, threshold: best.threshold };
}
