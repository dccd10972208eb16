// A person's details: name, external id, the days their access is valid, card credential, groups, and whether
// it is enabled.
import type { ReactNode } from 'react';

import { TextField } from '../../common/TextField.js';
import { Toggle } from '../../common/Toggle.js';
import { GroupPicker } from './GroupPicker.js';
import type { DraftProblems, PersonDraft } from './person-draft.js';
import { DateField } from '../../common/DateField.js';

/**
 * `groupsField` replaces the terminal's group picker where groups come from elsewhere (the hub's screens pick from
 * the site's groups).
 */
export function PersonForm({
  draft,
  onChange,
  problems,
  groupsField,
}: {
  readonly draft: PersonDraft;
  readonly onChange: (draft: PersonDraft) => void;
  readonly problems: DraftProblems | null;
  readonly groupsField?: ReactNode;
}): ReactNode {
  const set = <K extends keyof PersonDraft>(key: K, value: PersonDraft[K]): void => onChange({ ...draft, [key]: value });
  return (
    <div className="person-form">
      <TextField label="Name" value={draft.name} onChange={(value) => set('name', value)} maxLength={200} required error={problems?.name} />
      <TextField label="External id" value={draft.externalId} onChange={(value) => set('externalId', value)} maxLength={100} hint="A badge or staff number, if you use one." error={problems?.externalId} />
      <div className="field-pair">
        <DateField label="Valid from" value={draft.validFrom} onChange={(value) => set('validFrom', value)} error={problems?.validFrom} hint="Empty: from now on." />
        <DateField label="Valid until" value={draft.validUntil} onChange={(value) => set('validUntil', value)} error={problems?.validUntil} hint="Empty: no end. The last day counts in full." />
      </div>
      <div className="field-pair">
        <TextField label="Facility code" value={draft.facilityCode} onChange={(value) => set('facilityCode', value)} keyboard="digits" inputMode="numeric" maxLength={15} error={problems?.facilityCode} hint="Where the card format has one." />
        <TextField label="Card number" value={draft.cardNumber} onChange={(value) => set('cardNumber', value)} keyboard="digits" inputMode="numeric" maxLength={15} error={problems?.cardNumber} hint="Sent to the access-control panel when the face is granted. Empty: none." />
      </div>
      {groupsField ?? <GroupPicker label="Groups" value={draft.groups} onChange={(groups) => set('groups', groups)} />}
      <Toggle label="Access" checked={draft.enabled} onChange={(enabled) => set('enabled', enabled)} onText="Enabled" offText="Disabled" />
    </div>
  );
}
