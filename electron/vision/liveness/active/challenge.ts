import { BlinkDetector, type BlinkOptions } from './blink.js';
import { HeadTurnTracker, type TurnDirection } from './head-turn.js';
import type { MeshObservation } from './mesh-observation.js';
import { assessPlanarity, PLANARITY_DEFAULTS, type PlanarityOptions, type PlanarityVerdict } from './planarity.js';

/** What the door asks for: a head turn toward a direction as the person sees it (see TurnDirection), or a blink. */
export type ChallengeAction = { kind: 'turn'; direction: TurnDirection; minTurnDeg: number } | { kind: 'blink' };

/** Why a challenge failed; the terminal logs it with the reason code liveness-failed. */
export type ChallengeCue = 'timeout' | 'planar' | 'no-parallax' | 'wrong-direction' | 'no-blink' | 'track-lost';

/** What passed, for the event log. */
export type ChallengeEvidence =
  | { kind: 'turn'; turnedDeg: number; frames: number; planarity: PlanarityVerdict }
  | { kind: 'blink'; baselineEar: number; minEar: number; frames: number };

/** The state of one challenge. `progress` is 0..1 toward the asked action; `remainingMs` until the timeout. */
export type ChallengeState =
  | { status: 'waiting'; action: ChallengeAction; progress: number; remainingMs: number }
  | { status: 'passed'; durationMs: number; evidence: ChallengeEvidence }
  | { status: 'failed'; cue: ChallengeCue; detail: string };

/** Options of ActiveChallenge. */
export interface ActiveChallengeOptions {
  readonly action: ChallengeAction;
  /** Time the person has from startedAtMs, ms; default 4000. */
  readonly timeoutMs?: number;
  /** When the prompt was shown, ms, on the clock of the observations' timestampMs. */
  readonly startedAtMs: number;
  /** Thresholds of the planarity test run when a turn is complete. */
  readonly planarity?: PlanarityOptions;
  /** A turn the other way by this many degrees fails with 'wrong-direction'; default 10. */
  readonly wrongDirectionDeg?: number;
  /** A gap between two frames longer than this, ms, fails with 'track-lost'; default 1500. */
  readonly maxGapMs?: number;
  /** Thresholds of the blink detector. */
  readonly blink?: BlinkOptions;
}

/** Default time the person has for one challenge, ms. */
export const DEFAULT_CHALLENGE_TIMEOUT_MS = 4000;

/**
 * One active liveness challenge for one tracked face: feed it every frame of that track from the moment the
 * prompt is shown. A turn passes when the head has turned far enough toward the asked side AND the landmarks
 * over the turn do not fit one plane (a photo or screen moved in the hand); a blink passes on a closure and
 * reopening. Fails on timeout, a turn the wrong way, a planar sequence, or a lost track; the first final state
 * sticks. Another face entering or the track being lost restarts the challenge: make a new one.
 */
export class ActiveChallenge {
  readonly action: ChallengeAction;
  readonly timeoutMs: number;
  readonly startedAtMs: number;
  private readonly planarity: PlanarityOptions | undefined;
  private readonly wrongDirectionDeg: number;
  private readonly maxGapMs: number;
  private readonly observations: MeshObservation[] = [];
  private readonly turn: HeadTurnTracker | undefined;
  private readonly blink: BlinkDetector | undefined;
  private current: ChallengeState;

  constructor(options: ActiveChallengeOptions) {
    this.action = options.action;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_CHALLENGE_TIMEOUT_MS;
    this.startedAtMs = options.startedAtMs;
    this.planarity = options.planarity;
    this.wrongDirectionDeg = options.wrongDirectionDeg ?? 10;
    this.maxGapMs = options.maxGapMs ?? 1500;
    if (options.action.kind === 'turn') this.turn = new HeadTurnTracker({ direction: options.action.direction, minTurnDeg: options.action.minTurnDeg });
    else this.blink = new BlinkDetector(options.blink);
    this.current = { status: 'waiting', action: this.action, progress: 0, remainingMs: this.timeoutMs };
  }

  /** Adds the next frame of the track; returns the new state (unchanged once passed or failed). */
  push(observation: MeshObservation): ChallengeState {
    if (this.current.status !== 'waiting') return this.current;
    const elapsedMs = observation.timestampMs - this.startedAtMs;
    const previous = this.observations[this.observations.length - 1];
    if (previous && observation.timestampMs - previous.timestampMs > this.maxGapMs) {
      return this.fail('track-lost', `no frame of the face for ${Math.round(observation.timestampMs - previous.timestampMs)} ms`);
    }
    if (elapsedMs > this.timeoutMs) return this.timeOut();
    this.observations.push(observation);
    if (this.turn) return this.pushTurn(this.turn, observation, elapsedMs);
    return this.pushBlink(this.blink!, observation, elapsedMs);
  }

  /** Advances the clock without a frame (the face is not seen): fails with the timeout once it has passed. */
  tick(nowMs: number): ChallengeState {
    if (this.current.status !== 'waiting') return this.current;
    if (nowMs - this.startedAtMs > this.timeoutMs) return this.timeOut();
    this.current = { ...this.current, remainingMs: this.timeoutMs - (nowMs - this.startedAtMs) };
    return this.current;
  }

  /** The tracker lost the face (or another face took its place): the challenge fails with 'track-lost'. */
  trackLost(detail = 'the face left the view'): ChallengeState {
    if (this.current.status !== 'waiting') return this.current;
    return this.fail('track-lost', detail);
  }

  /** The current state. */
  get state(): ChallengeState {
    return this.current;
  }

  private pushTurn(turn: HeadTurnTracker, observation: MeshObservation, elapsedMs: number): ChallengeState {
    const progress = turn.push(observation);
    if (turn.furthestWrongTurnDeg >= this.wrongDirectionDeg) {
      return this.fail('wrong-direction', `turned ${turn.furthestWrongTurnDeg.toFixed(1)}° to the ${turn.direction === 'left' ? 'right' : 'left'}, asked ${turn.direction}`);
    }
    // A turn made in fewer frames than the planarity test needs waits (at full progress) for the person to hold the pose.
    const enoughFrames = this.observations.length >= (this.planarity?.minFrames ?? PLANARITY_DEFAULTS.minFrames);
    if (progress.done && enoughFrames) {
      const planarity = assessPlanarity(this.observations, this.planarity);
      if (planarity.planar) return this.fail(planarity.cue ?? 'planar', planarity.reason ?? 'the face moved as one plane');
      this.current = { status: 'passed', durationMs: elapsedMs, evidence: { kind: 'turn', turnedDeg: progress.turnedDeg, frames: this.observations.length, planarity } };
      return this.current;
    }
    const minTurnDeg = this.action.kind === 'turn' ? this.action.minTurnDeg : 1;
    const fraction = progress.done ? 1 : clamp01(progress.turnedDeg / minTurnDeg);
    this.current = { status: 'waiting', action: this.action, progress: fraction, remainingMs: this.timeoutMs - elapsedMs };
    return this.current;
  }

  private pushBlink(blink: BlinkDetector, observation: MeshObservation, elapsedMs: number): ChallengeState {
    blink.push(observation);
    if (blink.blinked) {
      this.current = { status: 'passed', durationMs: elapsedMs, evidence: { kind: 'blink', baselineEar: blink.baselineEar ?? 0, minEar: blink.minEar, frames: this.observations.length } };
      return this.current;
    }
    this.current = { status: 'waiting', action: this.action, progress: 0, remainingMs: this.timeoutMs - elapsedMs };
    return this.current;
  }

  private timeOut(): ChallengeState {
    if (this.action.kind === 'blink') return this.fail('no-blink', `no blink within ${this.timeoutMs} ms`);
    const furthest = this.turn?.furthestTurnDeg ?? 0;
    const turned = Number.isFinite(furthest) ? `${Math.max(0, furthest).toFixed(1)}°` : 'not seen';
    return this.fail('timeout', `turned ${turned} of ${this.action.minTurnDeg}° ${this.action.direction} within ${this.timeoutMs} ms`);
  }

  private fail(cue: ChallengeCue, detail: string): ChallengeState {
    this.current = { status: 'failed', cue, detail };
    return this.current;
  }
}

/** Options of randomChallenge. */
export interface RandomChallengeOptions {
  /** Allow a blink as the action (one draw in three); default false: always a turn. */
  readonly blink?: boolean;
  /** Smallest and largest minimum turn drawn, degrees; default [15, 20]. */
  readonly turnRangeDeg?: readonly [number, number];
}

/** A random action: a turn left or right (even odds) of 15–20°, or, when allowed, a blink. `random` returns 0..1. */
export function randomChallenge(random: () => number, options: RandomChallengeOptions = {}): ChallengeAction {
  if (options.blink && random() < 1 / 3) return { kind: 'blink' };
  const [lowDeg, highDeg] = options.turnRangeDeg ?? [15, 20];
  const direction: TurnDirection = random() < 0.5 ? 'left' : 'right';
  return { kind: 'turn', direction, minTurnDeg: Math.round(lowDeg + (highDeg - lowDeg) * random()) };
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}
