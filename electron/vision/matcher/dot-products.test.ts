import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDotProducts, createWasmMemory, isWasmSimdSupported, type DotKernelName } from './dot-products.js';
import { createSeededRandom } from './seeded-random.js';

function scoresWith(kernel: DotKernelName, rows: number, stride: number, seed: number): { got: Float32Array; want: number[] } {
  const memory = createWasmMemory(4);
  const heap = new Float32Array(memory.buffer);
  const random = createSeededRandom(seed);
  const probeAt = 0;
  const matrixAt = stride;
  const scoresAt = stride * (1 + rows);
  for (let i = 0; i < stride * (1 + rows); i++) heap[i] = random() * 2 - 1;
  createDotProducts(memory, kernel).run(matrixAt, probeAt, rows, stride, scoresAt);
  const want: number[] = [];
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let j = 0; j < stride; j++) sum += heap[matrixAt + r * stride + j]! * heap[probeAt + j]!;
    want.push(sum);
  }
  return { got: heap.slice(scoresAt, scoresAt + rows), want };
}

describe('dot products', () => {
  it('is supported on the Node versions we ship', () => {
    assert.equal(isWasmSimdSupported(), true);
    assert.equal(createDotProducts(createWasmMemory(1)).kernel, 'wasm-simd');
  });

  for (const kernel of ['wasm-simd', 'js'] as const) {
    for (const stride of [16, 128, 512]) {
      it(`${kernel} matches a float64 reference at stride ${stride}`, () => {
        const { got, want } = scoresWith(kernel, 37, stride, stride);
        for (let r = 0; r < want.length; r++) {
          // Elements are in -1..1, so sums of up to 512 products stay within float32 rounding of ~1e-4 here.
          assert.ok(Math.abs(got[r]! - want[r]!) < 1e-4, `row ${r}: ${got[r]} vs ${want[r]}`);
        }
      });
    }
  }

  it('writes nothing for zero rows', () => {
    const memory = createWasmMemory(1);
    const heap = new Float32Array(memory.buffer);
    heap[32] = 7;
    createDotProducts(memory, 'wasm-simd').run(16, 0, 0, 16, 32);
    assert.equal(heap[32], 7);
  });

  it('rejects a stride the SIMD loop cannot walk', () => {
    assert.throws(() => createDotProducts(createWasmMemory(1), 'wasm-simd').run(8, 0, 1, 8, 16), /multiple of 16/);
  });
});
