// The site's groups: list with what uses each (members, a schedule, the doors that let it in), create, rename,
// describe and delete. People carry group names and policies list them: a rename (the hub's groups:rename, one
// transaction) moves the group's schedule, the door policies and the members to the new name, while a delete
// removes only the group's entry (its members and the doors that let it in are shown first).
import { useCallback, useEffect, useState, type ReactNode } from 'react';

import { ConfirmDialog } from '../common/ConfirmDialog.js';
import { ErrorNotice, Notice } from '../common/ErrorNotice.js';
import { Icon } from '../common/Icon.js';
import { TextField } from '../common/TextField.js';
import type { Result } from '../contract.js';
import { groupName } from '../../../electron/shared/shapes/fields.js';
import type { HubClient, HubResponseOf } from './hub-client.js';
import { deleteDocument, deletedText, listDocuments, saveDocument, savedText, type HubDocument } from './hub-documents.js';
import { useHubClient } from './hub-services.js';
import { RowActions } from './RowActions.js';
import { useDocumentWrites } from './use-document-writes.js';

/** What uses a group: how many persons carry it, whether it has a schedule, which doors' policies let it in. */
export interface GroupUse {
  readonly members: number | null;
  readonly scheduled: boolean;
  readonly doors: readonly string[];
}

interface Site {
  readonly groups: readonly HubDocument<'group'>[];
  readonly uses: ReadonlyMap<string, GroupUse>;
}

/** A group's name checked as the hub checks it, or the problem in words. */
export function groupNameProblem(name: string): string | null {
  const parsed = groupName.safeParse(name);
  if (parsed.success) return null;
  return name.trim() === '' ? 'Name the group.' : `The name ${parsed.error.issues[0]?.message ?? 'is not valid'}.`;
}

export function groupUseText(use: GroupUse | undefined): string {
  if (!use) return '';
  const members = use.members === null ? null : `${use.members} ${use.members === 1 ? 'member' : 'members'}`;
  const doors = use.doors.length > 0 ? `let in at ${use.doors.join(', ')}` : null;
  return [members, use.scheduled ? 'has a schedule' : 'any time', doors].filter(Boolean).join(' · ');
}

/** " (schedule moved, policy of door-1 changed, 2 members moved)", or "" when nothing else named the group. */
export function movedText(rename: HubResponseOf<'groups:rename'>): string {
  const moved = [
    rename.scheduleMoved ? 'schedule moved' : null,
    rename.doorPolicies.length > 0 ? `${rename.doorPolicies.length === 1 ? 'policy' : 'policies'} of ${rename.doorPolicies.join(', ')} changed` : null,
    rename.members > 0 ? `${rename.members} ${rename.members === 1 ? 'member' : 'members'} moved` : null,
  ].filter(Boolean);
  return moved.length > 0 ? ` (${moved.join(', ')})` : '';
}

async function loadSite(client: HubClient): Promise<Result<Site>> {
  const [groups, schedules, policies] = await Promise.all([listDocuments(client, 'group'), listDocuments(client, 'schedule'), listDocuments(client, 'door-policy')]);
  if (!groups.ok) return groups;
  if (!schedules.ok) return schedules;
  if (!policies.ok) return policies;
  const counts = await Promise.all(groups.value.map((group) => client['persons:list']({ group: group.id, limit: 1 })));
  const uses = new Map<string, GroupUse>();
  groups.value.forEach((group, index) => {
    const count = counts[index];
    uses.set(group.id, {
      members: count?.ok ? count.value.total : null,
      scheduled: schedules.value.some((schedule) => schedule.id === group.id),
      doors: policies.value.filter((policy) => policy.body.allowedGroups?.includes(group.id)).map((policy) => policy.id),
    });
  });
  return { ok: true, value: { groups: groups.value, uses } };
}

function GroupForm({ initial, busy, submitText, onSubmit, onCancel }: { readonly initial: { readonly name: string; readonly description: string }; readonly busy: boolean; readonly submitText: string; readonly onSubmit: (name: string, description: string | null) => void; readonly onCancel?: () => void }): ReactNode {
  const [name, setName] = useState(initial.name);
  const [description, setDescription] = useState(initial.description);
  const [touched, setTouched] = useState(false);
  const nameProblem = groupNameProblem(name);
  const descriptionProblem = description.length > 500 ? 'At most 500 characters.' : null;
  return (
    <form
      className="hub-group-form"
      onSubmit={(event) => {
        event.preventDefault();
        setTouched(true);
        if (nameProblem || descriptionProblem) return;
        onSubmit(name.trim(), description.trim() === '' ? null : description.trim());
      }}
    >
      <div className="field-pair">
        <TextField label="Group name" value={name} onChange={setName} maxLength={64} error={touched ? nameProblem : null} />
        <TextField label="Description" value={description} onChange={setDescription} maxLength={500} error={descriptionProblem} hint="Optional: who belongs in it." />
      </div>
      <div className="button-row button-row-start">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {submitText}
        </button>
        {onCancel ? (
          <button type="button" className="btn" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}

export function HubGroupsScreen(): ReactNode {
  const client = useHubClient();
  const [site, setSite] = useState<Site | null>(null);
  const { problem, setProblem, notice, busy, setBusy, finish: finishWrite } = useDocumentWrites();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<HubDocument<'group'> | null>(null);

  const load = useCallback(async (): Promise<void> => {
    const result = await loadSite(client);
    if (result.ok) setSite(result.value);
    else setProblem(result.error);
  }, [client]);

  useEffect(() => {
    void load();
  }, [load]);

  /** After a conflict: the list as it is now, the forms closed. */
  const reload = async (): Promise<void> => {
    setProblem(null);
    setEditing(null);
    setCreating(false);
    await load();
  };

  const finish = (result: Result<unknown>, success: string): Promise<boolean> => finishWrite(result, success, load);

  const create = async (name: string, description: string | null): Promise<void> => {
    setBusy(true);
    const result = await saveDocument(client, 'group', name, { name, description }, null);
    if (await finish(result, result.ok ? savedText(`Group “${name}”`, result.value) : '')) setCreating(false);
  };

  const edit = async (group: HubDocument<'group'>, name: string, description: string | null): Promise<void> => {
    setBusy(true);
    if (name === group.id) {
      const result = await saveDocument(client, 'group', name, { name, description }, group.version);
      if (await finish(result, result.ok ? savedText(`Group “${name}”`, result.value) : '')) setEditing(null);
      return;
    }
    const renamed = await client['groups:rename']({ from: group.id, to: name, expectedVersion: group.version });
    if (!renamed.ok) return void (await finish(renamed, ''));
    let seq = renamed.value.seq;
    if (description !== (group.body.description ?? null)) {
      // The rename keeps the description; a new one is its own write, over the version the rename made.
      const described = await saveDocument(client, 'group', name, { name, description }, renamed.value.version);
      if (!described.ok) return void (await finish({ ok: false, error: { ...described.error, message: `renamed to “${name}”, but the description was not saved: ${described.error.message}` } }, ''));
      seq = described.value.seq;
    }
    if (await finish(renamed, `Group “${group.id}” renamed to “${name}”${movedText(renamed.value)}, change #${seq}: sent to doors; each applies it with its next sync.`)) setEditing(null);
  };

  const remove = async (group: HubDocument<'group'>): Promise<void> => {
    setBusy(true);
    const result = await deleteDocument(client, 'group', group.id, group.version);
    setDeleting(null);
    await finish(result, result.ok ? deletedText(`Group “${group.id}”`, result.value) : '');
  };

  const deletingUse = deleting ? site?.uses.get(deleting.id) : undefined;

  return (
    <section className="screen hub-groups" aria-labelledby="hub-groups-heading">
      <header className="screen-header">
        <h2 id="hub-groups-heading">Groups</h2>
        {creating ? null : (
          <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
            <Icon name="plus" />
            New group
          </button>
        )}
      </header>
      <p className="field-hint">Persons belong to groups; a door's policy lets in chosen groups, and a group's schedule says when its members may enter.</p>
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      {problem ? <ErrorNotice error={problem} onRetry={problem.code === 'conflict' ? () => void reload() : undefined} retryText="Reload" /> : null}
      {creating ? (
        <div className="card" aria-label="New group">
          <GroupForm initial={{ name: '', description: '' }} busy={busy} submitText="Create group" onSubmit={(name, description) => void create(name, description)} onCancel={() => setCreating(false)} />
        </div>
      ) : null}
      {site === null ? <p className="muted">Loading…</p> : null}
      {site && site.groups.length === 0 ? <p className="muted">No groups yet. Without groups every door lets in every enabled person at any time.</p> : null}
      {site && site.groups.length > 0 ? (
        <ul className="person-list" aria-label="Groups">
          {site.groups.map((group) =>
            editing === group.id ? (
              <li key={group.id} className="card" aria-label={group.id}>
                <GroupForm
                  initial={{ name: group.id, description: group.body.description ?? '' }}
                  busy={busy}
                  submitText="Save"
                  onSubmit={(name, description) => void edit(group, name, description)}
                  onCancel={() => setEditing(null)}
                />
                <p className="field-hint">A new name moves the group's schedule, the doors that let it in and its members to that name.</p>
              </li>
            ) : (
              <li key={group.id} className="person-row hub-person-row" aria-label={group.id}>
                <div className="person-main">
                  <span className="person-name">{group.id}</span>
                  {group.body.description ? <span>{group.body.description}</span> : null}
                  <span className="person-meta">{groupUseText(site.uses.get(group.id))}</span>
                </div>
                <RowActions editDisabled={busy} deleteDisabled={busy} onEdit={() => setEditing(group.id)} onDelete={() => setDeleting(group)} />
              </li>
            ),
          )}
        </ul>
      ) : null}
      {deleting ? (
        <ConfirmDialog title={`Delete the group “${deleting.id}”?`} confirmText="Delete group" danger busy={busy} onConfirm={() => void remove(deleting)} onCancel={() => setDeleting(null)}>
          {deletingUse && (deletingUse.members || deletingUse.scheduled || deletingUse.doors.length > 0) ? (
            <>
              <p>Only the group's entry is deleted. What still names it keeps working:</p>
              <ul>
                {deletingUse.members ? <li>{deletingUse.members} {deletingUse.members === 1 ? 'person keeps' : 'persons keep'} the group</li> : null}
                {deletingUse.scheduled ? <li>its schedule stays (delete it under Schedules)</li> : null}
                {deletingUse.doors.length > 0 ? <li>{deletingUse.doors.join(', ')} still {deletingUse.doors.length === 1 ? 'lets' : 'let'} it in (change it under Door policies)</li> : null}
              </ul>
            </>
          ) : (
            <p>No person, schedule or door policy uses it.</p>
          )}
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
