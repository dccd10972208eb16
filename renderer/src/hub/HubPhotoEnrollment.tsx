// A new person from photos: the hub judges each photo (one clear face, big and sharp enough) and enrolls the
// person from the usable ones; every photo's verdict is shown, and nothing is stored when none is usable. The
// person's groups are chosen from the site's.
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';

import { bytesToBase64 } from '../common/base64.js';
import { ErrorNotice, Notice } from '../common/ErrorNotice.js';
import { youngChildText } from '../admin/enroll/young-child-text.js';
import { Icon } from '../common/Icon.js';
import { TextField } from '../common/TextField.js';
import { MAX_PHOTO_BYTES, MAX_PHOTOS, type ContractErrorBody } from '../contract.js';
import { GroupChips } from './GroupChips.js';
import type { HubResponseOf } from './hub-client.js';
import { listDocuments } from './hub-documents.js';
import { useHubClient } from './hub-services.js';

type Verdicts = HubResponseOf<'persons:create-from-photos'>['photos'];

const STATUS_TEXT: Readonly<Record<Verdicts[number]['status'], string>> = {
  accepted: 'Used',
  'no-face': 'No face found',
  'several-faces': 'Several faces',
  unreadable: 'Not a readable image',
  'too-small': 'Face too small',
  'poor-quality': 'Too blurred or dark',
};

/** Why a chosen set of files cannot be sent, or null. */
export function photoSelectionProblem(files: readonly { readonly name: string; readonly size: number }[]): string | null {
  if (files.length === 0) return 'Choose at least one photo.';
  if (files.length > MAX_PHOTOS) return `At most ${MAX_PHOTOS} photos at once.`;
  const large = files.find((file) => file.size > MAX_PHOTO_BYTES);
  return large ? `${large.name} is larger than ${Math.round(MAX_PHOTO_BYTES / 1024 / 1024)} MB.` : null;
}

export function HubPhotoEnrollment({ onDone }: { readonly onDone: (created: { readonly name: string } | null) => void }): ReactNode {
  const client = useHubClient();
  const [name, setName] = useState('');
  const [externalId, setExternalId] = useState('');
  const [files, setFiles] = useState<readonly File[]>([]);
  const [groups, setGroups] = useState<string[]>([]);
  const [siteGroups, setSiteGroups] = useState<readonly string[]>([]);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ContractErrorBody | string | null>(null);
  const [verdicts, setVerdicts] = useState<Verdicts | null>(null);
  const [youngChildNotice, setYoungChildNotice] = useState<string | null>(null);

  useEffect(() => {
    void listDocuments(client, 'group').then((result) => {
      if (result.ok) setSiteGroups(result.value.map((group) => group.id));
    });
  }, [client]);

  const selectionProblem = files.length > 0 ? photoSelectionProblem(files) : null;
  const canSubmit = !busy && name.trim().length > 0 && files.length > 0 && selectionProblem === null;

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!canSubmit) return;
    setBusy(true);
    setProblem(null);
    setVerdicts(null);
    const photos = await Promise.all(files.map(async (file) => ({ name: file.name, base64: bytesToBase64(new Uint8Array(await file.arrayBuffer())) })));
    const result = await client['persons:create-from-photos']({ name: name.trim(), ...(externalId.trim() ? { externalId: externalId.trim() } : {}), ...(groups.length > 0 ? { groups } : {}), photos });
    setBusy(false);
    if (!result.ok) return setProblem(result.error);
    const rejected = result.value.photos.filter((photo) => photo.status !== 'accepted');
    const { youngChild } = result.value;
    if (rejected.length === 0 && !youngChild) return onDone(result.value.person);
    // Enrolled from the usable photos; the others, or the young-child advice, are shown before leaving.
    setYoungChildNotice(youngChild ? youngChildText(result.value.person.name, youngChild.estimatedAgeYears, 'the site settings or the door policy') : null);
    setVerdicts(result.value.photos);
  };

  return (
    <section className="screen hub-enroll" aria-labelledby="hub-enroll-heading">
      <header className="screen-header">
        <button type="button" className="btn btn-quiet" onClick={() => onDone(null)}>
          <Icon name="back" />
          Persons
        </button>
        <h1 id="hub-enroll-heading">New person from photos</h1>
      </header>
      {verdicts ? (
        <div className="card">
          <p>
            <strong>{name.trim()}</strong> is enrolled from {verdicts.filter((photo) => photo.status === 'accepted').length} of {verdicts.length} photos.
          </p>
          {youngChildNotice ? <Notice tone="warning">{youngChildNotice}</Notice> : null}
          <PhotoVerdicts verdicts={verdicts} />
          <button type="button" className="btn btn-primary" onClick={() => onDone({ name: name.trim() })}>
            Done
          </button>
        </div>
      ) : (
        <form className="card hub-enroll-form" onSubmit={(event) => void submit(event)} noValidate>
          <TextField label="Name" value={name} onChange={setName} maxLength={200} required autoFocus />
          <TextField label="External id" value={externalId} onChange={setExternalId} maxLength={200} hint="An employee or badge number, if the site uses one." />
          <div className="field">
            <span className="segmented-label">Groups</span>
            <GroupChips label="Groups" groups={siteGroups} chosen={groups} onChange={setGroups} />
          </div>
          <div className="field">
            <label htmlFor="hub-photos">Photos</label>
            <input id="hub-photos" type="file" accept="image/jpeg,image/png" multiple onChange={(event) => setFiles([...(event.target.files ?? [])])} />
            <p className="field-hint">One to {MAX_PHOTOS} photos of the face, frontal and well lit; each is checked on the hub.</p>
            {selectionProblem ? <p className="field-error">{selectionProblem}</p> : null}
          </div>
          {problem ? <ErrorNotice error={problem} /> : null}
          <button type="submit" className="btn btn-primary" disabled={!canSubmit}>
            {busy ? 'Enrolling…' : 'Enroll'}
          </button>
        </form>
      )}
    </section>
  );
}

function PhotoVerdicts({ verdicts }: { readonly verdicts: Verdicts }): ReactNode {
  return (
    <ul className="hub-verdicts" aria-label="Photos">
      {verdicts.map((photo, index) => (
        <li key={`${photo.name}-${index}`}>
          <span className={photo.status === 'accepted' ? 'badge badge-ok' : 'badge badge-bad'}>{STATUS_TEXT[photo.status]}</span> {photo.name}
          {photo.status === 'accepted' ? null : <span className="muted"> — {photo.detail}</span>}
        </li>
      ))}
    </ul>
  );
}
