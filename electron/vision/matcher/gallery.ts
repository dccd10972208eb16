import {
  createDotProducts,
  createWasmMemory,
  ROW_ALIGN_FLOATS,
  WASM_PAGE_BYTES,
  type DotKernelName,
  type DotProducts,
  type WasmMemory,
} from './dot-products.js';
import { cosineSimilarity, l2Normalize } from './similarity.js';

/** Options for {@link Gallery}. */
export interface GalleryOptions {
  /** Template length in floats (e.g. 128 or 512); every template added or searched must match. */
  dimension: number;
  /** Rows allocated up front; default 1024. The matrix doubles when full. */
  initialCapacity?: number;
  /** Dot-product kernel; default 'wasm-simd' where supported, else 'js'. Exposed for benchmarks and tests. */
  kernel?: DotKernelName;
}

/** Options for {@link Gallery.search}. */
export interface GallerySearchOptions {
  /** Most hits returned, one per id; default 5. */
  topK?: number;
  /** Hits below this cosine similarity (-1..1) are dropped; default none. */
  minSimilarity?: number;
}

/** One search hit: an id and the cosine similarity (-1..1) of its best-matching row. */
export interface GalleryHit {
  id: string;
  similarity: number;
}

/** One template to add. */
export interface GalleryEntry {
  id: string;
  template: Float32Array;
  /**
   * Stored L2-normalised times this (0 < scale ≤ 1; default 1), so its similarities come out scaled by it too:
   * PersonGallery's mean templates of samples that differ (see its `lengthExponent`).
   */
  scale?: number;
}

/** Largest memory a 32-bit WebAssembly memory can address. */
const MAX_MEMORY_BYTES = 2 ** 32;
/** Above this topK the per-row insertion list (O(k) per accepted row) loses to a Map plus one sort. */
const SMALL_TOP_K = 32;
const DEFAULT_INITIAL_CAPACITY = 1024;

/**
 * In-memory 1:N gallery of L2-normalised templates, searched by cosine similarity.
 *
 * Rows live in ONE contiguous float32 matrix (inside a WebAssembly memory so the SIMD kernel reads it in
 * place) with a parallel array of string ids; several rows may share an id (one person, several samples).
 * Memory layout, in floats: [probe | capacity rows | capacity scores], each row padded with zeros to a
 * multiple of 16 floats (zeros add nothing to a dot product). Removal swap-removes, keeping rows 0..size-1
 * dense. WebAssembly memory never shrinks: `clear()` and `removeById()` keep the capacity; drop the gallery
 * to release it.
 */
export class Gallery {
  /** Template length in floats. */
  readonly dimension: number;
  private readonly strideFloats: number;
  private readonly memory: WasmMemory;
  private readonly dots: DotProducts;
  private heap: Float32Array;
  private capacityRows: number;
  private readonly ids: string[] = [];

  constructor(options: GalleryOptions) {
    const { dimension, initialCapacity = DEFAULT_INITIAL_CAPACITY } = options;
    if (!Number.isInteger(dimension) || dimension <= 0) {
      throw new RangeError(`Gallery: dimension must be a positive integer, got ${dimension}`);
    }
    if (!Number.isInteger(initialCapacity) || initialCapacity < 1) {
      throw new RangeError(`Gallery: initialCapacity must be a positive integer, got ${initialCapacity}`);
    }
    this.dimension = dimension;
    this.strideFloats = Math.ceil(dimension / ROW_ALIGN_FLOATS) * ROW_ALIGN_FLOATS;
    this.capacityRows = initialCapacity;
    if (this.bytesFor(initialCapacity) > MAX_MEMORY_BYTES) {
      throw new RangeError(`Gallery: ${initialCapacity} rows of ${dimension} floats exceed the 4 GiB WebAssembly memory limit`);
    }
    this.memory = createWasmMemory(Math.ceil(this.bytesFor(initialCapacity) / WASM_PAGE_BYTES));
    this.heap = new Float32Array(this.memory.buffer);
    this.dots = createDotProducts(this.memory, options.kernel);
  }

  /** Cosine similarity (-1..1) of two templates, for 1:1 verification; throws on a dimension mismatch. */
  static similarity(a: Float32Array, b: Float32Array): number {
    return cosineSimilarity(a, b);
  }

  /** Number of rows (templates), not distinct ids. */
  get size(): number {
    return this.ids.length;
  }

  /** Rows that fit before the matrix grows. */
  get capacity(): number {
    return this.capacityRows;
  }

  /** The dot-product kernel in use. */
  get kernel(): DotKernelName {
    return this.dots.kernel;
  }

  /** True if at least one row has this id. */
  has(id: string): boolean {
    return this.ids.includes(id);
  }

  /** Adds one template (stored L2-normalised) under `id`; throws on a dimension mismatch or a zero/NaN template. */
  add(id: string, template: Float32Array): void {
    this.addMany([{ id, template }]);
  }

  /** Adds several templates; all are validated first, so a bad one adds none. */
  addMany(entries: readonly GalleryEntry[]): void {
    const prepared = entries.map(({ id, template, scale = 1 }, index) => {
      if (typeof id !== 'string' || id === '') throw new TypeError(`Gallery.addMany: entry ${index} has an empty id`);
      if (!(scale > 0 && scale <= 1)) throw new RangeError(`Gallery.addMany: entry ${index} has scale ${scale}, not in (0, 1]`);
      this.assertDimension(template, 'Gallery.add');
      const unit = l2Normalize(template);
      if (scale !== 1) for (let i = 0; i < unit.length; i++) unit[i]! *= scale;
      return { id, unit };
    });
    this.ensureCapacity(this.size + prepared.length);
    for (const { id, unit } of prepared) {
      this.writeRow(this.matrixAt + this.size * this.strideFloats, unit);
      this.ids.push(id);
    }
  }

  /** Removes every row with this id, moving the last rows into the holes; returns the number of rows removed. */
  removeById(id: string): number {
    let removed = 0;
    let row = 0;
    while (row < this.ids.length) {
      if (this.ids[row] !== id) {
        row++;
        continue;
      }
      const last = this.ids.length - 1;
      if (row !== last) {
        const from = this.matrixAt + last * this.strideFloats;
        this.heap.copyWithin(this.matrixAt + row * this.strideFloats, from, from + this.strideFloats);
        this.ids[row] = this.ids[last]!;
      }
      this.ids.pop();
      removed++;
      // Do not advance: the row moved into this slot may carry the same id.
    }
    return removed;
  }

  /** Removes every row; the capacity is kept. */
  clear(): void {
    this.ids.length = 0;
  }

  /**
   * The topK ids most similar to `probe`, best first, each with the cosine similarity (-1..1) of its best row.
   * Scores every row (exact, no index), then keeps the best per id in a small sorted list instead of sorting
   * all rows. The order among exactly equal similarities is unspecified.
   */
  search(probe: Float32Array, options: GallerySearchOptions = {}): GalleryHit[] {
    const { topK = 5, minSimilarity = Number.NEGATIVE_INFINITY } = options;
    if (!Number.isInteger(topK) || topK < 1) throw new RangeError(`Gallery.search: topK must be a positive integer, got ${topK}`);
    if (Number.isNaN(minSimilarity)) throw new RangeError('Gallery.search: minSimilarity is NaN');
    this.assertDimension(probe, 'Gallery.search');
    const unit = l2Normalize(probe);
    const rows = this.size;
    if (rows === 0) return [];
    this.writeRow(0, unit);
    this.dots.run(this.matrixAt, 0, rows, this.strideFloats, this.scoresAt);
    const scores = this.heap.subarray(this.scoresAt, this.scoresAt + rows);
    const hits = topK <= SMALL_TOP_K ? this.selectSmall(scores, topK, minSimilarity) : this.selectLarge(scores, topK, minSimilarity);
    // float32 accumulation can land a hair outside -1..1 for (anti)identical templates.
    for (const hit of hits) hit.similarity = Math.max(-1, Math.min(1, hit.similarity));
    return hits;
  }

  private get matrixAt(): number {
    return this.strideFloats;
  }

  private get scoresAt(): number {
    return this.strideFloats * (1 + this.capacityRows);
  }

  private bytesFor(capacityRows: number): number {
    return 4 * (this.strideFloats * (1 + capacityRows) + capacityRows);
  }

  private assertDimension(template: Float32Array, what: string): void {
    if (!(template instanceof Float32Array)) throw new TypeError(`${what}: the template must be a Float32Array`);
    if (template.length !== this.dimension) {
      throw new RangeError(`${what}: dimension mismatch, template has ${template.length}, gallery has ${this.dimension}`);
    }
  }

  /** Writes `unit` at float index `at`, zeroing the row's padding (it may hold stale scores after a growth). */
  private writeRow(at: number, unit: Float32Array): void {
    this.heap.set(unit, at);
    if (this.strideFloats > unit.length) this.heap.fill(0, at + unit.length, at + this.strideFloats);
  }

  private ensureCapacity(rows: number): void {
    if (rows <= this.capacityRows) return;
    let next = this.capacityRows;
    while (next < rows) next *= 2;
    const bytes = this.bytesFor(next);
    if (bytes > MAX_MEMORY_BYTES) {
      throw new RangeError(`Gallery: ${rows} rows of ${this.dimension} floats exceed the 4 GiB WebAssembly memory limit`);
    }
    const havePages = this.memory.buffer.byteLength / WASM_PAGE_BYTES;
    const needPages = Math.ceil(bytes / WASM_PAGE_BYTES);
    if (needPages > havePages) this.memory.grow(needPages - havePages);
    // The matrix starts at the same offset, so its rows survive in place; the scores region just moves.
    this.heap = new Float32Array(this.memory.buffer);
    this.capacityRows = next;
  }

  private selectSmall(scores: Float32Array, topK: number, minSimilarity: number): GalleryHit[] {
    const ids = this.ids;
    const hitIds: string[] = [];
    const hitScores: number[] = [];
    let count = 0;
    for (let row = 0; row < scores.length; row++) {
      const s = scores[row]!;
      if (s < minSimilarity) continue;
      if (count === topK && s <= hitScores[topK - 1]!) continue;
      const id = ids[row]!;
      let existing = -1;
      for (let i = 0; i < count; i++) {
        if (hitIds[i] === id) {
          existing = i;
          break;
        }
      }
      if (existing >= 0) {
        if (s <= hitScores[existing]!) continue;
        for (let i = existing; i < count - 1; i++) {
          hitIds[i] = hitIds[i + 1]!;
          hitScores[i] = hitScores[i + 1]!;
        }
        count--;
      } else if (count === topK) {
        count--;
      }
      let at = count;
      while (at > 0 && hitScores[at - 1]! < s) {
        hitIds[at] = hitIds[at - 1]!;
        hitScores[at] = hitScores[at - 1]!;
        at--;
      }
      hitIds[at] = id;
      hitScores[at] = s;
      count++;
    }
    const hits: GalleryHit[] = [];
    for (let i = 0; i < count; i++) hits.push({ id: hitIds[i]!, similarity: hitScores[i]! });
    return hits;
  }

  private selectLarge(scores: Float32Array, topK: number, minSimilarity: number): GalleryHit[] {
    const best = new Map<string, number>();
    for (let row = 0; row < scores.length; row++) {
      const s = scores[row]!;
      if (s < minSimilarity) continue;
      const id = this.ids[row]!;
      const previous = best.get(id);
      if (previous === undefined || s > previous) best.set(id, s);
    }
    return [...best]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topK)
      .map(([id, similarity]) => ({ id, similarity }));
  }
}
