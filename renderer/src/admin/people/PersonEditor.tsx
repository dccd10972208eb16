// One person: their details to change, access to disable or enable, and deletion (after a clear question).
import { useCallback, useEffect, useState, type ReactNode } from 'react';

import { useClient, useServices } from '../../app/services.js';
import type { ContractErrorBody } from '../../contract.js';
import { ConfirmDialog } from '../../common/ConfirmDialog.js';
import { ErrorNotice, Notice } from '../../common/ErrorNotice.js';
import { Icon } from '../../common/Icon.js';
import { PersonPhoto } from '../../common/PersonPhoto.js';
import { useLintel } from '../../store/store.js';
import { draftFromPerson, draftProblems, draftToInput, serverDraftProblems, type Person, type PersonDraft } from '../person/person-draft.js';
import { PersonForm } from '../person/PersonForm.js';
import { PersonSamples } from '../person/PersonSamples.js';

export function PersonEditor({ personId, onClose }: { readonly personId: string; readonly onClose: () => void }): ReactNode {
  const client = useClient();
  const { photos } = useServices();
  const setAdminNotice = useLintel((state) => state.setAdminNotice);
  const [person, setPerson] = useState<Person | null>(null);
  const [draft, setDraft] = useState<PersonDraft | null>(null);
  const [error, setError] = useState<ContractErrorBody | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [showProblems, setShowProblems] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const [photoRevision, setPhotoRevision] = useState(0);

  const load = useCallback(() => {
    setError(null);
    client['persons:get']({ id: personId })
      .then((result) => {
        if (result.ok) {
          setPerson(result.value);
          setDraft(draftFromPerson(result.value));
        } else {
          setError(result.error);
        }
      })
      .catch(() => undefined);
  }, [client, personId]);
  useEffect(load, [load]);

  const update = async (patch: Parameters<(typeof client)['persons:update']>[0]['patch'], message: string): Promise<void> => {
    setBusy(true);
    setError(null);
    setSaved(null);
    const result = await client['persons:update']({ id: personId, patch });
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setPerson(result.value);
    setDraft(draftFromPerson(result.value));
    setShowProblems(false);
    setSaved(message);
  };

  const remove = async (): Promise<void> => {
    if (!person) return;
    setBusy(true);
    const result = await client['persons:delete']({ id: personId });
    setBusy(false);
    setConfirmingDelete(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    photos.forget(personId);
    onClose();
    setAdminNotice(result.value.deleted ? `${person.name} was deleted.` : `${person.name} was already deleted.`);
  };

  const back = (
    <button type="button" className="btn btn-quiet" onClick={onClose}>
      <Icon name="back" />
      Back to people
    </button>
  );
  if (!person || !draft) {
    return (
      <div className="person-editor">
        {back}
        {error ? <ErrorNotice error={error} onRetry={load} /> : <p className="muted">Loading…</p>}
      </div>
    );
  }

  const problems = draftProblems(draft);
  const dirty = JSON.stringify(draftToInput(draft)) !== JSON.stringify(draftToInput(draftFromPerson(person)));
  return (
    <div className="person-editor">
      {back}
      <div className="person-editor-head">
        {/* Keyed by the samples' revision: a removed or replaced sample may have been the photo shown. */}
        <PersonPhoto key={photoRevision} personId={person.id} name={person.name} size="large" />
        <div>
          <h2>{person.name}</h2>
          <span className={person.enabled ? 'badge badge-ok' : 'badge badge-bad'}>
            <Icon name={person.enabled ? 'check' : 'ban'} />
            {person.enabled ? 'Access enabled' : 'Access disabled'}
          </span>
        </div>
      </div>
      <PersonSamples personId={person.id} name={person.name} onChanged={() => setPhotoRevision((revision) => revision + 1)} />
      <h3>Details</h3>
      {saved ? <Notice tone="success">{saved}</Notice> : null}
      {error ? <ErrorNotice error={error} /> : null}
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          setShowProblems(true);
          if (Object.keys(problems).length === 0) void update(draftToInput(draft), 'Changes saved.');
        }}
      >
        <PersonForm draft={draft} onChange={setDraft} problems={showProblems ? { ...serverDraftProblems(error), ...problems } : serverDraftProblems(error)} />
        <div className="button-row">
          <button type="button" className="btn" onClick={() => setDraft(draftFromPerson(person))} disabled={!dirty || busy}>
            Undo changes
          </button>
          <button type="submit" className="btn btn-primary" disabled={!dirty || busy}>
            <Icon name="check" />
            Save changes
          </button>
        </div>
      </form>
      <div className="danger-zone">
        <button type="button" className="btn" onClick={() => void update({ enabled: !person.enabled }, person.enabled ? `${person.name}'s access is disabled.` : `${person.name}'s access is enabled.`)} disabled={busy}>
          <Icon name={person.enabled ? 'ban' : 'check'} />
          {person.enabled ? 'Disable access' : 'Enable access'}
        </button>
        <button type="button" className="btn btn-danger" onClick={() => setConfirmingDelete(true)} disabled={busy}>
          <Icon name="trash" />
          Delete
        </button>
      </div>
      {confirmingDelete ? (
        <ConfirmDialog title={`Delete ${person.name}?`} confirmText="Delete" danger busy={busy} onConfirm={() => void remove()} onCancel={() => setConfirmingDelete(false)}>
          <p>Delete {person.name} and all their photos and templates? This cannot be undone.</p>
          <p className="muted">Their past events stay in the log, without their name.</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
