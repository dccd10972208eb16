// Step 1 at the camera: the person's face boxed live, what they should do in words, and how many samples are in.
// One capture at a time: another admin's running capture is named (who, since when) with a way to take it over;
// a capture taken over, or stopped because nobody came to the camera, says so instead of waiting.
import type { ReactNode } from 'react';

import { ErrorNotice } from '../../common/ErrorNotice.js';
import { Icon } from '../../common/Icon.js';
import { ProgressBar } from '../../common/ProgressBar.js';
import type { ContractErrorBody } from '../../contract.js';
import { LiveCanvas } from '../../live/LiveCanvas.js';
import { useLintel } from '../../store/store.js';
import { ENROLLMENT_HINT_TEXT } from '../../wording/wording.js';

export function LiveCaptureStep({
  session,
  error,
  onRetry,
  onTakeOver,
  onCancel,
}: {
  readonly session: { readonly sessionId: string; readonly samplesWanted: number } | null;
  readonly error: ContractErrorBody | null;
  readonly onRetry: () => void;
  /** Starts anyway, ending another admin's capture (they are told). */
  readonly onTakeOver?: () => void;
  readonly onCancel: () => void;
}): ReactNode {
  const progress = useLintel((state) => (session && state.enrollment?.sessionId === session.sessionId ? state.enrollment : null));
  const cameraLive = useLintel((state) => state.health?.camera.status === 'live');
  const hint = progress?.hint ?? 'no-face';
  const taken = progress?.samplesTaken ?? 0;
  const wanted = progress?.samplesWanted ?? session?.samplesWanted ?? 0;
  const ended = useLintel((state) => (session && state.enrollmentEnded?.sessionId === session.sessionId ? state.enrollmentEnded : null));
  return (
    <section className="enroll-capture" aria-label="Capture at the camera">
      <div className="enroll-camera">
        {session ? <LiveCanvas mode="enroll" label="Camera view of the person being enrolled" enrollmentSessionId={session.sessionId} /> : <div className="live-canvas live-canvas-empty" />}
      </div>
      <div className="enroll-guide">
        {error?.code === 'conflict' ? (
          <div className="notice notice-warning" role="alert" data-testid="capture-held">
            <Icon name="warning" />
            <div className="notice-body">
              <strong>The camera is in use for another enrollment</strong>
              <span>{error.message}. Taking over ends that capture; its admin sees that it was taken.</span>
              <div className="button-row">
                {onTakeOver ? (
                  <button type="button" className="btn btn-primary" onClick={onTakeOver}>
                    Take over
                  </button>
                ) : null}
                <button type="button" className="btn" onClick={onRetry}>
                  Try again
                </button>
              </div>
            </div>
          </div>
        ) : error ? (
          <ErrorNotice error={error} onRetry={onRetry} />
        ) : null}
        {ended ? (
          <div className="notice notice-warning" role="alert" data-testid="capture-ended" data-reason={ended.reason}>
            <Icon name="warning" />
            <div className="notice-body">
              <strong>{ended.reason === 'taken-over' ? 'This capture was taken over' : ended.reason === 'no-face' ? 'Nobody came to the camera' : 'This capture has ended'}</strong>
              <span>{ended.message}</span>
              <div className="button-row">
                <button type="button" className="btn btn-primary" onClick={onRetry}>
                  Start again
                </button>
              </div>
            </div>
          </div>
        ) : null}
        {!error && !session ? <p className="muted">Starting the camera session…</p> : null}
        {session && !cameraLive && !ended ? (
          <div className="notice notice-warning" role="status">
            <Icon name="warning" />
            <div className="notice-body">The camera is not live; samples will be taken once it is.</div>
          </div>
        ) : null}
        {session && !ended ? (
          <>
            <p className={hint === 'ok' ? 'enroll-hint enroll-hint-ok' : 'enroll-hint'} role="status" aria-live="polite">
              <Icon name={hint === 'ok' ? 'check' : 'info'} />
              {ENROLLMENT_HINT_TEXT[hint]}
            </p>
            <ProgressBar label="Samples taken" value={taken} max={wanted} text={`${taken} of ${wanted}`} tone={taken >= wanted ? 'ok' : 'busy'} />
            <p className="muted">Ask the person to look at the camera and turn their head a little, slowly.</p>
          </>
        ) : null}
        <div className="button-row">
          <button type="button" className="btn" onClick={onCancel}>
            <Icon name="cross" />
            Cancel
          </button>
        </div>
      </div>
    </section>
  );
}
