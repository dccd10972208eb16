// The site's access rules in one area: groups, their schedules, each door's policy and the site's settings.
// Each part saves its own documents; doors pick every change up from the change log.
import { useState, type ReactNode } from 'react';

import { Icon, type IconName } from '../common/Icon.js';
import { HubDoorPoliciesScreen } from './HubDoorPoliciesScreen.js';
import { HubGroupsScreen } from './HubGroupsScreen.js';
import { HubSchedulesScreen } from './HubSchedulesScreen.js';
import { HubSiteSettingsScreen } from './HubSiteSettingsScreen.js';

export type AccessPart = 'groups' | 'schedules' | 'policies' | 'settings';

const PARTS: readonly { readonly part: AccessPart; readonly label: string; readonly icon: IconName }[] = [
  { part: 'groups', label: 'Groups', icon: 'users' },
  { part: 'schedules', label: 'Schedules', icon: 'clock' },
  { part: 'policies', label: 'Door policies', icon: 'door' },
  { part: 'settings', label: 'Site settings', icon: 'settings' },
];

export function HubAccessScreen({ initialPart = 'groups' }: { readonly initialPart?: AccessPart }): ReactNode {
  const [part, setPart] = useState<AccessPart>(initialPart);
  return (
    <div className="hub-access">
      <header className="screen-header">
        <h1>Access</h1>
      </header>
      <nav className="segmented hub-access-nav" aria-label="Access rules">
        {PARTS.map((entry) => (
          <button key={entry.part} type="button" className={entry.part === part ? 'segment segment-on' : 'segment'} aria-current={entry.part === part ? 'page' : undefined} onClick={() => setPart(entry.part)}>
            <Icon name={entry.icon} />
            {entry.label}
          </button>
        ))}
      </nav>
      {part === 'groups' ? <HubGroupsScreen /> : null}
      {part === 'schedules' ? <HubSchedulesScreen /> : null}
      {part === 'policies' ? <HubDoorPoliciesScreen /> : null}
      {part === 'settings' ? <HubSiteSettingsScreen /> : null}
    </div>
  );
}
