// The liveness policy's fields — the mode, the challenge, per group, by the hour — shared by the terminal's
// Settings and the hub's site settings and door policies, which each say where the policy applies and check it
// with the terminal's own schema.
import type { ReactNode } from 'react';

import { NumberField } from '../../common/NumberField.js';
import { Segmented, type SegmentOption } from '../../common/Segmented.js';
import { Toggle } from '../../common/Toggle.js';
import type { LivenessPolicy } from '../../../../electron/shared/shapes/liveness-policy.js';
import { LIVENESS_MODE_TEXT, type LivenessMode } from '../../wording/wording.js';
import { ModesByGroupAndHours } from './ModesByGroupAndHours.js';
import type { IssuePath } from './settings-issues.js';

const MODES: readonly LivenessMode[] = ['off', 'passive', 'active', 'passive+active'];
const MODE_OPTIONS: readonly SegmentOption<LivenessMode>[] = MODES.map((mode) => ({ value: mode, label: LIVENESS_MODE_TEXT[mode] }));
/** Stands for "no mode of its own" in a Segmented (which takes strings only). */
const INHERIT = 'inherit';

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
  /** A duration the policy keeps in ms, shown in seconds. */
  const secondsField = (key: 'challengeTimeoutMs' | 'retryPauseMs', label: string, hint: string): ReactNode => (
    <NumberField label={label} unit="s" scale={1_000} value={liveness[key]} onChange={(value) => set({ [key]: value ?? Number.NaN })} hint={hint} error={issue([key], 1_000, 's')} />
  );

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

      <ModesByGroupAndHours<LivenessMode>
        modeOptions={MODE_OPTIONS}
        groups={liveness.groups}
        schedules={liveness.schedules}
        groupNames={groupNames}
        onGroups={(groups) => set({ groups })}
        onSchedules={(schedules) => set({ schedules })}
        groupsHint="with several, the checks of all of them."
        groupsLabel="Liveness per group"
        hoursName="Liveness hours"
        afterHoursMode="passive+active"
        addLabel="Add hours with their own mode"
        issue={issue}
      />
    </>
  );
}
