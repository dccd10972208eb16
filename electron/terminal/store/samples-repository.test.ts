import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';

import type Database from 'better-sqlite3';

import { openDatabase } from './database.js';
import { StoreError } from './errors.js';
import { PersonsRepository } from './persons-repository.js';
import { decodeTemplate, encodeTemplate, SamplesRepository } from './samples-repository.js';
import { fakeJpeg, fakeQuality, fakeSample, fakeTemplate, tempDir } from './test/test-helpers.js';

function setup(t: { after(fn: () => void): void }): { db: Database.Database; persons: PersonsRepository; samples: SamplesRepository } {
  const db = openDatabase({ dataDir: tempDir(t) });
  t.after(() => db.close());
  let nowMs = 1000;
  const clock = (): number => nowMs++;
  return { db, persons: new PersonsRepository(db, clock), samples: new SamplesRepository(db, randomBytes(32), clock) };
}

const hasCode = (code: string) => (error: unknown): boolean => error instanceof StoreError && error.code === code;

describe('SamplesRepository', () => {
  test('stores crop and template sealed, and returns them exactly', (t) => {
    const { db, persons, samples } = setup(t);
    const ann = persons.create({ name: 'Ann' });
    const input = fakeSample('ann-1', 'model-a', 512);
    const id = samples.add(ann.id, input);
    const [info] = samples.listForPerson(ann.id);
    assert.deepEqual(info, { id, personId: ann.id, quality: fakeQuality(), createdAtMs: info?.createdAtMs, modelIds: ['model-a'], estimatedAgeYears: null });
    assert.deepEqual(samples.getCrop(id), input.alignedJpeg);
    const [stored] = [...samples.templatesForModel('model-a')];
    assert.deepEqual(stored, { personId: ann.id, sampleId: id, modelId: 'model-a', template: input.template });
    const rawCrop = db.prepare<[string], Buffer>('SELECT crop FROM samples WHERE id = ?').pluck().get(id)!;
    assert.equal(rawCrop.indexOf(input.alignedJpeg.subarray(4, 40)), -1, 'the crop is not stored in clear');
    assert.equal(samples.personOf(id), ann.id);
  });

  test('age estimates: kept sealed with the sample, listed, and those missing estimated later from the crop', (t) => {
    const { db, persons, samples } = setup(t);
    const ann = persons.create({ name: 'Ann' });
    const estimated = samples.add(ann.id, { ...fakeSample('a'), estimatedAgeYears: 3.25 });
    const missing = samples.add(ann.id, fakeSample('b'));
    assert.deepEqual(samples.listForPerson(ann.id).map((sample) => sample.estimatedAgeYears), [3.25, null]);
    assert.deepEqual(samples.ageEstimatesOf(ann.id), [3.25]);
    assert.deepEqual(samples.youngChildOf(ann.id), { estimatedAgeYears: 3.3 }, 'the median of her one estimate, under 6');
    const raw = db.prepare<[string], Buffer>('SELECT age_estimate FROM samples WHERE id = ?').pluck().get(estimated)!;
    assert.equal(raw.indexOf(Buffer.from(new Float64Array([3.25]).buffer)), -1, 'the estimate is not stored in clear');

    const waiting = [...samples.samplesWithoutAge()];
    assert.deepEqual(waiting.map((sample) => [sample.sampleId, sample.alignment.sizePx]), [[missing, fakeSample('b').alignment.sizePx]]);
    assert.deepEqual(waiting[0]?.alignedJpeg, fakeSample('b').alignedJpeg);
    // A sample whose alignment was never recorded cannot be cut for the age model: it is not offered.
    db.prepare('UPDATE samples SET alignment_json = NULL WHERE id = ?').run(missing);
    assert.equal(samples.countWithoutAgeEstimate(), 0);
    db.prepare('UPDATE samples SET alignment_json = (SELECT alignment_json FROM samples WHERE id = ?) WHERE id = ?').run(estimated, missing);
    assert.equal(samples.countWithoutAgeEstimate(), 1);

    assert.equal(samples.setAgeEstimate(missing, 40), true);
    assert.deepEqual(samples.ageEstimatesOf(ann.id).sort((a, b) => a - b), [3.25, 40]);
    assert.equal(samples.setAgeEstimate('gone', 40), false);
    assert.throws(() => samples.setAgeEstimate(missing, Number.NaN), hasCode('invalid'));
    assert.throws(() => samples.add(ann.id, { ...fakeSample('c'), estimatedAgeYears: -1 }), /0 to 150 years/);
    // An estimate copied into another sample's row does not open.
    db.prepare('UPDATE samples SET age_estimate = (SELECT age_estimate FROM samples WHERE id = ?) WHERE id = ?').run(estimated, missing);
    assert.throws(() => samples.ageEstimatesOf(ann.id), hasCode('decrypt'));
  });

  test('a blob copied into another row does not open', (t) => {
    const { db, persons, samples } = setup(t);
    const ann = persons.create({ name: 'Ann' });
    const a = samples.add(ann.id, fakeSample('a'));
    const b = samples.add(ann.id, fakeSample('b'));
    db.prepare('UPDATE samples SET crop = (SELECT crop FROM samples WHERE id = ?) WHERE id = ?').run(a, b);
    assert.throws(() => samples.getCrop(b), hasCode('decrypt'));
    db.prepare('UPDATE templates SET template = (SELECT template FROM templates WHERE sample_id = ?) WHERE sample_id = ?').run(a, b);
    assert.throws(() => [...samples.templatesForModel('model-a')], hasCode('decrypt'));
  });

  test('refuses bad input and unknown persons', (t) => {
    const { persons, samples } = setup(t);
    const ann = persons.create({ name: 'Ann' });
    assert.throws(() => samples.add('nobody', fakeSample('x')), hasCode('not-found'));
    assert.throws(() => samples.add(ann.id, { ...fakeSample('x'), alignedJpeg: new Uint8Array(100) }), /not a JPEG/);
    assert.throws(() => samples.add(ann.id, { ...fakeSample('x'), template: new Float32Array([1, Number.NaN]) }), /NaN/);
    assert.throws(() => samples.add(ann.id, { ...fakeSample('x'), modelId: '' }), hasCode('invalid'));
    assert.throws(() => samples.add(ann.id, { ...fakeSample('x'), quality: { ...fakeQuality(), yawDeg: Number.POSITIVE_INFINITY } }), /yawDeg/);
    assert.deepEqual(samples.listForPerson(ann.id), []);
  });

  test('templatesForModel pages through many rows; templatesOfPerson picks one person', (t) => {
    const { persons, samples } = setup(t);
    const ann = persons.create({ name: 'Ann' });
    const bob = persons.create({ name: 'Bob' });
    for (let i = 0; i < 600; i++) samples.add(i % 3 === 0 ? bob.id : ann.id, { ...fakeSample(`s${i}`), alignedJpeg: fakeJpeg('c', 64) });
    assert.equal([...samples.templatesForModel('model-a')].length, 600);
    assert.equal([...samples.templatesForModel('model-b')].length, 0);
    assert.equal(samples.templatesOfPerson(bob.id, 'model-a').length, 200);
  });

  test('rebuild: lists samples lacking the new model, adds templates beside the old, reports progress, prunes', (t) => {
    const { persons, samples } = setup(t);
    const ann = persons.create({ name: 'Ann' });
    const ids = [0, 1, 2].map((i) => samples.add(ann.id, fakeSample(`s${i}`)));
    assert.deepEqual(samples.rebuildProgress('model-b'), { totalCount: 3, doneCount: 0 });
    const todo = [...samples.templatesToRebuild('model-b')];
    assert.deepEqual(todo.map((item) => item.sampleId), ids);
    assert.deepEqual(todo[1]?.alignedJpeg, fakeSample('s1').alignedJpeg);
    assert.equal(samples.replaceTemplate(ids[1]!, 'model-b', fakeTemplate('new', 64)), ann.id);
    assert.deepEqual(samples.rebuildProgress('model-b'), { totalCount: 3, doneCount: 1 });
    assert.deepEqual([...samples.templatesToRebuild('model-b')].map((item) => item.sampleId), [ids[0], ids[2]]);
    assert.deepEqual(samples.listForPerson(ann.id)[1]?.modelIds, ['model-a', 'model-b']);
    samples.replaceTemplate(ids[1]!, 'model-b', fakeTemplate('newer', 64));
    assert.deepEqual(samples.templatesOfPerson(ann.id, 'model-b')[0]?.template, fakeTemplate('newer', 64));
    assert.deepEqual(samples.templateCounts(), [{ modelId: 'model-a', templateCount: 3 }, { modelId: 'model-b', templateCount: 1 }]);
    assert.equal(samples.pruneTemplates('model-b'), 3);
    assert.deepEqual(samples.templateCounts(), [{ modelId: 'model-b', templateCount: 1 }]);
    assert.throws(() => samples.replaceTemplate('gone', 'model-b', fakeTemplate('x')), hasCode('not-found'));
  });

  test('delete removes the sample and its templates', (t) => {
    const { db, persons, samples } = setup(t);
    const ann = persons.create({ name: 'Ann' });
    const id = samples.add(ann.id, fakeSample('a'));
    assert.equal(samples.delete(id), ann.id);
    assert.equal(samples.delete(id), undefined);
    assert.equal(db.prepare('SELECT count(*) FROM templates').pluck().get(), 0);
  });

  test('templates are little-endian float32 whatever the CPU', () => {
    const bytes = encodeTemplate(new Float32Array([1, -2.5]));
    assert.deepEqual([...bytes], [0, 0, 0x80, 0x3f, 0, 0, 0x20, 0xc0]);
    assert.deepEqual(decodeTemplate(bytes), new Float32Array([1, -2.5]));
  });
});
