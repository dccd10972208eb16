import assert from 'node:assert/strict';
import { test } from 'node:test';

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
