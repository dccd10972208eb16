// What to import: a folder with one sub-folder per person, or a CSV of name, external id and photo paths.
import { useState, type FormEvent, type ReactNode } from 'react';

import { useClient } from '../../app/services.js';
import type { ContractErrorBody } from '../../contract.js';
import { ErrorNotice } from '../../common/ErrorNotice.js';
import { Icon } from '../../common/Icon.js';
import { Segmented } from '../../common/Segmented.js';
import { TextField } from '../../common/TextField.js';
import { Toggle } from '../../common/Toggle.js';
import { GroupPicker } from '../person/GroupPicker.js';

type SourceKind = 'folder' | 'csv';

export function ImportForm({ onStarted }: { readonly onStarted: (importId: string) => void }): ReactNode {
  const client = useClient();
  const [kind, setKind] = useState<SourceKind>('folder');
  const [path, setPath] = useState('');
  const [groups, setGroups] = useState<readonly string[]>([]);
  const [allowDuplicate, setAllowDuplicate] = useState(false);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ContractErrorBody | null>(null);

  const pathProblem = path.trim().length === 0 ? 'Enter the path on the terminal.' : null;

  const start = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setTried(true);
    if (pathProblem || busy) return;
    setBusy(true);
    setError(null);
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
          { value: 'folder', label: 'Folder', icon: 'import' },
          { value: 'csv', label: 'CSV file', icon: 'list' },
        ]}
      />
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
      <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
        <Icon name="import" />
        {busy ? 'Starting…' : 'Start import'}
      </button>
    </form>
  );
}
