import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Gallery } from './gallery.js';
import { PersonGallery } from './person-gallery.js';
import { l2Normalize } from './similarity.js';

const unit = (...values: number[]): Float32Array => l2Normalize(Float32Array.from(values));

test('a person is searched by the normalised mean of their templates, one row each', () => {
  const gallery = new PersonGallery({ dimension: 3 });
  gallery.addMany([
    { id: 'ada', template: unit(1, 0, 0) },
    { id: 'ada', template: unit(0, 1, 0) },
    { id: 'bob', template: unit(0, 0, 1) },
  ]);
  assert.equal(gallery.size, 2);
  assert.equal(gallery.templateCount, 3);
  // Between Ada's two samples: the mean (1, 1, 0)/√2 matches it exactly, where either sample alone gives 0.707.
  const [hit] = gallery.search(unit(1, 1, 0), { topK: 1 });
  assert.equal(hit?.id, 'ada');
  assert.ok(Math.abs(hit!.similarity - 1) < 1e-6, `similarity ${hit?.similarity}`);
});

test('templates of one person arriving in separate batches join the same mean', () => {
  const gallery = new PersonGallery({ dimension: 3 });
  gallery.addMany([{ id: 'ada', template: unit(1, 0, 0) }]);
  gallery.addMany([{ id: 'ada', template: Float32Array.from([0, 5, 0]) }]); // not unit length: normalised first
  assert.equal(gallery.size, 1);
  const [hit] = gallery.search(unit(1, 0, 0), { topK: 1 });
  assert.ok(Math.abs(hit!.similarity - Math.SQRT1_2) < 1e-6, `similarity ${hit?.similarity}`);
});

test('removing a person removes their row and their sums; adding again starts afresh', () => {
  const gallery = new PersonGallery({ dimension: 3 });
  gallery.addMany([
    { id: 'ada', template: unit(1, 0, 0) },
    { id: 'ada', template: unit(0, 1, 0) },
  ]);
  assert.equal(gallery.removeById('ada'), 2);
  assert.equal(gallery.size, 0);
  assert.equal(gallery.has('ada'), false);
  assert.deepEqual(gallery.search(unit(1, 0, 0)), []);
  gallery.add('ada', unit(0, 0, 1));
  const [hit] = gallery.search(unit(0, 0, 1), { topK: 1 });
  assert.ok(Math.abs(hit!.similarity - 1) < 1e-6);
});

test('a bad template in a batch changes nothing', () => {
  const gallery = new PersonGallery({ dimension: 3 });
  gallery.add('ada', unit(1, 0, 0));
  assert.throws(() => gallery.addMany([{ id: 'ada', template: unit(0, 1, 0) }, { id: 'bob', template: new Float32Array(2) }]), /2 floats, the gallery 3/);
  assert.throws(() => gallery.addMany([{ id: 'ada', template: unit(0, 1, 0) }, { id: 'bob', template: new Float32Array(3) }]), /all zeros/);
  assert.equal(gallery.templateCount, 1);
  assert.ok(Math.abs(gallery.search(unit(1, 0, 0))[0]!.similarity - 1) < 1e-6);
  gallery.clear();
  assert.equal(gallery.size, 0);
  assert.equal(gallery.templateCount, 0);
});

test('with a length exponent, a mean of differing samples keeps that power of its length; one sample keeps its cosine', () => {
  const gallery = new PersonGallery({ dimension: 3, lengthExponent: 0.5 });
  gallery.addMany([
    { id: 'ada', template: unit(1, 0, 0) },
    { id: 'ada', template: unit(0, 1, 0) },
    { id: 'bob', template: unit(0, 0, 1) },
  ]);
  // Ada's mean (½, ½, 0) is 0.707 long: her similarities are the cosine times 0.707^0.5 = 0.841.
  const scale = Math.SQRT1_2 ** 0.5;
  const probe = unit(1, 1, 0.2);
  const [ada, bob] = gallery.search(probe, { topK: 2 });
  assert.equal(ada?.id, 'ada');
  assert.ok(Math.abs(ada!.similarity - Gallery.similarity(unit(1, 1, 0), probe) * scale) < 1e-6, `ada ${ada?.similarity}`);
  assert.ok(Math.abs(bob!.similarity - Gallery.similarity(unit(0, 0, 1), probe)) < 1e-6, `bob keeps the cosine: ${bob?.similarity}`);
  assert.ok(Math.abs(gallery.similarityTo('ada', probe)! - ada!.similarity) < 1e-6, '1:1 after a card compares as the search does');

  // A third sample like the mean lengthens it: the scale follows.
  gallery.add('ada', unit(1, 1, 0));
  const longer = Math.hypot(1 + Math.SQRT1_2, 1 + Math.SQRT1_2) / 3;
  assert.ok(Math.abs(gallery.similarityTo('ada', probe)! - Gallery.similarity(unit(1, 1, 0), probe) * longer ** 0.5) < 1e-6);
});

test('a length exponent outside 0..1 is refused', () => {
  for (const lengthExponent of [-0.1, 1.5, Number.NaN]) {
    assert.throws(() => new PersonGallery({ dimension: 3, lengthExponent }), /lengthExponent must lie in \[0, 1\]/);
  }
});
