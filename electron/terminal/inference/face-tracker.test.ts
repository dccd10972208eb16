import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { FaceTracker } from './face-tracker.js';

const face = (x: number, y = 0.2, size = 0.2) => ({ boxNorm: { x, y, width: size, height: size } });

describe('FaceTracker', () => {
  it('keeps a face on one track while it moves a little from frame to frame', () => {
    const tracker = new FaceTracker();
    const ids = [0.1, 0.12, 0.15, 0.18].map((x, frame) => tracker.update([face(x)], frame * 33).tracks[0]?.id);
    assert.deepEqual(ids, [1, 1, 1, 1]);
    assert.equal(tracker.active[0]?.hits, 4);
  });

  it('gives two faces two tracks and keeps them apart when they swap order in the input', () => {
    const tracker = new FaceTracker();
    const first = tracker.update([face(0.1), face(0.6)], 0).tracks.map((track) => track.id);
    const second = tracker.update([face(0.62), face(0.11)], 33).tracks.map((track) => track.id);
    assert.deepEqual(first, [1, 2]);
    assert.deepEqual(second, [2, 1]);
  });

  it('matches greedily by overlap: the best-overlapping face wins a contested track', () => {
    const tracker = new FaceTracker();
    tracker.update([face(0.3)], 0);
    const { tracks } = tracker.update([face(0.38), face(0.31)], 33);
    assert.deepEqual(tracks.map((track) => track.id), [2, 1]);
  });

  it('ends a track after too many missed frames, and never reuses its id', () => {
    const tracker = new FaceTracker({ maxMissedFrames: 2 });
    tracker.update([face(0.1)], 0);
    assert.deepEqual(tracker.update([], 33).ended, []);
    assert.deepEqual(tracker.update([], 66).ended, []);
    const { ended } = tracker.update([], 99);
    assert.deepEqual(ended.map((track) => track.id), [1]);
    assert.equal(tracker.update([face(0.1)], 132).tracks[0]?.id, 2);
  });

  it('survives a frame where the face was not found', () => {
    const tracker = new FaceTracker();
    tracker.update([face(0.1)], 0);
    tracker.update([], 33);
    assert.equal(tracker.update([face(0.11)], 66).tracks[0]?.id, 1);
  });
});
