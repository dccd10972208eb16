import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { YOUNG_CHILD_UNDER_YEARS } from './age-estimator.js';
import { youngChildOf } from './young-child.js';

describe('youngChildOf', () => {
  test('the median of the samples decides, so one odd sample does not', () => {
    assert.deepEqual(youngChildOf([2.04, 3.2, 30]), { estimatedAgeYears: 3.2 });
    assert.equal(youngChildOf([2, 30, 31]), undefined);
    assert.deepEqual(youngChildOf([1, 2]), { estimatedAgeYears: 1.5 });
  });

  test('the cut-off is strict, and no estimate says nothing', () => {
    assert.equal(youngChildOf([YOUNG_CHILD_UNDER_YEARS]), undefined);
    assert.deepEqual(youngChildOf([YOUNG_CHILD_UNDER_YEARS - 0.01]), { estimatedAgeYears: Math.round((YOUNG_CHILD_UNDER_YEARS - 0.01) * 10) / 10 });
    assert.equal(youngChildOf([]), undefined);
  });
});
