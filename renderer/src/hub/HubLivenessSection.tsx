// Liveness from the hub: the site's settings may set one liveness policy for every door, and a door's policy one
// for that door. A door applies it whole, in place of its own (`access.policy.liveness`), through its own checks;
// each policy is checked here first with the terminal's schema. Off leaves it to the level below: for a door, the
// site's; for the site, each door's own.
import type { ReactNode } from 'react';

import { livenessPolicySchema, type LivenessPolicy } from '../../../electron/shared/shapes/liveness-policy.js';
import { LivenessPolicyFields } from '../admin/settings/LivenessPolicyFields.js';
import { issueAt, issueText, type SettingsIssue } from '../admin/settings/settings-issues.js';
import { Toggle } from '../common/Toggle.js';
import { LIVENESS_MODE_TEXT } from '../wording/wording.js';
import { parsedPolicyValue, issuesIfSet, withPolicyValue } from './HubSettingsFields.js';

/** The liveness policy a stored settings record sets (filled with the terminal's defaults), or undefined. */
export function livenessOf(settings: Readonly<Record<string, unknown>>): LivenessPolicy | undefined {
  return parsedPolicyValue(settings, 'liveness', livenessPolicySchema);
}

/** `settings` with `liveness` set, or removed when undefined. */
export function withLiveness(settings: Readonly<Record<string, unknown>>, liveness: LivenessPolicy | undefined): Record<string, unknown> {
  return withPolicyValue(settings, 'liveness', liveness);
}

/** The policy's issues by path under it, with the terminal's schema; empty when it may be sent. */
export function livenessIssues(liveness: LivenessPolicy | undefined): ReadonlyMap<string, SettingsIssue> {
  return issuesIfSet(livenessPolicySchema, liveness);
}

/** A liveness policy in a few words, for a list: "Passive + challenge; 2 groups their own; 1 set of hours". */
export function livenessText(liveness: LivenessPolicy): string {
  const groups = Object.keys(liveness.groups).length;
  return [
    liveness.mode === null ? 'Lintel’s default mode' : LIVENESS_MODE_TEXT[liveness.mode],
    ...(groups > 0 ? [`${groups} group${groups === 1 ? '' : 's'} their own`] : []),
    ...(liveness.schedules.length > 0 ? [`${liveness.schedules.length} set${liveness.schedules.length === 1 ? '' : 's'} of hours`] : []),
  ].join('; ');
}

export function HubLivenessSection({
  scope,
  liveness,
  onChange,
  issues,
  groups,
  siteLiveness,
}: {
  readonly scope: 'site' | 'door';
  /** The policy set at this level; undefined: left to the level below. */
  readonly liveness: LivenessPolicy | undefined;
  readonly onChange: (liveness: LivenessPolicy | undefined) => void;
  readonly issues: ReadonlyMap<string, SettingsIssue>;
  /** The site's groups, which may get a mode of their own. */
  readonly groups: readonly string[];
  /** For a door: the site's policy, which it follows unless it sets its own. */
  readonly siteLiveness?: LivenessPolicy;
}): ReactNode {
  const below = scope === 'site' ? 'Each door’s own' : siteLiveness ? `The site’s (${livenessText(siteLiveness)})` : 'The door’s own';
  const groupNames = [...new Set([...groups, ...Object.keys(liveness?.groups ?? {})])].sort();
  return (
    <>
      <Toggle
        label={scope === 'site' ? 'Liveness for every door' : 'Liveness of this door'}
        checked={liveness !== undefined}
        onChange={(on) => onChange(on ? (siteLiveness ?? livenessPolicySchema.parse({})) : undefined)}
        onText="Set here"
        offText={below}
        hint={
          scope === 'site'
            ? 'Which checks a grant needs at every door — passive, the head-turn challenge, both — replacing each door’s own; a door policy can set its own.'
            : 'Set here, it replaces the site’s liveness at this door.'
        }
      />
      {liveness !== undefined ? (
        <LivenessPolicyFields
          liveness={liveness}
          onChange={onChange}
          groupNames={groupNames}
          modeLabel={scope === 'site' ? 'At every door' : 'At this door'}
          inheritLabel="Lintel’s default"
          issue={(path, scale, unit) => {
            const issue = issueAt(issues, path);
            return issue ? issueText(issue, scale, unit) : undefined;
          }}
        />
      ) : null}
    </>
  );
}
