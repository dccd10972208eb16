// Weekly access hours: the door's own (outside them nobody is let in) and per group: members of a group with a
// schedule are let in only inside its windows (any window of any of their scheduled groups); groups without one are
// not restricted.
import { useState, type ReactNode } from 'react';

import { Icon } from '../../common/Icon.js';
import { TextField } from '../../common/TextField.js';
import type { Settings } from '../../store/types.js';
import { useKnownGroups } from '../use-known-groups.js';
import { DoorHoursEditor } from './DoorHoursEditor.js';
import { WindowEditor, windowIssue } from './WindowEditor.js';
import type { SectionProps } from './section-props.js';

type Schedules = Settings['access.policy']['schedules'];
type WeeklyWindow = Schedules[string][number];

const NEW_WINDOW: WeeklyWindow = { days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' };

export function SchedulesEditor({ draft, change, issue }: SectionProps): ReactNode {
  const policy = draft['access.policy'];
  const schedules = policy.schedules;
  const groups = useKnownGroups();
  const [newGroup, setNewGroup] = useState('');

  const setSchedules = (next: Schedules): void => change('access.policy', { ...policy, schedules: next });
  const setWindows = (group: string, windows: WeeklyWindow[]): void => {
    if (windows.length === 0) {
      const { [group]: _removed, ...rest } = schedules;
      setSchedules(rest);
    } else {
      setSchedules({ ...schedules, [group]: windows });
    }
  };
  const addGroup = (group: string): void => {
    const name = group.trim();
    if (!name || schedules[name]) return;
    setSchedules({ ...schedules, [name]: [NEW_WINDOW] });
    setNewGroup('');
  };
  const unscheduled = groups.filter((group) => !schedules[group]);

  return (
    <fieldset className="settings-section">
      <legend>Access hours</legend>
      <DoorHoursEditor hours={policy.doorHours} onChange={(doorHours) => change('access.policy', { ...policy, doorHours })} issue={(path) => issue(['access.policy', 'doorHours', ...path])} />
      <p className="field-hint">Members of a group with a schedule are let in only during its hours. Groups without a schedule may enter at any time.</p>
      {Object.entries(schedules).map(([group, windows]) => (
        <div key={group} className="schedule-group">
          <div className="schedule-head">
            <h3>
              <Icon name="users" />
              {group}
            </h3>
            <button type="button" className="btn btn-small" onClick={() => setWindows(group, [])}>
              <Icon name="trash" />
              Remove schedule
            </button>
          </div>
          {windows.map((window, index) => (
            <WindowEditor
              key={index}
              group={group}
              index={index}
              window={window}
              error={windowIssue(issue, ['access.policy', 'schedules', group, index])}
              onChange={(next) => setWindows(group, windows.map((other, i) => (i === index ? next : other)))}
              onRemove={() => setWindows(group, windows.filter((_, i) => i !== index))}
            />
          ))}
          <button type="button" className="btn btn-small" onClick={() => setWindows(group, [...windows, NEW_WINDOW])} disabled={windows.length >= 28}>
            <Icon name="plus" />
            Add hours
          </button>
        </div>
      ))}
      <div className="schedule-add">
        {unscheduled.length > 0 ? (
          <div className="chips" role="group" aria-label="Add a schedule for a group">
            {unscheduled.map((group) => (
              <button key={group} type="button" className="chip" onClick={() => addGroup(group)}>
                <Icon name="plus" />
                Schedule for {group}
              </button>
            ))}
          </div>
        ) : null}
        <div className="inline-add">
          <TextField label="Another group" value={newGroup} onChange={setNewGroup} maxLength={64} />
          <button type="button" className="btn" onClick={() => addGroup(newGroup)} disabled={!newGroup.trim() || Boolean(schedules[newGroup.trim()])}>
            <Icon name="plus" />
            Add schedule
          </button>
        </div>
      </div>
    </fieldset>
  );
}
