/**
 * Vector helpers for face templates: L2 normalisation, cosine similarity (-1..1) and template fusion.
 * A template is a Float32Array embedding; "similarity" here is always cosine, never a distance.
 */

/** Euclidean norm of `v`; NaN if any element is NaN. */
export function l2Norm(v: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    sum += x * x;
  }
  return Math.sqrt(sum);
}

/** Unit-length copy of `v` (the input is not modified); throws on an empty, all-zero or non-finite vector. */
export function l2Normalize(v: Float32Array): Float32Array {
  if (v.length === 0) throw new RangeError('l2Normalize: the vector is empty');
  const norm = l2Norm(v);
  // NaN or Infinity anywhere poisons the norm; a model that emits them is broken and must not be enrolled.
  if (!Number.isFinite(norm)) throw new RangeError('l2Normalize: the vector contains NaN or Infinity');
  if (norm === 0) throw new RangeError('l2Normalize: the vector is all zeros and has no direction');
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / norm;
  return out;
}

/** Throws a RangeError naming both sizes when two templates have different dimensions. */
export function assertSameDimension(a: Float32Array, b: Float32Array, what = 'cosineSimilarity'): void {
  if (a.length !== b.length) {
    throw new RangeError(`${what}: dimension mismatch, ${a.length} vs ${b.length}`);
  }
}

/** Cosine similarity of two templates, -1..1 (normalises internally); throws on a dimension mismatch or a zero vector. */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  assertSameDimension(a, b);
  if (a.length === 0) throw new RangeError('cosineSimilarity: the vectors are empty');
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  const denominator = Math.sqrt(normA * normB);
  if (!Number.isFinite(denominator)) throw new RangeError('cosineSimilarity: a vector contains NaN or Infinity');
  if (denominator === 0) throw new RangeError('cosineSimilarity: a vector is all zeros and has no direction');
  // Rounding can push |dot| a hair past the product of norms; keep the documented -1..1 range.
  return Math.max(-1, Math.min(1, dot / denominator));
}

/**
 * Fuses templates into one unit-length template: element-wise mean, then L2 normalisation.
 * Used for a face and its mirror image, or several enrollment samples. Inputs are averaged as given, so an
 * input with a larger norm weighs more; normalise them first for equal weights. Throws on an empty list or
 * mixed dimensions.
 */
export function averageTemplates(list: readonly Float32Array[]): Float32Array {
  const first = list[0];
  if (first === undefined) throw new RangeError('averageTemplates: the list is empty');
  // Accumulate in float64: summing many float32 samples in float32 loses low bits we then normalise away.
  const sum = new Float64Array(first.length);
  for (const template of list) {
    assertSameDimension(first, template, 'averageTemplates');
    for (let i = 0; i < template.length; i++) sum[i]! += template[i]!;
  }
  const mean = new Float32Array(first.length);
  for (let i = 0; i < mean.length; i++) mean[i] = sum[i]! / list.length;
  return l2Normalize(mean);
}
