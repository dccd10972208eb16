import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { readFile } from 'node:fs/promises';

import { parseManifest } from '../models/manifest.js';
import { defaultManifestPath } from '../models/paths.js';
import { comparisonFmrAt, comparisonFmrForFpir, expectedRates, matchScore, thresholdFor, type IdentificationCurve } from './identification-curve.js';

// log10 FMR falls by one per 0.1 of similarity: FMR = 10^(4 − 10·s) on 0.5..0.8.
const curve: IdentificationCurve = {
  points: [
    { similarity: 0.5, fmr: 1e-1, fnir: 0.01 },
    { similarity: 0.6, fmr: 1e-2, fnir: 0.02 },
    { similarity: 0.7, fmr: 1e-3, fnir: 0.05 },
    { similarity: 0.8, fmr: 1e-4, fnir: 0.2 },
  ],
  protocol: { description: 'hand-made', gallerySize: 826, matedSearches: 2000, nonMatedSearches: 7000, comparisons: 5_000_000, measuredOn: '2026-12-02' },
};
const near = (actual: number, expected: number, tolerance = 1e-9): void => assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} ≠ ${expected}`);

describe('identification curve', () => {
  test('per-comparison FMR for a target FPIR: 1 − (1 − FPIR)^(1/N)', () => {
    near(comparisonFmrForFpir(1e-2, 1), 1e-2, 1e-15);
    near(comparisonFmrForFpir(1e-2, 10), 1 - 0.99 ** 0.1, 1e-15);
    near(comparisonFmrForFpir(1e-3, 10_000), 1.0005e-7, 1e-11);
    assert.throws(() => comparisonFmrForFpir(1e-3, 0), RangeError);
  });

  test('thresholdFor: on a grid point, between points in log FMR, and beyond the last point', () => {
    near(thresholdFor(curve, 1, 1e-2), 0.6);
    // N = 10 at FPIR 1e-2: FMR 1.0045e-3 per comparison → s = (4 − log10 FMR) / 10.
    near(thresholdFor(curve, 10, 1e-2), (4 - Math.log10(1 - 0.99 ** 0.1)) / 10);
    // N = 100 at FPIR 1e-3: FMR ≈ 1e-5, below the curve: the last segment extended.
    near(thresholdFor(curve, 100, 1e-3), (4 - Math.log10(comparisonFmrForFpir(1e-3, 100))) / 10);
    assert.ok(thresholdFor(curve, 1000, 1e-3) > thresholdFor(curve, 100, 1e-3), 'a larger gallery needs a stricter threshold');
    assert.equal(thresholdFor(curve, 1e9, 1e-6), 1, 'clamped to a cosine');
    assert.throws(() => thresholdFor(curve, 10, 0), RangeError);
  });

  test('expectedRates inverts thresholdFor, and reads FNIR off the curve', () => {
    for (const [size, fpir] of [[10, 1e-2], [1000, 1e-1], [300, 3e-3]] as const) {
      near(expectedRates(curve, size, thresholdFor(curve, size, fpir)).fpir, fpir, 1e-12);
    }
    const rates = expectedRates(curve, 10, 0.65);
    near(rates.fpir, 1 - (1 - 10 ** -2.5) ** 10, 1e-12);
    near(rates.fnir, 0.035, 1e-12);
    assert.equal(expectedRates(curve, 10, 0.2).fnir, 0.01, 'below the curve: its first FNIR');
    // Above the curve: the last segment extended (0.05 → 0.2 over 0.1).
    near(expectedRates(curve, 10, 0.9).fnir, 0.35, 1e-12);
    near(expectedRates(curve, 10, 1).fnir, 0.5, 1e-12);
  });

  test("a site's FMR factor: the curve's FMR that many times lower, and the expected FPIR counts it", () => {
    // FMR = 10^(4 − 10·s): ten times rarer is 0.1 more.
    near(thresholdFor(curve, 1, 1e-2, 10), 0.7);
    near(thresholdFor(curve, 100, 1e-1, 10), thresholdFor(curve, 100, 1e-1) + 0.1);
    near(expectedRates(curve, 100, thresholdFor(curve, 100, 1e-2, 7), 7).fpir, 1e-2);
    near(expectedRates(curve, 1, 0.6, 3).fpir, 3e-2);
    assert.throws(() => thresholdFor(curve, 10, 1e-2, 0.5), /an FMR factor must be ≥ 1/);
  });

  test('comparison FMR is interpolated in log FMR', () => {
    near(comparisonFmrAt(curve, 0.75), 10 ** -3.5, 1e-15);
    assert.equal(comparisonFmrAt(curve, 0), 1, 'clamped to 1');
  });

  test('match score: 10 · −log10 FMR, clamped to 0..100', () => {
    assert.equal(matchScore(curve, 0.5), 10);
    assert.equal(matchScore(curve, 0.7), 30);
    assert.equal(matchScore(curve, 0.75), 35);
    assert.equal(matchScore(curve, 1), 60);
    assert.equal(matchScore(curve, 0.2), 0);
    assert.equal(matchScore({ ...curve, points: [{ similarity: 0, fmr: 1e-1, fnir: 0 }, { similarity: 0.1, fmr: 1e-5, fnir: 0 }] }, 0.9), 100);
  });
});

describe('the shipped curves', () => {
  test('faceapi-resnet-128: the threshold for FPIR 1e-2 over its 826-person dev gallery is the one measured there', async () => {
    const manifest = parseManifest(await readFile(defaultManifestPath(), 'utf8'), 'manifest');
    const curve = manifest.models['faceapi-resnet-128']!.identification;
    assert.ok(curve, 'faceapi-resnet-128 has an identification curve');
    // lintel eval ident on the dev protocol measured 0.9539 at FPIR 1e-2 with N = 826 (models/README.md).
    near(thresholdFor(curve, 826, 1e-2), 0.9539, 0.003);
    // And the 1e-2 threshold rises with the gallery: 100 → 826 → 10,000.
    assert.ok(thresholdFor(curve, 100, 1e-2) < thresholdFor(curve, 826, 1e-2));
    assert.ok(thresholdFor(curve, 826, 1e-2) < thresholdFor(curve, 10_000, 1e-2));
  });
});
