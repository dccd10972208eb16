// The part the liveness and credential policies share: a mode of its own per group (or the door's), and weekly
// hours with a mode of their own, first match winning — each policy says what its modes mean and how groups combine.
import type { ReactNode } from 'react';

import { FieldError } from '../../common/FieldError.js';
import { Icon } from '../../common/Icon.js';
import { Segmented, type SegmentOption } from '../../common/Segmented.js';
import type { WeeklyWindow } from '../../../../electron/shared/shapes/weekly-schedule.js';
import { WindowEditor, windowIssue } from './WindowEditor.js';
import type { IssuePath } from './settings-issues.js';

/** Stands for "no mode of its own" in a Segmented (which takes strings only). */
const INHERIT = 'inherit';
/** What "Add hours" starts from: after hours, when nobody watches the door. */
const AFTER_HOURS_WINDOWS: readonly WeeklyWindow[] = [
  { days: [1, 2, 3, 4, 5], from: '00:00', to: '07:00' },
  { days: [1, 2, 3, 4, 5], from: '19:00', to: '24:00' },
  { days: [6, 7], from: '00:00', to: '24:00' },
];
const NEW_WINDOW: WeeklyWindow = { days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' };

interface ModeSchedule<Mode> {
  windows: WeeklyWindow[];
  mode: Mode;
}

export interface ModesByGroupAndHoursProps<Mode extends string> {
  readonly modeOptions: readonly SegmentOption<Mode>[];
  readonly groups: Readonly<Record<string, Mode>>;
  readonly schedules: readonly ModeSchedule<Mode>[];
  /** Groups that may get a mode of their own. */
  readonly groupNames: readonly string[];
  readonly onGroups: (groups: Record<string, Mode>) => void;
  readonly onSchedules: (schedules: ModeSchedule<Mode>[]) => void;
  /** How a member of several groups is decided, after "instead of the door's". */
  readonly groupsHint: string;
  /** The name of the groups' fields together ("Card or face per group"). */
  readonly groupsLabel: string;
  /** What hours are called in labels: "Liveness hours" gives "Liveness hours 1, window 2". */
  readonly hoursName: string;
  /** The mode new hours start with (after hours). */
  readonly afterHoursMode: Mode;
  /** The button adding hours. */
  readonly addLabel: string;
  /** The issue at a path under the policy, in words. */
  readonly issue: (path: IssuePath) => string | undefined;
}

export function ModesByGroupAndHours<Mode extends string>(props: ModesByGroupAndHoursProps<Mode>): ReactNode {
  const { modeOptions, groups, schedules, groupNames, onGroups, onSchedules, groupsHint, groupsLabel, hoursName, afterHoursMode, addLabel, issue } = props;
  const setGroup = (group: string, mode: Mode | typeof INHERIT): void => {
    const { [group]: _old, ...rest } = groups;
    onGroups(mode === INHERIT ? rest : { ...rest, [group]: mode });
  };
  const setSchedule = (index: number, schedule: ModeSchedule<Mode> | null): void =>
    onSchedules(schedule === null ? schedules.filter((_, i) => i !== index) : schedules.map((other, i) => (i === index ? schedule : other)));

  return (
    <>
      <h3 className="settings-subhead">
        <Icon name="users" />
        Per group
      </h3>
      <p className="field-hint">A member of a group with its own mode gets that mode instead of the door’s; {groupsHint}</p>
      {groupNames.length === 0 ? <p className="muted">No groups yet: give people groups first.</p> : null}
      {groupNames.length > 0 ? (
        <div role="group" aria-label={groupsLabel}>
          {groupNames.map((group) => (
            <Segmented<Mode | typeof INHERIT>
              key={group}
              label={group}
              value={groups[group] ?? INHERIT}
              options={[{ value: INHERIT, label: 'The door’s' }, ...modeOptions]}
              onChange={(mode) => setGroup(group, mode)}
            />
          ))}
        </div>
      ) : null}
      {issue(['groups']) ? <FieldError>{issue(['groups'])}</FieldError> : null}

      <h3 className="settings-subhead">
        <Icon name="clock" />
        By the hour
      </h3>
      <p className="field-hint">During these hours this mode applies to everyone, before groups and the door’s mode; the first that applies wins.</p>
      {schedules.map((schedule, index) => (
        <div key={index} className="schedule-group">
          <Segmented label={`${hoursName} ${index + 1}: mode`} value={schedule.mode} options={modeOptions} onChange={(mode) => setSchedule(index, { ...schedule, mode })} />
          {schedule.windows.map((window, windowIndex) => (
            <WindowEditor
              key={windowIndex}
              group={`${hoursName} ${index + 1}`}
              index={windowIndex}
              window={window}
              error={windowIssue(issue, ['schedules', index, 'windows', windowIndex])}
              onChange={(next) => setSchedule(index, { ...schedule, windows: schedule.windows.map((other, i) => (i === windowIndex ? next : other)) })}
              onRemove={() => setSchedule(index, schedule.windows.length > 1 ? { ...schedule, windows: schedule.windows.filter((_, i) => i !== windowIndex) } : null)}
            />
          ))}
          <div className="button-row">
            <button type="button" className="btn btn-small" onClick={() => setSchedule(index, { ...schedule, windows: [...schedule.windows, { ...NEW_WINDOW, days: [...NEW_WINDOW.days] }] })} disabled={schedule.windows.length >= 28}>
              <Icon name="plus" />
              Add hours
            </button>
            <button type="button" className="btn btn-small" onClick={() => setSchedule(index, null)} aria-label={`Remove ${hoursName.toLowerCase()} ${index + 1}`}>
              <Icon name="trash" />
              Remove
            </button>
          </div>
        </div>
      ))}
      {issue(['schedules']) ? <FieldError>{issue(['schedules'])}</FieldError> : null}
      <button type="button" className="btn" onClick={() => onSchedules([...schedules, { windows: AFTER_HOURS_WINDOWS.map((window) => ({ ...window, days: [...window.days] })), mode: afterHoursMode }])} disabled={schedules.length >= 16}>
        <Icon name="plus" />
        {addLabel}
      </button>
    </>
  );
}
