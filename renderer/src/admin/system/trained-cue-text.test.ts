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

  it('adds what to expect on other people where the cue carries it', () => {
    assert.doesNotMatch(trainedCueText(cue), /not trained on/);
    const text = trainedCueText({ ...cue, heldOut: { bpcer: 0.008, apcerWorst: 0.05, apcerWorstSpecies: 'tablet-photo/fixed', apcerBySpecies: { 'tablet-photo/fixed': 0.05 }, folds: 5, people: 30 } });
    assert.match(text, /on people it was not trained on, expect 0\.8 % of genuine faces refused and at most 5 % of one attack kind let through \(estimated on its 30 people\)/);
  });

  it('shows a date it cannot read as it is', () => {
    assert.match(trainedCueText({ ...cue, trainedAt: 'yesterday' }), /Trained yesterday/);
  });
});
