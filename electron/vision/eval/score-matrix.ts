/** The open-set protocol's score matrix: every search against every enrolled identity, on the gallery's kernel. */
import { createDotProducts, createWasmMemory, ROW_ALIGN_FLOATS, WASM_PAGE_BYTES } from '../matcher/dot-products.js';
import { l2Norm, l2Normalize } from '../matcher/similarity.js';

/** How the templates of a person enrolled with several images are searched. */
export type MultiSampleRule = 'max' | 'mean';

/**
 * Similarities of every search (rows) against every enrolled identity (columns), row-major: per identity the
 * best of its templates ('max') or its mean template ('mean', compared as PersonGallery does with `lengthExponent`). A search without a face gets a row of NaN; an
 * identity without any template a column of NaN. Uses the gallery's WebAssembly SIMD kernel.
 */
export function scoreMatrix(
  searches: readonly (Float32Array | null)[],
  identities: readonly (readonly Float32Array[])[],
  rule: MultiSampleRule,
  lengthExponent = 0,
): Float32Array {
  const dimension = searches.find((s) => s !== null)?.length ?? identities.flat()[0]?.length ?? 0;
  const rows: Float32Array[] = [];
  const rowOwner: number[] = [];
  identities.forEach((templates, identity) => {
    if (templates.length === 0) return;
    if (rule === 'mean') {
      const sum = new Float32Array(dimension);
      for (const t of templates) for (let d = 0; d < dimension; d++) sum[d] = sum[d]! + t[d]!;
      const unit = l2Normalize(sum);
      // As PersonGallery compares: the cosine times the mean's length to the exponent.
      if (lengthExponent > 0 && templates.length > 1) {
        const scale = Math.min(1, (l2Norm(sum) / templates.length) ** lengthExponent);
        for (let d = 0; d < dimension; d++) unit[d]! *= scale;
      }
      rows.push(unit);
      rowOwner.push(identity);
    } else {
      for (const t of templates) {
        rows.push(t);
        rowOwner.push(identity);
      }
    }
  });
  const out = new Float32Array(searches.length * identities.length).fill(Number.NaN);
  if (rows.length === 0 || dimension === 0) return out;
  const stride = Math.ceil(dimension / ROW_ALIGN_FLOATS) * ROW_ALIGN_FLOATS;
  const probeAt = 0;
  const matrixAt = stride;
  const scoresAt = matrixAt + rows.length * stride;
  const memory = createWasmMemory(Math.ceil(((scoresAt + rows.length) * 4) / WASM_PAGE_BYTES) + 1);
  const heap = new Float32Array(memory.buffer);
  rows.forEach((row, r) => heap.set(row, matrixAt + r * stride));
  const dots = createDotProducts(memory);
  searches.forEach((search, s) => {
    if (search === null) return;
    heap.fill(0, probeAt, probeAt + stride);
    heap.set(search, probeAt);
    dots.run(matrixAt, probeAt, rows.length, stride, scoresAt);
    const base = s * identities.length;
    for (let r = 0; r < rows.length; r++) {
      const score = heap[scoresAt + r]!;
      const at = base + rowOwner[r]!;
      const current = out[at]!;
      if (Number.isNaN(current) || score > current) out[at] = score;
    }
  });
  return out;
}
