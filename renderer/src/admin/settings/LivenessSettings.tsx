// Liveness: which checks a grant needs — the passive model's score, the challenge (turn the head, blink), both
// or none — for the whole door, per group, and during weekly hours (e.g. the challenge only after hours), and
// how the challenge runs. Resolution: the first schedule in force, else the person's groups, else the door's.
import { useEffect, useState, type ReactNode } from 'react';

import { useClient } from '../../app/services.js';
import { FieldError } from '../../common/FieldError.js';
import { Notice } from '../../common/ErrorNotice.js';
import { Icon } from '../../common/Icon.js';
import { NumberField } from '../../common/NumberField.js';
import { Segmented, type SegmentOption } from '../../common/Segmented.js';
import { asSentence } from '../../common/sentence.js';
import { Toggle } from '../../common/Toggle.js';
import { useLintel } from '../../store/store.js';
import type { Settings } from '../../store/types.js';
import { LIVENESS_MODE_TEXT, type LivenessMode } from '../../wording/wording.js';
import { WindowEditor } from './SchedulesEditor.js';
import type { SectionProps } from './section-props.js';

type Liveness = Settings['access.policy']['liveness'];
type Schedule = Liveness['schedules'][number];

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

export function LivenessSettings({ draft, change, issue }: SectionProps): ReactNode {
  const client = useClient();
  const health = useLintel((state) => state.health);
  const [knownGroups, setKnownGroups] = useState<readonly string[]>([]);
  useEffect(() => {
    client['groups:list']({})
      .then((result) => {
        if (result.ok) setKnownGroups(result.value.map((group) => group.name));
      })
      .catch(() => undefined);
  }, [client]);
  const policy = draft['access.policy'];
  const liveness = policy.liveness;
  const set = (next: Partial<Liveness>): void => change('access.policy', { ...policy, liveness: { ...liveness, ...next } });
  const path = (...rest: (string | number)[]): (string | number)[] => ['access.policy', 'liveness', ...rest];
  const defaultMode = health?.liveness && liveness.mode === null ? health.liveness.mode : undefined;
  const groupNames = [...new Set([...knownGroups, ...Object.keys(policy.schedules), ...Object.keys(liveness.groups)])].sort();
  const setGroup = (group: string, mode: LivenessMode | typeof INHERIT): void => {
    const { [group]: _old, ...rest } = liveness.groups;
    set({ groups: mode === INHERIT ? rest : { ...rest, [group]: mode } });
  };
  const setSchedule = (index: number, schedule: Schedule | null): void =>
    set({ schedules: schedule === null ? liveness.schedules.filter((_, i) => i !== index) : liveness.schedules.map((other, i) => (i === index ? schedule : other)) });

  return (
    <fieldset className="settings-section">
      <legend>Liveness</legend>
      <p className="field-hint">
        Stops a photo or a screen from opening the door. Passive: a model scores each face and can only refuse. Challenge: the door asks for a
        short head turn (or a blink) and checks that the face moves like a head, not like a flat picture.
      </p>
      {health?.liveness?.passiveUnavailable ? (
        <Notice tone="warning">
          <strong>The passive check is not running</strong>
          <span>{asSentence(health.liveness.passiveUnavailable)}.</span>
        </Notice>
      ) : null}
      {health?.liveness?.trainedCue ? (
        <p className="field-hint">
          A check trained on this site&apos;s own recordings is installed and refuses, with the passive check, faces it judges a photo or a screen. See
          System › Liveness.
        </p>
      ) : null}
      <Segmented<LivenessMode | typeof INHERIT>
        label="At this door"
        value={liveness.mode ?? INHERIT}
        options={[{ value: INHERIT, label: defaultMode ? `Default (${LIVENESS_MODE_TEXT[defaultMode]})` : 'Default' }, ...MODE_OPTIONS]}
        onChange={(mode) => set({ mode: mode === INHERIT ? null : mode })}
      />
      <div className="field-grid">
        <NumberField
          label="Time for the challenge"
          unit="s"
          scale={1_000}
          value={liveness.challengeTimeoutMs}
          onChange={(value) => set({ challengeTimeoutMs: value ?? Number.NaN })}
          hint="How long the person has to turn their head."
          error={issue(path('challengeTimeoutMs'), 1_000, 's')}
        />
        <NumberField label="Tries" value={liveness.maxAttempts} onChange={(value) => set({ maxAttempts: value ?? Number.NaN })} hint="Challenges one face gets before it is refused." error={issue(path('maxAttempts'))} />
        <NumberField
          label="Pause before trying again"
          unit="s"
          scale={1_000}
          value={liveness.retryPauseMs}
          onChange={(value) => set({ retryPauseMs: value ?? Number.NaN })}
          hint="After “Liveness failed — try again”."
          error={issue(path('retryPauseMs'), 1_000, 's')}
        />
        <NumberField
          label="Least passive score"
          value={policy.minLiveness}
          onChange={(value) => change('access.policy', { ...policy, minLiveness: value })}
          allowEmpty
          placeholder="Model's"
          hint="0 to 1, the mean over the face's frames. Empty: the passive model's own threshold (else 0.5)."
          error={issue(['access.policy', 'minLiveness'])}
        />
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
      {groupNames.length === 0 ? <p className="muted">No groups yet: give people groups on the People screen.</p> : null}
      {groupNames.map((group) => (
        <Segmented<LivenessMode | typeof INHERIT>
          key={group}
          label={group}
          value={liveness.groups[group] ?? INHERIT}
          options={[{ value: INHERIT, label: 'The door’s' }, ...MODE_OPTIONS]}
          onChange={(mode) => setGroup(group, mode)}
        />
      ))}
      {issue(path('groups')) ? <FieldError>{issue(path('groups'))}</FieldError> : null}

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
              error={issue(path('schedules', index, 'windows', windowIndex)) ?? issue(path('schedules', index, 'windows', windowIndex, 'to')) ?? issue(path('schedules', index, 'windows', windowIndex, 'from'))}
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
    </fieldset>
  );
}
