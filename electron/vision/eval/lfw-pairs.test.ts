import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { LfwPairsParseError, lfwImagePath, parseLfwPairs, readLfwPairs } from './lfw-pairs.js';

const SAMPLE = ['2\t1', 'Ann\t1\t2', 'Ann\t1\tBob\t3', 'Cy 10 12', 'Bob 2 Cy 1', ''].join('\n');

describe('parseLfwPairs', () => {
  it('parses folds, same/different pairs and zero-padded image paths', () => {
    const parsed = parseLfwPairs(SAMPLE, '/lfw');
    assert.equal(parsed.folds, 2);
    assert.equal(parsed.pairsPerFold, 1);
    assert.deepEqual(parsed.pairs, [
      { fold: 0, same: true, imageA: '/lfw/Ann/Ann_0001.jpg', imageB: '/lfw/Ann/Ann_0002.jpg', lineNumber: 2 },
      { fold: 0, same: false, imageA: '/lfw/Ann/Ann_0001.jpg', imageB: '/lfw/Bob/Bob_0003.jpg', lineNumber: 3 },
      { fold: 1, same: true, imageA: '/lfw/Cy/Cy_0010.jpg', imageB: '/lfw/Cy/Cy_0012.jpg', lineNumber: 4 },
      { fold: 1, same: false, imageA: '/lfw/Bob/Bob_0002.jpg', imageB: '/lfw/Cy/Cy_0001.jpg', lineNumber: 5 },
    ]);
  });

  it('accepts CRLF line endings', () => {
    assert.equal(parseLfwPairs(SAMPLE.replaceAll('\n', '\r\n'), '/lfw').pairs.length, 4);
  });

  it('builds 4-digit image names', () => {
    assert.equal(lfwImagePath('/x', 'Zico', 3), path.join('/x', 'Zico', 'Zico_0003.jpg'));
  });

  const malformed: Array<[string, string, number, RegExp]> = [
    ['a bad header', 'ten 1\nA 1 2\nA 1 B 2', 1, /header/],
    ['a same-person line with 4 fields', '1 1\nA 1 B 2\nA 1 B 2', 2, /"Name i j" \(3 fields, fold 1\), got 4/],
    ['a different-person line with 3 fields', '1 1\nA 1 2\nA 1 2', 3, /"NameA i NameB j" \(4 fields, fold 1\), got 3/],
    ['a non-numeric image number', '1 1\nA 1 x\nA 1 B 2', 2, /image number "x"/],
    ['image number zero', '1 1\nA 0 2\nA 1 B 2', 2, /image number "0"/],
    ['a missing line', '1 2\nA 1 2\nA 1 3\nA 1 B 2', 5, /ends after 3 pair lines.*1 folds × 2 × 2 = 4/],
    ['an extra line', '1 1\nA 1 2\nA 1 B 2\nA 1 2', 4, /unexpected line/],
    ['a blank line inside the body', '1 1\n\nA 1 B 2', 2, /got 0 fields/],
  ];
  for (const [what, text, lineNumber, message] of malformed) {
    it(`names the line for ${what}`, () => {
      assert.throws(
        () => parseLfwPairs(text, '/lfw', 'sample.txt'),
        (error: unknown) => {
          assert.ok(error instanceof LfwPairsParseError);
          assert.equal(error.lineNumber, lineNumber);
          assert.match(error.message, new RegExp(`^sample\\.txt line ${lineNumber}: `));
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});

describe('readLfwPairs on the real LFW dev pairs', () => {
  const dataDir = path.resolve(import.meta.dirname, '../../../../shared/data/lfw-dev');
  const pairsPath = path.join(dataDir, 'pairs.txt');
  const imagesDir = path.join(dataDir, 'images');

  it('reads 5 folds × 300 pairs whose images all exist', async (t) => {
    if (!existsSync(pairsPath) || !existsSync(imagesDir)) {
      t.skip(`LFW dev data (${dataDir}/pairs.txt and images/) absent`);
      return;
    }
    const parsed = await readLfwPairs(pairsPath, imagesDir);
    assert.equal(parsed.folds, 5);
    assert.equal(parsed.pairsPerFold, 300);
    assert.equal(parsed.pairs.length, 3000);
    for (let fold = 0; fold < 5; fold++) {
      const inFold = parsed.pairs.filter((p) => p.fold === fold);
      assert.equal(inFold.filter((p) => p.same).length, 300);
      assert.equal(inFold.filter((p) => !p.same).length, 300);
    }
    const last = parsed.pairs.at(-1)!;
    assert.equal(last.lineNumber, 3001);
    assert.equal(last.imageB, path.join(imagesDir, 'Win_Aung', 'Win_Aung_0001.jpg'));
    // Paths resolve to real files. Not every one: this copy lacks Zurab_Tsereteli_0001.jpg (line 2841), which
    // is why evaluateLfw reports missing images instead of assuming the data README's "every image is present".
    const images = [...new Set(parsed.pairs.flatMap((p) => [p.imageA, p.imageB]))];
    const missing = images.filter((image) => !existsSync(image));
    if (missing.length > 0) t.diagnostic(`missing images: ${missing.join(', ')}`);
    assert.ok(missing.length <= 1, `${missing.length} of ${images.length} images missing`);
  });
});
