import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createSeededRandom } from '../../matcher/seeded-random.js';
import { ActiveChallenge, randomChallenge, type ChallengeAction } from './challenge.js';
import { syntheticObservation, type SyntheticView } from './synthetic-face.js';

const LEFT: ChallengeAction = { kind: 'turn', direction: 'left', minTurnDeg: 15 };
const RIGHT: ChallengeAction = { kind: 'turn', direction: 'right', minTurnDeg: 15 };

/** Feeds frames 100 ms apart from t = 0 with the yaws given; returns the last state. */
function run(challenge: ActiveChallenge, yawsDeg: readonly number[], extra: Partial<SyntheticView> = {}) {
  let state = challenge.state;
  yawsDeg.forEach((yawDeg, k) => {
    state = challenge.push(syntheticObservation({ timestampMs: k * 100, yawDeg, ...extra }));
  });
  return state;
}

describe('ActiveChallenge', () => {
  it('passes a real 3-D turn toward the asked side (left = the person\'s left = yaw growing toward the image\'s right)', () => {
    const challenge = new ActiveChallenge({ action: LEFT, startedAtMs: 0 });
    const state = run(challenge, [0, 0, 3, 7, 11, 14, 19]);
    assert.equal(state.status, 'passed', JSON.stringify(state));
    if (state.status !== 'passed' || state.evidence.kind !== 'turn') return;
    assert.equal(state.durationMs, 600);
    assert.ok(state.evidence.turnedDeg >= 15);
    assert.equal(state.evidence.planarity.planar, false);
    const right = run(new ActiveChallenge({ action: RIGHT, startedAtMs: 0 }), [0, 0, -4, -8, -12, -16, -20]);
    assert.equal(right.status, 'passed');
  });

  it('reports progress while waiting and keeps the final state', () => {
    const challenge = new ActiveChallenge({ action: LEFT, startedAtMs: 0 });
    const waiting = run(challenge, [0, 0, 6]);
    assert.equal(waiting.status, 'waiting');
    if (waiting.status === 'waiting') {
      assert.ok(waiting.progress > 0.2 && waiting.progress < 0.6, `progress ${waiting.progress}`);
      assert.equal(waiting.remainingMs, 3800);
    }
    const failed = challenge.trackLost();
    assert.equal(failed.status, 'failed');
    assert.deepEqual(challenge.push(syntheticObservation({ timestampMs: 300, yawDeg: 20 })), failed);
  });

  it('fails a turn the wrong way', () => {
    const state = run(new ActiveChallenge({ action: LEFT, startedAtMs: 0 }), [0, 0, -5, -11, -16]);
    assert.equal(state.status, 'failed');
    if (state.status === 'failed') assert.equal(state.cue, 'wrong-direction');
  });

  it('fails a photo turned as a plane with the planar cue', () => {
    const state = run(new ActiveChallenge({ action: LEFT, startedAtMs: 0 }), [0, 0, 4, 8, 12, 16, 20], { kind: 'photo' });
    assert.equal(state.status, 'failed', JSON.stringify(state));
    if (state.status === 'failed') assert.equal(state.cue, 'planar');
  });

  it('times out with frames and without them (tick)', () => {
    const timedOut = new ActiveChallenge({ action: LEFT, startedAtMs: 0, timeoutMs: 1000 });
    const state = run(timedOut, Array.from({ length: 12 }, () => 2));
    assert.equal(state.status, 'failed');
    if (state.status === 'failed') {
      assert.equal(state.cue, 'timeout');
      assert.match(state.detail, /of 15° left within 1000 ms/);
    }
    const idle = new ActiveChallenge({ action: RIGHT, startedAtMs: 1000 });
    assert.equal(idle.tick(3000).status, 'waiting');
    const late = idle.tick(5001);
    assert.equal(late.status === 'failed' && late.cue, 'timeout');
    const blink = new ActiveChallenge({ action: { kind: 'blink' }, startedAtMs: 0 });
    const noBlink = blink.tick(4001);
    assert.equal(noBlink.status === 'failed' && noBlink.cue, 'no-blink');
  });

  it('fails with track-lost when told, or when frames stop for too long', () => {
    const told = new ActiveChallenge({ action: LEFT, startedAtMs: 0 });
    run(told, [0, 0]);
    const lost = told.trackLost('another face');
    assert.equal(lost.status === 'failed' && lost.cue, 'track-lost');
    const gap = new ActiveChallenge({ action: LEFT, startedAtMs: 0, maxGapMs: 500 });
    gap.push(syntheticObservation({ timestampMs: 0 }));
    const state = gap.push(syntheticObservation({ timestampMs: 900, yawDeg: 20 }));
    assert.equal(state.status === 'failed' && state.cue, 'track-lost');
  });

  it('passes a blink', () => {
    const challenge = new ActiveChallenge({ action: { kind: 'blink' }, startedAtMs: 0 });
    let state = challenge.state;
    [0, 0, 0, 0.8, 0.9, 0].forEach((eyeClosure, k) => {
      state = challenge.push(syntheticObservation({ timestampMs: k * 80, eyeClosure }));
    });
    assert.equal(state.status, 'passed');
  });
});

describe('randomChallenge', () => {
  it('draws both directions about evenly, 15–20°, and blinks only when allowed', () => {
    const random = createSeededRandom(5);
    const draws = Array.from({ length: 2000 }, () => randomChallenge(random));
    const left = draws.filter((d) => d.kind === 'turn' && d.direction === 'left').length;
    assert.ok(left > 900 && left < 1100, `left ${left}`);
    assert.ok(draws.every((d) => d.kind === 'turn' && d.minTurnDeg >= 15 && d.minTurnDeg <= 20));
    const withBlink = Array.from({ length: 900 }, () => randomChallenge(random, { blink: true }));
    const blinks = withBlink.filter((d) => d.kind === 'blink').length;
    assert.ok(blinks > 240 && blinks < 360, `blinks ${blinks}`);
  });
});
