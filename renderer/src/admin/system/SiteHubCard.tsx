// The site hub a door joined: whether it reaches the hub, how far it has applied the site's changes, and what
// waits to be sent. People are managed on the hub, so this is where an administrator at the door learns why.
import type { ReactNode } from 'react';

import type { ResponseOf } from '../../contract.js';
import { Notice } from '../../common/ErrorNotice.js';
import { Facts } from '../../common/Facts.js';

/** The hub link as system:get carries it. */
export type SiteHubInfo = NonNullable<ResponseOf<'system:get'>['hub']>;

export function SiteHubCard({ hub }: { readonly hub: SiteHubInfo }): ReactNode {
  const behind = Math.max(0, hub.headSeq - hub.appliedSeq);
  return (
    <section className="card" aria-labelledby="sys-hub">
      <h2 id="sys-hub">Site hub</h2>
      <Facts
        rows={[
          ['Site', `${hub.siteId} (this door is ${hub.terminalId})`],
          ['Hub', hub.connected ? 'Connected' : 'Not reachable: the door decides from its own copy and catches up later'],
          ['Site changes', behind === 0 ? `Up to date (change ${hub.appliedSeq})` : `${behind} to apply (at change ${hub.appliedSeq} of ${hub.headSeq})`],
          ['Waiting to be sent', `${hub.pendingEvents} event${hub.pendingEvents === 1 ? '' : 's'}, ${hub.pendingEnrollments} enrollment${hub.pendingEnrollments === 1 ? '' : 's'}`],
        ]}
      />
      <p className="muted">People are added, changed and deleted on the hub; an enrollment here is sent to the hub.</p>
      {hub.lastError ? <Notice tone="warning">{hub.lastError}</Notice> : null}
    </section>
  );
}
