// What to import: a folder with one sub-folder per person, or a CSV of name, external id and photo paths, both on
// the terminal; or a zip (or a folder of photos) uploaded from this browser, imported as a folder.
import { useId, useState, type ChangeEvent, type FormEvent, type ReactNode } from 'react';

import { useClient } from '../../app/services.js';
import type { ContractErrorBody } from '../../contract.js';
import { ErrorNotice } from '../../common/ErrorNotice.js';
import { Icon } from '../../common/Icon.js';
import { Segmented } from '../../common/Segmented.js';
import { TextField } from '../../common/TextField.js';
import { Toggle } from '../../common/Toggle.js';
import { GroupPicker } from '../person/GroupPicker.js';
import { bytesToBase64 } from '../../common/base64.js';
import { uploadProblem, zipChosenPhotos } from './upload-zip.js';

type SourceKind = 'upload' | 'folder' | 'csv';

/** What was chosen in this browser: a zip as it is, or a folder's photos packed into one. */
interface Upload {
  readonly name: string;
  readonly zip: Uint8Array;
  /** Photos in a picked folder; null for a zip (counted by the terminal). */
  readonly photoCount: number | null;
}

export function ImportForm({ onStarted }: { readonly onStarted: (importId: string) => void }): ReactNode {
  const client = useClient();
  const [kind, setKind] = useState<SourceKind>('upload');
  const [upload, setUpload] = useState<Upload | null>(null);
  const [reading, setReading] = useState(false);
  const zipInputId = useId();
  const folderInputId = useId();
  const [path, setPath] = useState('');
  const [groups, setGroups] = useState<readonly string[]>([]);
  const [allowDuplicate, setAllowDuplicate] = useState(false);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ContractErrorBody | null>(null);

  const pathProblem = kind === 'upload' ? null : path.trim().length === 0 ? 'Enter the path on the terminal.' : null;
  const sizeProblem = upload ? uploadProblem(upload.zip.length) : null;
  const uploadMissing = kind === 'upload' && !upload ? 'Choose a zip or a folder of photos.' : null;

  const onZip = async (event: ChangeEvent<HTMLInputElement>): Promise<void> => {
    const [file] = [...(event.target.files ?? [])];
    event.target.value = '';
    if (!file) return;
    setReading(true);
    try {
      setUpload({ name: file.name, zip: new Uint8Array(await file.arrayBuffer()), photoCount: null });
    } catch {
      setError({ code: 'invalid-request', message: `${file.name} could not be read in this browser` });
    } finally {
      setReading(false);
    }
  };

  const onFolder = async (event: ChangeEvent<HTMLInputElement>): Promise<void> => {
    const files = [...(event.target.files ?? [])];
    event.target.value = '';
    if (files.length === 0) return;
    setReading(true);
    try {
      const chosen = await Promise.all(files.map(async (file) => ({ path: file.webkitRelativePath || file.name, bytes: new Uint8Array(await file.arrayBuffer()) })));
      const top = chosen[0]?.path.split('/')[0] ?? 'photos';
      const photoCount = chosen.filter((file) => /\.(jpe?g|png|webp)$/i.test(file.path)).length;
      setUpload({ name: `${top}.zip`, zip: zipChosenPhotos(chosen), photoCount });
    } catch {
      setError({ code: 'invalid-request', message: 'the folder could not be read in this browser' });
    } finally {
      setReading(false);
    }
  };

  const start = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setTried(true);
    if (pathProblem || uploadMissing || sizeProblem || busy) return;
    setBusy(true);
    setError(null);
    if (kind === 'upload' && upload) {
      const uploaded = await client['import:upload']({ name: upload.name, zipBase64: bytesToBase64(upload.zip), groups: groups.length > 0 ? [...groups] : undefined, allowDuplicate });
      setBusy(false);
      if (uploaded.ok) onStarted(uploaded.value.importId);
      else setError(uploaded.error);
      return;
    }
    if (kind === 'upload') return;
    const result = await client['import:start']({
      source: { kind, path: path.trim() },
      groups: groups.length > 0 ? [...groups] : undefined,
      allowDuplicate,
    });
    setBusy(false);
    if (result.ok) onStarted(result.value.importId);
    else setError(result.error);
  };

  return (
    <form className="import-form" onSubmit={(event) => void start(event)} noValidate>
      <Segmented
        label="Source"
        value={kind}
        onChange={setKind}
        options={[
          { value: 'upload', label: 'Upload a zip or folder', icon: 'upload' },
          { value: 'folder', label: 'Folder on the terminal', icon: 'import' },
          { value: 'csv', label: 'CSV on the terminal', icon: 'list' },
        ]}
      />
      {kind === 'upload' ? (
        <div className="field import-upload">
          <p className="muted">A zip, or a folder, with one sub-folder per person named after them and their photos inside (e.g. Ann_Lee/1.jpg). Photos: JPEG, PNG or WebP. Each file gets its result, as with a folder on the terminal.</p>
          <div className="button-row button-row-start">
            <input id={zipInputId} className="visually-hidden" type="file" accept=".zip,application/zip" onChange={(event) => void onZip(event)} />
            <label htmlFor={zipInputId} className="btn">
              <Icon name="upload" />
              Choose a zip
            </label>
            <input id={folderInputId} className="visually-hidden" type="file" multiple {...{ webkitdirectory: '' }} onChange={(event) => void onFolder(event)} />
            <label htmlFor={folderInputId} className="btn">
              <Icon name="import" />
              Choose a folder
            </label>
          </div>
          {reading ? <p className="muted" role="status">Reading…</p> : null}
          {upload ? (
            <p role="status">
              <strong>{upload.name}</strong> — {upload.zip.length < 1_048_576 ? `${Math.max(1, Math.round(upload.zip.length / 1024))} KB` : `${(upload.zip.length / 1_048_576).toFixed(1)} MB`}{upload.photoCount !== null ? `, ${upload.photoCount} photo${upload.photoCount === 1 ? '' : 's'}` : ''}
            </p>
          ) : null}
          {sizeProblem ? <ErrorNotice error={sizeProblem} /> : tried && uploadMissing ? <ErrorNotice error={uploadMissing} /> : null}
        </div>
      ) : (
        <TextField
          label={kind === 'folder' ? 'Folder on the terminal' : 'CSV file on the terminal'}
          value={path}
          onChange={setPath}
          maxLength={4096}
          placeholder={kind === 'folder' ? '/media/usb/people' : '/media/usb/people.csv'}
          hint={
            (kind === 'folder'
              ? 'One sub-folder per person, named after them, with their photos inside (e.g. Ann_Lee/1.jpg).'
              : 'Columns id, name, photo; photo paths relative to the CSV file.') +
            ' Only the import folders are read: imports/ in the data folder, and those the setting import.roots names. Photos: JPEG, PNG or WebP, at most 40 MP.'
          }
          error={tried ? pathProblem : null}
          required
        />
      )}
      <GroupPicker label="Add everyone to these groups (optional)" value={groups} onChange={setGroups} />
      <Toggle
        label="Look-alikes"
        checked={allowDuplicate}
        onChange={setAllowDuplicate}
        onText="Enroll anyway"
        offText="Refuse"
        hint="A face that matches someone already enrolled is refused unless this is on."
      />
      {error ? <ErrorNotice error={error} /> : null}
      <button type="submit" className="btn btn-primary btn-block" disabled={busy || reading}>
        <Icon name="import" />
        {busy ? (kind === 'upload' ? 'Uploading…' : 'Starting…') : 'Start import'}
      </button>
    </form>
  );
}
