/**
 * Face-verification metrics over scored pairs: k-fold accuracy, ROC, AUC, TAR at a FAR and thresholds.
 *
 * Decision rule everywhere: a pair is accepted ("same person") iff its similarity is not null and
 * `similarity >= threshold`. Accuracies and rates are fractions 0..1.
 *
 * No-face pairs (`similarity: null`, no face found in one of the images) are kept in every denominator and
 * never accepted, the way the door behaves: no face, no opening. So a no-face same-person pair counts as a
 * false reject, and a no-face different-person pair as a correct reject. Their count is reported so a
 * detector's misses are not mistaken for an embedder's weakness. On the ROC they sit below every finite
 * score: they are accepted only by the curve's closing point (FAR 1, TAR 1), whose threshold is -Infinity.
 *
 * Resolution: with N different-person pairs the smallest non-zero FAR is 1/N. LFW dev (5 folds × 300) has
 * N = 1500, so FAR 1e-3 allows floor(1.5) = 1 false accept and TAR@FAR1e-3 rests on the two highest-scoring
 * negatives: read it as a rough figure, and see `belowResolution` for targets under 1/N.
 */

/** One scored verification pair. */
export interface ScoredPair {
  /** Fold label (any integer; folds are the distinct values). */
  fold: number;
  /** True for a same-person pair. */
  same: boolean;
  /** Cosine similarity (-1..1), or null when no face was found in one of the images. */
  similarity: number | null;
}

/** A threshold and the accuracy (0..1) it gives on the pairs it was chosen on. */
export interface ThresholdChoice {
  threshold: number;
  accuracy: number;
}

/** One fold of the k-fold protocol: the threshold chosen on the other folds, and the accuracy on this one. */
export interface FoldResult {
  fold: number;
  threshold: number;
  /** Accuracy (0..1) on this fold's pairs at `threshold`. */
  accuracy: number;
  /** Accuracy (0..1) the threshold reached on the other folds, where it was chosen. */
  trainAccuracy: number;
  pairCount: number;
  noFacePairCount: number;
}

/** One ROC point: accepting pairs with similarity >= threshold gives this FAR and TAR (0..1). */
export interface RocPoint {
  threshold: number;
  far: number;
  tar: number;
}

/** The operating point for a FAR target: the smallest threshold whose FAR on the pooled negatives is <= target. */
export interface FarOperatingPoint {
  targetFar: number;
  threshold: number;
  /** FAR (0..1) actually reached at `threshold`. */
  far: number;
  /** TAR (0..1) at `threshold`. */
  tar: number;
  falseAccepts: number;
  /** floor(targetFar × negatives): the most false accepts the target allows on this data. */
  allowedFalseAccepts: number;
  /** True when targetFar < 1/negatives, so only FAR 0 qualifies and the target itself is not measurable. */
  belowResolution: boolean;
}

/** Everything {@link computeVerificationMetrics} measures. */
export interface VerificationMetrics {
  pairCount: number;
  positiveCount: number;
  negativeCount: number;
  /** Pairs with a null similarity (no face in one image); all are treated as rejected. */
  noFacePairCount: number;
  noFacePositiveCount: number;
  noFaceNegativeCount: number;
  /** Per fold, in ascending fold order. */
  folds: FoldResult[];
  /** Mean of the per-fold accuracies (0..1). */
  accuracyMean: number;
  /** Sample standard deviation (n - 1) of the per-fold accuracies (0..1). */
  accuracySd: number;
  /** The single best threshold over all pairs (in-sample, so optimistic next to the k-fold figure). */
  bestThreshold: ThresholdChoice;
  /** Pooled ROC, one point per distinct score: from (0, 0) at threshold +Infinity up to (1, 1), reached at -Infinity when no-face pairs exist. */
  roc: RocPoint[];
  /** Area under the pooled ROC (0..1); ties count one half. */
  auc: number;
  /** Smallest non-zero FAR these negatives can measure: 1 / negativeCount. */
  farResolution: number;
  /** One operating point per requested FAR target, in the order requested. */
  tarAtFar: FarOperatingPoint[];
}

/** Options for {@link computeVerificationMetrics}. */
export interface VerificationMetricsOptions {
  /** FAR targets for `tarAtFar`; default [1e-2, 1e-3]. */
  farTargets?: readonly number[];
}

/** True if the pair is accepted at `threshold` (null similarities never are). */
function accepted(pair: ScoredPair, threshold: number): boolean {
  return pair.similarity !== null && pair.similarity >= threshold;
}

/** Accuracy (0..1) of accepting similarity >= threshold; NaN for no pairs. */
export function accuracyAt(pairs: readonly ScoredPair[], threshold: number): number {
  let correct = 0;
  for (const pair of pairs) if (accepted(pair, threshold) === pair.same) correct++;
  return correct / pairs.length;
}

/**
 * The threshold with the best accuracy on `pairs`. Candidate cuts lie between adjacent distinct scores and
 * sit at their midpoint (a max-margin cut: nothing in the data prefers either end of the gap); when several
 * cuts tie, the widest gap wins, then the lowest. Accept-all (threshold = lowest score) and reject-all
 * (threshold = +Infinity) are chosen only when no interior cut does as well. Throws on no pairs.
 */
export function bestThreshold(pairs: readonly ScoredPair[]): ThresholdChoice {
  if (pairs.length === 0) throw new RangeError('bestThreshold: no pairs');
  const scored = pairs.filter((p) => p.similarity !== null) as Array<ScoredPair & { similarity: number }>;
  scored.sort((a, b) => a.similarity - b.similarity);
  const noFaceNegatives = pairs.filter((p) => p.similarity === null && !p.same).length;

  // Sweep cuts upwards. Cut at group g accepts every score >= the group's value; start by accepting all.
  let correct = scored.filter((p) => p.same).length + noFaceNegatives;
  let bestCorrect = -1;
  let bestGap = Number.NEGATIVE_INFINITY;
  let chosen = Number.POSITIVE_INFINITY;
  const consider = (threshold: number, gap: number): void => {
    if (correct > bestCorrect || (correct === bestCorrect && gap > bestGap)) {
      bestCorrect = correct;
      bestGap = gap;
      chosen = threshold;
    }
  };
  // Extremes get gap -1 so any interior cut with equal accuracy beats them; accept-all comes first, so it
  // wins a tie with reject-all.
  consider(scored[0]?.similarity ?? Number.POSITIVE_INFINITY, -1);
  let i = 0;
  while (i < scored.length) {
    const value = scored[i]!.similarity;
    while (i < scored.length && scored[i]!.similarity === value) {
      // This score drops from accepted to rejected: a same pair becomes wrong, a different pair right.
      correct += scored[i]!.same ? -1 : 1;
      i++;
    }
    const next = scored[i]?.similarity;
    if (next === undefined) consider(Number.POSITIVE_INFINITY, -1);
    else consider(value + (next - value) / 2, next - value);
  }
  return { threshold: chosen, accuracy: bestCorrect / pairs.length };
}

/** Distinct fold labels, ascending. */
function foldLabels(pairs: readonly ScoredPair[]): number[] {
  return [...new Set(pairs.map((p) => p.fold))].sort((a, b) => a - b);
}

/**
 * k-fold accuracy: each fold is scored at the threshold that maximises accuracy on the OTHER folds (the LFW
 * View 2 protocol). Needs at least two folds.
 */
export function crossValidatedAccuracy(pairs: readonly ScoredPair[]): { folds: FoldResult[]; accuracyMean: number; accuracySd: number } {
  const labels = foldLabels(pairs);
  if (labels.length < 2) throw new RangeError(`crossValidatedAccuracy: needs at least 2 folds, got ${labels.length}`);
  const folds = labels.map((fold): FoldResult => {
    const test = pairs.filter((p) => p.fold === fold);
    const train = pairs.filter((p) => p.fold !== fold);
    const choice = bestThreshold(train);
    return {
      fold,
      threshold: choice.threshold,
      accuracy: accuracyAt(test, choice.threshold),
      trainAccuracy: choice.accuracy,
      pairCount: test.length,
      noFacePairCount: test.filter((p) => p.similarity === null).length,
    };
  });
  const accuracies = folds.map((f) => f.accuracy);
  const accuracyMean = accuracies.reduce((sum, a) => sum + a, 0) / accuracies.length;
  const variance = accuracies.reduce((sum, a) => sum + (a - accuracyMean) ** 2, 0) / (accuracies.length - 1);
  return { folds, accuracyMean, accuracySd: Math.sqrt(variance) };
}

function countClasses(pairs: readonly ScoredPair[]): { positives: number; negatives: number } {
  const positives = pairs.filter((p) => p.same).length;
  const negatives = pairs.length - positives;
  if (positives === 0 || negatives === 0) {
    throw new RangeError(`ROC needs same and different pairs, got ${positives} same and ${negatives} different`);
  }
  return { positives, negatives };
}

/** Pooled ROC over all pairs: one point per distinct score, descending thresholds; null scores sort last. */
export function rocCurve(pairs: readonly ScoredPair[]): RocPoint[] {
  const { positives, negatives } = countClasses(pairs);
  const scoreOf = (p: ScoredPair): number => p.similarity ?? Number.NEGATIVE_INFINITY;
  const sorted = [...pairs].sort((a, b) => scoreOf(b) - scoreOf(a) || 0);
  const roc: RocPoint[] = [{ threshold: Number.POSITIVE_INFINITY, far: 0, tar: 0 }];
  let truePositives = 0;
  let falsePositives = 0;
  let i = 0;
  while (i < sorted.length) {
    const value = scoreOf(sorted[i]!);
    // A whole group of tied scores enters together: no threshold separates them.
    while (i < sorted.length && scoreOf(sorted[i]!) === value) {
      if (sorted[i]!.same) truePositives++;
      else falsePositives++;
      i++;
    }
    roc.push({ threshold: value, far: falsePositives / negatives, tar: truePositives / positives });
  }
  return roc;
}

/** Trapezoidal area under ROC points ordered by rising FAR; with a full curve, ties count one half. */
export function areaUnderRoc(roc: readonly RocPoint[]): number {
  let area = 0;
  for (let i = 1; i < roc.length; i++) {
    const a = roc[i - 1]!;
    const b = roc[i]!;
    area += ((b.far - a.far) * (a.tar + b.tar)) / 2;
  }
  return area;
}

/** The next float64 above `x` (finite x): the smallest threshold strictly above a score. */
function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const value = new Float64Array([x]);
  const bits = new BigInt64Array(value.buffer);
  bits[0] = bits[0]! + (x > 0 ? 1n : -1n);
  return value[0]!;
}

/**
 * The smallest threshold whose FAR over all negatives is <= `targetFar`, and the TAR there. It is the next
 * float64 above the (allowed + 1)-th highest negative score, so ties at that score are all rejected.
 */
export function thresholdAtFar(pairs: readonly ScoredPair[], targetFar: number): FarOperatingPoint {
  if (!(targetFar >= 0)) throw new RangeError(`thresholdAtFar: target FAR must be >= 0, got ${targetFar}`);
  const { positives, negatives } = countClasses(pairs);
  const negativeScores = pairs
    .filter((p) => !p.same && p.similarity !== null)
    .map((p) => p.similarity as number)
    .sort((a, b) => b - a);
  // The epsilon absorbs products like 0.29 × 100 = 28.999999999999996.
  const allowedFalseAccepts = Math.floor(targetFar * negatives + 1e-9);
  const firstRejected = negativeScores[allowedFalseAccepts];
  let threshold: number;
  if (firstRejected === undefined) {
    // Accepting every finite score stays within the target.
    threshold = Number.POSITIVE_INFINITY;
    for (const pair of pairs) if (pair.similarity !== null && pair.similarity < threshold) threshold = pair.similarity;
  } else {
    threshold = nextUp(firstRejected);
  }
  const falseAccepts = pairs.filter((p) => !p.same && accepted(p, threshold)).length;
  const trueAccepts = pairs.filter((p) => p.same && accepted(p, threshold)).length;
  return {
    targetFar,
    threshold,
    far: falseAccepts / negatives,
    tar: trueAccepts / positives,
    falseAccepts,
    allowedFalseAccepts,
    belowResolution: targetFar < 1 / negatives,
  };
}

/**
 * Every metric in {@link VerificationMetrics}. Throws when there are fewer than two folds or when same or
 * different pairs are missing.
 */
export function computeVerificationMetrics(pairs: readonly ScoredPair[], options: VerificationMetricsOptions = {}): VerificationMetrics {
  const { farTargets = [1e-2, 1e-3] } = options;
  for (const pair of pairs) {
    if (pair.similarity !== null && !Number.isFinite(pair.similarity)) {
      throw new RangeError(`computeVerificationMetrics: similarity ${pair.similarity} is not finite (use null for no face)`);
    }
  }
  const { positives, negatives } = countClasses(pairs);
  const noFace = pairs.filter((p) => p.similarity === null);
  const { folds, accuracyMean, accuracySd } = crossValidatedAccuracy(pairs);
  const roc = rocCurve(pairs);
  return {
    pairCount: pairs.length,
    positiveCount: positives,
    negativeCount: negatives,
    noFacePairCount: noFace.length,
    noFacePositiveCount: noFace.filter((p) => p.same).length,
    noFaceNegativeCount: noFace.filter((p) => !p.same).length,
    folds,
    accuracyMean,
    accuracySd,
    bestThreshold: bestThreshold(pairs),
    roc,
    auc: areaUnderRoc(roc),
    farResolution: 1 / negatives,
    tarAtFar: farTargets.map((target) => thresholdAtFar(pairs, target)),
  };
}
