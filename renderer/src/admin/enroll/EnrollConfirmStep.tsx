// The last step: the details once more, then enroll. A face that matches someone enrolled is a warning the
// administrator answers: add the samples to that person, enroll anyway, or cancel.
import { useState, type ReactNode } from 'react';

import { useClient } from '../../app/services.js';
import type { ContractErrorBody, ResponseOf } from '../../contract.js';
import { ErrorNotice } from '../../common/ErrorNotice.js';
import { Icon } from '../../common/Icon.js';
import { draftToInput, type PersonDraft } from '../person/person-draft.js';
import { PersonSummary } from '../person/PersonSummary.js';
import { DuplicateWarning, type DuplicateWarningItem } from './DuplicateWarning.js';
import type { EnrollSource } from './enroll-types.js';
import type { PhotoResult } from './PhotoResults.js';

type Person = ResponseOf<'persons:get'>;
/** Set when the enrolled samples look like a young child's. */
type YoungChild = Extract<ResponseOf<'enroll:live-commit'>, { outcome: 'enrolled' }>['youngChild'];

export function EnrollConfirmStep({
  source,
  draft,
  onBack,
  onCancel,
  onEnrolled,
  onAddedTo,
  onPhotosRefused,
  onSessionGone,
}: {
  readonly source: EnrollSource;
  readonly draft: PersonDraft;
  readonly onBack: () => void;
  readonly onCancel: () => void;
  readonly onEnrolled: (person: Person, sampleCount: number, photos: readonly PhotoResult[] | null, youngChild: YoungChild) => void;
  /** The samples went to an enrolled person instead of a new one. */
  readonly onAddedTo: (person: Person, sampleCount: number, photos: readonly PhotoResult[] | null) => void;
  readonly onPhotosRefused: (photos: readonly PhotoResult[]) => void;
  readonly onSessionGone: (error: ContractErrorBody) => void;
}): ReactNode {
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ContractErrorBody | string | null>(null);
  const [duplicates, setDuplicates] = useState<readonly DuplicateWarningItem[] | null>(null);

  const enroll = async (allowDuplicate: boolean): Promise<void> => {
    setBusy(true);
    setError(null);
    const person = draftToInput(draft);
    if (source.kind === 'live') {
      const result = await client['enroll:live-commit']({ sessionId: source.sessionId, person, allowDuplicate });
      setBusy(false);
      if (!result.ok) {
        if (result.error.code === 'not-found') onSessionGone(result.error);
        else setError(result.error);
      } else if (result.value.outcome === 'enrolled') {
        onEnrolled(result.value.person, result.value.sampleIds.length, null, result.value.youngChild);
      } else if (result.value.reason === 'duplicate-of') {
        setDuplicates(result.value.duplicates);
      } else {
        setError('No samples were collected. Cancel and capture again.');
      }
      return;
    }
    const result = await client['enroll:photos']({ person, photos: [...source.photos], allowDuplicate });
    setBusy(false);
    if (!result.ok) setError(result.error);
    else if (result.value.outcome === 'enrolled') onEnrolled(result.value.person, result.value.sampleIds.length, result.value.photos, result.value.youngChild);
    else if (result.value.reason === 'duplicate-of') setDuplicates(result.value.duplicates);
    else onPhotosRefused(result.value.photos);
  };

  const addTo = async (personId: string): Promise<void> => {
    setBusy(true);
    setError(null);
    if (source.kind === 'live') {
      const result = await client['enroll:live-add']({ sessionId: source.sessionId, personId });
      setBusy(false);
      if (!result.ok) {
        if (result.error.code === 'not-found' && result.error.message.includes('session')) onSessionGone(result.error);
        else setError(result.error);
      } else if (result.value.outcome === 'added') {
        onAddedTo(result.value.person, result.value.sampleIds.length, null);
      } else {
        setDuplicates(result.value.duplicates);
        setError('These samples also look like someone else; they were not added.');
      }
      return;
    }
    const result = await client['persons:add-photos']({ id: personId, photos: [...source.photos] });
    setBusy(false);
    if (!result.ok) setError(result.error);
    else if (result.value.outcome === 'added') onAddedTo(result.value.person, result.value.sampleIds.length, result.value.photos);
    else if (result.value.reason === 'duplicate-of') {
      setDuplicates(result.value.duplicates);
      setError('These photos also look like someone else; they were not added.');
    } else onPhotosRefused(result.value.photos);
  };

  const samples = source.kind === 'live' ? `${source.samplesWanted} samples from the camera` : `${source.photos.length} photo${source.photos.length === 1 ? '' : 's'}`;
  return (
    <section className="enroll-confirm" aria-label="Confirm">
      <PersonSummary draft={draft} extra={[['Samples', samples]]} />
      {error ? <ErrorNotice error={error} /> : null}
      {duplicates ? (
        <DuplicateWarning duplicates={duplicates} busy={busy} onEnrollAnyway={() => void enroll(true)} onAddTo={(duplicate) => void addTo(duplicate.personId)} onCancel={onCancel} />
      ) : (
        <div className="button-row">
          <button type="button" className="btn" onClick={onBack} disabled={busy}>
            <Icon name="back" />
            Back
          </button>
          <button type="button" className="btn btn-primary" onClick={() => void enroll(false)} disabled={busy}>
            <Icon name="check" />
            {busy ? 'Enrolling…' : 'Enroll this person'}
          </button>
        </div>
      )}
    </section>
  );
}
