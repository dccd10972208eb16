import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { reasonText } from '../../wording/wording.js';
import { csvField, eventsToCsv, type AccessEvent } from './events-csv.js';

const ANN = '0b6f7f0e-8a4c-4c43-9a4e-2f1b6b1c9d01';

function event(overrides: Partial<AccessEvent>): AccessEvent {
  return {
    id: 1,
    atMs: Date.UTC(2026, 10, 24, 8, 30, 0),
    decision: 'granted',
    reason: 'granted',
    personId: ANN,
    personName: 'Ann Lee',
    personErasedAtMs: null,
    modelId: 'dlib-resnet',
    similarity: 0.8123456,
    matchScore: 47,
    livenessScore: null,
    livenessCue: null,
    card: null,
    quality: null,
    hasSnapshot: false,
    ...overrides,
  };
}

describe('csvField', () => {
  test('leaves plain text and numbers as they are', () => {
    assert.equal(csvField('Ann Lee'), 'Ann Lee');
    assert.equal(csvField(-0.12), '-0.12');
    assert.equal(csvField(null), '');
    assert.equal(csvField(Number.NaN), '');
  });

  test('quotes commas, quotes and line breaks (RFC 4180)', () => {
    assert.equal(csvField('Lee, Ann'), '"Lee, Ann"');
    assert.equal(csvField('Ann "the door" Lee'), '"Ann ""the door"" Lee"');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField('cr\rhere'), '"cr\rhere"');
  });

  test('defuses text a spreadsheet would run as a formula', () => {
    assert.equal(csvField('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
    assert.equal(csvField('+1 555'), "'+1 555");
    assert.equal(csvField('-rm'), "'-rm");
    assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvField('\tcmd'), "'\tcmd");
    assert.equal(csvField('a=b'), 'a=b');
  });
});

describe('eventsToCsv', () => {
  test('writes a header and one CRLF-terminated row per event', () => {
    const csv = eventsToCsv(
      [
        event({}),
        event({ id: 2, decision: 'denied', reason: 'unknown', personId: null, personName: null, similarity: null, matchScore: undefined, livenessScore: 0.25 }),
        event({ id: 3, decision: 'denied', reason: 'liveness-failed', livenessCue: 'planar', modelId: 'no-curve', matchScore: undefined }),
        event({ id: 4, decision: 'denied', reason: 'unknown-card', personId: null, personName: null, similarity: null, matchScore: undefined, card: { facilityCode: 12, cardNumber: 34567 } }),
      ],
      (id) => (id === ANN ? 'E-100' : null),
    );
    assert.equal(
      csv,
      'time,decision,reason,person,external id,card number,facility code,match score,liveness,liveness cue,model,cosine similarity\r\n' +
        '2026-11-24T08:30:00.000Z,granted,Access granted,Ann Lee,E-100,,,47,,,dlib-resnet,0.8123\r\n' +
        '2026-11-24T08:30:00.000Z,denied,Face not recognised,,,,,,0.25,,,\r\n' +
        // No curve for the event's model: no match score, the raw cosine stays.
        '2026-11-24T08:30:00.000Z,denied,Liveness check failed,Ann Lee,E-100,,,,,Moved as one flat picture,no-curve,0.8123\r\n' +
        `2026-11-24T08:30:00.000Z,denied,${reasonText('unknown-card')},,,34567,12,,,,,\r\n`,
    );
  });

  test('says "erased" for a deleted person and looks up no external id for them', () => {
    const looked: string[] = [];
    const csv = eventsToCsv([event({ personName: null, personErasedAtMs: 1 })], (id) => {
      looked.push(id);
      return 'E-1';
    });
    assert.match(csv, /\r\n[^,]+,granted,Access granted,erased,,,,47,,,dlib-resnet,0\.8123\r\n$/);
    assert.deepEqual(looked, []);
  });

  test('guards names that look like formulas', () => {
    const csv = eventsToCsv([event({ personName: '=cmd|calc' })], () => null);
    assert.match(csv, /,'=cmd\|calc,/);
  });
});
