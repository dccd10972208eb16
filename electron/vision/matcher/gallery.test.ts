import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DotKernelName } from './dot-products.js';
import { Gallery, type GalleryHit } from './gallery.js';
import { createSeededRandom, randomUnitVector } from './seeded-random.js';
import { cosineSimilarity } from './similarity.js';

interface Row {
  id: string;
  template: Float32Array;
}

/** Reference answer: score every row in float64, keep each id's best, sort all, cut to topK. */
function bruteForce(rows: readonly Row[], probe: Float32Array, topK: number, minSimilarity = -Infinity): GalleryHit[] {
  const best = new Map<string, number>();
  for (const { id, template } of rows) {
    const s = cosineSimilarity(template, probe);
    if (s >= minSimilarity && s > (best.get(id) ?? -Infinity)) best.set(id, s);
  }
  return [...best]
    .map(([id, similarity]) => ({ id, similarity }))
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, topK);
}

function assertSameHits(got: GalleryHit[], want: GalleryHit[]): void {
  assert.deepEqual(
    got.map((h) => h.id),
    want.map((h) => h.id),
  );
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i]!.similarity - want[i]!.similarity) < 1e-5, `hit ${i}: ${got[i]!.similarity} vs ${want[i]!.similarity}`);
  }
}

/** Rows with `people` ids, `perPerson` samples each, in shuffled order so one id's rows are scattered. */
function randomRows(seed: number, dimension: number, people: number, perPerson: number): Row[] {
  const random = createSeededRandom(seed);
  const rows: Row[] = [];
  for (let p = 0; p < people; p++) {
    for (let s = 0; s < perPerson; s++) rows.push({ id: `person-${p}`, template: randomUnitVector(random, dimension) });
  }
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  return rows;
}

for (const kernel of ['wasm-simd', 'js'] as const satisfies readonly DotKernelName[]) {
  describe(`Gallery (${kernel} kernel)`, () => {
    it('matches a brute-force sort for several topK, dimensions and thresholds', () => {
      for (const dimension of [128, 100, 512]) {
        const rows = randomRows(dimension, dimension, 300, 3);
        const gallery = new Gallery({ dimension, kernel, initialCapacity: 64 });
        gallery.addMany(rows);
        const random = createSeededRandom(7);
        for (let q = 0; q < 20; q++) {
          // Probes near a stored row give a realistic mix of one strong match and a noisy tail.
          const base = rows[Math.floor(random() * rows.length)]!.template;
          const noise = randomUnitVector(random, dimension);
          const probe = base.map((x, i) => x + 0.7 * noise[i]!);
          for (const topK of [1, 5, 32, 33, 1000]) {
            assertSameHits(gallery.search(probe, { topK }), bruteForce(rows, probe, topK));
          }
          assertSameHits(gallery.search(probe, { topK: 10, minSimilarity: 0.05 }), bruteForce(rows, probe, 10, 0.05));
        }
      }
    });

    it('returns at most one hit per id, the best of its rows', () => {
      const gallery = new Gallery({ dimension: 2, kernel });
      gallery.add('alice', new Float32Array([1, 0]));
      gallery.add('alice', new Float32Array([0.8, 0.6]));
      gallery.add('bob', new Float32Array([0, 1]));
      gallery.add('alice', new Float32Array([0.6, 0.8]));
      const hits = gallery.search(new Float32Array([0.6, 0.8]), { topK: 5 });
      assert.deepEqual(hits.map((h) => h.id), ['alice', 'bob']);
      assert.ok(Math.abs(hits[0]!.similarity - 1) < 1e-6);
      assert.ok(Math.abs(hits[1]!.similarity - 0.8) < 1e-6);
    });

    it('stores templates normalised and searches with a normalised probe', () => {
      const gallery = new Gallery({ dimension: 2, kernel });
      gallery.add('a', new Float32Array([10, 0]));
      const [hit] = gallery.search(new Float32Array([3, 3]));
      assert.ok(hit !== undefined && Math.abs(hit.similarity - Math.SQRT1_2) < 1e-6);
    });

    it('a row added with a scale scores its cosine times the scale; a scale outside (0, 1] adds nothing', () => {
      const gallery = new Gallery({ dimension: 2, kernel });
      gallery.addMany([{ id: 'a', template: new Float32Array([10, 0]), scale: 0.8 }]);
      const [hit] = gallery.search(new Float32Array([3, 3]));
      assert.ok(hit !== undefined && Math.abs(hit.similarity - 0.8 * Math.SQRT1_2) < 1e-6, `similarity ${hit?.similarity}`);
      for (const scale of [0, 1.2, Number.NaN]) {
        assert.throws(() => gallery.addMany([{ id: 'b', template: new Float32Array([0, 1]) }, { id: 'c', template: new Float32Array([1, 1]), scale }]), /entry 1 has scale/);
      }
      assert.equal(gallery.size, 1);
    });

    it('removeById removes every row of that id, keeps the rest searchable and never returns it again', () => {
      const rows = randomRows(11, 64, 50, 4);
      const gallery = new Gallery({ dimension: 64, kernel, initialCapacity: 8 });
      gallery.addMany(rows);
      const removed = new Set(['person-0', 'person-7', 'person-49']);
      for (const id of removed) assert.equal(gallery.removeById(id), 4);
      assert.equal(gallery.removeById('person-0'), 0);
      assert.equal(gallery.size, 200 - 12);
      assert.equal(gallery.has('person-7'), false);
      assert.equal(gallery.has('person-8'), true);
      const kept = rows.filter((r) => !removed.has(r.id));
      for (const { id, template } of rows.filter((r) => removed.has(r.id))) {
        // Probing with a removed template exactly would have returned it at similarity 1.
        const hits = gallery.search(template, { topK: 50 });
        assert.ok(!hits.some((h) => removed.has(h.id)), `${id} came back`);
        assertSameHits(hits, bruteForce(kept, template, 50));
      }
      const removedRow = rows.find((r) => removed.has(r.id))!;
      gallery.add('late', removedRow.template);
      assert.equal(gallery.search(removedRow.template, { topK: 1 })[0]?.id, 'late');
    });

    it('removeById handles runs of the same id at the end of the matrix', () => {
      const gallery = new Gallery({ dimension: 2, kernel });
      gallery.add('x', new Float32Array([1, 0]));
      gallery.add('y', new Float32Array([0, 1]));
      gallery.add('x', new Float32Array([1, 1]));
      gallery.add('x', new Float32Array([1, 2]));
      assert.equal(gallery.removeById('x'), 3);
      assert.equal(gallery.size, 1);
      assert.deepEqual(gallery.search(new Float32Array([1, 0])).map((h) => h.id), ['y']);
    });

    it('grows beyond its initial capacity and keeps earlier rows intact', () => {
      const rows = randomRows(5, 48, 1000, 1);
      const gallery = new Gallery({ dimension: 48, kernel, initialCapacity: 1 });
      for (const { id, template } of rows) gallery.add(id, template);
      assert.equal(gallery.size, 1000);
      assert.equal(gallery.capacity, 1024);
      for (const row of [rows[0]!, rows[511]!, rows[999]!]) {
        const [hit] = gallery.search(row.template, { topK: 1 });
        assert.equal(hit?.id, row.id);
        assert.ok(Math.abs(hit.similarity - 1) < 1e-6);
      }
    });

    it('clear empties it and search on an empty gallery returns nothing', () => {
      const gallery = new Gallery({ dimension: 3, kernel });
      assert.deepEqual(gallery.search(new Float32Array([1, 0, 0])), []);
      gallery.add('a', new Float32Array([1, 0, 0]));
      gallery.clear();
      assert.equal(gallery.size, 0);
      assert.deepEqual(gallery.search(new Float32Array([1, 0, 0])), []);
    });

    it('throws on dimension mismatches, bad templates and bad options', () => {
      const gallery = new Gallery({ dimension: 4, kernel });
      assert.throws(() => gallery.add('a', new Float32Array(3)), /template has 3, gallery has 4/);
      assert.throws(() => gallery.search(new Float32Array(5)), /template has 5, gallery has 4/);
      assert.throws(() => gallery.add('a', new Float32Array(4)), /all zeros/);
      assert.throws(() => gallery.add('', new Float32Array([1, 0, 0, 0])), /empty id/);
      assert.throws(() => gallery.search(new Float32Array([1, 0, 0, 0]), { topK: 0 }), /topK/);
      assert.throws(() => gallery.search(new Float32Array([1, 0, 0, 0]), { minSimilarity: Number.NaN }), /NaN/);
      // A bad entry in a batch adds none of the batch.
      assert.throws(() => gallery.addMany([{ id: 'ok', template: new Float32Array([1, 0, 0, 0]) }, { id: 'bad', template: new Float32Array(2) }]));
      assert.equal(gallery.size, 0);
      assert.throws(() => new Gallery({ dimension: 0 }), /dimension/);
    });
  });
}

describe('Gallery.similarity', () => {
  it('is cosine similarity for 1:1 checks and names both sizes on a mismatch', () => {
    assert.ok(Math.abs(Gallery.similarity(new Float32Array([1, 0]), new Float32Array([1, 1])) - Math.SQRT1_2) < 1e-12);
    assert.throws(() => Gallery.similarity(new Float32Array(128), new Float32Array(512)), /128 vs 512/);
  });
});
