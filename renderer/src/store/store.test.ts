import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';

import { TIMINGS_HISTORY_LENGTH, useLintel } from './store.js';
import type { ChallengePrompt, DecisionEvent, PanelState, TerminalHealth } from './types.js';

const initial = useLintel.getState();
beforeEach(() => useLintel.setState(initial, true));

const quality = { interOcularPx: 60, yawDeg: 0, pitchDeg: 0, rollDeg: 0, sharpness: 100, brightness: 120, contrast: 40, presence: 1, detectorScore: 0.9 };
const decision = (eventId: number): DecisionEvent => ({ eventId, trackId: 1, decidedAtMs: 1_000, decision: 'denied', reason: 'unknown', quality, trackAgeMs: 400 });
const health = (framesProcessed: number): TerminalHealth => ({
  camera: { status: 'live', fps: 15 },
  models: { detector: 'd', fitter: 'f', extractor: 'e' },
  backend: 'cpu',
  engines: [],
  processedFps: 10,
  framesProcessed,
  framesDropped: 0,
  workerRestarts: 0,
  lastTimingsMs: { detectMs: 5, fitMs: 4, qualityMs: 1, extractMs: 20 },
});

describe('store', () => {
  test('shows a new decision and ignores one replayed after a reconnect', () => {
    useLintel.getState().showDecision(decision(7));
    useLintel.getState().dismissDecision(7);
    useLintel.getState().showDecision(decision(7));
    assert.equal(useLintel.getState().decision, null);
    useLintel.getState().showDecision(decision(8));
    assert.equal(useLintel.getState().decision?.eventId, 8);
  });

  test('a newer decision replaces the one showing, and dismissing the old one leaves it', () => {
    useLintel.getState().showDecision(decision(1));
    useLintel.getState().showDecision(decision(2));
    useLintel.getState().dismissDecision(1);
    assert.equal(useLintel.getState().decision?.eventId, 2);
  });

  test('shows the challenge until a decision, keeps a retried failure on the prompt, not full screen', () => {
    const prompt: ChallengePrompt = { trackId: 4, attempt: 1, maxAttempts: 3, status: 'waiting', action: { kind: 'turn', direction: 'left', minTurnDeg: 16 }, progress: 0.2, remainingMs: 3000, timeoutMs: 4000 };
    useLintel.getState().receiveChallenge(4, prompt);
    assert.deepEqual(useLintel.getState().challenges, [prompt]);
    const failed: ChallengePrompt = { ...prompt, status: 'failed', cue: 'timeout', remainingMs: 0, retryAtMs: 5_000 };
    useLintel.getState().receiveChallenge(4, failed);
    useLintel.getState().showDecision({ ...decision(9), trackId: 4, reason: 'liveness-failed', livenessCue: 'timeout', retrying: true });
    assert.deepEqual([useLintel.getState().decision, useLintel.getState().challenges.map((shown) => shown.status)], [null, ['failed']]);
    // Another face's challenge ending leaves this one; this face leaving clears it.
    useLintel.getState().receiveChallenge(5, null);
    assert.deepEqual(useLintel.getState().challenges.map((shown) => shown.trackId), [4]);
    useLintel.getState().receiveChallenge(4, null);
    assert.deepEqual(useLintel.getState().challenges, []);
    // The final decision replaces the prompt.
    useLintel.getState().receiveChallenge(4, { ...prompt, attempt: 2 });
    useLintel.getState().showDecision({ ...decision(10), trackId: 4, decision: 'granted', reason: 'granted' });
    assert.deepEqual([useLintel.getState().decision?.eventId, useLintel.getState().challenges], [10, []]);
  });

  test('two faces challenged at once: a prompt for each, updated in place, the decided one removed, the other kept', () => {
    const left: ChallengePrompt = { trackId: 7, attempt: 1, maxAttempts: 3, status: 'waiting', action: { kind: 'turn', direction: 'left', minTurnDeg: 16 }, progress: 0, remainingMs: 4000, timeoutMs: 4000 };
    const right: ChallengePrompt = { ...left, trackId: 8, action: { kind: 'turn', direction: 'right', minTurnDeg: 16 } };
    useLintel.getState().receiveChallenge(7, left);
    useLintel.getState().receiveChallenge(8, right);
    // The newer message of the first face updates its prompt without moving it or hiding the second.
    useLintel.getState().receiveChallenge(7, { ...left, progress: 0.5, remainingMs: 3000 });
    assert.deepEqual(useLintel.getState().challenges.map((shown) => [shown.trackId, shown.progress]), [[7, 0.5], [8, 0]]);
    // The first face's pass is its decision: its prompt goes, the second face's challenge stays on screen.
    useLintel.getState().receiveChallenge(7, { ...left, status: 'passed', progress: 1 });
    useLintel.getState().showDecision({ ...decision(11), trackId: 7, decision: 'granted', reason: 'granted' });
    assert.deepEqual(useLintel.getState().challenges.map((shown) => shown.trackId), [8]);
    useLintel.getState().receiveChallenge(8, { ...right, progress: 0.3 });
    assert.equal(useLintel.getState().challenges[0]?.progress, 0.3);
  });

  test('keeps a timing sample per processed batch, the last 60', () => {
    for (let frames = 1; frames <= TIMINGS_HISTORY_LENGTH + 10; frames++) {
      useLintel.getState().receiveHealth(health(frames), frames * 1_000);
      useLintel.getState().receiveHealth(health(frames), frames * 1_000 + 500);
    }
    const history = useLintel.getState().timingsHistory;
    assert.equal(history.length, TIMINGS_HISTORY_LENGTH);
    assert.equal(history.at(-1)?.atMs, (TIMINGS_HISTORY_LENGTH + 10) * 1_000);
  });

  test('re-renders enrollment progress only when what is shown changes', () => {
    const feedback = { frameSeq: 1, timestampMs: 1, hint: 'hold-still' as const, progress: 0.2, samplesTaken: 1, samplesWanted: 5, accepted: true };
    useLintel.getState().receiveEnrollmentFeedback('s', feedback);
    const first = useLintel.getState().enrollment;
    useLintel.getState().receiveEnrollmentFeedback('s', { ...feedback, frameSeq: 2, accepted: false, progress: 0.25 });
    assert.equal(useLintel.getState().enrollment, first);
    useLintel.getState().receiveEnrollmentFeedback('s', { ...feedback, frameSeq: 3, samplesTaken: 2 });
    assert.equal(useLintel.getState().enrollment?.samplesTaken, 2);
  });

  test('an expired admin session returns to the login with a word why; logging out resets the section', () => {
    useLintel.getState().adminLoggedIn('ada', 10);
    useLintel.getState().setAdminTab('settings');
    useLintel.getState().adminSessionLost();
    assert.equal(useLintel.getState().screen, 'login');
    assert.match(useLintel.getState().loginNotice ?? '', /session has ended/);
    useLintel.getState().showDoor();
    assert.equal(useLintel.getState().adminTab, 'enroll');
  });

  test("keeps the panel's newest reader state, and ignores an older one replayed after a reconnect", () => {
    const panel = (seq: number, color: 'green' | 'red'): PanelState => ({ kind: 'panel', seq, timestampMs: 1_000 + seq, output: 'osdp', led: { color, flashing: false }, text: null, outputActive: false, buzzer: null });
    useLintel.getState().receivePanel(panel(2, 'green'));
    useLintel.getState().receivePanel(panel(1, 'red'));
    assert.equal(useLintel.getState().panel?.led?.color, 'green');
    useLintel.getState().receivePanel(panel(3, 'red'));
    assert.equal(useLintel.getState().panel?.led?.color, 'red');
  });
});
