import { randomInt } from 'node:crypto';

import type { z } from 'zod';

import type { DeepReadonly } from '../../shared/contract/handler.js';
import type { challengePromptSchema } from '../../shared/contract/streams.js';
import type { LivenessPolicy } from '../../shared/shapes/liveness-policy.js';
import { ActiveChallenge, randomChallenge, type ChallengeState } from '../../vision/liveness/active/challenge.js';
import type { MeshObservation } from '../../vision/liveness/active/mesh-observation.js';
import type { AccessDecision } from './decision-policy.js';

/** What the door screen shows of one track's challenge (the stream's challengePromptSchema). */
export type ChallengePrompt = DeepReadonly<z.output<typeof challengePromptSchema>>;

/** What a frame did to a held decision. */
export type ChallengeOutcome =
  /** Passed: the held grant, final (record it, open the door). */
  | { readonly kind: 'granted'; readonly decision: AccessDecision; readonly prompt: ChallengePrompt }
  /**
   * An attempt failed: a `liveness-failed` denial with its cue; `retrying` when another challenge follows,
   * else `held` (the policy's grant) is to be withdrawn.
   */
  | { readonly kind: 'denied'; readonly decision: AccessDecision; readonly retrying: boolean; readonly held: AccessDecision; readonly prompt: ChallengePrompt };

/** Options of TrackChallenges. */
export interface TrackChallengesOptions {
  /** Draws the actions, 0..1; default a cryptographic source (an attacker must not guess the next direction). */
  readonly random?: () => number;
}

interface Held {
  /** The policy's granted decision with `pendingChallenge`: what the track is to pass for. */
  readonly decision: AccessDecision;
  readonly policy: LivenessPolicy;
  attempt: number;
  /** Null during the pause after a failed attempt. */
  challenge: ActiveChallenge | null;
  /** A frame of this attempt, from half the turn on, was confirmed to show the identified face. */
  confirmed: boolean;
  retryAtMs: number;
  prompt: ChallengePrompt;
}

/** A cryptographically random number in [0, 1). */
export const secureRandom = (): number => randomInt(2 ** 32) / 2 ** 32;

/**
 * The active liveness challenges of the door, one per track: a grant the policy holds for the challenge
 * (`pendingChallenge`) becomes final only when the same track passes a random action (ActiveChallenge on the
 * track's face mesh). A failed attempt is a `liveness-failed` denial with its cue, followed after a pause by a
 * new challenge on the same track, up to `maxAttempts`. Another face entering the view, or a gap in the track,
 * restarts the challenge with a new action; a track that ends, or whose face turns out to be someone else,
 * drops it (`drop`) and the grant is withdrawn. Times are the frames' capture times, ms.
 */
export class TrackChallenges {
  private readonly held = new Map<number, Held>();
  private readonly random: () => number;

  constructor(options: TrackChallengesOptions = {}) {
    this.random = options.random ?? secureRandom;
  }

  /** Starts the first challenge of a held grant at `atMs`; the decision carries the track. */
  hold(decision: AccessDecision, policy: LivenessPolicy, atMs: number): ChallengePrompt {
    const held: Held = { decision, policy, attempt: 1, challenge: null, confirmed: false, retryAtMs: atMs, prompt: undefined as unknown as ChallengePrompt };
    this.start(held, atMs);
    this.held.set(decision.trackId, held);
    return held.prompt;
  }

  /** Whether the track has a challenge (or a pause between two). */
  holds(trackId: number): boolean {
    return this.held.has(trackId);
  }

  /** The person a track's challenge would let in. */
  heldPersonId(trackId: number): string | undefined {
    return this.held.get(trackId)?.decision.person?.id;
  }

  /** Tracks with a challenge. */
  get trackIds(): number[] {
    return [...this.held.keys()];
  }

  /** The prompt of a track's challenge, as of its last frame. */
  prompt(trackId: number): ChallengePrompt | undefined {
    return this.held.get(trackId)?.prompt;
  }

  /**
   * One frame of the track's face; returns what it decided, if anything. `sameFace` is true where the frame was
   * checked to show the face that was identified (its template verifies against the identifying frame's):
   * a turn passes only once a frame from half the turn on was (a print held up to be identified, then swapped
   * for another face that turns, is not let in); the caller drops the track where a frame shows another face.
   */
  observe(trackId: number, observation: MeshObservation, sameFace?: boolean): ChallengeOutcome | undefined {
    const held = this.held.get(trackId);
    if (!held) return undefined;
    if (!held.challenge) {
      if (observation.timestampMs < held.retryAtMs) return undefined;
      held.attempt++;
      this.start(held, observation.timestampMs);
    }
    const state = (held.challenge as ActiveChallenge).push(observation);
    if (sameFace === true && (state.status === 'passed' || (state.status === 'waiting' && state.progress >= 0.5))) held.confirmed = true;
    if (state.status === 'passed' && !held.confirmed) {
      // Turned as asked, but no frame of the turn showed the identified face: ask again.
      this.start(held, observation.timestampMs);
      return undefined;
    }
    return this.settle(held, state, observation.timestampMs);
  }

  /** A frame without the track's face: the clock runs on, and the challenge times out when its time is up. */
  tick(trackId: number, atMs: number): ChallengeOutcome | undefined {
    const held = this.held.get(trackId);
    if (!held?.challenge) return undefined;
    return this.settle(held, held.challenge.tick(atMs), atMs);
  }

  /** Another face came into view: every running challenge starts again with a new action (same attempt). */
  faceEntered(atMs: number): void {
    for (const held of this.held.values()) if (held.challenge) this.start(held, atMs);
  }

  /** The track ended, or its face named someone else: its held grant, to withdraw; no decision is made. */
  drop(trackId: number): AccessDecision | undefined {
    const held = this.held.get(trackId);
    this.held.delete(trackId);
    return held?.decision;
  }

  /** Drops every challenge (the camera changed, the door paused); returns the held grants to withdraw. */
  dropAll(): AccessDecision[] {
    const decisions = [...this.held.values()].map((held) => held.decision);
    this.held.clear();
    return decisions;
  }

  private start(held: Held, atMs: number): void {
    const action = randomChallenge(this.random, { blink: held.policy.blink });
    held.challenge = new ActiveChallenge({ action, timeoutMs: held.policy.challengeTimeoutMs, startedAtMs: atMs });
    held.confirmed = false;
    held.prompt = this.promptOf(held, held.challenge.state);
  }

  private settle(held: Held, state: ChallengeState, atMs: number): ChallengeOutcome | undefined {
    const { trackId } = held.decision;
    const { pendingChallenge: _pending, livenessCue: _cue, ...decision } = held.decision;
    if (state.status === 'waiting') {
      held.prompt = this.promptOf(held, state);
      return undefined;
    }
    if (state.status === 'passed') {
      held.prompt = { ...held.prompt, status: 'passed', progress: 1, remainingMs: 0 };
      this.held.delete(trackId);
      return { kind: 'granted', decision: { ...decision, decidedAtMs: atMs }, prompt: held.prompt };
    }
    if (state.cue === 'track-lost') {
      // A gap in the track is not the person failing: ask again, with a new action.
      this.start(held, atMs);
      return undefined;
    }
    const retrying = held.attempt < held.policy.maxAttempts;
    held.challenge = null;
    held.retryAtMs = atMs + held.policy.retryPauseMs;
    held.prompt = { ...held.prompt, status: 'failed', remainingMs: 0, cue: state.cue, ...(retrying ? { retryAtMs: held.retryAtMs } : {}) };
    if (!retrying) this.held.delete(trackId);
    return { kind: 'denied', retrying, held: held.decision, prompt: held.prompt, decision: { ...decision, decidedAtMs: atMs, decision: 'denied', reason: 'liveness-failed', livenessCue: state.cue } };
  }

  private promptOf(held: Held, state: ChallengeState): ChallengePrompt {
    const challenge = held.challenge as ActiveChallenge;
    return {
      trackId: held.decision.trackId,
      attempt: held.attempt,
      maxAttempts: held.policy.maxAttempts,
      status: 'waiting',
      action: challenge.action,
      progress: state.status === 'waiting' ? state.progress : 0,
      remainingMs: state.status === 'waiting' ? Math.max(0, state.remainingMs) : 0,
      timeoutMs: challenge.timeoutMs,
    };
  }
}
