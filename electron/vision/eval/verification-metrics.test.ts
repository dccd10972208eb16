import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  areaUnderRoc,
  bestThreshold,
  computeVerificationMetrics,
  rocCurve,
  thresholdAtFar,
  type ScoredPair,
} from './verification-metrics.js';

const pos = (similarity: number | null, fold = 0): ScoredPair => ({ fold, same: true, similarity });
const neg = (similarity: number | null, fold = 0): ScoredPair => ({ fold, same: false, similarity });
const near = (actual: number, expected: number): void => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} vs ${expected}`);

describe('perfectly separable scores', () => {
  const pairs = [pos(0.9, 0), pos(0.8, 0), neg(0.3, 0), neg(0.1, 0), pos(0.7, 1), pos(0.6, 1), neg(0.4, 1), neg(0.2, 1)];
  const metrics = computeVerificationMetrics(pairs, { farTargets: [0.25, 1e-2] });

  it('gives 100% in every fold, each at the midpoint cut of the other fold', () => {
    // Fold 0 is scored at the cut of fold 1 (0.4 | 0.6 → 0.5), fold 1 at the cut of fold 0 (0.3 | 0.8 → 0.55).
    assert.deepEqual(metrics.folds.map((f) => f.fold), [0, 1]);
    near(metrics.folds[0]!.threshold, 0.5);
    near(metrics.folds[1]!.threshold, 0.55);
    assert.deepEqual(metrics.folds.map((f) => f.accuracy), [1, 1]);
    assert.equal(metrics.accuracyMean, 1);
    assert.equal(metrics.accuracySd, 0);
  });

  it('has AUC 1, one ROC point per distinct score plus the origin, and the best cut at 0.5', () => {
    assert.equal(metrics.auc, 1);
    assert.equal(metrics.roc.length, 9);
    assert.deepEqual(metrics.roc[0], { threshold: Infinity, far: 0, tar: 0 });
    assert.deepEqual(metrics.roc[4], { threshold: 0.6, far: 0, tar: 1 });
    assert.deepEqual(metrics.roc.at(-1), { threshold: 0.1, far: 1, tar: 1 });
    near(metrics.bestThreshold.threshold, 0.5);
    assert.equal(metrics.bestThreshold.accuracy, 1);
  });

  it('picks the smallest threshold with FAR <= target and flags targets below 1/negatives', () => {
    const [quarter, onePercent] = metrics.tarAtFar;
    // 4 negatives: FAR 0.25 allows one false accept (0.4), so the cut sits just above the next negative, 0.3.
    assert.equal(quarter!.allowedFalseAccepts, 1);
    assert.ok(quarter!.threshold > 0.3 && quarter!.threshold < 0.3 + 1e-15);
    assert.deepEqual([quarter!.falseAccepts, quarter!.far, quarter!.tar, quarter!.belowResolution], [1, 0.25, 1, false]);
    assert.equal(onePercent!.allowedFalseAccepts, 0);
    assert.ok(onePercent!.threshold > 0.4 && onePercent!.threshold < 0.4 + 1e-15);
    assert.deepEqual([onePercent!.falseAccepts, onePercent!.far, onePercent!.tar, onePercent!.belowResolution], [0, 0, 1, true]);
    assert.equal(metrics.farResolution, 0.25);
  });
});

describe('one overlapping pair', () => {
  // Sorted: 0.1 diff, 0.4 same, 0.5 diff, 0.9 same. Cuts at 0.25 and 0.7 both give 3/4; 0.7 has the wider gap.
  const pairs = [pos(0.9), pos(0.4), neg(0.5), neg(0.1)];

  it('takes the best cut with the widest gap', () => {
    const choice = bestThreshold(pairs);
    near(choice.threshold, 0.7);
    assert.equal(choice.accuracy, 0.75);
  });

  it('has AUC 3/4 (three of four same/different orderings right)', () => {
    assert.equal(areaUnderRoc(rocCurve(pairs)), 0.75);
  });
});

describe('tied scores', () => {
  // A same and a different pair share 0.5: no threshold separates them.
  const pairs = [pos(0.75), pos(0.5), neg(0.5), neg(0.25)];

  it('moves tied pairs through the ROC together and counts the tie as one half in the AUC', () => {
    const roc = rocCurve(pairs);
    assert.deepEqual(roc.map((p) => [p.far, p.tar]), [[0, 0], [0, 0.5], [0.5, 1], [1, 1]]);
    assert.equal(areaUnderRoc(roc), 0.875);
  });

  it('breaks an accuracy tie between equal gaps towards the lower cut', () => {
    assert.deepEqual(bestThreshold(pairs), { threshold: 0.375, accuracy: 0.75 });
  });

  it('rejects every pair tied with the first negative it must reject', () => {
    const zero = thresholdAtFar(pairs, 0);
    assert.ok(zero.threshold > 0.5);
    assert.deepEqual([zero.falseAccepts, zero.tar], [0, 0.5]);
    const half = thresholdAtFar(pairs, 0.5);
    assert.ok(half.threshold > 0.25 && half.threshold < 0.5);
    assert.deepEqual([half.falseAccepts, half.far, half.tar], [1, 0.5, 1]);
  });
});

describe('no-face pairs (null similarity)', () => {
  const pairs = [pos(0.9, 0), neg(0.1, 0), pos(null, 1), neg(null, 1)];
  const metrics = computeVerificationMetrics(pairs, { farTargets: [0.5] });

  it('counts them and treats them as rejected: a false reject if same, a correct reject if different', () => {
    assert.deepEqual([metrics.noFacePairCount, metrics.noFacePositiveCount, metrics.noFaceNegativeCount], [2, 1, 1]);
    near(metrics.bestThreshold.threshold, 0.5);
    assert.equal(metrics.bestThreshold.accuracy, 0.75);
    // Fold 1 has only no-face pairs, so the threshold learnt on it is reject-all; fold 0 then scores 1/2.
    assert.deepEqual(metrics.folds.map((f) => [f.threshold, f.accuracy, f.noFacePairCount]), [[Infinity, 0.5, 0], [0.5, 0.5, 2]]);
    assert.equal(metrics.accuracyMean, 0.5);
    assert.equal(metrics.accuracySd, 0);
  });

  it('puts them below every score on the ROC, closing it at (1, 1) with threshold -Infinity', () => {
    assert.deepEqual(metrics.roc.at(-1), { threshold: -Infinity, far: 1, tar: 1 });
    assert.equal(metrics.auc, 0.625);
  });

  it('accepts every finite score when the FAR target allows more false accepts than there are finite negatives', () => {
    const [half] = metrics.tarAtFar;
    assert.deepEqual([half!.threshold, half!.falseAccepts, half!.far, half!.tar], [0.1, 1, 0.5, 0.5]);
  });
});

describe('sample standard deviation over folds', () => {
  it('uses n - 1', () => {
    // Fold 0 is scored at fold 1's cut (0.1 | 0.9 → 0.5) and gets 3/4 right (0.45 is rejected); fold 1 at
    // fold 0's cut (0.4 | 0.45 → 0.425) and gets 2/2.
    const pairs = [pos(0.6, 0), neg(0.4, 0), pos(0.45, 0), neg(0.1, 0), pos(0.9, 1), neg(0.1, 1)];
    const metrics = computeVerificationMetrics(pairs);
    assert.deepEqual(metrics.folds.map((f) => f.accuracy), [0.75, 1]);
    assert.equal(metrics.accuracyMean, 0.875);
    near(metrics.accuracySd, Math.sqrt(2 * 0.125 ** 2));
  });
});

describe('input checks', () => {
  it('needs two folds, both classes and finite scores', () => {
    assert.throws(() => computeVerificationMetrics([pos(0.9), neg(0.1)]), /at least 2 folds, got 1/);
    assert.throws(() => computeVerificationMetrics([pos(0.9, 0), pos(0.1, 1)]), /2 same and 0 different/);
    assert.throws(() => computeVerificationMetrics([pos(Number.NaN, 0), neg(0.1, 1)]), /not finite/);
    assert.throws(() => bestThreshold([]), /no pairs/);
  });
});
