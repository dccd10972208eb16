import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  detCurve,
  fmrForFpir,
  fnirAt,
  fpirAt,
  fmrByGroup,
  wilsonInterval95,
  fpirByGroup,
  modelledFnir,
  modelledFpir,
  modelledOperatingPoints,
  operatingPoints,
  rankOneRate,
  type MatedOutcome,
  type RankOneOutcomes,
} from './open-set-metrics.js';

// Four mated searches: two named correctly (0.9, 0.8), one whose top-1 is someone else (0.7, mate at 0.6),
// one without a face. Ten non-mated searches, one without a face.
const mated: MatedOutcome[] = [
  { topSimilarity: 0.9, topIsMate: true, mateSimilarity: 0.9 },
  { topSimilarity: 0.8, topIsMate: true, mateSimilarity: 0.8 },
  { topSimilarity: 0.7, topIsMate: false, mateSimilarity: 0.6 },
  { topSimilarity: null, topIsMate: false, mateSimilarity: null },
];
const nonMatedTop = [0.85, 0.75, 0.65, 0.55, 0.45, null, 0.35, 0.25, 0.15, 0.05];
const outcomes: RankOneOutcomes = { mated, nonMatedTop };

describe('open-set metrics on a hand-made score set', () => {
  test('FPIR counts non-mated top-1 at or above the threshold over every non-mated search, no-face included', () => {
    assert.equal(fpirAt(nonMatedTop, 0.5), 4 / 10);
    assert.equal(fpirAt(nonMatedTop, 0.55), 4 / 10);
    assert.equal(fpirAt(nonMatedTop, 0.9), 0);
  });

  test('FNIR counts a wrong top-1 as a miss even above the threshold, and a no-face search as a miss', () => {
    // At 0.5 the wrong top-1 (0.7) is above the threshold, yet only two of four are named.
    assert.equal(fnirAt(mated, 0.5), 0.5);
    assert.equal(fnirAt(mated, 0.85), 0.75);
    assert.equal(fnirAt(mated, 0.95), 1);
  });

  test('closed-set rank-1 ignores the threshold', () => {
    assert.equal(rankOneRate(mated), 0.5);
  });

  test('operating points: the smallest threshold whose FPIR meets the target, and FNIR there', () => {
    const [p10, p20, p1] = operatingPoints(outcomes, [0.1, 0.2, 0.01]);
    // FPIR 0.1 of 10 searches allows one false positive: the threshold sits just above the second-highest, 0.75.
    assert.ok(p10!.threshold > 0.75 && p10!.threshold < 0.7501);
    assert.equal(p10!.fpir, 0.1);
    assert.equal(p10!.falsePositives, 1);
    assert.equal(p10!.fnir, 0.5);
    assert.equal(p10!.belowResolution, false);
    assert.ok(p20!.threshold > 0.65 && p20!.threshold < 0.6501);
    assert.equal(p20!.fpir, 0.2);
    assert.equal(p20!.fnir, 0.5);
    // 0.01 × 10 < 1: no false positive allowed, threshold above the highest non-mated score.
    assert.ok(p1!.threshold > 0.85 && p1!.threshold < 0.8501);
    assert.equal(p1!.fpir, 0);
    assert.equal(p1!.fnir, 0.75);
    assert.equal(p1!.belowResolution, true);
  });

  test('the DET curve runs from the reject-all corner to the accept-all one and never rises in FNIR with FPIR', () => {
    const points = detCurve(outcomes);
    assert.deepEqual([points[0]!.fpir, points[0]!.fnir], [0, 1]);
    // Just above the highest non-mated score: no false positive, one of four named.
    assert.deepEqual([points[1]!.fpir, points[1]!.fnir], [0, 0.75]);
    const last = points.at(-1)!;
    assert.deepEqual([last.fpir, last.fnir], [0.9, 0.5]);
    for (let i = 1; i < points.length; i++) {
      assert.ok(points[i]!.fpir >= points[i - 1]!.fpir);
      assert.ok(points[i]!.fnir <= points[i - 1]!.fnir);
    }
  });

  test('FPIR per group, and the worst over the best', () => {
    const searches: Array<{ top: number | null; labels: Record<string, string> }> = [
      { top: 0.85, labels: { race: 'A' } },
      { top: 0.15, labels: { race: 'A' } },
      { top: 0.75, labels: { race: 'B' } },
      { top: 0.65, labels: { race: 'B' } },
      { top: 0.05, labels: { race: 'B' } },
      { top: null, labels: { race: 'B' } },
      { top: 0.99, labels: {} },
    ];
    const spread = fpirByGroup(searches, 'race', 0.7);
    assert.deepEqual(
      spread.groups.map((g) => [g.group, g.falsePositives, g.searches, g.fpir]),
      [
        ['A', 1, 2, 0.5],
        ['B', 1, 4, 0.25],
      ],
    );
    assert.equal(spread.worstOverBest, 2);
    assert.equal(spread.worst, 'A');
    assert.equal(spread.best, 'B');
    assert.equal(fpirByGroup(searches, 'race', 0.8).worstOverBest, Number.POSITIVE_INFINITY);
    assert.ok(Number.isNaN(fpirByGroup(searches, 'race', 0.999).worstOverBest));
  });

  test('the Wilson 95 % interval: known values, and never outside 0..1', () => {
    // 1 in 10: 0.0179–0.4042; 0 in 100: 0–0.0370; 50 in 100: 0.4038–0.5962 (Wilson, z = 1.96).
    const close = ([low, high]: [number, number], expected: [number, number]): void => {
      assert.ok(Math.abs(low - expected[0]) < 1e-4 && Math.abs(high - expected[1]) < 1e-4, `${low}–${high}, expected ${expected.join('–')}`);
    };
    close(wilsonInterval95(1, 10), [0.0179, 0.4042]);
    close(wilsonInterval95(0, 100), [0, 0.037]);
    close(wilsonInterval95(50, 100), [0.4038, 0.5962]);
    close(wilsonInterval95(10, 10), [0.7225, 1]);
    assert.deepEqual(wilsonInterval95(0, 0), [0, 1]);
  });

  test('the spread verdict says whether the intervals place the worst/best ratio above 2×, within it, or cannot tell', () => {
    const groups = (counts: Record<string, [number, number]>): Array<{ top: number; labels: Record<string, string> }> =>
      Object.entries(counts).flatMap(([race, [falsePositives, searches]]) =>
        Array.from({ length: searches }, (_, i) => ({ top: i < falsePositives ? 0.9 : 0.1, labels: { race } })),
      );
    // 11 of 664 against 1 of 681: the ratio is 11×, but the intervals overlap within 2×.
    const few = fpirByGroup(groups({ A: [11, 664], B: [1, 681] }), 'race', 0.5);
    assert.equal(few.worstOverBest > 10, true);
    assert.equal(few.verdict, 'undecided');
    // 300 of 1,000 against 20 of 1,000: beyond any sampling noise.
    assert.equal(fpirByGroup(groups({ A: [300, 1000], B: [20, 1000] }), 'race', 0.5).verdict, 'above');
    // 1,000 of 10,000 against 900 of 10,000: within 2× whatever the noise.
    assert.equal(fpirByGroup(groups({ A: [1000, 10000], B: [900, 10000] }), 'race', 0.5).verdict, 'within');
    assert.deepEqual(fpirByGroup(groups({ A: [1, 10] }), 'race', 0.5).groups[0]!.fpirInterval95, wilsonInterval95(1, 10));
  });
});

describe('the independence model for larger galleries', () => {
  test('FPIR_N = 1 − (1 − FMR)^N and its inverse', () => {
    assert.ok(Math.abs(modelledFpir(0.01, 10) - (1 - 0.99 ** 10)) < 1e-15);
    assert.ok(Math.abs(fmrForFpir(1 - 0.99 ** 10, 10) - 0.01) < 1e-15);
    // Small rates stay accurate where 1 − (1 − x) would lose them.
    assert.ok(Math.abs(fmrForFpir(1e-3, 10_000) - 1.0005e-7) < 1e-11);
    assert.equal(modelledFpir(0, 1e6), 0);
  });

  test('FNIR: a mate named with probability (1 − FMR above its similarity)^(N − 1) when above the threshold', () => {
    const impostors = { descending: Float64Array.from([0.9, 0.5, 0.4, 0.3]) };
    const searches: MatedOutcome[] = [
      { topSimilarity: 0.95, topIsMate: true, mateSimilarity: 0.95 },
      { topSimilarity: 0.8, topIsMate: true, mateSimilarity: 0.8 },
      { topSimilarity: 0.6, topIsMate: true, mateSimilarity: 0.6 },
      { topSimilarity: null, topIsMate: false, mateSimilarity: null },
    ];
    // N = 3, t = 0.7: 0.95 → 1; 0.8 → (3/4)²; 0.6 → below t; no face → 0.
    assert.equal(modelledFnir(searches, impostors, 3, 0.7), 1 - (1 + 0.5625) / 4);
    // N = 1: nobody to be outranked by.
    assert.equal(modelledFnir(searches, impostors, 1, 0.7), 0.5);
  });

  test('modelled operating points place the threshold at the per-comparison FMR the gallery asks for', () => {
    const impostors = { descending: Float64Array.from({ length: 1000 }, (_, i) => 1 - i / 1000) };
    const [point] = modelledOperatingPoints(mated, impostors, 10, [0.1]);
    // FMR = 1 − 0.9^(1/10) = 0.010481…: 10 of 1,000 comparisons allowed, threshold just above the 11th highest (0.990).
    assert.ok(Math.abs(point!.fmr - (1 - 0.9 ** 0.1)) < 1e-12);
    assert.ok(point!.threshold > 0.99 && point!.threshold < 0.9901);
    assert.equal(point!.belowResolution, false);
  });

  test('FMR by group: every single comparison of a group’s searches, no-face scores left out', () => {
    const searches: { scores: number[]; labels: Record<string, string> }[] = [
      { scores: [0.9, 0.1, Number.NaN], labels: { race: 'A' } },
      { scores: [0.2, 0.3, 0.1], labels: { race: 'A' } },
      { scores: [0.85, 0.1, 0.2], labels: { race: 'B' } },
      { scores: [0.9, 0.9, 0.9], labels: {} },
    ];
    const spread = fmrByGroup(searches, 'race', 0.8);
    assert.deepEqual(spread.groups.map((g) => [g.group, g.comparisons, g.falseMatches]), [['B', 3, 1], ['A', 5, 1]]);
    assert.ok(Math.abs(spread.worstOverBest - (1 / 3) / (1 / 5)) < 1e-12);
    assert.equal(fmrByGroup(searches, 'race', 0.95).worstOverBest, Number.NaN);
  });
});
