import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { FaceQuality } from '../../vision/quality/face-quality.js';
import { decisionSettingsSchema } from '../../shared/shapes/decision-settings.js';
import type { TrainedCueModel } from '../../vision/liveness/trained-cue.js';
import { DecisionPolicy, qualityHint, type LivenessCapabilities, type PersonAccess, type TrackObservation } from './decision-policy.js';

const GOOD: FaceQuality = { interOcularPx: 80, yawDeg: 2, pitchDeg: -4, rollDeg: 1, sharpness: 300, brightness: 120, contrast: 45, presence: 1, detectorScore: 0.95 };
const SMALL: FaceQuality = { ...GOOD, interOcularPx: 20 };

const ann: PersonAccess = { id: 'ann', name: 'Ann', enabled: true, validFromMs: null, validUntilMs: null, groups: ['staff'] };
const bob: PersonAccess = { id: 'bob', name: 'Bob', enabled: false, validFromMs: null, validUntilMs: null, groups: [] };
const cy: PersonAccess = { id: 'cy', name: 'Cy', enabled: true, validFromMs: null, validUntilMs: Date.UTC(2026, 0, 1), groups: [] };
const dee: PersonAccess = { id: 'dee', name: 'Dee', enabled: true, validFromMs: null, validUntilMs: null, groups: ['cleaners'] };
/** Her samples look like a young child's. */
const eve: PersonAccess = { id: 'eve', name: 'Eve', enabled: true, validFromMs: null, validUntilMs: null, groups: ['staff'], youngChild: true };
const people = new Map([ann, bob, cy, dee, eve].map((person) => [person.id, person]));

// Tuesday 2026-11-24, 10:00 UTC.
const T0 = Date.UTC(2026, 10, 24, 10, 0);

function policy(overrides: Record<string, unknown> = {}, capabilities: LivenessCapabilities = { defaultMode: 'off' }): DecisionPolicy {
  const settings = decisionSettingsSchema.parse({
    timeZone: 'UTC',
    schedules: { cleaners: [{ days: [1, 2, 3, 4, 5], from: '18:00', to: '22:00' }] },
    ...overrides,
  });
  return new DecisionPolicy(settings, (id) => people.get(id), capabilities);
}

function frame(trackId: number, index: number, personId?: string, quality = GOOD, extra: Partial<TrackObservation> = {}): TrackObservation {
  return { trackId, timestampMs: T0 + index * 100, quality, ...(personId ? { match: { personId, similarity: 0.95 + index * 0.001 } } : {}), ...extra };
}

/** Feeds frames until a decision comes; returns it with the frame index it came on. */
function run(p: DecisionPolicy, frames: TrackObservation[]) {
  for (const [index, observation] of frames.entries()) {
    const decision = p.observe(observation);
    if (decision) return { decision, index };
  }
  return undefined;
}

describe('DecisionPolicy', () => {
  it('grants an enrolled person once the same identity holds over the agreeing frames', () => {
    const result = run(policy(), [0, 1, 2, 3].map((i) => frame(1, i, 'ann')));
    assert.equal(result?.index, 2);
    assert.equal(result?.decision.decision, 'granted');
    assert.equal(result?.decision.person?.name, 'Ann');
    assert.ok(Math.abs((result?.decision.similarity ?? 0) - 0.951) < 1e-9);
  });

  it('starts counting again when the identity changes between frames', () => {
    const result = run(policy(), ['ann', 'ann', 'dee', 'ann', 'ann', 'ann'].map((id, i) => frame(1, i, id)));
    assert.equal(result?.index, 5);
  });

  it('keeps agreement across frames that match nobody: a blink or a turn of the head is not another person', () => {
    const result = run(policy(), ['ann', undefined, 'ann', undefined, undefined, 'ann', 'ann'].map((id, i) => frame(1, i, id)));
    assert.equal(result?.index, 5);
    assert.deepEqual([result?.decision.decision, result?.decision.person?.name], ['granted', 'Ann']);
  });

  it('denies a face that matches nobody, as unknown, after the configured frames', () => {
    const result = run(policy({ unknownAfterFrames: 4 }), [0, 1, 2, 3, 4].map((i) => frame(2, i, undefined, GOOD, { bestSimilarity: 0.6 + i / 100 })));
    assert.equal(result?.index, 3);
    assert.deepEqual([result?.decision.decision, result?.decision.reason], ['denied', 'unknown']);
    assert.equal(result?.decision.similarity, 0.63);
  });

  it('denies disabled, expired and out-of-schedule people with their reason', () => {
    assert.equal(run(policy(), [0, 1, 2].map((i) => frame(3, i, 'bob')))?.decision.reason, 'disabled');
    assert.equal(run(policy(), [0, 1, 2].map((i) => frame(4, i, 'cy')))?.decision.reason, 'expired');
    assert.equal(run(policy(), [0, 1, 2].map((i) => frame(5, i, 'dee')))?.decision.reason, 'outside-schedule');
  });

  it('lets nobody in outside the door’s own hours, whatever their groups’ schedules', () => {
    // Tuesday 10:00 UTC: inside Mon–Fri 07:00–19:00, outside Sat–Sun.
    const weekdays = { doorHours: [{ days: [1, 2, 3, 4, 5], from: '07:00', to: '19:00' }] };
    assert.equal(run(policy(weekdays), [0, 1, 2].map((i) => frame(9, i, 'ann')))?.decision.reason, 'granted');
    const weekend = { doorHours: [{ days: [6, 7], from: '00:00', to: '24:00' }] };
    assert.equal(run(policy(weekend), [0, 1, 2].map((i) => frame(10, i, 'ann')))?.decision.reason, 'outside-schedule', 'Ann has no schedule, but the door is shut');
    // In the door's time zone: 10:00 UTC is 19:00 in Tokyo, past the door's hours there.
    assert.equal(run(policy({ ...weekdays, timeZone: 'Asia/Tokyo' }), [0, 1, 2].map((i) => frame(11, i, 'ann')))?.decision.reason, 'outside-schedule');
    assert.throws(() => decisionSettingsSchema.parse({ doorHours: [] }), /too_small|>=1|at least/i);
  });

  it('denies a person in none of the groups the door lets through, and lets through one of them', () => {
    const staffOnly = { allowedGroups: ['staff', 'managers'] };
    assert.equal(run(policy(staffOnly), [0, 1, 2].map((i) => frame(7, i, 'ann')))?.decision.reason, 'granted');
    const evening = (i: number): TrackObservation => ({ ...frame(8, i, 'dee'), timestampMs: Date.UTC(2026, 10, 24, 19, 30) + i * 100 });
    // Inside her schedule, but cleaners may not use this door.
    assert.deepEqual(run(policy(staffOnly), [0, 1, 2].map(evening))?.decision.reason, 'not-allowed-here');
    assert.equal(run(policy({ allowedGroups: [] }), [0, 1, 2].map((i) => frame(9, i, 'ann')))?.decision.reason, 'not-allowed-here');
  });

  it('grants a scheduled person inside their window', () => {
    const evening = (i: number): TrackObservation => ({ ...frame(6, i, 'dee'), timestampMs: Date.UTC(2026, 10, 24, 19, 30) + i * 100 });
    assert.equal(run(policy(), [0, 1, 2].map(evening))?.decision.reason, 'granted');
  });

  it('ignores unusable frames, hints why, and denies for low quality only after the timeout', () => {
    const settings = decisionSettingsSchema.parse({});
    assert.equal(qualityHint(SMALL, settings), 'come-closer');
    assert.equal(qualityHint({ ...GOOD, yawDeg: 45 }, settings), 'look-at-camera');
    assert.equal(qualityHint({ ...GOOD, brightness: 10 }, settings), 'too-dark');
    assert.equal(qualityHint({ ...GOOD, sharpness: 2 }, settings), 'hold-still');
    assert.equal(qualityHint(GOOD, settings), null);
    const frames = Array.from({ length: 60 }, (_, i) => frame(7, i, 'ann', SMALL));
    const result = run(policy({ lowQualityAfterMs: 3000 }), frames);
    assert.equal(result?.index, 30);
    assert.equal(result?.decision.reason, 'low-quality');
    // Small frames first, then good ones: a normal approach to the door is granted, not denied.
    const approach = [...Array.from({ length: 10 }, (_, i) => frame(8, i, 'ann', SMALL)), ...[10, 11, 12].map((i) => frame(8, i, 'ann'))];
    assert.equal(run(policy(), approach)?.decision.reason, 'granted');
  });

  it('fails liveness when the passive check is asked for and the score is low, naming the cue', () => {
    const frames = [0, 1, 2].map((i) => frame(9, i, 'ann', GOOD, { liveness: 0.2 }));
    const passive = { passiveAvailable: true, defaultMode: 'passive' } as const;
    const failed = run(policy({ minLiveness: 0.5 }, passive), frames)?.decision;
    assert.deepEqual([failed?.decision, failed?.reason, failed?.livenessCue], ['denied', 'liveness-failed', 'passive']);
    assert.equal(run(policy({ minLiveness: 0.1 }, passive), frames)?.decision.reason, 'granted');
    assert.equal(run(policy({ minLiveness: 0.5 }, { passiveAvailable: true, defaultMode: 'off' }), frames)?.decision.reason, 'granted');
    // The mean over the track's frames decides, and the manifest's threshold where the settings name none.
    const mixed = [0.9, 0.9, 0.3].map((liveness, i) => frame(9, i, 'ann', GOOD, { liveness }));
    assert.equal(run(policy({ minLiveness: 0.6 }, passive), mixed)?.decision.reason, 'granted', 'mean 0.7');
    assert.equal(run(policy({}, { ...passive, passiveMinScore: 0.8 }), mixed)?.decision.reason, 'liveness-failed', 'mean 0.7 < 0.8');
    assert.equal(run(policy({}, passive), mixed)?.decision.reason, 'granted', 'default 0.5');
    // A disabled person is denied as disabled, not for liveness.
    assert.equal(run(policy({ minLiveness: 0.5 }, passive), [0, 1, 2].map((i) => frame(9, i, 'bob', GOOD, { liveness: 0.2 })))?.decision.reason, 'disabled');
  });

  it('holds a grant that needs the active challenge, and never lets the passive score admit on its own', () => {
    const frames = [0, 1, 2].map((i) => frame(20, i, 'ann', GOOD, { liveness: 0.99 }));
    const held = run(policy({}, { passiveAvailable: true, defaultMode: 'passive+active' }), frames)?.decision;
    assert.deepEqual([held?.decision, held?.pendingChallenge], ['granted', true]);
    // No passive model: the passive check is skipped and the challenge stands in, even for mode passive.
    assert.equal(run(policy({}, { passiveAvailable: false, defaultMode: 'passive' }), frames)?.decision.pendingChallenge, true);
    assert.equal(run(policy({}, { defaultMode: 'off' }), frames)?.decision.pendingChallenge, undefined);
    // The settings' mode wins over the manifest's default; a new terminal's default is passive + active.
    assert.equal(run(policy({ liveness: { mode: 'off' } }, { defaultMode: 'active' }), frames)?.decision.pendingChallenge, undefined);
    assert.equal(run(policy({}, {}), frames)?.decision.pendingChallenge, true);
  });

  it('withdraws a held grant the challenge did not confirm: the cooldown it started is undone', () => {
    const p = policy({ cooldownMs: 10_000 }, { defaultMode: 'active' });
    const held = run(p, [0, 1, 2].map((i) => frame(21, i, 'ann')))?.decision;
    assert.equal(held?.pendingChallenge, true);
    assert.equal(run(p, [3, 4, 5].map((i) => frame(22, i, 'ann'))), undefined, 'in the cooldown while held');
    p.withdraw(held!);
    assert.equal(run(p, [6, 7, 8].map((i) => frame(23, i, 'ann')))?.decision.pendingChallenge, true);
  });

  it('does not grant the same person again within the cooldown, even on a new track', () => {
    const p = policy({ cooldownMs: 10_000 });
    assert.equal(run(p, [0, 1, 2].map((i) => frame(10, i, 'ann')))?.decision.reason, 'granted');
    assert.equal(run(p, [3, 4, 5, 6].map((i) => frame(11, i, 'ann'))), undefined);
    const later = [0, 1, 2].map((i) => ({ ...frame(12, i, 'ann'), timestampMs: T0 + 11_000 + i * 100 }));
    assert.equal(run(p, later)?.decision.reason, 'granted');
  });

  it('decides once per track', () => {
    const p = policy();
    assert.ok(run(p, [0, 1, 2].map((i) => frame(13, i, 'dee'))));
    assert.equal(run(p, [3, 4, 5, 6, 7].map((i) => frame(13, i, 'dee'))), undefined);
    p.endTrack(13);
    assert.ok(run(p, [8, 9, 10].map((i) => frame(13, i, 'dee'))));
  });

  it('with the natural-motion cue, a grant waits until the usable frames span its window; frames without landmarks leave it nothing to refuse', () => {
    const motion: LivenessCapabilities = { passiveAvailable: true, passiveMinScore: 0.5, naturalMotion: { minScore: 0.012, windowMs: 500, frames: 5 } };
    const frames = (quality = GOOD) => [0, 1, 2, 3, 4, 5, 6, 7].map((i) => frame(1, i, 'ann', quality, { liveness: 0.9 }));
    // Frames 100 ms apart: 3 agree at frame 2, the window is full at frame 5.
    assert.equal(run(policy({ liveness: { mode: 'passive', naturalMotion: true } }, motion), frames())?.index, 5);
    assert.equal(run(policy({ liveness: { mode: 'passive', naturalMotion: false } }, motion), frames())?.index, 2);
    assert.equal(run(policy({ liveness: { mode: 'passive', naturalMotion: true } }, { ...motion, naturalMotion: undefined }), frames())?.index, 2, 'not in the manifest: it cannot run');
    const granted = run(policy({ liveness: { mode: 'passive', naturalMotion: true } }, motion), frames());
    assert.deepEqual([granted?.decision.reason, granted?.decision.livenessCue], ['granted', undefined]);
    // Unusable frames do not count toward the window: the first usable one starts it.
    const late = run(policy({ liveness: { mode: 'passive', naturalMotion: true } }, motion), [0, 1, 2].map((i) => frame(1, i, 'ann', SMALL)).concat(frames().slice(3)));
    assert.equal(late, undefined, 'frames 3–7 span 400 ms');
  });

  it('a site-trained cue that judges the face stands in for the passive threshold; without its measures the threshold decides', () => {
    // Logit 2 × (contrast − 4) / 0.5: contrast 5 passes (4), 3 is refused (−4).
    const model: TrainedCueModel = { features: ['colour-contrast'], mean: [4], std: [0.5], weights: [2], bias: 0, threshold: 0 };
    const capabilities: LivenessCapabilities = { passiveAvailable: true, passiveMinScore: 0.8, trainedCue: { model, windowMs: 2400, frames: 5 } };
    const mesh = (i: number) => ({ timestampMs: T0 + i * 100, meshNorm: new Float32Array(468 * 3), widthPx: 320, heightPx: 240 });
    const frames = (contrast: number | undefined, liveness: number) =>
      [0, 1, 2].map((i) => frame(1, i, 'ann', GOOD, { liveness, mesh: mesh(i), ...(contrast === undefined ? {} : { padValues: { 'colour-contrast': contrast } }) }));
    const decide = (contrast: number | undefined, liveness: number) => run(policy({ liveness: { mode: 'passive' } }, capabilities), frames(contrast, liveness))?.decision;
    assert.equal(decide(5, 0.5)?.reason, 'granted', 'the cue passes a face the model scores under its 0.8');
    assert.deepEqual([decide(3, 0.99)?.reason, decide(3, 0.99)?.livenessCue], ['liveness-failed', 'trained']);
    assert.deepEqual([decide(undefined, 0.5)?.reason, decide(undefined, 0.5)?.livenessCue], ['liveness-failed', 'passive'], 'nothing for the cue to judge');
    assert.equal(decide(undefined, 0.9)?.reason, 'granted');
  });

  it('rejects settings out of range with the field named', () => {
    assert.throws(() => decisionSettingsSchema.parse({ framesToAgree: 0 }), /framesToAgree/);
    assert.throws(() => decisionSettingsSchema.parse({ schedules: { x: [{ days: [8], from: '09:00', to: '17:00' }] } }), /days/);
    assert.throws(() => decisionSettingsSchema.parse({ schedules: { x: [{ days: [1], from: '17:00', to: '09:00' }] } }), /end after it starts/);
    assert.throws(() => decisionSettingsSchema.parse({ liveness: { mode: 'sometimes' } }), /liveness/);
    assert.throws(() => decisionSettingsSchema.parse({ liveness: { challengeTimeoutMs: 100 } }), /challengeTimeoutMs/);
    assert.throws(() => decisionSettingsSchema.parse({ liveness: { groups: { visitors: 'always' } } }), /visitors/);
    assert.throws(() => decisionSettingsSchema.parse({ liveness: { schedules: [{ windows: [], mode: 'active' }] } }), /windows/);
    assert.equal(decisionSettingsSchema.parse({}).liveness.mode, null, 'unset: the manifest default');
  });

  describe('card + face', () => {
    const afterHours = [{ windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '18:00', to: '23:59' }], mode: 'card+face' }];
    const evening = (frameIndex: number): number => Date.UTC(2026, 10, 24, 19, 0) + frameIndex * 100;

    it('refuses the face alone where the door, a group or the hours ask for the card, and grants the same frames after a card', () => {
      const refused = run(policy({ credential: { mode: 'card+face' } }), [0, 1, 2].map((i) => frame(1, i, 'ann')));
      assert.deepEqual([refused?.decision.reason, refused?.decision.person?.id], ['card-required', 'ann']);
      const claim = { claim: { personId: 'ann' } };
      const granted = run(policy({ credential: { mode: 'card+face' } }), [0, 1, 2].map((i) => frame(1, i, 'ann', GOOD, claim)));
      assert.equal(granted?.decision.reason, 'granted');
      // A group that asks for the card wins over the door's face-only mode, and over the person's other groups.
      const byGroup = run(policy({ credential: { mode: 'face', groups: { staff: 'card+face' } } }), [0, 1, 2].map((i) => frame(1, i, 'ann')));
      assert.equal(byGroup?.decision.reason, 'card-required');
      // The hours: by day the face is enough, after 18:00 the card is needed.
      const byDay = run(policy({ credential: { schedules: afterHours } }), [0, 1, 2].map((i) => frame(1, i, 'ann')));
      const atNight = run(policy({ credential: { schedules: afterHours } }), [0, 1, 2].map((i) => ({ ...frame(1, i, 'ann'), timestampMs: evening(i) })));
      assert.deepEqual([byDay?.decision.reason, atNight?.decision.reason], ['granted', 'card-required']);
    });

    it('a young child needs the card whatever the door, the groups and the hours say, unless young children may use the face alone', () => {
      const frames = (personId: string): TrackObservation[] => [0, 1, 2].map((i) => frame(1, i, personId));
      const faceEverywhere = { mode: 'face', groups: { staff: 'face' }, schedules: [{ windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }], mode: 'face' }] };
      assert.deepEqual(
        [run(policy({ credential: faceEverywhere }), frames('eve'))?.decision.reason, run(policy({ credential: faceEverywhere }), frames('ann'))?.decision.reason],
        ['card-required', 'granted'],
        'the default: card and face for her, the face alone for an adult',
      );
      const withCard = run(policy({ credential: faceEverywhere }), [0, 1, 2].map((i) => frame(1, i, 'eve', GOOD, { claim: { personId: 'eve' } })));
      assert.equal(withCard?.decision.reason, 'granted', 'her card, then her face');
      assert.equal(run(policy({ credential: { ...faceEverywhere, youngChildren: 'face' } }), frames('eve'))?.decision.reason, 'granted');
      // Setting young children to the face alone does not lift a card the door asks of everyone.
      assert.equal(run(policy({ credential: { mode: 'card+face', youngChildren: 'face' } }), frames('eve'))?.decision.reason, 'card-required');
    });

    it('after a card, a face that never verifies is not declared unknown by the frame count: the card’s time decides', () => {
      const claim = { claim: { personId: 'ann' } };
      assert.equal(run(policy({ unknownAfterFrames: 3 }), Array.from({ length: 20 }, (_, i) => frame(1, i, undefined, GOOD, claim))), undefined);
      // The person's own state still decides: a disabled card holder is refused as disabled.
      const disabled = run(policy(), [0, 1, 2].map((i) => frame(1, i, 'bob', GOOD, { claim: { personId: 'bob' } })));
      assert.equal(disabled?.decision.reason, 'disabled');
    });

    it('a card is a new request: granted again within the cooldown, and tracks judged afresh after restartTracks', () => {
      const p = policy({ cooldownMs: 60_000, credential: { mode: 'card+face' } });
      assert.equal(run(p, [0, 1, 2].map((i) => frame(1, i, 'ann')))?.decision.reason, 'card-required');
      // Decided: further frames of the track say nothing until the card restarts it.
      assert.equal(run(p, [3, 4, 5].map((i) => frame(1, i, 'ann', GOOD, { claim: { personId: 'ann' } }))), undefined);
      p.restartTracks();
      assert.equal(run(p, [6, 7, 8].map((i) => frame(1, i, 'ann', GOOD, { claim: { personId: 'ann' } })))?.decision.reason, 'granted');
      p.restartTracks();
      assert.equal(run(p, [9, 10, 11].map((i) => frame(1, i, 'ann', GOOD, { claim: { personId: 'ann' } })))?.decision.reason, 'granted', 'the cooldown does not hold a card back');
      // restartTracks({ undecidedOnly }) keeps a decided track decided, and forgets one still gathering frames.
      p.restartTracks();
      p.observe(frame(2, 12, 'ann', GOOD, { claim: { personId: 'ann' } }));
      p.restartTracks({ undecidedOnly: true });
      assert.equal(run(p, [13, 14].map((i) => frame(2, i, 'ann', GOOD, { claim: { personId: 'ann' } }))), undefined, 'two fresh frames are not three');
    });
  });
});
