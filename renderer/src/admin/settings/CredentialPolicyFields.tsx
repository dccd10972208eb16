// The credential policy's fields — face alone or card then face, per group, by the hour, and how long a card
// waits for its holder's face — shared by the terminal's Settings and the hub's site settings and door policies,
// which each say where the policy applies and check it with the terminal's own schema.
import type { ReactNode } from 'react';

import { FieldError } from '../../common/FieldError.js';
import { Icon } from '../../common/Icon.js';
import { NumberField } from '../../common/NumberField.js';
import { Segmented, type SegmentOption } from '../../common/Segmented.js';
import { CREDENTIAL_MODES, type CredentialMode, type CredentialPolicy, type CredentialSchedule } from '../../../../electron/shared/shapes/credential-policy.js';
import { CREDENTIAL_MODE_TEXT } from '../../wording/wording.js';
import { WindowEditor, windowIssue } from './WindowEditor.js';
import type { IssuePath } from './settings-issues.js';

const MODE_OPTIONS: readonly SegmentOption<CredentialMode>[] = CREDENTIAL_MODES.map((mode) => ({ value: mode, label: CREDENTIAL_MODE_TEXT[mode] }));
/** Stands for "no mode of its own" in a Segmented (which takes strings only). */
const INHERIT = 'inherit';
/** What "Add hours" starts from: the card after hours, when nobody watches the door. */
const AFTER_HOURS: CredentialSchedule = {
  windows: [
    { days: [1, 2, 3, 4, 5], from: '00:00', to: '07:00' },
    { days: [1, 2, 3, 4, 5], from: '19:00', to: '24:00' },
    { days: [6, 7], from: '00:00', to: '24:00' },
  ],
  mode: 'card+face',
};

export interface CredentialPolicyFieldsProps {
  readonly credential: CredentialPolicy;
  readonly onChange: (credential: CredentialPolicy) => void;
  /** Groups that may get a mode of their own. */
  readonly groupNames: readonly string[];
  /** Where the mode applies ("What this door asks for", "What every door asks for"). */
  readonly modeLabel: string;
  /** The issue at a path under the credential policy, in words and in the field's unit. */
  readonly issue: (path: IssuePath, scale?: number, unit?: string) => string | undefined;
}

export function CredentialPolicyFields({ credential, onChange, groupNames, modeLabel, issue }: CredentialPolicyFieldsProps): ReactNode {
  const set = (next: Partial<CredentialPolicy>): void => onChange({ ...credential, ...next });
  const setGroup = (group: string, mode: CredentialMode | typeof INHERIT): void => {
    const { [group]: _old, ...rest } = credential.groups;
    set({ groups: mode === INHERIT ? rest : { ...rest, [group]: mode } });
  };
  const setSchedule = (index: number, schedule: CredentialSchedule | null): void =>
    set({ schedules: schedule === null ? credential.schedules.filter((_, i) => i !== index) : credential.schedules.map((other, i) => (i === index ? schedule : other)) });

  return (
    <>
      <Segmented<CredentialMode> label={modeLabel} value={credential.mode} options={MODE_OPTIONS} onChange={(mode) => set({ mode })} />
      <p className="field-hint">
        Face alone: the face is searched among everyone enrolled. Card, then face: the person presents their card at the door’s reader and the face is
        compared with the card holder’s only. Strangers cannot be taken for someone enrolled; needs a card reader (Settings › Door inputs) and a card
        number on each person.
      </p>
      <div className="field-grid">
        <NumberField
          label="Time for the face after a card"
          unit="s"
          scale={1_000}
          value={credential.cardTimeoutMs}
          onChange={(value) => set({ cardTimeoutMs: value ?? Number.NaN })}
          hint="How long the door waits for the card holder’s face once the card is read (2 to 60 s)."
          error={issue(['cardTimeoutMs'], 1_000, 's')}
        />
      </div>

      <h3 className="settings-subhead">
        <Icon name="users" />
        Per group
      </h3>
      <p className="field-hint">A member of a group with its own mode gets that mode instead of the door’s; with several, the card wins.</p>
      {groupNames.length === 0 ? <p className="muted">No groups yet: give people groups first.</p> : null}
      {groupNames.length > 0 ? (
        <div role="group" aria-label="Card or face per group">
          {groupNames.map((group) => (
            <Segmented<CredentialMode | typeof INHERIT>
              key={group}
              label={group}
              value={credential.groups[group] ?? INHERIT}
              options={[{ value: INHERIT, label: 'The door’s' }, ...MODE_OPTIONS]}
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
      {credential.schedules.map((schedule, index) => (
        <div key={index} className="schedule-group">
          <Segmented label={`Card hours ${index + 1}: mode`} value={schedule.mode} options={MODE_OPTIONS} onChange={(mode) => setSchedule(index, { ...schedule, mode })} />
          {schedule.windows.map((window, windowIndex) => (
            <WindowEditor
              key={windowIndex}
              group={`Card hours ${index + 1}`}
              index={windowIndex}
              window={window}
              error={windowIssue(issue, ['schedules', index, 'windows', windowIndex])}
              onChange={(next) => setSchedule(index, { ...schedule, windows: schedule.windows.map((other, i) => (i === windowIndex ? next : other)) })}
              onRemove={() => setSchedule(index, schedule.windows.length > 1 ? { ...schedule, windows: schedule.windows.filter((_, i) => i !== windowIndex) } : null)}
            />
          ))}
          <div className="button-row">
            <button
              type="button"
              className="btn btn-small"
              onClick={() => setSchedule(index, { ...schedule, windows: [...schedule.windows, { days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' }] })}
              disabled={schedule.windows.length >= 28}
            >
              <Icon name="plus" />
              Add hours
            </button>
            <button type="button" className="btn btn-small" onClick={() => setSchedule(index, null)} aria-label={`Remove card hours ${index + 1}`}>
              <Icon name="trash" />
              Remove
            </button>
          </div>
        </div>
      ))}
      {issue(['schedules']) ? <FieldError>{issue(['schedules'])}</FieldError> : null}
      <button type="button" className="btn" onClick={() => set({ schedules: [...credential.schedules, AFTER_HOURS] })} disabled={credential.schedules.length >= 16}>
        <Icon name="plus" />
        Add hours with their own card mode
      </button>
    </>
  );
}
