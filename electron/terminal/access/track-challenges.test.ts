import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { syntheticObservation } from '../../vision/liveness/active/synthetic-face.js';
import { createSeededRandom } from '../../vision/matcher/seeded-random.js';
import type { FaceQuality } from '../../vision/quality/face-quality.js';
import type { AccessDecision } from './decision-policy.js';
import { livenessPolicySchema } from '../../shared/shapes/liveness-policy.js';
import { TrackChallenges, type ChallengeOutcome } from './track-challenges.js';

const QUALITY: FaceQuality = { interOcularPx: 60, yawDeg: 0, pitchDeg: 0, rollDeg: 0, sharpness: 300, brightness: 120, contrast: 45, presence: 1, detectorScore: 0.95 };
const T0 = 1_800_000_000_000;
const ann = { id: 'ann', name: 'Ann', enabled: true, validFromMs: null, validUntilMs: null, groups: [] };

const held = (trackId = 1): AccessDecision => ({ trackId, decidedAtMs: T0, decision: 'granted', reason: 'granted', person: ann, similarity: 0.8, quality: QUALITY, pendingChallenge: true });
const policy = livenessPolicySchema.parse({ retryPauseMs: 1000, maxAttempts: 2 });
/** randomChallenge draws the direction (below 0.5: left), then the turn (15 + 5 × draw degrees). */
const alwaysLeft = (): number => 0.1;

/** Frames every 100 ms from `fromMs`: yaw by frame index; a left turn grows the yaw (headPoseDeg's sign). */
function feed(challenges: TrackChallenges, trackId: number, fromMs: number, yawsDeg: readonly number[], kind: 'face' | 'photo' = 'face', confirmed = true): { outcome: ChallengeOutcome | undefined; atMs: number } {
  let atMs = fromMs;
  for (const yawDeg of yawsDeg) {
    const outcome = challenges.observe(trackId, syntheticObservation({ timestampMs: atMs, yawDeg, kind }), confirmed ? true : undefined);
    if (outcome) return { outcome, atMs };
    atMs += 100;
  }
  return { outcome: undefined, atMs };
}

const turning = (toDeg: number, frames = 12): number[] => [0, 0, ...Array.from({ length: frames }, (_, i) => (toDeg * (i + 1)) / frames)];

describe('TrackChallenges', () => {
  it('makes the held grant final when the same track turns its head as asked', () => {
    const challenges = new TrackChallenges({ random: alwaysLeft });
    const prompt = challenges.hold(held(), policy, T0);
    assert.deepEqual([prompt.status, prompt.action, prompt.attempt, prompt.remainingMs], ['waiting', { kind: 'turn', direction: 'left', minTurnDeg: 16 }, 1, 4000]);
    const { outcome } = feed(challenges, 1, T0, turning(25));
    assert.equal(outcome?.kind, 'granted');
    assert.deepEqual([outcome?.decision.decision, outcome?.decision.reason, outcome?.decision.person?.id], ['granted', 'granted', 'ann']);
    assert.equal(outcome?.decision.pendingChallenge, undefined, 'final, not held');
    assert.equal(challenges.holds(1), false);
  });

  it('reports progress and the remaining time while the head turns', () => {
    const challenges = new TrackChallenges({ random: alwaysLeft });
    challenges.hold(held(), policy, T0);
    feed(challenges, 1, T0, [0, 0, 4, 8]);
    const prompt = challenges.prompt(1);
    assert.equal(prompt?.status, 'waiting');
    assert.ok(prompt!.progress > 0.3 && prompt!.progress < 0.7, `progress ${prompt?.progress}`);
    assert.equal(prompt?.remainingMs, 3700);
  });

  it('denies a photo moved as a plane with the cue, then asks again after the pause, then denies for good', () => {
    const challenges = new TrackChallenges({ random: alwaysLeft });
    challenges.hold(held(), policy, T0);
    const first = feed(challenges, 1, T0, turning(25), 'photo');
    assert.equal(first.outcome?.kind, 'denied');
    assert.deepEqual([first.outcome?.decision.decision, first.outcome?.decision.reason, first.outcome?.decision.livenessCue], ['denied', 'liveness-failed', 'planar']);
    assert.equal(first.outcome?.kind === 'denied' && first.outcome.retrying, true);
    assert.deepEqual([challenges.prompt(1)?.status, challenges.prompt(1)?.cue, challenges.prompt(1)?.retryAtMs], ['failed', 'planar', first.atMs + 1000]);
    // Nothing happens during the pause; then a second attempt on the same track.
    assert.equal(challenges.observe(1, syntheticObservation({ timestampMs: first.atMs + 500 })), undefined);
    assert.equal(challenges.prompt(1)?.attempt, 1);
    const second = feed(challenges, 1, first.atMs + 1000, turning(25), 'photo');
    assert.equal(challenges.prompt(1), undefined, 'the last attempt ends the challenge');
    assert.equal(second.outcome?.kind === 'denied' && second.outcome.retrying, false);
    assert.equal(second.outcome?.kind === 'denied' && second.outcome.held.decidedAtMs, T0, 'the held grant to withdraw');
  });

  it('times out when the head does not turn, also on frames without the face', () => {
    const challenges = new TrackChallenges({ random: alwaysLeft });
    challenges.hold(held(), policy, T0);
    const still = feed(challenges, 1, T0, Array.from({ length: 45 }, () => 1));
    assert.equal(still.outcome?.decision.livenessCue, 'timeout');
    assert.equal(still.atMs, T0 + 4100);

    const unseen = new TrackChallenges({ random: alwaysLeft });
    unseen.hold(held(2), policy, T0);
    assert.equal(unseen.tick(2, T0 + 3900), undefined);
    assert.equal(unseen.tick(2, T0 + 4001)?.decision.livenessCue, 'timeout');
  });

  it('denies a turn the wrong way', () => {
    const challenges = new TrackChallenges({ random: alwaysLeft });
    challenges.hold(held(), policy, T0);
    assert.equal(feed(challenges, 1, T0, turning(-25)).outcome?.decision.livenessCue, 'wrong-direction');
  });

  it('starts again with a new action when another face enters, keeping the attempt', () => {
    const draws = [0.1, 0.1, 0.9, 0.9];
    const challenges = new TrackChallenges({ random: () => draws.shift() ?? 0.5 });
    challenges.hold(held(), policy, T0);
    feed(challenges, 1, T0, [0, 0, 5, 10]);
    challenges.faceEntered(T0 + 400);
    const prompt = challenges.prompt(1);
    assert.deepEqual([prompt?.action, prompt?.attempt, prompt?.progress, prompt?.remainingMs], [{ kind: 'turn', direction: 'right', minTurnDeg: 20 }, 1, 0, 4000]);
    // The turn made before the restart does not count: the new start pose is the turned one.
    const { outcome } = feed(challenges, 1, T0 + 400, [10, 10, ...Array.from({ length: 12 }, (_, i) => 10 - (25 * (i + 1)) / 12)]);
    assert.equal(outcome?.kind, 'granted');
  });

  it('starts again after a gap in the track instead of failing the person', () => {
    const challenges = new TrackChallenges({ random: alwaysLeft });
    challenges.hold(held(), policy, T0);
    feed(challenges, 1, T0, [0, 0, 5]);
    assert.equal(challenges.observe(1, syntheticObservation({ timestampMs: T0 + 2000, yawDeg: 5 })), undefined);
    assert.deepEqual([challenges.prompt(1)?.status, challenges.prompt(1)?.remainingMs, challenges.prompt(1)?.attempt], ['waiting', 4000, 1]);
  });

  it('lets in only a turn in which the identified face was confirmed: a face that cannot be checked starts again', () => {
    const challenges = new TrackChallenges({ random: alwaysLeft });
    challenges.hold(held(), policy, T0);
    // The turn happens, but none of its frames is confirmed as the face identified (e.g. no template).
    const unconfirmed = feed(challenges, 1, T0, turning(25), 'face', false);
    assert.equal(unconfirmed.outcome, undefined);
    assert.deepEqual([challenges.prompt(1)?.status, challenges.prompt(1)?.attempt], ['waiting', 1], 'a new challenge, same attempt');
    assert.ok((challenges.prompt(1)?.remainingMs ?? 0) >= 3500, 'started again when the unconfirmed turn was done');
    // Confirmed only at the start of the turn (the identifying print), not from half of it on: again.
    const early = new TrackChallenges({ random: alwaysLeft });
    early.hold(held(), policy, T0);
    let atMs = T0;
    for (const [i, yawDeg] of turning(25).entries()) {
      assert.equal(early.observe(1, syntheticObservation({ timestampMs: atMs, yawDeg }), i < 2 ? true : undefined), undefined);
      atMs += 100;
    }
    // The new challenge starts from the turned pose; a further turn with the face confirmed passes.
    assert.equal(feed(early, 1, atMs, turning(20).map((yawDeg) => 25 + yawDeg)).outcome?.kind, 'granted');
  });

  it('drops a track that ended, returning the held grant to withdraw', () => {
    const challenges = new TrackChallenges({ random: alwaysLeft });
    const decision = held(5);
    challenges.hold(decision, policy, T0);
    assert.equal(challenges.drop(5), decision);
    assert.equal(challenges.holds(5), false);
    assert.equal(challenges.observe(5, syntheticObservation({ timestampMs: T0 + 100 })), undefined);
  });

  it('draws directions from the random source: seeded, repeatable; both directions come', () => {
    const directions = (seed: number): string[] => {
      const challenges = new TrackChallenges({ random: createSeededRandom(seed) });
      return Array.from({ length: 20 }, (_, i) => {
        const action = challenges.hold(held(i + 1), policy, T0).action;
        return action.kind === 'turn' ? action.direction : 'blink';
      });
    };
    assert.deepEqual(directions(7), directions(7));
    assert.ok(directions(7).includes('left') && directions(7).includes('right'));
  });
});
