// A person's faces: the samples the door matches them by (aligned crop, quality, date), and what can be done with
// them — add photos or capture more at the camera, remove one sample, or re-enroll (new samples in place of all).
// A live capture lives as long as this section shows it; leaving cancels it.
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';

import { useClient, useServices } from '../../app/services.js';
import type { ContractErrorBody, ResponseOf } from '../../contract.js';
import { ConfirmDialog } from '../../common/ConfirmDialog.js';
import { formatDateTime } from '../../common/dates.js';
import { ErrorNotice, Notice } from '../../common/ErrorNotice.js';
import { Icon } from '../../common/Icon.js';
import { useLintel } from '../../store/store.js';
import { DuplicateWarning, type DuplicateWarningItem } from '../enroll/DuplicateWarning.js';
import type { PhotoUpload } from '../enroll/enroll-types.js';
import { LiveCaptureStep } from '../enroll/LiveCaptureStep.js';
import { PhotoPickStep } from '../enroll/PhotoPickStep.js';
import { PhotoResults, type PhotoResult } from '../enroll/PhotoResults.js';
import { YOUNG_CHILD_NO_READER_TEXT, youngChildText } from '../enroll/young-child-text.js';

type Sample = ResponseOf<'persons:samples'>['samples'][number];

/** What the section shows: the samples, or one way of adding to them (`replace`: re-enroll). */
type Mode = { readonly kind: 'list' } | { readonly kind: 'photos'; readonly replace: boolean } | { readonly kind: 'capture'; readonly replace: boolean };

/** A refused addition waiting for the administrator's answer. */
type Pending = { readonly kind: 'photos'; readonly photos: readonly PhotoUpload[]; readonly replace: boolean } | { readonly kind: 'live'; readonly sessionId: string; readonly replace: boolean };

export function PersonSamples({ personId, name, onChanged }: { readonly personId: string; readonly name: string; readonly onChanged?: () => void }): ReactNode {
  const client = useClient();
  const { photos: photoCache } = useServices();
  const clearEnrollment = useLintel((state) => state.clearEnrollment);
  // Health names the card reader wherever one is set (or wanted and missing); nothing there: the door has none.
  const noCardReader = useLintel((state) => state.health !== null && state.health.cardReader === undefined);
  const [samples, setSamples] = useState<readonly Sample[] | null>(null);
  const [youngChild, setYoungChild] = useState<ResponseOf<'persons:samples'>['youngChild']>(null);
  const [error, setError] = useState<ContractErrorBody | string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [mode, setMode] = useState<Mode>({ kind: 'list' });
  const [busy, setBusy] = useState(false);
  const [removing, setRemoving] = useState<Sample | null>(null);
  const [confirmReplace, setConfirmReplace] = useState<'photos' | 'capture' | null>(null);
  const [results, setResults] = useState<readonly PhotoResult[] | null>(null);
  const [refused, setRefused] = useState<{ readonly duplicates: readonly DuplicateWarningItem[]; readonly pending: Pending } | null>(null);
  const [session, setSession] = useState<{ readonly sessionId: string; readonly samplesWanted: number } | null>(null);
  const [startError, setStartError] = useState<ContractErrorBody | null>(null);
  const samplesComplete = useLintel((state) => session !== null && state.enrollment?.sessionId === session.sessionId && state.enrollment.samplesTaken >= state.enrollment.samplesWanted);

  const load = useCallback(() => {
    client['persons:samples']({ id: personId })
      .then((result) => {
        if (result.ok) {
          setSamples(result.value.samples);
          setYoungChild(result.value.youngChild);
        } else setError(result.error);
      })
      .catch(() => undefined);
  }, [client, personId]);
  useEffect(load, [load]);

  // The live session to cancel when this section goes away; null once used or cancelled.
  const openSession = useRef<string | null>(null);
  useEffect(
    () => () => {
      const sessionId = openSession.current;
      openSession.current = null;
      if (sessionId) void client['enroll:live-cancel']({ sessionId });
    },
    [client],
  );
  const endSession = useCallback(
    (cancel: boolean) => {
      const sessionId = openSession.current;
      openSession.current = null;
      setSession(null);
      clearEnrollment();
      if (cancel && sessionId) void client['enroll:live-cancel']({ sessionId });
    },
    [client, clearEnrollment],
  );

  const backToList = (): void => {
    endSession(true);
    setMode({ kind: 'list' });
  };

  const added = (count: number, replace: boolean, photoResults: readonly PhotoResult[] | null): void => {
    photoCache.forget(personId);
    onChanged?.();
    setRefused(null);
    setResults(photoResults);
    setNotice(replace ? `${name} is re-enrolled with ${count} new sample${count === 1 ? '' : 's'}.` : `${count} sample${count === 1 ? '' : 's'} added.`);
    setMode({ kind: 'list' });
    load();
  };

  const submit = async (pending: Pending, allowDuplicate: boolean): Promise<void> => {
    setBusy(true);
    setError(null);
    setNotice(null);
    setResults(null);
    if (pending.kind === 'photos') {
      const result = await client['persons:add-photos']({ id: personId, photos: [...pending.photos], replace: pending.replace, allowDuplicate });
      setBusy(false);
      if (!result.ok) setError(result.error);
      else if (result.value.outcome === 'added') added(result.value.sampleIds.length, pending.replace, result.value.photos);
      else if (result.value.reason === 'duplicate-of') setRefused({ duplicates: result.value.duplicates, pending });
      else {
        setResults(result.value.photos);
        setError('None of the photos could be used; nothing was changed.');
      }
      return;
    }
    const result = await client['enroll:live-add']({ sessionId: pending.sessionId, personId, replace: pending.replace, allowDuplicate });
    setBusy(false);
    if (!result.ok) {
      endSession(false);
      setMode({ kind: 'list' });
      setError(result.error);
    } else if (result.value.outcome === 'added') {
      endSession(false);
      added(result.value.sampleIds.length, pending.replace, null);
    } else if (result.value.reason === 'duplicate-of') {
      setRefused({ duplicates: result.value.duplicates, pending });
    } else {
      endSession(true);
      setMode({ kind: 'list' });
      setError('No samples were collected; nothing was changed.');
    }
  };

  const startCapture = async (replace: boolean, takeOver = false): Promise<void> => {
    endSession(true);
    setError(null);
    setNotice(null);
    setResults(null);
    setStartError(null);
    setMode({ kind: 'capture', replace });
    const result = await client['enroll:live-start'](takeOver ? { takeOver } : {});
    if (!result.ok) {
      setStartError(result.error);
      return;
    }
    openSession.current = result.value.sessionId;
    setSession(result.value);
  };

  // All samples in: add them at once (a refusal waits for the administrator's answer).
  const submitted = useRef<string | null>(null);
  const submitRef = useRef(submit);
  submitRef.current = submit;
  useEffect(() => {
    if (mode.kind !== 'capture' || !samplesComplete || !session || submitted.current === session.sessionId) return;
    submitted.current = session.sessionId;
    void submitRef.current({ kind: 'live', sessionId: session.sessionId, replace: mode.replace }, false);
  }, [mode, samplesComplete, session]);

  const remove = async (sample: Sample): Promise<void> => {
    setBusy(true);
    setError(null);
    const result = await client['persons:remove-sample']({ sampleId: sample.id });
    setBusy(false);
    setRemoving(null);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    photoCache.forget(personId);
    onChanged?.();
    setResults(null);
    setNotice(result.value.remaining === 0 ? `The last sample was removed: the door no longer recognises ${name}.` : 'The sample was removed.');
    load();
  };

  const refusal = refused ? (
    <DuplicateWarning
      duplicates={refused.duplicates}
      busy={busy}
      onEnrollAnyway={() => void submit(refused.pending, true)}
      onCancel={() => {
        setRefused(null);
        backToList();
      }}
    />
  ) : null;

  return (
    <section className="person-samples" aria-labelledby="person-samples-heading">
      <h3 id="person-samples-heading">Faces</h3>
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      {error ? <ErrorNotice error={error} /> : null}
      {results ? <PhotoResults photos={results} /> : null}
      {refusal}

      {mode.kind === 'photos' && !refused ? (
        <PhotoPickStep
          backLabel="Cancel"
          continueLabel={mode.replace ? 'Re-enroll from these photos' : 'Add these photos'}
          onBack={backToList}
          onContinue={(chosen) => void submit({ kind: 'photos', photos: chosen, replace: mode.replace }, false)}
        />
      ) : null}

      {mode.kind === 'capture' && !refused ? (
        <LiveCaptureStep session={session} error={startError} onRetry={() => void startCapture(mode.replace)} onTakeOver={() => void startCapture(mode.replace, true)} onCancel={backToList} />
      ) : null}

      {mode.kind === 'list' ? (
        <>
          {youngChild ? (
            <Notice tone="warning">
              {youngChildText(name, youngChild.estimatedAgeYears)}
              {noCardReader ? ` ${YOUNG_CHILD_NO_READER_TEXT}` : ''}
            </Notice>
          ) : null}
          {samples === null ? (
            <p className="muted">Loading…</p>
          ) : samples.length === 0 ? (
            <p className="muted">No samples: the door does not recognise {name}. Add photos or capture at the camera.</p>
          ) : (
            <ul className="sample-grid" aria-label={`Samples of ${name}`}>
              {samples.map((sample, index) => (
                <li key={sample.id} className="sample-tile">
                  <img src={`data:image/jpeg;base64,${sample.cropBase64}`} alt={`Sample ${index + 1} of ${name}`} />
                  <span className="sample-facts">
                    <span>{Math.round(sample.quality.interOcularPx)} px between the eyes</span>
                    <span>sharpness {Math.round(sample.quality.sharpness)}</span>
                    <span>{formatDateTime(sample.createdAtMs)}</span>
                  </span>
                  <button type="button" className="btn btn-small" onClick={() => setRemoving(sample)} disabled={busy} aria-label={`Remove sample ${index + 1}`}>
                    <Icon name="trash" />
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          )}
          <div className="button-row button-row-start">
            <button type="button" className="btn" onClick={() => setMode({ kind: 'photos', replace: false })} disabled={busy}>
              <Icon name="upload" />
              Add photos
            </button>
            <button type="button" className="btn" onClick={() => void startCapture(false)} disabled={busy}>
              <Icon name="camera" />
              Capture at the camera
            </button>
            <button type="button" className="btn btn-warning" onClick={() => setConfirmReplace('photos')} disabled={busy || samples === null || samples.length === 0}>
              <Icon name="upload" />
              Re-enroll from photos
            </button>
            <button type="button" className="btn btn-warning" onClick={() => setConfirmReplace('capture')} disabled={busy || samples === null || samples.length === 0}>
              <Icon name="camera" />
              Re-enroll at the camera
            </button>
          </div>
        </>
      ) : null}

      {removing ? (
        <ConfirmDialog title="Remove this sample?" confirmText="Remove" danger busy={busy} onConfirm={() => void remove(removing)} onCancel={() => setRemoving(null)}>
          <img className="sample-confirm-crop" src={`data:image/jpeg;base64,${removing.cropBase64}`} alt="The sample to remove" />
          <p>The door stops matching {name} against this face at once.</p>
          {samples?.length === 1 ? <p className="muted">It is their only sample: afterwards the door does not recognise them until new ones are added.</p> : null}
        </ConfirmDialog>
      ) : null}
      {confirmReplace ? (
        <ConfirmDialog
          title={`Re-enroll ${name}?`}
          confirmText="Continue"
          onConfirm={() => {
            const how = confirmReplace;
            setConfirmReplace(null);
            if (how === 'photos') setMode({ kind: 'photos', replace: true });
            else void startCapture(true);
          }}
          onCancel={() => setConfirmReplace(null)}
        >
          <p>The new samples take the place of all {samples?.length ?? 0} of theirs. The old ones stay until the new ones are saved.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
