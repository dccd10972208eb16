// A pick of the site's groups as toggle chips (the kiosk's chip style); a chosen name the site has no group
// document for still shows, so an unknown group is never dropped silently.
import type { ReactNode } from 'react';

import { Icon } from '../common/Icon.js';

export function GroupChips({ label, groups, chosen, onChange }: { readonly label: string; readonly groups: readonly string[]; readonly chosen: readonly string[]; readonly onChange: (chosen: string[]) => void }): ReactNode {
  const all = [...new Set([...groups, ...chosen])].sort((a, b) => a.localeCompare(b));
  const toggle = (group: string): void => onChange(chosen.includes(group) ? chosen.filter((other) => other !== group) : [...chosen, group].sort((a, b) => a.localeCompare(b)));
  if (all.length === 0) return <p className="muted">The site has no groups yet: create them under Access → Groups.</p>;
  return (
    <div className="chips" role="group" aria-label={label}>
      {all.map((group) => {
        const on = chosen.includes(group);
        return (
          <button key={group} type="button" className={on ? 'chip chip-on' : 'chip'} aria-pressed={on} onClick={() => toggle(group)}>
            {on ? <Icon name="check" /> : null}
            {group}
            {groups.includes(group) ? null : <span className="muted"> (no such group)</span>}
          </button>
        );
      })}
    </div>
  );
}
