// The active liveness challenge on the door screen: a big arrow toward the side to turn to (the screen is a
// mirror, so the person's left is the screen's left), the words, how far they have turned and the time left;
// after a failed attempt that is retried, "Liveness failed — try again" until the next challenge. Each
// challenged face has its own prompt: with several, each names its face by the number the camera view shows
// beside it, where the same words stand under the face.
import type { ReactNode } from 'react';

import { Icon } from '../common/Icon.js';
import { useLintel } from '../store/store.js';
import type { ChallengePrompt as Prompt } from '../store/types.js';
import { challengeText, cueText } from '../wording/wording.js';

function Arrow({ direction }: { readonly direction: 'left' | 'right' }): ReactNode {
  return (
    <svg className={`challenge-arrow challenge-arrow-${direction}`} viewBox="0 0 100 100" aria-hidden="true">
      <path d="M8 50 L46 14 L46 34 L92 34 L92 66 L46 66 L46 86 Z" />
    </svg>
  );
}

function Eye(): ReactNode {
  return (
    <svg className="challenge-arrow" viewBox="0 0 100 100" aria-hidden="true">
      <path d="M6 50 Q50 10 94 50 Q50 90 6 50 Z" fill="none" strokeWidth="7" />
      <circle cx="50" cy="50" r="14" />
    </svg>
  );
}

/** The face's number, as the camera view labels it, where several faces are challenged. */
function FaceTag({ trackId }: { readonly trackId: number }): ReactNode {
  return (
    <span className="challenge-face" aria-label={`Face ${trackId}`}>
      #{trackId}
    </span>
  );
}

function PromptCard({ challenge, tagged }: { readonly challenge: Prompt; readonly tagged: boolean }): ReactNode {
  const { action } = challenge;
  const direction = action.kind === 'turn' ? action.direction : undefined;
  const tag = tagged ? <FaceTag trackId={challenge.trackId} /> : null;

  if (challenge.status === 'failed') {
    return (
      <div className="challenge challenge-failed" role="alert" data-testid="challenge" data-track-id={challenge.trackId} data-status="failed" data-cue={challenge.cue}>
        {tag}
        <div className="challenge-mark">
          <Icon name="cross" />
        </div>
        <div className="challenge-body">
          <h2 className="challenge-text">Liveness failed — try again</h2>
          {challenge.cue ? <p className="challenge-detail">{cueText(challenge.cue)}</p> : null}
        </div>
      </div>
    );
  }

  const seconds = Math.ceil(challenge.remainingMs / 1000);
  return (
    <div
      className="challenge"
      role="status"
      aria-live="polite"
      data-testid="challenge"
      data-track-id={challenge.trackId}
      data-status={challenge.status}
      data-direction={direction ?? 'blink'}
    >
      {tag}
      {direction === 'left' ? <Arrow direction="left" /> : null}
      {action.kind === 'blink' ? <Eye /> : null}
      <div className="challenge-body">
        <h2 className="challenge-text">{challengeText(action)}</h2>
        <div className="challenge-progress" role="progressbar" aria-label="How far you have turned" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(challenge.progress * 100)}>
          <div className="challenge-progress-fill" style={{ width: `${Math.round(challenge.progress * 100)}%` }} />
        </div>
        <p className="challenge-time">
          <span className="challenge-clock" style={{ width: `${Math.round((100 * challenge.remainingMs) / Math.max(1, challenge.timeoutMs))}%` }} aria-hidden="true" />
          <span>{seconds} s left</span>
          {challenge.attempt > 1 ? <span className="challenge-attempt">Try {challenge.attempt} of {challenge.maxAttempts}</span> : null}
        </p>
      </div>
      {direction === 'right' ? <Arrow direction="right" /> : null}
    </div>
  );
}

/**
 * Every running challenge, one prompt per face. A decision on one face fills the screen for a few seconds; the
 * other faces' prompts stay in front of it, since their time runs on.
 */
export function ChallengePrompts(): ReactNode {
  const challenges = useLintel((state) => state.challenges);
  const onDoor = useLintel((state) => state.screen === 'door');
  if (challenges.length === 0 || !onDoor) return null;
  const several = challenges.length > 1;
  return (
    <div className={several ? 'challenges challenges-several' : 'challenges'} data-testid="challenges">
      {challenges.map((challenge) => (
        <PromptCard key={challenge.trackId} challenge={challenge} tagged={several} />
      ))}
    </div>
  );
}
