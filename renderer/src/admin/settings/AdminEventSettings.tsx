// Administration and the access log: idle logout, snapshots and how long things are kept.
import type { ReactNode } from 'react';

import { NumberField } from '../../common/NumberField.js';
import { Segmented } from '../../common/Segmented.js';
import type { SectionProps } from './section-props.js';

export function AdminEventSettings({ draft, change, issue }: SectionProps): ReactNode {
  return (
    <fieldset className="settings-section">
      <legend>Administration and access log</legend>
      <div className="field-grid">
        <NumberField
          label="Log out after"
          unit="s"
          scale={1_000}
          value={draft['admin.idleLogoutMs']}
          onChange={(value) => change('admin.idleLogoutMs', value ?? Number.NaN)}
          hint="Without a touch or key press, the admin area closes by itself."
          error={issue(['admin.idleLogoutMs'], 1_000, 's')}
        />
        <NumberField
          label="Admin session at most"
          unit="min"
          scale={60_000}
          value={draft['admin.sessionMaxMs']}
          onChange={(value) => change('admin.sessionMaxMs', value ?? Number.NaN)}
          hint="Then a new login, however busy the admin."
          error={issue(['admin.sessionMaxMs'], 60_000, 'min')}
        />
        <NumberField
          label="Keep events"
          unit="days"
          value={draft['events.retentionDays']}
          onChange={(value) => change('events.retentionDays', value ?? Number.NaN)}
          error={issue(['events.retentionDays'], 1, 'days')}
        />
        <NumberField
          label="Keep snapshots"
          unit="days"
          value={draft['events.snapshotRetentionDays']}
          onChange={(value) => change('events.snapshotRetentionDays', value ?? Number.NaN)}
          hint="0 deletes them at once."
          error={issue(['events.snapshotRetentionDays'], 1, 'days')}
        />
      </div>
      <Segmented
        label="Snapshots of the face at the door"
        value={draft['events.snapshots']}
        onChange={(value) => change('events.snapshots', value)}
        options={[
          { value: 'none', label: 'None' },
          { value: 'denied', label: 'Denied only' },
          { value: 'all', label: 'All decisions' },
        ]}
      />
    </fieldset>
  );
}
