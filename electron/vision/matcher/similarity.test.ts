import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { averageTemplates, cosineSimilarity, l2Normalize } from './similarity.js';

describe('l2Normalize', () => {
  it('returns a unit-length copy and leaves the input alone', () => {
    const input = new Float32Array([3, 4]);
    const unit = l2Normalize(input);
    assert.deepEqual([...unit], [Math.fround(0.6), Math.fround(0.8)]);
    assert.deepEqual([...input], [3, 4]);
  });

  it('throws on a zero vector', () => {
    assert.throws(() => l2Normalize(new Float32Array(4)), /all zeros/);
  });

  it('throws on NaN and Infinity', () => {
    assert.throws(() => l2Normalize(new Float32Array([1, Number.NaN])), /NaN or Infinity/);
    assert.throws(() => l2Normalize(new Float32Array([1, Number.POSITIVE_INFINITY])), /NaN or Infinity/);
  });

  it('throws on an empty vector', () => {
    assert.throws(() => l2Normalize(new Float32Array(0)), /empty/);
  });
});

describe('cosineSimilarity', () => {
  it('is 1 for parallel, 0 for orthogonal and -1 for opposite vectors, whatever the norms', () => {
    assert.equal(cosineSimilarity(new Float32Array([2, 0]), new Float32Array([5, 0])), 1);
    assert.equal(cosineSimilarity(new Float32Array([1, 0]), new Float32Array([0, 3])), 0);
    assert.equal(cosineSimilarity(new Float32Array([1, 1]), new Float32Array([-2, -2])), -1);
  });

  it('names both sizes on a dimension mismatch', () => {
    assert.throws(() => cosineSimilarity(new Float32Array(128), new Float32Array(512)), /128 vs 512/);
  });

  it('throws on a zero vector', () => {
    assert.throws(() => cosineSimilarity(new Float32Array([0, 0]), new Float32Array([1, 0])), /all zeros/);
  });
});

describe('averageTemplates', () => {
  it('averages then re-normalises', () => {
    const fused = averageTemplates([new Float32Array([1, 0]), new Float32Array([0, 1])]);
    assert.ok(Math.abs(fused[0]! - Math.SQRT1_2) < 1e-7);
    assert.ok(Math.abs(fused[1]! - Math.SQRT1_2) < 1e-7);
  });

  it('throws on an empty list, mixed dimensions and a zero mean', () => {
    assert.throws(() => averageTemplates([]), /empty/);
    assert.throws(() => averageTemplates([new Float32Array(2), new Float32Array(3)]), /2 vs 3/);
    assert.throws(() => averageTemplates([new Float32Array([1, 0]), new Float32Array([-1, 0])]), /all zeros/);
  });
});
