import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';

import { parseManifest, type IdentificationCurve } from '../models/manifest.js';
import { defaultManifestPath } from '../models/paths.js';
import { ManifestEditError, withIdentificationCurve } from './manifest-curve.js';

const curve: IdentificationCurve = {
  points: [
    { similarity: 0.9, fmr: 1e-1, fnir: 0.1 },
    { similarity: 0.95, fmr: 1e-3, fnir: 0.4 },
  ],
  protocol: { description: 'lintel eval ident --images images', gallerySize: 826, matedSearches: 2000, nonMatedSearches: 7700, comparisons: 6_000_000, measuredOn: '2026-12-02' },
};

describe('withIdentificationCurve', () => {
  test('adds the curve to one model of the shipped manifest and changes nothing else', async () => {
    const path = defaultManifestPath();
    const text = await readFile(path, 'utf8');
    const edited = withIdentificationCurve(text, 'mobileface-256', curve);
    const manifest = parseManifest(edited, path);
    assert.deepEqual(manifest.models['mobileface-256']!.identification, curve);
    const before = parseManifest(text, path);
    for (const id of Object.keys(before.models)) if (id !== 'mobileface-256') assert.deepEqual(manifest.models[id], before.models[id]);
    // One insertion and nothing else: the text before it and after it is the old text, byte for byte.
    let at = 0;
    while (edited[at] === text[at]) at++;
    const inserted = edited.slice(at, edited.length - (text.length - at));
    assert.equal(edited.slice(edited.length - (text.length - at)), text.slice(at));
    assert.match(inserted, /^,\n {6}"identification": \{\n/);
    assert.ok(edited.indexOf(inserted) > edited.indexOf('"mobileface-256"'));
  });

  test('a second write replaces the curve instead of adding another', async () => {
    const text = await readFile(defaultManifestPath(), 'utf8');
    const once = withIdentificationCurve(text, 'mobileface-256', curve);
    const changed = { ...curve, points: [curve.points[0]!, { similarity: 0.97, fmr: 1e-4, fnir: 0.5 }], galleryReference: { comparisons: 681_450, levels: [{ fmr: 0.01, similarity: 0.24747 }] } };
    const twice = withIdentificationCurve(once, 'mobileface-256', changed);
    assert.equal(twice.match(/"identification"/g)?.length, (text.match(/"identification"/g)?.length ?? 0) + 1);
    assert.deepEqual(parseManifest(twice, 'test').models['mobileface-256']!.identification, changed);
  });

  test('the mean-template exponent is written with the curve and reads back', async () => {
    const text = await readFile(defaultManifestPath(), 'utf8');
    const withMean = { ...curve, meanTemplate: { lengthExponent: 0.25, description: 'lintel eval ident … enroll 3', measuredOn: '2026-12-04' } };
    const edited = withIdentificationCurve(text, 'mobileface-256', withMean);
    assert.deepEqual(parseManifest(edited, 'test').models['mobileface-256']!.identification, withMean);
    const out = { ...withMean, meanTemplate: { ...withMean.meanTemplate, lengthExponent: 1.5 } };
    assert.throws(() => parseManifest(withIdentificationCurve(text, 'mobileface-256', out), 'test'), /lengthExponent/);
  });

  test('an unknown model is an error', async () => {
    const text = await readFile(defaultManifestPath(), 'utf8');
    assert.throws(() => withIdentificationCurve(text, 'no-such-model', curve), ManifestEditError);
  });
});
