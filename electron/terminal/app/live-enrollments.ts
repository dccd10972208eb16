import { randomUUID } from 'node:crypto';

import { ContractError } from '../../shared/contract/result.js';
import { latestFrames, runLiveEnrollment, type EnrollmentFeedback, type FrameProcessor, type LiveEnrollmentResult } from '../enrollment/live-enrollment.js';
import type { DuplicateMatcher } from '../enrollment/duplicates.js';
import type { Camera } from '../camera/camera.js';
import type { PersonsAccess } from '../store/store.js';
import { StoreError } from '../store/errors.js';

/** What a live session runs on: the service in force when it started. */
export interface LiveEnrollmentContext {
  readonly camera: Camera;
  /** Analyses the camera's frames (in the inference worker: their pixels are moved there, not copied). */
  readonly processor: FrameProcessor;
  readonly matcher: DuplicateMatcher;
  readonly persons: Pick<PersonsAccess, 'get'>;
}

/** A session nobody commits or cancels ends by itself after this long, ms: faces are not kept lying around. */
const ABANDONED_AFTER_MS = 10 * 60_000;

/** A session that has seen no face for this long stops, ms: the door is paused meanwhile, and nobody waits forever. */
export const NO_FACE_TIMEOUT_MS = 45_000;

/** Who started a session, and when. */
export interface EnrollmentHolder {
  readonly username: string;
  readonly sinceMs: number;
}

/** Why a session ended without its admin: another admin took the camera over, nobody came, or it was left. */
export interface EnrollmentEnded {
  readonly sessionId: string;
  readonly reason: 'taken-over' | 'no-face' | 'abandoned' | 'camera-changed';
  /** Who took over. */
  readonly byUsername?: string;
  /** In words, for the admin whose capture it was. */
  readonly message: string;
}

const clockTime = (ms: number): string => new Date(ms).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });

interface Session {
  readonly sessionId: string;
  readonly samplesWanted: number;
  readonly abort: AbortController;
  readonly holder: EnrollmentHolder;
  /** When a face was last in front of the camera (the start, before one is). */
  lastFaceMs: number;
  readonly outcome: Promise<LiveEnrollmentResult>;
  result?: LiveEnrollmentResult;
  /** The last sample was taken: the outcome (with the duplicate check) is about to resolve. */
  collected: boolean;
  readonly timer: NodeJS.Timeout;
  readonly noFaceTimer: NodeJS.Timeout;
}

/**
 * The one live enrollment at a time: collects samples of the person at the camera, reporting each frame's
 * feedback, and holds the samples until the admin commits or cancels. While a session runs the door is paused
 * (`onActiveChange`), so the person being enrolled is not judged at the same time. A session that sees nobody for
 * `noFaceTimeoutMs` stops; one another admin takes over ends; either way its admin is told (`onEnded`).
 */
export class LiveEnrollments {
  private current: Session | undefined;

  constructor(
    private readonly onFeedback: (sessionId: string, feedback: EnrollmentFeedback) => void,
    private readonly onActiveChange: (active: boolean) => void,
    private readonly onEnded: (ended: EnrollmentEnded) => void = () => undefined,
    private readonly noFaceTimeoutMs = NO_FACE_TIMEOUT_MS,
  ) {}

  /** Who holds the camera for an enrollment, or null. */
  get holder(): EnrollmentHolder | null {
    return this.current?.holder ?? null;
  }

  /**
   * Starts a session for `username`. While another admin's session runs this answers 'conflict' naming them and
   * since when, unless `takeOver`: theirs then ends (they are told) and this one starts. The same admin starting
   * again (a reloaded page) replaces their own session. Ended sessions drop their samples; their commit answers
   * 'not-found'.
   */
  start(context: LiveEnrollmentContext, samplesWanted: number, username: string, takeOver = false): { sessionId: string; samplesWanted: number } {
    const running = this.current;
    if (running && running.holder.username !== username && !takeOver) {
      throw new ContractError('conflict', `${running.holder.username} has been enrolling at the camera since ${clockTime(running.holder.sinceMs)}; take over to end their capture`);
    }
    if (context.camera.state.status !== 'live') throw new ContractError('unavailable', `the camera is ${context.camera.state.status}: enrollment needs a live camera`);
    if (running) {
      this.end(running.sessionId, {
        reason: 'taken-over',
        byUsername: username,
        message: running.holder.username === username ? 'A new capture was started in your name elsewhere: this one has ended.' : `${username} took over the camera at ${clockTime(Date.now())}: this capture has ended and its samples were dropped.`,
      });
    }
    const sessionId = randomUUID();
    const abort = new AbortController();
    const outcome = runLiveEnrollment({
      processor: context.processor,
      matcher: context.matcher,
      persons: context.persons,
      samplesWanted,
      frames: latestFrames(context.camera, abort.signal),
      signal: abort.signal,
      onFeedback: (feedback) => {
        if (feedback.samplesTaken >= feedback.samplesWanted) session.collected = true;
        if (feedback.hint !== 'no-face') session.lastFaceMs = Date.now();
        this.onFeedback(sessionId, feedback);
      },
    });
    const sinceMs = Date.now();
    const session: Session = {
      sessionId,
      samplesWanted,
      abort,
      outcome,
      holder: { username, sinceMs },
      lastFaceMs: sinceMs,
      collected: false,
      timer: setTimeout(() => this.end(sessionId, { reason: 'abandoned', message: 'The capture was left unfinished for 10 minutes and has ended; its samples were dropped.' }), ABANDONED_AFTER_MS),
      noFaceTimer: setInterval(() => this.checkForFace(session), Math.min(1000, this.noFaceTimeoutMs / 4)),
    };
    session.timer.unref();
    session.noFaceTimer.unref();
    this.current = session;
    this.onActiveChange(true);
    outcome.then(
      (result) => {
        session.result = result;
        // Collected: the door may run again while the admin types the name.
        if (this.current === session) this.onActiveChange(false);
      },
      () => this.end(sessionId),
    );
    return { sessionId, samplesWanted };
  }

  /** The samples of a complete session, which ends with this call; 'conflict' while still collecting. */
  async take(sessionId: string): Promise<LiveEnrollmentResult & { status: 'complete' }> {
    const session = this.find(sessionId);
    const result = session.result ?? (session.collected ? await session.outcome : undefined);
    if (!result) throw new StoreError('conflict', 'the session is still collecting samples');
    if (result.status !== 'complete') {
      this.end(sessionId);
      throw new StoreError('conflict', 'the session ended without its samples: start again');
    }
    return result;
  }

  /** Ends a session and drops its samples; `why` tells its admin, when they did not end it themselves. */
  end(sessionId: string, why?: Omit<EnrollmentEnded, 'sessionId'>): void {
    const session = this.current;
    if (!session || session.sessionId !== sessionId) return;
    session.abort.abort();
    clearTimeout(session.timer);
    clearInterval(session.noFaceTimer);
    this.current = undefined;
    this.onActiveChange(false);
    if (why) this.onEnded({ sessionId, ...why });
  }

  /** Stops a session still collecting that has seen nobody for too long. */
  private checkForFace(session: Session): void {
    if (session.collected || session.result || Date.now() - session.lastFaceMs < this.noFaceTimeoutMs) return;
    const seconds = Math.round(this.noFaceTimeoutMs / 1000);
    this.end(session.sessionId, { reason: 'no-face', message: `Nobody was seen at the camera for ${seconds} s, so the capture stopped and the door runs again. Start again once the person stands in front of the camera.` });
  }

  cancel(sessionId: string): void {
    this.find(sessionId);
    this.end(sessionId);
  }

  /** Ends whatever runs (shutdown, or the service or its camera restarting under it). */
  endAll(): void {
    if (this.current) this.end(this.current.sessionId, { reason: 'camera-changed', message: 'The terminal restarted its camera or models: this capture has ended. Start again.' });
  }

  private find(sessionId: string): Session {
    if (!this.current || this.current.sessionId !== sessionId) throw new StoreError('not-found', `no enrollment session ${sessionId}`);
    return this.current;
  }
}
