// Card and face: whether a face alone opens the door or a card must be read first, its holder's face then compared
// with that one person only — for the whole door, per group, and during weekly hours (e.g. the card after hours).
// Resolution: the first schedule in force, else the card if any of the person's groups asks for it, else the door's.
import type { ReactNode } from 'react';

import { useKnownGroups } from '../use-known-groups.js';
import { CredentialPolicyFields } from './CredentialPolicyFields.js';
import type { SectionProps } from './section-props.js';

export function CredentialSettings({ draft, change, issue }: SectionProps): ReactNode {
  const knownGroups = useKnownGroups();
  const policy = draft['access.policy'];
  const credential = policy.credential;
  const groupNames = [...new Set([...knownGroups, ...Object.keys(policy.schedules), ...Object.keys(credential.groups)])].sort();

  return (
    <fieldset className="settings-section">
      <legend>Card and face</legend>
      <CredentialPolicyFields
        credential={credential}
        onChange={(next) => change('access.policy', { ...policy, credential: next })}
        groupNames={groupNames}
        modeLabel="What this door asks for"
        issue={(path, scale, unit) => issue(['access.policy', 'credential', ...path], scale, unit)}
      />
    </fieldset>
  );
}
