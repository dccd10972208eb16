// Enroll a person: capture at the camera (or choose photos), then their details, then confirm.
// A live session lives as long as this screen: leaving it (another section, logout) cancels the session.
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';

import { useClient, useServices } from '../../app/services.js';
import type { ContractErrorBody } from '../../contract.js';
import { ErrorNotice, Notice } from '../../common/ErrorNotice.js';
import { Icon } from '../../common/Icon.js';
import { useLintel } from '../../store/store.js';
import { draftProblems, EMPTY_PERSON_DRAFT, type PersonDraft } from '../person/person-draft.js';
import { PersonForm } from '../person/PersonForm.js';
import { EnrollConfirmStep } from './EnrollConfirmStep.js';
import type { EnrollSource, PhotoUpload } from './enroll-types.js';
import { LiveCaptureStep } from './LiveCaptureStep.js';
import { PhotoPickStep } from './PhotoPickStep.js';
import { PhotoResults, type PhotoResult } from './PhotoResults.js';
import { youngChildText } from './young-child-text.js';

type Step = 'start' | 'capture' | 'photos' | 'details' | 'confirm' | 'photo-results';

interface LiveSession {
  readonly sessionId: string;
  readonly samplesWanted: number;
}

interface PhotoOutcome {
  readonly enrolledName: string | null;
  /** The enrolled person the photos were added to instead. */
  readonly addedTo?: string;
  readonly photos: readonly PhotoResult[];
  /** What enrollment said about a young child's face. */
  readonly youngChildNotice?: string;
}

const STEP_TITLES: Readonly<Record<Step, string>> = {
  start: 'How to enroll',
  capture: 'Step 1 of 3 · Capture at the camera',
  photos: 'Step 1 of 3 · Choose photos',
  details: 'Step 2 of 3 · Details',
  confirm: 'Step 3 of 3 · Confirm',
  'photo-results': 'Result',
};

export function EnrollScreen(): ReactNode {
  const client = useClient();
  const setAdminTab = useLintel((state) => state.setAdminTab);
  const setAdminNotice = useLintel((state) => state.setAdminNotice);
  const clearEnrollment = useLintel((state) => state.clearEnrollment);
  const { photos: photoCache } = useServices();
  const [step, setStep] = useState<Step>('start');
  const [session, setSession] = useState<LiveSession | null>(null);
  const [startError, setStartError] = useState<ContractErrorBody | null>(null);
  const [notice, setNotice] = useState<ContractErrorBody | null>(null);
  const [photos, setPhotos] = useState<readonly PhotoUpload[] | null>(null);
  const [draft, setDraft] = useState<PersonDraft>(EMPTY_PERSON_DRAFT);
  const [showProblems, setShowProblems] = useState(false);
  const [photoOutcome, setPhotoOutcome] = useState<PhotoOutcome | null>(null);
  const samplesComplete = useLintel((state) => session !== null && state.enrollment?.sessionId === session.sessionId && !state.enrollment.ended && state.enrollment.samplesTaken >= state.enrollment.samplesWanted);

  // The session to cancel when this screen or the page goes away; null once committed or cancelled.
  const openSession = useRef<string | null>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    const cancelOpen = (): void => {
      const sessionId = openSession.current;
      openSession.current = null;
      if (sessionId) void client['enroll:live-cancel']({ sessionId });
    };
    // Closing or reloading the page does not unmount anything; the terminal would keep the session (and refuse
    // new ones) until it times out.
    window.addEventListener('pagehide', cancelOpen);
    return () => {
      mounted.current = false;
      window.removeEventListener('pagehide', cancelOpen);
      cancelOpen();
    };
  }, [client]);

  const cancelSession = useCallback(() => {
    const sessionId = openSession.current;
    openSession.current = null;
    setSession(null);
    clearEnrollment();
    if (sessionId) void client['enroll:live-cancel']({ sessionId });
  }, [client, clearEnrollment]);

  const restart = useCallback(() => {
    cancelSession();
    setPhotos(null);
    setDraft(EMPTY_PERSON_DRAFT);
    setShowProblems(false);
    setPhotoOutcome(null);
    setStep('start');
  }, [cancelSession]);

  const startCapture = async (takeOver = false): Promise<void> => {
    cancelSession();
    setNotice(null);
    setStartError(null);
    setStep('capture');
    const result = await client['enroll:live-start'](takeOver ? { takeOver } : {});
    if (!result.ok) {
      if (mounted.current) setStartError(result.error);
      return;
    }
    if (!mounted.current) {
      // The screen was left while the session started: end it at once.
      void client['enroll:live-cancel']({ sessionId: result.value.sessionId });
      return;
    }
    openSession.current = result.value.sessionId;
    setSession(result.value);
  };

  useEffect(() => {
    if (step === 'capture' && samplesComplete) setStep('details');
  }, [step, samplesComplete]);

  const source: EnrollSource | null = session ? { kind: 'live', ...session } : photos ? { kind: 'photos', photos } : null;
  const problems = draftProblems(draft);

  return (
    <section className="screen enroll" aria-labelledby="enroll-heading">
      <header className="screen-header">
        <h1 id="enroll-heading">Enroll a person</h1>
        <p className="screen-step">{STEP_TITLES[step]}</p>
      </header>
      {notice ? <ErrorNotice error={notice} /> : null}

      {step === 'start' ? (
        <div className="choice-grid">
          <button type="button" className="choice" onClick={() => void startCapture()}>
            <Icon name="camera" />
            <strong>Capture at the camera</strong>
            <span>The person stands in front of this terminal for a few seconds.</span>
          </button>
          <button type="button" className="choice" onClick={() => setStep('photos')}>
            <Icon name="upload" />
            <strong>Enroll from photos</strong>
            <span>Upload up to 10 photos of the person, e.g. from this browser.</span>
          </button>
        </div>
      ) : null}

      {step === 'capture' ? <LiveCaptureStep session={session} error={startError} onRetry={() => void startCapture()} onTakeOver={() => void startCapture(true)} onCancel={restart} /> : null}

      {step === 'photos' ? (
        <PhotoPickStep
          onBack={() => {
            setPhotos(null);
            setStep('start');
          }}
          onContinue={(chosen) => {
            setPhotos(chosen);
            setStep('details');
          }}
        />
      ) : null}

      {step === 'details' ? (
        <form
          className="enroll-details"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            setShowProblems(true);
            if (Object.keys(problems).length === 0) setStep('confirm');
          }}
        >
          {session ? <Notice tone="success">All samples are in. The person may step away.</Notice> : null}
          <PersonForm draft={draft} onChange={setDraft} problems={showProblems ? problems : null} />
          <div className="button-row">
            <button type="button" className="btn" onClick={restart}>
              <Icon name="cross" />
              Cancel
            </button>
            <button type="submit" className="btn btn-primary">
              Continue
            </button>
          </div>
        </form>
      ) : null}

      {step === 'confirm' && source ? (
        <EnrollConfirmStep
          source={source}
          draft={draft}
          onBack={() => setStep('details')}
          onCancel={restart}
          onSessionGone={(error) => {
            // The capture is gone, what was typed is not: capture again and the details are still there.
            cancelSession();
            setStep('start');
            setNotice(error);
          }}
          onPhotosRefused={(results) => {
            setPhotoOutcome({ enrolledName: null, photos: results });
            setStep('photo-results');
          }}
          onAddedTo={(person, sampleCount, results) => {
            openSession.current = null;
            setSession(null);
            clearEnrollment();
            photoCache.forget(person.id);
            if (results) {
              setPhotoOutcome({ enrolledName: null, addedTo: person.name, photos: results });
              setStep('photo-results');
            } else {
              setAdminTab('people');
              setAdminNotice(`${sampleCount} sample${sampleCount === 1 ? ' was' : 's were'} added to ${person.name}.`);
            }
          }}
          onEnrolled={(person, sampleCount, results, youngChild) => {
            openSession.current = null;
            setSession(null);
            clearEnrollment();
            const youngChildNotice = youngChild ? youngChildText(person.name, youngChild.estimatedAgeYears) : undefined;
            if (results) {
              setPhotoOutcome({ enrolledName: person.name, photos: results, ...(youngChildNotice ? { youngChildNotice } : {}) });
              setStep('photo-results');
            } else {
              setAdminTab('people');
              setAdminNotice(`${person.name} is enrolled with ${sampleCount} sample${sampleCount === 1 ? '' : 's'}.${youngChildNotice ? ` ${youngChildNotice}` : ''}`);
            }
          }}
        />
      ) : null}

      {step === 'photo-results' && photoOutcome ? (
        <div className="enroll-results">
          {photoOutcome.enrolledName ? (
            <Notice tone="success">{photoOutcome.enrolledName} is enrolled.</Notice>
          ) : photoOutcome.addedTo ? (
            <Notice tone="success">The photos were added to {photoOutcome.addedTo}.</Notice>
          ) : (
            <ErrorNotice error="None of the photos could be used. Choose clearer photos of the face." />
          )}
          {photoOutcome.youngChildNotice ? <Notice tone="warning">{photoOutcome.youngChildNotice}</Notice> : null}
          <PhotoResults photos={photoOutcome.photos} />
          <div className="button-row">
            {photoOutcome.enrolledName || photoOutcome.addedTo ? null : (
              <button type="button" className="btn" onClick={() => setStep('photos')}>
                <Icon name="upload" />
                Choose other photos
              </button>
            )}
            <button type="button" className="btn" onClick={restart}>
              Enroll another person
            </button>
            {photoOutcome.enrolledName || photoOutcome.addedTo ? (
              <button type="button" className="btn btn-primary" onClick={() => setAdminTab('people')}>
                <Icon name="users" />
                Show in People
              </button>
            ) : null}
          </div>
        </div>
      ) : null}
    </section>
  );
}
