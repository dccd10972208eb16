import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { fitExponentialTail, modelledFpirByGroup, tailCheck, tailFmrAt, type LabelledSearchScores } from './demographic-tail.js';

const TAIL_FROM = 0.5;

/**
 * `searches` searches of one group, each with `comparisons` scores: `perSearch` of them above TAIL_FROM with an
 * exponential excess of rate `rate` (exact quantiles, spread over the searches), the rest at 0.
 */
function group(name: string, searches: number, comparisons: number, perSearch: number, rate: number): LabelledSearchScores[] {
  const total = searches * perSearch;
  let k = 0;
  return Array.from({ length: searches }, () => {
    const scores = new Float32Array(comparisons);
    for (let j = 0; j < perSearch; j++, k++) scores[j] = TAIL_FROM - Math.log(1 - (k + 0.5) / total) / rate;
    return { scores, labels: { race: name } };
  });
}

describe('demographic FPIR from the groups’ tails', () => {
  test('the exponential tail: rate by maximum likelihood, FMR falling by e every 1/rate', () => {
    const tail = fitExponentialTail([0.5, 0.6, 0.7, Number.NaN, 0.1], 0.5);
    assert.deepEqual([tail.comparisons, tail.exceedances], [4, 3]);
    assert.ok(Math.abs(tail.ratePerSimilarity - 3 / 0.3) < 1e-9);
    assert.ok(Math.abs(tailFmrAt(tail, 0.6) - 0.75 * Math.exp(-1)) < 1e-9);
    assert.equal(tailFmrAt(tail, 0.4), 0.75, 'below the start it is the share at the start');
    assert.equal(tailFmrAt(fitExponentialTail([0.1, 0.2], 0.5), 0.9), 0);
  });

  test('a group six times as likely to be taken for someone is found so, and beyond 2× whatever the noise', () => {
    const searches = [...group('A', 300, 1000, 1, 20), ...group('B', 300, 1000, 6, 20)];
    // Three e-folds beyond the start: the rate's own uncertainty widens each group's interval by about half.
    const threshold = 0.65;
    const spread = modelledFpirByGroup(searches, 'race', threshold, 100, TAIL_FROM, { resamples: 200 });
    const [b, a] = spread.groups;
    assert.deepEqual([b!.group, a!.group, b!.exceedances, a!.exceedances], ['B', 'A', 1800, 300]);
    // FMR_A(0.65) = 1e-3 · e^(−20 · 0.15); the fitted rate is close to 20 on exact quantiles.
    assert.ok(Math.abs(a!.fmr / (1e-3 * Math.exp(-3)) - 1) < 0.1, `A's FMR ${a!.fmr}`);
    assert.ok(Math.abs(a!.fpir - (1 - (1 - a!.fmr) ** 100)) < 1e-12, 'FPIR over the gallery from the comparison FMR');
    assert.ok(Math.abs(spread.worstOverBest - 6) < 0.5, `ratio ${spread.worstOverBest}`);
    assert.equal(spread.verdict, 'above');
    assert.ok(a!.fpirInterval95[0] <= a!.fpir && a!.fpir <= a!.fpirInterval95[1]);
  });

  test('groups with the same tail are within 2×; a group with almost no tail cannot be told', () => {
    const alike = [...group('A', 400, 500, 2, 15), ...group('B', 400, 500, 2, 15)];
    const within = modelledFpirByGroup(alike, 'race', 0.7, 1000, TAIL_FROM, { resamples: 200 });
    assert.ok(Math.abs(within.worstOverBest - 1) < 0.05);
    assert.equal(within.verdict, 'within');

    const sparse = [...alike, ...group('C', 5, 500, 1, 15)];
    const undecided = modelledFpirByGroup(sparse, 'race', 0.7, 1000, TAIL_FROM, { resamples: 200 });
    assert.deepEqual(undecided.groups.find((g) => g.group === 'C')!.fpirInterval95, [0, 1]);
    assert.equal(undecided.verdict, 'undecided');
  });

  test('searches without the label, and comparisons without a face, are left out', () => {
    const searches: LabelledSearchScores[] = [...group('A', 50, 100, 1, 10), { scores: [0.9, 0.9], labels: {} }, { scores: [Number.NaN, Number.NaN], labels: { race: 'B' } }];
    const spread = modelledFpirByGroup(searches, 'race', 0.6, 10, TAIL_FROM, { resamples: 50 });
    assert.deepEqual(spread.groups.map((g) => [g.group, g.searches, g.comparisons]), [['A', 50, 5000]]);
  });

  test('the model is not asked below its start: counts hold there', () => {
    assert.throws(() => modelledFpirByGroup(group('A', 10, 10, 1, 10), 'race', 0.4, 10, TAIL_FROM), /below the tail's start/);
  });

  test('the tail check predicts what an exact exponential tail counts', () => {
    const searches = group('A', 1000, 100, 1, 10);
    const [point] = tailCheck(searches, 'race', TAIL_FROM, [{ poolFmr: 1e-3, threshold: TAIL_FROM + Math.log(10) / 10 }]);
    // One comparison in ten of the tail lies beyond ln 10 / rate: 100 of 1,000.
    assert.equal(point!.counted, 100);
    assert.ok(Math.abs(point!.predicted - 100) < 5, `predicted ${point!.predicted}`);
  });
});
