// Card and face from the hub: the site's settings may set one credential policy for every door, and a door's
// policy one for that door. A door applies it whole, in place of its own (`access.policy.credential`), through its
// own checks; each policy is checked here first with the terminal's schema. Off leaves it to the level below: for a
// door, the site's; for the site, each door's own.
import type { ReactNode } from 'react';

import { credentialPolicySchema, type CredentialPolicy } from '../../../electron/shared/shapes/credential-policy.js';
import { CredentialPolicyFields } from '../admin/settings/CredentialPolicyFields.js';
import { issueAt, issueText, type SettingsIssue } from '../admin/settings/settings-issues.js';
import { Toggle } from '../common/Toggle.js';
import { CREDENTIAL_MODE_TEXT } from '../wording/wording.js';
import { parsedPolicyValue, issuesIfSet, withPolicyValue } from './HubSettingsFields.js';

/** The credential policy a stored settings record sets (filled with the terminal's defaults), or undefined. */
export function credentialOf(settings: Readonly<Record<string, unknown>>): CredentialPolicy | undefined {
  return parsedPolicyValue(settings, 'credential', credentialPolicySchema);
}

/** `settings` with `credential` set, or removed when undefined. */
export function withCredential(settings: Readonly<Record<string, unknown>>, credential: CredentialPolicy | undefined): Record<string, unknown> {
  return withPolicyValue(settings, 'credential', credential);
}

/** The policy's issues by path under it, with the terminal's schema; empty when it may be sent. */
export function credentialIssues(credential: CredentialPolicy | undefined): ReadonlyMap<string, SettingsIssue> {
  return issuesIfSet(credentialPolicySchema, credential);
}

/** A credential policy in a few words, for a list: "Card, then face; 2 groups their own; 1 set of hours". */
export function credentialText(credential: CredentialPolicy): string {
  const groups = Object.keys(credential.groups).length;
  return [
    CREDENTIAL_MODE_TEXT[credential.mode],
    ...(groups > 0 ? [`${groups} group${groups === 1 ? '' : 's'} their own`] : []),
    ...(credential.schedules.length > 0 ? [`${credential.schedules.length} set${credential.schedules.length === 1 ? '' : 's'} of hours`] : []),
  ].join('; ');
}

export function HubCredentialSection({
  scope,
  credential,
  onChange,
  issues,
  groups,
  siteCredential,
}: {
  readonly scope: 'site' | 'door';
  /** The policy set at this level; undefined: left to the level below. */
  readonly credential: CredentialPolicy | undefined;
  readonly onChange: (credential: CredentialPolicy | undefined) => void;
  readonly issues: ReadonlyMap<string, SettingsIssue>;
  /** The site's groups, which may get a mode of their own. */
  readonly groups: readonly string[];
  /** For a door: the site's policy, which it follows unless it sets its own. */
  readonly siteCredential?: CredentialPolicy;
}): ReactNode {
  const below = scope === 'site' ? 'Each door’s own' : siteCredential ? `The site’s (${credentialText(siteCredential)})` : 'The door’s own';
  const groupNames = [...new Set([...groups, ...Object.keys(credential?.groups ?? {})])].sort();
  return (
    <>
      <Toggle
        label={scope === 'site' ? 'Card and face for every door' : 'Card and face at this door'}
        checked={credential !== undefined}
        onChange={(on) => onChange(on ? (siteCredential ?? credentialPolicySchema.parse({})) : undefined)}
        onText="Set here"
        offText={below}
        hint={
          scope === 'site'
            ? 'Whether a face alone opens a door or a card must be read first — for every door, per group, by the hour — replacing each door’s own; a door policy can set its own.'
            : 'Set here, it replaces the site’s card and face settings at this door.'
        }
      />
      {credential !== undefined ? (
        <CredentialPolicyFields
          credential={credential}
          onChange={onChange}
          groupNames={groupNames}
          modeLabel={scope === 'site' ? 'What every door asks for' : 'What this door asks for'}
          issue={(path, scale, unit) => {
            const issue = issueAt(issues, path);
            return issue ? issueText(issue, scale, unit) : undefined;
          }}
        />
      ) : null}
    </>
  );
}
