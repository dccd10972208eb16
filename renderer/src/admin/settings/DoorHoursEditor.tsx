// The door's own hours: when set, the door lets anyone in by face only during them, whatever their groups'
// schedules (a side entrance shut at night). Shared by the terminal's Settings and the hub's door policies.
import type { ReactNode } from 'react';

import { Icon } from '../../common/Icon.js';
import { Toggle } from '../../common/Toggle.js';
import type { WeeklyWindow } from '../../../../electron/shared/shapes/weekly-schedule.js';
import type { IssuePath } from './settings-issues.js';
import { WindowEditor, windowIssue } from './WindowEditor.js';

const OPENING_HOURS: WeeklyWindow = { days: [1, 2, 3, 4, 5], from: '07:00', to: '19:00' };

export function DoorHoursEditor({
  hours,
  onChange,
  issue,
  label = "This door's hours",
  offText = 'Any time',
}: {
  /** Null: the door lets people in at any time (within their groups' schedules). */
  readonly hours: readonly WeeklyWindow[] | null;
  readonly onChange: (hours: WeeklyWindow[] | null) => void;
  /** The issue at a path under the hours, in words. */
  readonly issue: (path: IssuePath) => string | undefined;
  /** The switch's label: one door's hours, or every door's (the hub's site settings). */
  readonly label?: string;
  /** What off means here ("Any time", or the site's hours). */
  readonly offText?: string;
}): ReactNode {
  const windows = hours ?? [];
  return (
    <>
      <Toggle
        label={label}
        checked={hours !== null}
        onChange={(on) => onChange(on ? [OPENING_HOURS] : null)}
        onText="Only these hours"
        offText={offText}
        hint="Outside them the door lets nobody in by face (“Outside the access hours”), whatever their groups’ schedules."
      />
      {windows.map((window, index) => (
        <WindowEditor
          key={index}
          group="Door hours"
          index={index}
          window={window}
          error={windowIssue(issue, [index])}
          onChange={(next) => onChange(windows.map((other, i) => (i === index ? next : other)))}
          onRemove={() => onChange(windows.length > 1 ? windows.filter((_, i) => i !== index) : null)}
        />
      ))}
      {hours !== null ? (
        <button type="button" className="btn btn-small" onClick={() => onChange([...windows, OPENING_HOURS])} disabled={windows.length >= 28}>
          <Icon name="plus" />
          Add door hours
        </button>
      ) : null}
    </>
  );
}
