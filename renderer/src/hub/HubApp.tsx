// The hub's admin UI: the login (or the first admin's setup) until a session exists, then the site's persons,
// access rules (groups, schedules, door policies, site settings), doors and events. A call answered 'unauthorized' (the session expired or was ended) returns to the login.
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';

import { Icon, type IconName } from '../common/Icon.js';
import { HubAccessScreen } from './HubAccessScreen.js';
import type { HubClient } from './hub-client.js';
import { HubClientContext, useHubClient } from './hub-services.js';
import { HubDoorsScreen } from './HubDoorsScreen.js';
import { HubEventsScreen } from './HubEventsScreen.js';
import { HubLogin } from './HubLogin.js';
import { HubPersonsScreen } from './HubPersonsScreen.js';

export type HubTab = 'persons' | 'access' | 'doors' | 'events';

const TABS: readonly { readonly tab: HubTab; readonly label: string; readonly icon: IconName }[] = [
  { tab: 'persons', label: 'Persons', icon: 'users' },
  { tab: 'access', label: 'Access', icon: 'lock' },
  { tab: 'doors', label: 'Doors', icon: 'door' },
  { tab: 'events', label: 'Events', icon: 'list' },
];

type Session = { readonly state: 'checking' } | { readonly state: 'out'; readonly expired: boolean } | { readonly state: 'in'; readonly username: string };

/** `client` whose every answer 'unauthorized' (beyond the login itself) calls `onLost`. */
function watchSession(client: HubClient, onLost: () => void): HubClient {
  const watched: Record<string, (request: never) => Promise<unknown>> = {};
  for (const [channel, call] of Object.entries(client) as [string, (request: never) => Promise<{ ok: boolean; error?: { code: string } }>][]) {
    watched[channel] = async (request) => {
      const result = await call(request);
      if (!result.ok && result.error?.code === 'unauthorized' && channel !== 'admin:login') onLost();
      return result;
    };
  }
  return watched as unknown as HubClient;
}

export function HubApp({ initialTab = 'persons' }: { readonly initialTab?: HubTab }): ReactNode {
  const rawClient = useHubClient();
  const [session, setSession] = useState<Session>({ state: 'checking' });
  const [tab, setTab] = useState<HubTab>(initialTab);
  const lost = useCallback(() => setSession((current) => (current.state === 'in' ? { state: 'out', expired: true } : current)), []);
  const client = useMemo(() => watchSession(rawClient, lost), [rawClient, lost]);

  useEffect(() => {
    let live = true;
    void rawClient['admin:whoami']({}).then((result) => {
      if (live) setSession(result.ok ? { state: 'in', username: result.value.username } : { state: 'out', expired: false });
    });
    return () => {
      live = false;
    };
  }, [rawClient]);

  const logOut = async (): Promise<void> => {
    await rawClient['admin:logout']({});
    setSession({ state: 'out', expired: false });
  };

  if (session.state === 'checking') return <p className="muted hub-checking">Connecting to the hub…</p>;
  if (session.state === 'out') return <HubLogin expired={session.expired} onSignedIn={(username) => setSession({ state: 'in', username })} />;
  return (
    <HubClientContext.Provider value={client}>
      <div className="admin hub">
        <nav className="admin-nav" aria-label="Site administration">
          <div className="admin-identity">
            <span className="admin-terminal">Lintel hub</span>
            <span className="admin-user">
              <Icon name="user" />
              {session.username}
            </span>
          </div>
          <ul className="admin-tabs">
            {TABS.map((entry) => (
              <li key={entry.tab}>
                <button type="button" className="admin-tab" aria-current={entry.tab === tab ? 'page' : undefined} onClick={() => setTab(entry.tab)}>
                  <Icon name={entry.icon} />
                  <span>{entry.label}</span>
                </button>
              </li>
            ))}
          </ul>
          <button type="button" className="btn admin-logout" onClick={() => void logOut()}>
            <Icon name="logout" />
            Log out
          </button>
        </nav>
        <main className="admin-main">
          {tab === 'persons' ? <HubPersonsScreen /> : null}
          {tab === 'access' ? <HubAccessScreen /> : null}
          {tab === 'doors' ? <HubDoorsScreen /> : null}
          {tab === 'events' ? <HubEventsScreen /> : null}
        </main>
      </div>
    </HubClientContext.Provider>
  );
}
