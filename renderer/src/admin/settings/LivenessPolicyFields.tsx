// The liveness policy's fields — the mode, the challenge, per group, by the hour — shared by the terminal's
// Settings and the hub's site settings and door policies, which each say where the policy applies and check it
// with the terminal's own schema.
import type { ReactNode } from 'react';

import { FieldError } from '../../common/FieldError.js';
import { Icon } from '../../common/Icon.js';
import { NumberField } from '../../common/NumberField.js';
import { Segmented, type SegmentOption } from '../../common/Segmented.js';
import { Toggle } from '../../common/Toggle.js';
import type { LivenessPolicy } from '../../../../electron/shared/shapes/liveness-policy.js';
import { LIVENESS_MODE_TEXT, type LivenessMode } from '../../wording/wording.js';
import { WindowEditor, windowIssue } from './WindowEditor.js';
import type { IssuePath } from './settings-issues.js';

type Schedule = LivenessPolicy['schedules'][number];

const MODES: readonly LivenessMode[] = ['off', 'passive', 'active', 'passive+active'];
const MODE_OPTIONS: readonly SegmentOption<LivenessMode>[] = MODES.map((mode) => ({ value: mode, label: LIVENESS_MODE_TEXT[mode] }));
/** Stands for "no mode of its own" in a Segmented (which takes strings only). */
const INHERIT = 'inherit';
const AFTER_HOURS: Schedule = {
  windows: [
    { days: [1, 2, 3, 4, 5], from: '00:00', to: '07:00' },
    { days: [1, 2, 3, 4, 5], from: '19:00', to: '24:00' },
    { days: [6, 7], from: '00:00', to: '24:00' },
  ],
  mode: 'passive+active',
};

export interface LivenessPolicyFieldsProps {
  readonly liveness: LivenessPolicy;
  readonly onChange: (liveness: LivenessPolicy) => void;
  /** Groups that may get a mode of their own. */
  readonly groupNames: readonly string[];
  /** Where the mode applies ("At this door", "At every door"), and the words for no mode of its own there. */
  readonly modeLabel: string;
  readonly inheritLabel: string;
  /** The issue at a path under the liveness policy, in words and in the field's unit. */
  readonly issue: (path: IssuePath, scale?: number, unit?: string) => string | undefined;
  /** More number fields beside the challenge's (the terminal's least passive score). */
  readonly extraFields?: ReactNode;
}

export function LivenessPolicyFields({ liveness, onChange, groupNames, modeLabel, inheritLabel, issue, extraFields }: LivenessPolicyFieldsProps): ReactNode {
  const set = (next: Partial<LivenessPolicy>): void => onChange({ ...liveness, ...next });
  const setGroup = (group: string, mode: LivenessMode | typeof INHERIT): void => {
    const { [group]: _old, ...rest } = liveness.groups;
    set({ groups: mode === INHERIT ? rest : { ...rest, [group]: mode } });
  };
  /** A duration the policy keeps in ms, shown in seconds. */
  const secondsField = (key: 'challengeTimeoutMs' | 'retryPauseMs', label: string, hint: string): ReactNode => (
    <NumberField label={label} unit="s" scale={1_000} value={liveness[key]} onChange={(value) => set({ [key]: value ?? Number.NaN })} hint={hint} error={issue([key], 1_000, 's')} />
  );
  const setSchedule = (index: number, schedule: Schedule | null): void =>
    set({ schedules: schedule === null ? liveness.schedules.filter((_, i) => i !== index) : liveness.schedules.map((other, i) => (i === index ? schedule : other)) });

  return (
    <>
      <Segmented<LivenessMode | typeof INHERIT>
        label={modeLabel}
        value={liveness.mode ?? INHERIT}
        options={[{ value: INHERIT, label: inheritLabel }, ...MODE_OPTIONS]}
        onChange={(mode) => set({ mode: mode === INHERIT ? null : mode })}
      />
      <div className="field-grid">
        {secondsField('challengeTimeoutMs', 'Time for the challenge', 'How long the person has to turn their head.')}
        <NumberField label="Tries" value={liveness.maxAttempts} onChange={(value) => set({ maxAttempts: value ?? Number.NaN })} hint="Challenges one face gets before it is refused." error={issue(['maxAttempts'])} />
        {secondsField('retryPauseMs', 'Pause before trying again', 'After “Liveness failed — try again”.')}
        {extraFields}
      </div>
      <Toggle label="Ask for a blink too" checked={liveness.blink} onChange={(blink) => set({ blink })} onText="Sometimes" offText="Turns only" hint="One challenge in three asks for a blink instead of a head turn." />
      <Toggle
        label="Refuse faces as still as a photo"
        checked={liveness.naturalMotion}
        onChange={(naturalMotion) => set({ naturalMotion })}
        onText="On"
        offText="Off"
        hint="With the passive check: the door watches the face for 2.4 s before letting in, and refuses one that moves no more than a held photo. Stops many prints; refuses a few more people who stand very still."
      />

      <h3 className="settings-subhead">
        <Icon name="users" />
        Per group
      </h3>
      <p className="field-hint">A member of a group with its own mode gets that mode instead of the door’s (with several, the checks of all of them).</p>
      {groupNames.length === 0 ? <p className="muted">No groups yet: give people groups first.</p> : null}
      {groupNames.map((group) => (
        <Segmented<LivenessMode | typeof INHERIT>
          key={group}
          label={group}
          value={liveness.groups[group] ?? INHERIT}
          options={[{ value: INHERIT, label: 'The door’s' }, ...MODE_OPTIONS]}
          onChange={(mode) => setGroup(group, mode)}
        />
      ))}
      {issue(['groups']) ? <FieldError>{issue(['groups'])}</FieldError> : null}

      <h3 className="settings-subhead">
        <Icon name="clock" />
        By the hour
      </h3>
      <p className="field-hint">During these hours this mode applies to everyone, before groups and the door’s mode; the first that applies wins.</p>
      {liveness.schedules.map((schedule, index) => (
        <div key={index} className="schedule-group">
          <Segmented label={`Hours ${index + 1}: mode`} value={schedule.mode} options={MODE_OPTIONS} onChange={(mode) => setSchedule(index, { ...schedule, mode })} />
          {schedule.windows.map((window, windowIndex) => (
            <WindowEditor
              key={windowIndex}
              group={`Liveness hours ${index + 1}`}
              index={windowIndex}
              window={window}
              error={windowIssue(issue, ['schedules', index, 'windows', windowIndex])}
              onChange={(next) => setSchedule(index, { ...schedule, windows: schedule.windows.map((other, i) => (i === windowIndex ? next : other)) })}
              onRemove={() => setSchedule(index, schedule.windows.length > 1 ? { ...schedule, windows: schedule.windows.filter((_, i) => i !== windowIndex) } : null)}
            />
          ))}
          <div className="button-row">
            <button type="button" className="btn btn-small" onClick={() => setSchedule(index, { ...schedule, windows: [...schedule.windows, { days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' }] })} disabled={schedule.windows.length >= 28}>
              <Icon name="plus" />
              Add hours
            </button>
            <button type="button" className="btn btn-small" onClick={() => setSchedule(index, null)}>
              <Icon name="trash" />
              Remove
            </button>
          </div>
        </div>
      ))}
      <button type="button" className="btn" onClick={() => set({ schedules: [...liveness.schedules, AFTER_HOURS] })} disabled={liveness.schedules.length >= 16}>
        <Icon name="plus" />
        Add hours with their own mode
      </button>
    </>
  );
}
