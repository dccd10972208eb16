import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';

import type { ChangeInput } from './messages.js';
import { changePageSchema, changeSchema, enrollResultSchema, eventsMessageSchema, pullRequestSchema, terminalStateSchema, wireSampleSchema } from './messages.js';

// The wire checks the JPEG marker only; the terminal decodes the crop itself.
const jpegBase64 = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46]).toString('base64');
const quality = { interOcularPx: 60, yawDeg: 2, pitchDeg: -3, rollDeg: 1, sharpness: 120, brightness: 110, contrast: 40, presence: 0.99, detectorScore: 0.95 };
const template = (dimension: number) => Buffer.from(new Float32Array(dimension).fill(0.1).buffer).toString('base64');

function sample() {
  return { id: randomUUID(), createdAtMs: 1_700_000_000_000, alignment: 'arcface-112', quality, cropJpegBase64: jpegBase64, templates: [{ modelId: 'arcface-r100', dimension: 512, templateBase64: template(512) }] };
}

function personChange(seq: number): ChangeInput {
  const id = randomUUID();
  return {
    seq,
    entity: 'person',
    id,
    version: 3,
    op: 'upsert',
    payload: { id, name: 'Ada Lovelace', externalId: null, enabled: true, validFromMs: null, validUntilMs: null, groups: ['staff'], credentials: [{ facilityCode: 12, cardNumber: 3456 }], createdAtMs: 1, updatedAtMs: 2, samples: [sample()] },
  };
}

describe('fleet messages', () => {
  test('a person upsert with its samples and a tombstone both parse', () => {
    assert.equal(changeSchema.parse(personChange(1)).entity, 'person');
    const tombstone = changeSchema.parse({ seq: 2, entity: 'person', id: randomUUID(), version: 4, op: 'delete', payload: null });
    assert.equal(tombstone.payload, null);
  });

  test('a payload of the wrong entity, or a delete with a payload, is refused', () => {
    const change = personChange(1);
    assert.equal(changeSchema.safeParse({ ...change, entity: 'schedule' }).success, false);
    assert.equal(changeSchema.safeParse({ ...change, op: 'delete' }).success, false);
    assert.equal(changeSchema.safeParse({ ...change, entity: 'unknown' }).success, false);
  });

  test('a template whose bytes do not match its dimension is refused', () => {
    const bad = { ...sample(), templates: [{ modelId: 'arcface-r100', dimension: 512, templateBase64: template(128) }] };
    const result = wireSampleSchema.safeParse(bad);
    assert.equal(result.success, false);
    assert.match(JSON.stringify(result.error?.issues), /dimension × 4 bytes/);
  });

  test('a crop that is not a JPEG is refused', () => {
    assert.equal(wireSampleSchema.safeParse({ ...sample(), cropJpegBase64: Buffer.from('PNG image').toString('base64') }).success, false);
  });

  test('an age estimate is optional, in years 0–150', () => {
    assert.equal(wireSampleSchema.parse(sample()).estimatedAgeYears, undefined, 'older terminals send none');
    assert.equal(wireSampleSchema.parse({ ...sample(), estimatedAgeYears: 3.5 }).estimatedAgeYears, 3.5);
    for (const bad of [-1, 151, Number.NaN, '4']) assert.equal(wireSampleSchema.safeParse({ ...sample(), estimatedAgeYears: bad }).success, false, String(bad));
  });

  test('a page must be in increasing seq and end at lastSeq', () => {
    const requestId = randomUUID();
    assert.equal(changePageSchema.safeParse({ requestId, changes: [personChange(3), personChange(5)], lastSeq: 5, headSeq: 9 }).success, true);
    assert.equal(changePageSchema.safeParse({ requestId, changes: [], lastSeq: 9, headSeq: 9 }).success, true);
    assert.equal(changePageSchema.safeParse({ requestId, changes: [personChange(5), personChange(3)], lastSeq: 3, headSeq: 9 }).success, false);
    assert.equal(changePageSchema.safeParse({ requestId, changes: [personChange(3)], lastSeq: 4, headSeq: 9 }).success, false);
    assert.equal(changePageSchema.safeParse({ requestId, changes: [], lastSeq: 10, headSeq: 9 }).success, false);
  });

  test('a pull asks for 200 changes unless it says, and at most 1000', () => {
    assert.equal(pullRequestSchema.parse({ requestId: randomUUID(), afterSeq: 0 }).maxChanges, 200);
    assert.equal(pullRequestSchema.safeParse({ requestId: randomUUID(), afterSeq: 0, maxChanges: 1001 }).success, false);
  });

  test('events need a uuid, increasing seq and a reason code without prose', () => {
    const event = (seq: number) => ({ uuid: randomUUID(), seq, atMs: 5, decision: 'granted', reason: 'match', personId: randomUUID(), similarity: 0.7, livenessCue: null, snapshotJpegBase64: jpegBase64 });
    assert.equal(eventsMessageSchema.parse({ events: [event(1), event(2)] }).events[0]?.modelId, null);
    assert.equal(eventsMessageSchema.safeParse({ events: [event(2), event(2)] }).success, false);
    assert.equal(eventsMessageSchema.safeParse({ events: [{ ...event(1), reason: 'Ada was let in' }] }).success, false);
    assert.equal(eventsMessageSchema.safeParse({ events: [] }).success, false);
  });

  test('an enroll result is either a person id or an error', () => {
    assert.equal(enrollResultSchema.safeParse({ requestId: randomUUID(), ok: true, personId: randomUUID() }).success, true);
    assert.equal(enrollResultSchema.safeParse({ requestId: randomUUID(), ok: false, error: 'no usable face' }).success, true);
    assert.equal(enrollResultSchema.safeParse({ requestId: randomUUID(), ok: true }).success, false);
  });

  test('the last will `{ online: false }` is a valid state', () => {
    assert.equal(terminalStateSchema.parse({ online: false }).online, false);
    assert.equal(terminalStateSchema.safeParse({ online: true }).success, false);
  });
});
