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

  describe('with an identity check', () => {
    /** A face at the same place, of `person` (undefined: no template to compare). */
    const of = (person: string | undefined, x = 0.3) => ({ boxNorm: { x, y: 0.2, width: 0.2, height: 0.2 }, person });
    type Seen = ReturnType<typeof of>;
    const sameFace = (earlier: Seen, current: Seen): boolean | undefined =>
      earlier.person === undefined || current.person === undefined ? undefined : earlier.person === current.person;

    it('starts a new track when another person takes the place of the track\'s person', () => {
      const tracker = new FaceTracker<Seen>({ sameFace });
      const ids = ['a', 'a', 'a', 'b', 'b'].map((person, frame) => tracker.update([of(person, 0.3 + frame * 0.01)], frame * 33).tracks[0]?.id);
      assert.deepEqual(ids, [1, 1, 1, 2, 2]);
      // The earlier person's track is left unmatched and ends as any face that left.
      assert.deepEqual(tracker.active.map((track) => [track.id, track.missedFrames]), [[1, 2], [2, 0]]);
    });

    it('keeps the track over frames that cannot be compared (no template)', () => {
      const tracker = new FaceTracker<Seen>({ sameFace });
      const ids = ['a', undefined, undefined, undefined, 'a'].map((person, frame) => tracker.update([of(person)], frame * 33).tracks[0]?.id);
      assert.deepEqual(ids, [1, 1, 1, 1, 1]);
    });

    it('gives a face back to its own track after one frame that looked like someone else', () => {
      const tracker = new FaceTracker<Seen>({ identityFrames: 2, sameFace: (earlier, current) => (earlier.person === 'odd' ? false : sameFace(earlier, current)) });
      const ids = ['a', 'odd', 'a'].map((person, frame) => tracker.update([of(person)], frame * 33).tracks[0]?.id);
      // 'odd' matches nothing, so it starts a track; 'a' then continues track 1, whose recent frames hold 'a'.
      assert.deepEqual(ids, [1, 2, 1]);
    });
  });
});
