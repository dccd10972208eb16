// The site's weekly schedules, one per group: members of a group with a schedule are let in only inside its
// windows, at every door; a group without one may enter at any time. The window editor is the terminal's own.
import { useCallback, useEffect, useState, type ReactNode } from 'react';

import { WindowEditor } from '../admin/settings/WindowEditor.js';
import { ConfirmDialog } from '../common/ConfirmDialog.js';
import { ErrorNotice, Notice } from '../common/ErrorNotice.js';
import { Icon } from '../common/Icon.js';
import { SelectField } from '../common/SelectField.js';
import type { Result } from '../contract.js';
import type { WeeklyWindow } from '../../../electron/shared/shapes/weekly-schedule.js';
import { deleteDocument, deletedText, listDocuments, saveDocument, savedText, type HubDocument } from './hub-documents.js';
import { useHubClient } from './hub-services.js';
import { RowActions } from './RowActions.js';
import { useDocumentWrites } from './use-document-writes.js';

const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
/** The most windows a schedule holds (the fleet's schedule payload). */
const MAX_WINDOWS = 28;
const NEW_WINDOW: WeeklyWindow = { days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' };

/** "Mon–Fri, Sun 08:00–18:00": runs of days joined, 24:00 as midnight. */
export function windowText(window: WeeklyWindow): string {
  const days = [...window.days].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < days.length; ) {
    let j = i;
    while (j + 1 < days.length && days[j + 1] === (days[j] ?? 0) + 1) j++;
    const first = DAY_NAMES[(days[i] ?? 1) - 1];
    const last = DAY_NAMES[(days[j] ?? 1) - 1];
    runs.push(j - i >= 2 ? `${first}–${last}` : j > i ? `${first}, ${last}` : `${first}`);
    i = j + 1;
  }
  return `${runs.join(', ')} ${window.from}–${window.to === '24:00' ? 'midnight' : window.to}`;
}

/** What is wrong with one window, in words, or null: checked before the hub is asked. */
export function windowProblem(window: WeeklyWindow): string | null {
  if (window.days.length === 0) return 'Choose at least one day.';
  if (!TIME.test(window.from)) return 'Give the time it starts (HH:MM).';
  if (!TIME.test(window.to)) return 'Give the time it ends (HH:MM).';
  if (window.from >= window.to) return 'It must end after it starts (split a window that crosses midnight in two).';
  return null;
}

function ScheduleForm({
  groups,
  initial,
  busy,
  onSubmit,
  onCancel,
}: {
  /** The groups to choose from (a new schedule), or null when editing one. */
  readonly groups: readonly string[] | null;
  readonly initial: { readonly group: string; readonly windows: readonly WeeklyWindow[] };
  readonly busy: boolean;
  readonly onSubmit: (group: string, windows: WeeklyWindow[]) => void;
  readonly onCancel: () => void;
}): ReactNode {
  const [group, setGroup] = useState(initial.group);
  const [windows, setWindows] = useState<WeeklyWindow[]>([...initial.windows]);
  const [tried, setTried] = useState(false);
  const problems = windows.map(windowProblem);
  const groupProblem = group === '' ? 'Choose the group.' : null;
  const countProblem = windows.length === 0 ? 'Add at least one window: a group without a schedule may enter at any time (delete the schedule for that).' : null;
  return (
    <form
      className="card hub-schedule-form"
      aria-label={groups ? 'New schedule' : `Schedule of ${initial.group}`}
      onSubmit={(event) => {
        event.preventDefault();
        setTried(true);
        if (groupProblem || countProblem || problems.some(Boolean)) return;
        onSubmit(group, windows);
      }}
    >
      {groups ? (
        <SelectField label="Group" value={group} choices={[{ value: '', label: 'Choose a group' }, ...groups.map((name) => ({ value: name, label: name }))]} onChange={setGroup} error={tried ? groupProblem : null} />
      ) : (
        <h3 className="hub-schedule-title">
          <Icon name="users" />
          {initial.group}
        </h3>
      )}
      {windows.map((window, index) => (
        <WindowEditor
          key={index}
          group={group || 'New schedule'}
          index={index}
          window={window}
          error={tried ? (problems[index] ?? undefined) : undefined}
          onChange={(next) => setWindows(windows.map((other, i) => (i === index ? next : other)))}
          onRemove={() => setWindows(windows.filter((_, i) => i !== index))}
        />
      ))}
      {tried && countProblem ? <p className="field-error">{countProblem}</p> : null}
      <div className="button-row button-row-start">
        <button type="button" className="btn btn-small" onClick={() => setWindows([...windows, NEW_WINDOW])} disabled={windows.length >= MAX_WINDOWS}>
          <Icon name="plus" />
          Add hours
        </button>
      </div>
      <div className="button-row button-row-start">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          Save schedule
        </button>
        <button type="button" className="btn" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function HubSchedulesScreen(): ReactNode {
  const client = useHubClient();
  const [schedules, setSchedules] = useState<readonly HubDocument<'schedule'>[] | null>(null);
  const [groups, setGroups] = useState<readonly string[]>([]);
  const { problem, setProblem, notice, busy, setBusy, finish: finishWrite } = useDocumentWrites();
  /** The schedule being edited: a group's name, '' for a new one, null for none. */
  const [editing, setEditing] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<HubDocument<'schedule'> | null>(null);

  const load = useCallback(async (): Promise<void> => {
    const [listed, groupList] = await Promise.all([listDocuments(client, 'schedule'), listDocuments(client, 'group')]);
    if (listed.ok) setSchedules(listed.value);
    else setProblem(listed.error);
    if (groupList.ok) setGroups(groupList.value.map((group) => group.id));
  }, [client]);

  useEffect(() => {
    void load();
  }, [load]);

  /** After a conflict: the schedules as they are now, the form closed. */
  const reload = async (): Promise<void> => {
    setProblem(null);
    setEditing(null);
    await load();
  };

  const finish = (result: Result<unknown>, success: string): Promise<boolean> => finishWrite(result, success, load);

  const save = async (group: string, windows: WeeklyWindow[], readVersion: number | null): Promise<void> => {
    setBusy(true);
    const result = await saveDocument(client, 'schedule', group, { group, windows }, readVersion);
    if (await finish(result, result.ok ? savedText(`Schedule of “${group}”`, result.value) : '')) setEditing(null);
  };

  const remove = async (schedule: HubDocument<'schedule'>): Promise<void> => {
    setBusy(true);
    const result = await deleteDocument(client, 'schedule', schedule.id, schedule.version);
    setDeleting(null);
    await finish(result, result.ok ? deletedText(`Schedule of “${schedule.id}”`, result.value) : '');
  };

  const unscheduled = groups.filter((group) => !schedules?.some((schedule) => schedule.id === group));

  return (
    <section className="screen hub-schedules" aria-labelledby="hub-schedules-heading">
      <header className="screen-header">
        <h2 id="hub-schedules-heading">Schedules</h2>
        {editing === null ? (
          <button type="button" className="btn btn-primary" onClick={() => setEditing('')} disabled={unscheduled.length === 0}>
            <Icon name="plus" />
            New schedule
          </button>
        ) : null}
      </header>
      <p className="field-hint">Members of a group with a schedule are let in only during its hours, at every door, in each door's time zone (see Settings). Groups without a schedule may enter at any time.</p>
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      {problem ? <ErrorNotice error={problem} onRetry={problem.code === 'conflict' ? () => void reload() : undefined} retryText="Reload" /> : null}
      {editing === '' ? <ScheduleForm groups={unscheduled} initial={{ group: '', windows: [NEW_WINDOW] }} busy={busy} onSubmit={(group, windows) => void save(group, windows, null)} onCancel={() => setEditing(null)} /> : null}
      {schedules === null ? <p className="muted">Loading…</p> : null}
      {schedules && schedules.length === 0 && editing !== '' ? <p className="muted">{groups.length === 0 ? 'No schedules. Create a group first, then give it a schedule.' : 'No schedules: every group may enter at any time.'}</p> : null}
      {schedules && schedules.length > 0 ? (
        <ul className="person-list" aria-label="Schedules">
          {schedules.map((schedule) =>
            editing === schedule.id ? (
              <li key={schedule.id} aria-label={schedule.id}>
                <ScheduleForm groups={null} initial={schedule.body} busy={busy} onSubmit={(group, windows) => void save(group, windows, schedule.version)} onCancel={() => setEditing(null)} />
              </li>
            ) : (
              <li key={schedule.id} className="person-row hub-person-row" aria-label={schedule.id}>
                <div className="person-main">
                  <span className="person-name">{schedule.id}</span>
                  {schedule.body.windows.map((window, index) => (
                    <span key={index} className="person-meta">
                      <Icon name="clock" />
                      {windowText(window)}
                    </span>
                  ))}
                  {groups.includes(schedule.id) ? null : <span className="person-meta">The site has no group of this name.</span>}
                </div>
                <RowActions editDisabled={busy || editing !== null} deleteDisabled={busy} onEdit={() => setEditing(schedule.id)} onDelete={() => setDeleting(schedule)} />
              </li>
            ),
          )}
        </ul>
      ) : null}
      {deleting ? (
        <ConfirmDialog title={`Delete the schedule of “${deleting.id}”?`} confirmText="Delete schedule" danger busy={busy} onConfirm={() => void remove(deleting)} onCancel={() => setDeleting(null)}>
          <p>Its members may then enter at any time, at every door that lets the group in.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
