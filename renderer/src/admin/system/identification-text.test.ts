import assert from 'node:assert/strict';
import { test } from 'node:test';

import { formatRate, identificationRows, type IdentificationInfo } from './identification-text.js';

test('rates read as "1 in N" with a percentage, large ones as a percentage alone', () => {
  assert.equal(formatRate(1e-3), '1 in 1,000 (0.1 %)');
  assert.equal(formatRate(0.00123), '1 in 810 (0.1 %)');
  assert.equal(formatRate(0.05), '1 in 20 (5.0 %)');
  assert.equal(formatRate(0.38), '38 %');
  assert.equal(formatRate(0), 'none');
});

test('the rows say the gallery, the target, the threshold and its source, and the expected rates', () => {
  const info: IdentificationInfo = {
    modelId: 'faceapi-resnet-128',
    gallerySize: 1200,
    galleryTemplates: 3600,
    targetFpir: 1e-3,
    thresholdSimilarity: 0.95714,
    source: 'curve',
    expected: { fpir: 1e-3, fnir: 0.48 },
    curveProtocol: 'Measured on 2026-12-02 by …',
    siteLikeness: null,
  };
  assert.deepEqual(identificationRows(info), [
    ['Extractor', 'faceapi-resnet-128'],
    ['Gallery', '1,200 enabled people with a template (3,600 templates, averaged into one per person)'],
    ['Target FPIR', '1 in 1,000 (0.1 %) searches by someone not enrolled'],
    ['Threshold in use', '0.9571 cosine — Follows the gallery size and the target'],
    ['Expected FPIR', '1 in 1,000 (0.1 %) of searches by someone not enrolled name someone'],
    ['Expected FNIR', '48 % of searches by enrolled people are missed'],
    ['This site’s faces', 'Not measured (fewer than 10 people enrolled, or no reference for this extractor): the threshold follows the curve'],
  ]);
  const raised = { persons: 15, comparisons: 1050, levels: [{ fmr: 0.01, similarity: 0.2475, reaching: 72, factor: 6.9, factorLower: 3.8 }], applied: 3.8, note: 'Faces enrolled here look more alike …' };
  assert.deepEqual(identificationRows({ ...info, siteLikeness: raised })[6], ['This site’s faces', 'Faces enrolled here look more alike …']);
  assert.deepEqual(identificationRows({ ...info, oneToOneSimilarity: 0.454 }).at(-1), ['After a card', '0.4540 cosine — the face is compared with the card holder’s only (card and face)']);
  const fixed = identificationRows({ ...info, source: 'fixed', expected: null, curveProtocol: null });
  assert.equal(fixed[3]?.[1], '0.9571 cosine — Fixed (no curve for this extractor)');
  assert.equal(fixed[4]?.[1], 'Unknown (no curve)');
});
