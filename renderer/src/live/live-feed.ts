// The transient side of the stream: frames, overlays and the live enrollment's face box wait here for the
// painter, newest only (NewestByKind), without ever touching React state.
import { NewestByKind, type StreamMessageOf } from '../contract.js';
import { LiveMetrics } from './live-metrics.js';

export type FrameMessage = StreamMessageOf<'frame'>;
export type AnalysisMessage = StreamMessageOf<'analysis'>;
export type EnrollmentFeedbackMessage = StreamMessageOf<'enrollment-feedback'>;

export class LiveFeed {
  private newest = new NewestByKind();
  private droppedOnEarlierConnections = 0;
  private viewers = 0;
  private enrollment: EnrollmentFeedbackMessage | null = null;
  readonly metrics = new LiveMetrics();

  /** A new stream connection: its sequence numbers start afresh. */
  newConnection(): void {
    this.droppedOnEarlierConnections += this.newest.dropped;
    this.newest = new NewestByKind();
    this.enrollment = null;
  }

  /** Keeps a frame or analysis for the painter; while no canvas shows, there is nothing to keep. */
  offer(message: FrameMessage | AnalysisMessage): void {
    if (this.viewers > 0) this.newest.offer(message);
  }

  offerEnrollment(message: EnrollmentFeedbackMessage): void {
    if (this.enrollment === null || this.enrollment.sessionId !== message.sessionId || message.seq > this.enrollment.seq) this.enrollment = message;
  }

  takeFrame(): FrameMessage | undefined {
    return this.newest.take('frame');
  }

  takeAnalysis(): AnalysisMessage | undefined {
    return this.newest.take('analysis');
  }

  /** The newest live-enrollment feedback (read, not taken: every enroll canvas may draw it). */
  get enrollmentFeedback(): EnrollmentFeedbackMessage | null {
    return this.enrollment;
  }

  /** A canvas starts showing the feed; returns its detach. */
  attach(): () => void {
    this.viewers++;
    let attached = true;
    return () => {
      if (attached) this.viewers--;
      attached = false;
    };
  }

  /** Messages dropped as stale or superseded, over every connection. */
  get droppedStale(): number {
    return this.droppedOnEarlierConnections + this.newest.dropped;
  }
}
