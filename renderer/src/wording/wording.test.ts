import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  decisionReasonSchema,
  enrollmentHintSchema,
  importPersonResultSchema,
  importStatusSchema,
  livenessCueSchema,
  livenessModeSchema,
  photoStatusSchema,
  qualityHintSchema,
} from '../contract.js';
import {
  DECISION_REASON_TEXT,
  ENROLLMENT_HINT_TEXT,
  IMPORT_PERSON_STATUS_TEXT,
  IMPORT_STATUS_TEXT,
  LIVENESS_CUE_TEXT,
  LIVENESS_MODE_TEXT,
  PHOTO_STATUS_TEXT,
  QUALITY_HINT_TEXT,
  challengeLabel,
  challengeText,
  cueText,
  reasonText,
} from './wording.js';

const maps: [string, readonly string[], Readonly<Record<string, string>>][] = [
  ['decision reasons', decisionReasonSchema.options, DECISION_REASON_TEXT],
  ['quality hints', qualityHintSchema.options, QUALITY_HINT_TEXT],
  ['enrollment hints', enrollmentHintSchema.options, ENROLLMENT_HINT_TEXT],
  ['photo statuses', photoStatusSchema.options, PHOTO_STATUS_TEXT],
  ['import statuses', importStatusSchema.options, IMPORT_STATUS_TEXT],
  ['import person statuses', importPersonResultSchema.shape.status.options, IMPORT_PERSON_STATUS_TEXT],
  ['liveness cues', livenessCueSchema.options, LIVENESS_CUE_TEXT],
  ['liveness modes', livenessModeSchema.options, LIVENESS_MODE_TEXT],
];

describe('wording', () => {
  for (const [what, codes, words] of maps) {
    test(`has words for every one of the contract's ${what}, and no others`, () => {
      assert.deepEqual(Object.keys(words).sort(), [...codes].sort());
      for (const code of codes) assert.match(words[code] ?? '', /^[A-Z]\S/, `${code} reads as a sentence`);
    });
  }

  test('says the denial reasons the door screen shows', () => {
    assert.equal(reasonText('unknown'), 'Face not recognised');
    assert.equal(reasonText('outside-schedule'), 'Outside the access hours');
    assert.equal(reasonText('liveness-failed'), 'Liveness check failed');
  });

  test("asks for the turn in the person's own terms, and names the failed cue", () => {
    assert.equal(challengeText({ kind: 'turn', direction: 'left', minTurnDeg: 15 }), 'Turn your head to the left');
    assert.equal(challengeText({ kind: 'turn', direction: 'right', minTurnDeg: 15 }), 'Turn your head to the right');
    assert.equal(challengeText({ kind: 'blink' }), 'Blink your eyes');
    assert.equal(challengeLabel({ status: 'waiting', action: { kind: 'turn', direction: 'left', minTurnDeg: 15 } }), '← Turn left');
    assert.equal(challengeLabel({ status: 'waiting', action: { kind: 'turn', direction: 'right', minTurnDeg: 15 } }), 'Turn right →');
    assert.equal(challengeLabel({ status: 'failed', action: { kind: 'blink' } }), 'Try again');
    assert.equal(cueText('planar'), 'Moved as one flat picture');
    assert.equal(cueText('screen-glare'), 'screen-glare');
  });

  test("names the door's own events in the access log", () => {
    assert.equal(reasonText('door-forced-open'), 'Door forced open');
    assert.equal(reasonText('door-held-open'), 'Door held open');
    assert.equal(reasonText('exit-request'), 'Exit button');
    assert.equal(reasonText('remote-open'), 'Opened by an administrator');
  });

  test('shows a reason it has no words for as it is', () => {
    assert.equal(reasonText('door-forced'), 'door-forced');
    assert.equal(reasonText('toString'), 'toString');
  });

  test('guides live enrollment in plain words', () => {
    assert.equal(ENROLLMENT_HINT_TEXT['no-face'], 'Step in front of the camera');
    assert.equal(ENROLLMENT_HINT_TEXT['several-faces'], 'Only one person, please');
    assert.equal(ENROLLMENT_HINT_TEXT.ok, 'Hold still…');
  });
});
