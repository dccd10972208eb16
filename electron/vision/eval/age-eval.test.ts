import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { formatAgeSummary, summariseAges } from './age-eval.js';

describe('summariseAges', () => {
  test('per band in order of age: faces, median, share under each cut-off; no face is counted but not estimated', () => {
    const bands = summariseAges(
      [
        { file: 'a', band: '20-29', years: 25 },
        { file: 'b', band: '0-2', years: 1 },
        { file: 'c', band: '0-2', years: 7 },
        { file: 'd', band: '0-2', years: null },
        { file: 'e', band: 'more than 70', years: 66 },
        { file: 'f', band: '3-9', years: 5 },
        { file: 'g', band: null, years: 30 },
      ],
      [6, 8],
    );
    assert.deepEqual(bands.map((b) => b.band), ['0-2', '3-9', '20-29', 'more than 70', 'unlabelled']);
    assert.deepEqual(bands[0], { band: '0-2', images: 3, withFace: 2, medianYears: 4, shareUnder: { '6': 0.5, '8': 1 } });
    assert.deepEqual(bands[2]!.shareUnder, { '6': 0, '8': 0 });
    assert.match(formatAgeSummary(bands, 6), /^0-2 +2 faces of +3, median 4\.0 years; \*under 6 50\.0 %, under 8 100\.0 %/);
  });

  test('a band without a face has no shares', () => {
    const [band] = summariseAges([{ file: 'a', band: '0-2', years: null }], [6]);
    assert.ok(Number.isNaN(band!.shareUnder['6']));
    assert.match(formatAgeSummary([band!], 6), /under 6 —/);
  });
});
