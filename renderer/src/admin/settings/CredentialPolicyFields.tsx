// The credential policy's fields — face alone or card then face, per group, by the hour, and how long a card
// waits for its holder's face — shared by the terminal's Settings and the hub's site settings and door policies,
// which each say where the policy applies and check it with the terminal's own schema.
import type { ReactNode } from 'react';

import { NumberField } from '../../common/NumberField.js';
import { Segmented, type SegmentOption } from '../../common/Segmented.js';
import { CREDENTIAL_MODES, type CredentialMode, type CredentialPolicy } from '../../../../electron/shared/shapes/credential-policy.js';
import { CREDENTIAL_MODE_TEXT } from '../../wording/wording.js';
import { ModesByGroupAndHours } from './ModesByGroupAndHours.js';
import type { IssuePath } from './settings-issues.js';

const MODE_OPTIONS: readonly SegmentOption<CredentialMode>[] = CREDENTIAL_MODES.map((mode) => ({ value: mode, label: CREDENTIAL_MODE_TEXT[mode] }));

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
  return (
    <>
      <Segmented<CredentialMode> label={modeLabel} value={credential.mode} options={MODE_OPTIONS} onChange={(mode) => set({ mode })} />
      <p className="field-hint">
        Face alone: the face is searched among everyone enrolled. Card, then face: the person presents their card at the door’s reader and the face is
        compared with the card holder’s only. Strangers cannot be taken for someone enrolled; needs a card reader (Settings › Door inputs) and a card
        number on each person.
      </p>
      <Segmented<CredentialMode>
        label="Young children"
        value={credential.youngChildren}
        options={MODE_OPTIONS}
        onChange={(youngChildren) => set({ youngChildren })}
      />
      <p className="field-hint">
        People whose enrolled photos look under 6 years old, whatever their groups and the hours. Face recognition tells young children apart badly: one
        enrolled child draws other children’s faces, so the face alone could let another child in as them. Without a card reader they are not let in by
        face.
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

      <ModesByGroupAndHours<CredentialMode>
        modeOptions={MODE_OPTIONS}
        groups={credential.groups}
        schedules={credential.schedules}
        groupNames={groupNames}
        onGroups={(groups) => set({ groups })}
        onSchedules={(schedules) => set({ schedules })}
        groupsHint="with several, the card wins."
        groupsLabel="Card or face per group"
        hoursName="Card hours"
        afterHoursMode="card+face"
        addLabel="Add hours with their own card mode"
        issue={issue}
      />
    </>
  );
}
