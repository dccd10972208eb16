import type { z } from 'zod';

import type { DeepReadonly } from '../../shared/contract/handler.js';
import type { personAccessSchema } from '../../shared/contract/schemas.js';
import type { DecisionReason, DecisionSettings, QualityHint } from '../../shared/shapes/decision-settings.js';
import type { LivenessCue, LivenessMode } from '../../shared/shapes/liveness-policy.js';
import type { MeshObservation } from '../../vision/liveness/active/mesh-observation.js';
import { NaturalMotionWindow } from '../../vision/liveness/natural-motion.js';
import { TrainedCueFrames, type TrainedCueModel } from '../../vision/liveness/trained-cue.js';
import type { FaceQuality } from '../../vision/quality/face-quality.js';
import { resolveCredentialMode } from './credential-policy.js';
import { livenessRequirement, resolveLivenessMode } from './liveness-policy.js';
import { withinSchedule, withinWindows } from './weekly-schedule.js';

/** What the policy needs to know about an enrolled person. */
export type PersonAccess = DeepReadonly<z.output<typeof personAccessSchema>>;

/** One frame's evidence about one tracked face. */
export interface TrackObservation {
  readonly trackId: number;
  readonly timestampMs: number;
  readonly quality: FaceQuality;
  /**
   * The best gallery hit at or above the identification threshold, if any; after a card, the card holder where
   * the face verified as theirs (one to one).
   */
  readonly match?: { readonly personId: string; readonly similarity: number };
  /** Set when a card was read: the face was compared with this card holder's only. */
  readonly claim?: { readonly personId: string };
  /** The best similarity of any enrolled person, matched or not (-1..1); for the log. */
  readonly bestSimilarity?: number;
  /** Passive liveness score, 0..1, where the check ran. */
  readonly liveness?: number;
  /** The face's landmarks, for the natural-motion cue. */
  readonly mesh?: MeshObservation;
  /** The face's per-frame measures for the site's trained cue (pad-frame-measures ids), where one is installed. */
  readonly padValues?: Readonly<Record<string, number | undefined>>;
}

/** An access decision for one track. */
export interface AccessDecision {
  readonly trackId: number;
  readonly decidedAtMs: number;
  readonly decision: 'granted' | 'denied';
  readonly reason: DecisionReason;
  readonly person?: PersonAccess;
  /** Mean similarity over the agreeing frames, or the best seen for an unknown face. */
  readonly similarity?: number;
  readonly liveness?: number;
  readonly quality: FaceQuality;
  /**
   * Set on a granted decision that still needs the active liveness challenge: not final, the door holds it
   * until the same track passes the challenge (TrackChallenges), and `withdraw`s it otherwise.
   */
  readonly pendingChallenge?: true;
  /** The check that failed, on a `liveness-failed` decision. */
  readonly livenessCue?: LivenessCue;
}

/** What the terminal can run, for the liveness policy. */
export interface LivenessCapabilities {
  /** Mode where the settings name none: the manifest's `defaults.livenessMode`; default passive+active. */
  readonly defaultMode?: LivenessMode;
  /** Whether a passive liveness model scores faces; default false (then the challenge stands in for it). */
  readonly passiveAvailable?: boolean;
  /**
   * Least passive score where the settings' `minLiveness` is unset: the manifest's
   * `defaults.passiveLiveness.minScore` for its passive model; default 0.5.
   */
  readonly passiveMinScore?: number;
  /** The natural-motion cue's threshold and window (manifest `defaults.passiveLiveness.naturalMotion`); absent: it cannot run. */
  readonly naturalMotion?: { readonly minScore: number; readonly windowMs: number; readonly frames: number };
  /**
   * The passive cue the site trained on its own recordings (`lintel pad install`), and the window a cue with
   * natural-motion features is measured over (the natural-motion cue's); absent: none is installed.
   */
  readonly trainedCue?: { readonly model: TrainedCueModel; readonly windowMs: number; readonly frames: number };
}

/** Why a frame cannot be used for a decision, as a hint for the person at the door; null when it can. */
export function qualityHint(quality: FaceQuality, settings: DecisionSettings): QualityHint | null {
  if (quality.interOcularPx < settings.minInterOcularPx) return 'come-closer';
  if (Math.abs(quality.yawDeg) > settings.maxAbsYawDeg || Math.abs(quality.pitchDeg) > settings.maxAbsPitchDeg) return 'look-at-camera';
  if (quality.brightness < settings.minBrightness) return 'too-dark';
  if (quality.brightness > settings.maxBrightness) return 'too-bright';
  if (quality.sharpness < settings.minSharpness) return 'hold-still';
  return null;
}

interface TrackState {
  firstSeenMs: number;
  candidateId: string | undefined;
  agreeing: number[];
  unmatchedFrames: number;
  usableFrames: number;
  decided: boolean;
  bestSimilarity: number | undefined;
  /** Passive liveness scores of the track's frames, summed, and how many. */
  livenessSum: number;
  livenessCount: number;
  /** The first usable frame's time, ms. */
  firstUsableMs: number | undefined;
  /** The usable frames' landmarks of the last window, where the natural-motion cue can run. */
  motion: NaturalMotionWindow | undefined;
  /** The usable frames' measures for the site's trained cue, where one is installed. */
  cue: TrainedCueFrames | undefined;
}

/**
 * Turns per-frame evidence into access decisions, one per track: the same person named on `framesToAgree`
 * usable frames with nobody else named in between (frames that match nobody do not count against it), then
 * their state (enabled, validity, schedule) and liveness decide; a face that matches nobody on
 * `unknownAfterFrames` usable frames first is unknown. A granted person is not granted again
 * within the cooldown while they stand at the door.
 */
export class DecisionPolicy {
  private readonly tracks = new Map<number, TrackState>();
  private readonly lastGrantMs = new Map<string, number>();

  constructor(
    private settings: DecisionSettings,
    private readonly lookupPerson: (personId: string) => PersonAccess | undefined,
    private readonly capabilities: LivenessCapabilities = {},
  ) {}

  /** Replaces the settings (e.g. from the admin screen); tracks in progress keep their evidence. */
  updateSettings(settings: DecisionSettings): void {
    this.settings = settings;
  }

  /** Takes one frame's evidence for a track; returns a decision when this frame completes one. */
  observe(observation: TrackObservation): AccessDecision | undefined {
    const { settings } = this;
    const state = this.stateOf(observation);
    if (state.decided) return undefined;
    if (observation.bestSimilarity !== undefined) state.bestSimilarity = Math.max(state.bestSimilarity ?? -1, observation.bestSimilarity);
    if (observation.liveness !== undefined) {
      state.livenessSum += observation.liveness;
      state.livenessCount++;
    }

    if (qualityHint(observation.quality, settings) !== null) {
      if (state.usableFrames === 0 && observation.timestampMs - state.firstSeenMs >= settings.lowQualityAfterMs) {
        return this.decide(state, observation, 'low-quality');
      }
      return undefined;
    }
    state.usableFrames++;
    state.firstUsableMs ??= observation.timestampMs;
    if (observation.mesh) state.motion?.push(observation.mesh);
    if (observation.mesh && observation.padValues) state.cue?.push({ mesh: observation.mesh, values: observation.padValues });

    const { match } = observation;
    if (!match) {
      // A frame that matches nobody (a blink, a turn of the head) does not undo the frames that named the
      // candidate; only another person named in between does.
      state.unmatchedFrames++;
      // After a card the face is the card holder's or nobody's: the card's own time decides a face that never
      // verifies (card-face-mismatch), not this count, so another face in view cannot end the card's turn.
      if (observation.claim) return undefined;
      return state.unmatchedFrames >= settings.unknownAfterFrames ? this.decide(state, observation, 'unknown') : undefined;
    }
    if (match.personId !== state.candidateId) {
      state.candidateId = match.personId;
      state.agreeing = [];
    }
    state.agreeing.push(match.similarity);
    if (state.agreeing.length < settings.framesToAgree) return undefined;

    const person = this.lookupPerson(match.personId);
    // Deleted between the match and now: nobody.
    if (!person) return this.decide(state, observation, 'unknown');
    const similarity = state.agreeing.reduce((sum, value) => sum + value, 0) / state.agreeing.length;
    const at = observation.timestampMs;
    let reason: DecisionReason = 'granted';
    if (!person.enabled) reason = 'disabled';
    else if (person.validFromMs !== null && at < person.validFromMs) reason = 'not-yet-valid';
    else if (person.validUntilMs !== null && at >= person.validUntilMs) reason = 'expired';
    else if (settings.allowedGroups !== null && !person.groups.some((group) => settings.allowedGroups?.includes(group))) reason = 'not-allowed-here';
    else if (!withinSchedule(person.groups, settings.schedules, at, settings.timeZone)) reason = 'outside-schedule';
    else if (settings.doorHours !== null && !withinWindows(settings.doorHours, at, settings.timeZone)) reason = 'outside-schedule';
    else if (!observation.claim && resolveCredentialMode(settings.credential, person, at, settings.timeZone) === 'card+face') reason = 'card-required';
    const mode = resolveLivenessMode(settings.liveness, person.groups, at, { ...(settings.timeZone ? { timeZone: settings.timeZone } : {}), ...(this.capabilities.defaultMode ? { defaultMode: this.capabilities.defaultMode } : {}) });
    const required = livenessRequirement(mode, this.capabilities.passiveAvailable ?? false);
    // The site's trained cue weighs the passive model's score with its other measures, at a threshold chosen on this
    // camera's recordings: where it judges the face it stands in for the model's generic threshold (stacked, each
    // would refuse its own share of genuine people). A cue that reads natural motion waits for its window; frames
    // without its measures leave it nothing to judge, and the generic threshold decides.
    const trainedCue = this.capabilities.trainedCue;
    let trainedScore: number | null | undefined;
    if (reason === 'granted' && required.passive && trainedCue && state.cue) {
      if (state.cue.needsWindow && at - (state.firstUsableMs ?? at) < trainedCue.windowMs) return undefined;
      trainedScore = state.cue.score();
    }
    const cueJudged = typeof trainedScore === 'number';
    // The passive check can only reject: a score above the threshold still leaves the challenge to pass.
    const passiveScore = state.livenessCount > 0 ? state.livenessSum / state.livenessCount : 0;
    const passiveFailed = reason === 'granted' && required.passive && !cueJudged && passiveScore < (settings.minLiveness ?? this.capabilities.passiveMinScore ?? 0.5);
    let motionFailed = false;
    const motionCue = this.capabilities.naturalMotion;
    if (reason === 'granted' && !passiveFailed && required.passive && settings.liveness.naturalMotion && motionCue && state.motion) {
      // A photo is told from a still face only over seconds: the grant waits until the usable frames span the
      // window. The cue only refuses; frames without landmarks leave it nothing to judge, and the grant goes on.
      if (at - (state.firstUsableMs ?? at) < motionCue.windowMs) return undefined;
      const motion = state.motion.measure();
      motionFailed = motion !== undefined && motion.score < motionCue.minScore;
    }
    // The site's cue only refuses.
    const trainedFailed = !motionFailed && typeof trainedScore === 'number' && trainedCue !== undefined && trainedScore < trainedCue.model.threshold;
    if (passiveFailed || motionFailed || trainedFailed) reason = 'liveness-failed';
    if (reason === 'granted') {
      const lastMs = this.lastGrantMs.get(person.id);
      // A card read is a new request: the cooldown only keeps a face standing at the door from a second grant.
      if (!observation.claim && lastMs !== undefined && at - lastMs < settings.cooldownMs) {
        // Still at the door after being let in: no new decision, no new event.
        state.decided = true;
        return undefined;
      }
      this.lastGrantMs.set(person.id, at);
    }
    const decision = this.decide(state, observation, reason, person, similarity);
    if (passiveFailed) return { ...decision, livenessCue: 'passive' };
    if (motionFailed) return { ...decision, livenessCue: 'motion' };
    if (trainedFailed) return { ...decision, livenessCue: 'trained' };
    return reason === 'granted' && required.active ? { ...decision, pendingChallenge: true } : decision;
  }

  /**
   * Takes back a granted decision the active challenge did not confirm (failed, or the face left): the
   * person's cooldown it started is undone, so their next attempt is decided.
   */
  withdraw(decision: AccessDecision): void {
    const personId = decision.person?.id;
    if (personId !== undefined && this.lastGrantMs.get(personId) === decision.decidedAtMs) this.lastGrantMs.delete(personId);
  }

  /** Forgets a track that left the view. */
  endTrack(trackId: number): void {
    this.tracks.delete(trackId);
  }

  /**
   * Forgets the evidence of every track still in view, so their next frames are judged afresh: when a card is read
   * (decided tracks too: a face refused for want of a card is decided again with it), and when the card's turn
   * ends (`undecidedOnly`: the frames judged against the card holder must not count for a search of everyone).
   */
  restartTracks(options: { readonly undecidedOnly?: boolean } = {}): void {
    for (const [trackId, state] of this.tracks) if (!options.undecidedOnly || !state.decided) this.tracks.delete(trackId);
  }

  private stateOf(observation: TrackObservation): TrackState {
    let state = this.tracks.get(observation.trackId);
    if (!state) {
      const motionCue = this.capabilities.naturalMotion;
      const trainedCue = this.capabilities.trainedCue;
      state = {
        firstSeenMs: observation.timestampMs,
        candidateId: undefined,
        agreeing: [],
        unmatchedFrames: 0,
        usableFrames: 0,
        decided: false,
        bestSimilarity: undefined,
        livenessSum: 0,
        livenessCount: 0,
        firstUsableMs: undefined,
        motion: motionCue ? new NaturalMotionWindow({ windowMs: motionCue.windowMs, frames: motionCue.frames }) : undefined,
        cue: trainedCue ? new TrainedCueFrames(trainedCue.model, { windowMs: trainedCue.windowMs, frames: trainedCue.frames }) : undefined,
      };
      this.tracks.set(observation.trackId, state);
    }
    return state;
  }

  private decide(state: TrackState, observation: TrackObservation, reason: DecisionReason, person?: PersonAccess, similarity?: number): AccessDecision {
    state.decided = true;
    return {
      trackId: observation.trackId,
      decidedAtMs: observation.timestampMs,
      decision: reason === 'granted' ? 'granted' : 'denied',
      reason,
      ...(person ? { person } : {}),
      ...(similarity !== undefined ? { similarity } : state.bestSimilarity !== undefined ? { similarity: state.bestSimilarity } : {}),
      ...(observation.liveness !== undefined ? { liveness: observation.liveness } : {}),
      quality: observation.quality,
    };
  }
}
