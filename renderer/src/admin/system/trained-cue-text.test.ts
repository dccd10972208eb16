import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { trainedCueText } from './trained-cue-text.js';

describe('trained cue text', () => {
  const cue = {
    trainedAt: '2026-12-03T02:50:44.175Z',
    features: ['minifasnet-v2', 'colour-contrast'],
    threshold: 0.35,
    clips: 360,
    outOfFold: { bpcer: 0.05, apcerWorst: 0.0667, apcerWorstSpecies: 'tablet-photo/fixed', apcerBySpecies: { 'tablet-photo/fixed': 0.0667 } },
  };

  it('says when, on how many clips, and the out-of-fold figures', () => {
    const text = trainedCueText(cue);
    assert.match(text, /on 360 clips of this site/);
    assert.match(text, /refused 5 % of genuine faces/);
    assert.match(text, /at most 6\.7 % of one attack kind \(tablet-photo, fixed\)/);
  });

  it('shows a date it cannot read as it is', () => {
    assert.match(trainedCueText({ ...cue, trainedAt: 'yesterday' }), /Trained yesterday/);
  });
});
