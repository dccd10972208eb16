import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { EvalIdentUsageError, parseExtractorSpec } from './eval-ident.js';

describe('parseExtractorSpec', () => {
  test('one id, equal-weight fusion, weighted fusion', () => {
    assert.deepEqual(parseExtractorSpec('faceapi-resnet-128'), [{ id: 'faceapi-resnet-128', weight: 1 }]);
    assert.deepEqual(parseExtractorSpec('a+b'), [{ id: 'a', weight: 1 }, { id: 'b', weight: 1 }]);
    assert.deepEqual(parseExtractorSpec('a:0.6+b:0.4'), [{ id: 'a', weight: 0.6 }, { id: 'b', weight: 0.4 }]);
  });

  test('bad weights, empty ids and a model named twice are usage errors', () => {
    for (const spec of ['a:0+b', 'a:-1', 'a:x', '+b', 'a:1:2', 'a+a']) assert.throws(() => parseExtractorSpec(spec), EvalIdentUsageError, spec);
  });
});
