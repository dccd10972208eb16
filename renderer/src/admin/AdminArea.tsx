// The admin area: a navigation of sections (a sidebar in landscape, a tab bar in portrait), the section shown,
// a log-out button, and a logout by itself after the configured idle time.
import { useCallback, useEffect, type ReactNode } from 'react';

import { useClient } from '../app/services.js';
import { Icon, type IconName } from '../common/Icon.js';
import { Notice } from '../common/ErrorNotice.js';
import { useLintel, type AdminTab } from '../store/store.js';
import { EnrollScreen } from './enroll/EnrollScreen.js';
import { EventsScreen } from './events/EventsScreen.js';
import { DEFAULT_IDLE_LOGOUT_MS } from './idle-logout.js';
import { ImportScreen } from './import/ImportScreen.js';
import { PeopleScreen } from './people/PeopleScreen.js';
import { SettingsScreen } from './settings/SettingsScreen.js';
import { SystemScreen } from './system/SystemScreen.js';
import { useIdleLogout } from './use-idle-logout.js';

const TABS: readonly { readonly tab: AdminTab; readonly label: string; readonly icon: IconName }[] = [
  { tab: 'enroll', label: 'Enroll', icon: 'camera' },
  { tab: 'people', label: 'People', icon: 'users' },
  { tab: 'import', label: 'Import', icon: 'import' },
  { tab: 'events', label: 'Events', icon: 'list' },
  { tab: 'settings', label: 'Settings', icon: 'settings' },
  { tab: 'system', label: 'System', icon: 'chip' },
];

function TabContent({ tab }: { readonly tab: AdminTab }): ReactNode {
  switch (tab) {
    case 'enroll':
      return <EnrollScreen />;
    case 'people':
      return <PeopleScreen />;
    case 'import':
      return <ImportScreen />;
    case 'events':
      return <EventsScreen />;
    case 'settings':
      return <SettingsScreen />;
    case 'system':
      return <SystemScreen />;
  }
}

export function AdminArea(): ReactNode {
  const client = useClient();
  const tab = useLintel((state) => state.adminTab);
  const setAdminTab = useLintel((state) => state.setAdminTab);
  const username = useLintel((state) => state.admin?.username ?? '');
  const terminalName = useLintel((state) => state.terminalName);
  const idleLogoutMs = useLintel((state) => state.idleLogoutMs);
  const adminNotice = useLintel((state) => state.adminNotice);
  const showDoor = useLintel((state) => state.showDoor);
  const setTerminalSettings = useLintel((state) => state.setTerminalSettings);

  useEffect(() => {
    client['settings:get']({})
      .then((result) => {
        if (result.ok) setTerminalSettings({ terminalName: result.value.settings['terminal.name'], idleLogoutMs: result.value.settings['admin.idleLogoutMs'] });
      })
      .catch(() => undefined);
  }, [client, setTerminalSettings]);

  const logOut = useCallback(() => {
    // Leave first, so the open section cleans up (a live enrollment is cancelled) while the session still counts.
    showDoor();
    window.setTimeout(() => void client['admin:logout']({}), 0);
  }, [client, showDoor]);

  // Any call counts as the session's use on the terminal; the status is the smallest.
  const stillHere = useCallback(() => void client['admin:status']({}), [client]);
  const idle = useIdleLogout(idleLogoutMs ?? DEFAULT_IDLE_LOGOUT_MS, logOut, stillHere);

  return (
    <div className="admin">
      <nav className="admin-nav" aria-label="Administration">
        <div className="admin-identity">
          <span className="admin-terminal">{terminalName ?? 'Lintel'}</span>
          <span className="admin-user">
            <Icon name="user" />
            {username}
          </span>
        </div>
        <ul className="admin-tabs">
          {TABS.map((entry) => (
            <li key={entry.tab}>
              <button type="button" className="admin-tab" aria-current={entry.tab === tab ? 'page' : undefined} onClick={() => setAdminTab(entry.tab)}>
                <Icon name={entry.icon} />
                <span>{entry.label}</span>
              </button>
            </li>
          ))}
        </ul>
        <button type="button" className="btn admin-logout" onClick={logOut}>
          <Icon name="logout" />
          Log out
        </button>
      </nav>
      <main className="admin-main">
        {idle.phase === 'warning' ? (
          <div className="notice notice-warning idle-warning" role="alert">
            <Icon name="clock" />
            <div className="notice-body">
              <strong>Logging out in {Math.ceil(idle.remainingMs / 1_000)} s</strong>
              <span>Nobody has touched the screen for a while.</span>
            </div>
            <button type="button" className="btn btn-primary" onClick={idle.stayActive}>
              Stay logged in
            </button>
          </div>
        ) : null}
        {adminNotice ? <Notice tone="success">{adminNotice}</Notice> : null}
        <TabContent tab={tab} />
      </main>
    </div>
  );
}
