// One weekly window of access hours: its days and its hours, from (inclusive) to (exclusive), or until midnight.
import type { ReactNode } from 'react';

import { FieldError } from '../../common/FieldError.js';
import { Icon } from '../../common/Icon.js';
import type { WeeklyWindow } from '../../../../electron/shared/shapes/weekly-schedule.js';
import type { IssuePath } from './settings-issues.js';

const WEEKDAYS = [
  { day: 1, short: 'Mon', long: 'Monday' },
  { day: 2, short: 'Tue', long: 'Tuesday' },
  { day: 3, short: 'Wed', long: 'Wednesday' },
  { day: 4, short: 'Thu', long: 'Thursday' },
  { day: 5, short: 'Fri', long: 'Friday' },
  { day: 6, short: 'Sat', long: 'Saturday' },
  { day: 7, short: 'Sun', long: 'Sunday' },
] as const;

const MIDNIGHT = '24:00';

/** One weekly window: its days, its hours, a way to remove it; `group` and `index` name it for screen readers. */
export function WindowEditor({ group, index, window, onChange, onRemove, error }: { readonly group: string; readonly index: number; readonly window: WeeklyWindow; readonly onChange: (window: WeeklyWindow) => void; readonly onRemove: () => void; readonly error: string | undefined }): ReactNode {
  const toggleDay = (day: number): void => {
    const days = window.days.includes(day) ? window.days.filter((d) => d !== day) : [...window.days, day].sort((a, b) => a - b);
    onChange({ ...window, days });
  };
  const untilMidnight = window.to === MIDNIGHT;
  const name = `${group}, window ${index + 1}`;
  return (
    <div className="schedule-window" role="group" aria-label={name}>
      <div className="weekdays" role="group" aria-label="Days">
        {WEEKDAYS.map((weekday) => (
          <button key={weekday.day} type="button" className={window.days.includes(weekday.day) ? 'day day-on' : 'day'} aria-pressed={window.days.includes(weekday.day)} aria-label={weekday.long} onClick={() => toggleDay(weekday.day)}>
            {weekday.short}
          </button>
        ))}
      </div>
      <div className="window-times">
        <label className="time-field">
          From
          <input type="time" value={window.from} onChange={(event) => onChange({ ...window, from: event.target.value })} />
        </label>
        <label className="time-field">
          To
          <input type="time" value={untilMidnight ? '' : window.to} disabled={untilMidnight} onChange={(event) => onChange({ ...window, to: event.target.value })} />
        </label>
        <button type="button" className={untilMidnight ? 'chip chip-on' : 'chip'} aria-pressed={untilMidnight} onClick={() => onChange({ ...window, to: untilMidnight ? '23:59' : MIDNIGHT })}>
          {untilMidnight ? <Icon name="check" /> : null}
          Until midnight
        </button>
        <button type="button" className="btn btn-small" onClick={onRemove} aria-label={`Remove ${name}`}>
          <Icon name="trash" />
          Remove
        </button>
      </div>
      {error ? (
        <FieldError>{error}</FieldError>
      ) : null}
    </div>
  );
}

/** The problem of the window at `path`, in words: the window's own (from before to), else its days', from's or to's. */
export function windowIssue(issue: (path: IssuePath) => string | undefined, path: IssuePath): string | undefined {
  return issue(path) ?? issue([...path, 'days']) ?? issue([...path, 'from']) ?? issue([...path, 'to']);
}
