import { randomUUID } from 'node:crypto';

import { ContractError } from '../../shared/contract/result.js';
import { latestFrames, runLiveEnrollment, type EnrollmentFeedback, type LiveEnrollmentResult } from '../enrollment/live-enrollment.js';
import type { DuplicateMatcher } from '../enrollment/duplicates.js';
import type { EnrollmentAnalyser } from '../enrollment/photo-sample.js';
import type { Camera } from '../camera/camera.js';
import type { PersonsAccess } from '../store/store.js';
import { StoreError } from '../store/errors.js';

/** What a live session runs on: the service in force when it started. */
export interface LiveEnrollmentContext {
  readonly camera: Camera;
  readonly analyser: EnrollmentAnalyser;
  readonly matcher: DuplicateMatcher;
  readonly persons: Pick<PersonsAccess, 'get'>;
}

/** A session nobody commits or cancels ends by itself after this long, ms: faces are not kept lying around. */
const ABANDONED_AFTER_MS = 10 * 60_000;

interface Session {
  readonly sessionId: string;
  readonly samplesWanted: number;
  readonly abort: AbortController;
  readonly outcome: Promise<LiveEnrollmentResult>;
  result?: LiveEnrollmentResult;
  /** The last sample was taken: the outcome (with the duplicate check) is about to resolve. */
  collected: boolean;
  readonly timer: NodeJS.Timeout;
}

/**
 * The one live enrollment at a time: collects samples of the person at the camera, reporting each frame's
 * feedback, and holds the samples until the admin commits or cancels. While a session runs the door is paused
 * (`onActiveChange`), so the person being enrolled is not judged at the same time.
 */
export class LiveEnrollments {
  private current: Session | undefined;

  constructor(
    private readonly onFeedback: (sessionId: string, feedback: EnrollmentFeedback) => void,
    private readonly onActiveChange: (active: boolean) => void,
  ) {}

  /**
   * Starts a session. One left running (a browser closed mid-enrollment, the kiosk and a browser both at it) is
   * ended: the admin starting now is at the camera, and the person there is the one to enroll. Its samples are
   * dropped and its commit answers 'not-found'.
   */
  start(context: LiveEnrollmentContext, samplesWanted: number): { sessionId: string; samplesWanted: number } {
    if (this.current) this.end(this.current.sessionId);
    if (context.camera.state.status !== 'live') throw new ContractError('unavailable', `the camera is ${context.camera.state.status}: enrollment needs a live camera`);
    const sessionId = randomUUID();
    const abort = new AbortController();
    const outcome = runLiveEnrollment({
      processor: { analyse: (frame) => context.analyser.analyse(frame.image), extract: (frame, face) => context.analyser.extract(frame.image, face) },
      matcher: context.matcher,
      persons: context.persons,
      samplesWanted,
      frames: latestFrames(context.camera, abort.signal),
      signal: abort.signal,
      onFeedback: (feedback) => {
        if (feedback.samplesTaken >= feedback.samplesWanted) session.collected = true;
        this.onFeedback(sessionId, feedback);
      },
    });
    const session: Session = { sessionId, samplesWanted, abort, outcome, collected: false, timer: setTimeout(() => this.end(sessionId), ABANDONED_AFTER_MS) };
    session.timer.unref();
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

  /** Ends a session and drops its samples. */
  end(sessionId: string): void {
    const session = this.current;
    if (!session || session.sessionId !== sessionId) return;
    session.abort.abort();
    clearTimeout(session.timer);
    this.current = undefined;
    this.onActiveChange(false);
  }

  cancel(sessionId: string): void {
    this.find(sessionId);
    this.end(sessionId);
  }

  /** Ends whatever runs (shutdown, or the service restarting under it). */
  endAll(): void {
    if (this.current) this.end(this.current.sessionId);
  }

  private find(sessionId: string): Session {
    if (!this.current || this.current.sessionId !== sessionId) throw new StoreError('not-found', `no enrollment session ${sessionId}`);
    return this.current;
  }
}
