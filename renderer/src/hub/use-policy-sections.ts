// The liveness policy, the credential policy and the door hours of a hub settings record as form state, shared by
// the site settings and the door policies: each checked with the terminal's schema, its problems shown once a save
// was tried.
import { useState } from 'react';

import type { CredentialPolicy } from '../../../electron/shared/shapes/credential-policy.js';
import type { LivenessPolicy } from '../../../electron/shared/shapes/liveness-policy.js';
import type { WeeklyWindow } from '../../../electron/shared/shapes/weekly-schedule.js';
import { issueAt, issueText, issuesByPath, type IssuePath, type SettingsIssue } from '../admin/settings/settings-issues.js';
import { credentialIssues, credentialOf, withCredential } from './HubCredentialSection.js';
import { livenessIssues, livenessOf, withLiveness } from './HubLivenessSection.js';
import { doorHoursOf, doorHoursSchema, withPolicyValue } from './HubSettingsFields.js';

export interface PolicySections {
  readonly liveness: LivenessPolicy | undefined;
  readonly setLiveness: (liveness: LivenessPolicy | undefined) => void;
  readonly credential: CredentialPolicy | undefined;
  readonly setCredential: (credential: CredentialPolicy | undefined) => void;
  readonly doorHours: WeeklyWindow[] | null;
  readonly setDoorHours: (hours: WeeklyWindow[] | null) => void;
  /** The liveness policy's problems by path, once a save was tried (else none). */
  readonly livenessIssues: ReadonlyMap<string, SettingsIssue>;
  /** The credential policy's problems by path, once a save was tried (else none). */
  readonly credentialIssues: ReadonlyMap<string, SettingsIssue>;
  /** The hours' problem at a path, in words, once a save was tried. */
  readonly hoursIssue: (path: IssuePath) => string | undefined;
  /** Problems shown: the liveness policy's, the credential policy's and the hours'. */
  readonly shownCount: number;
  /** Marks a save as tried; whether all three may be sent. */
  readonly check: () => boolean;
  /** `settings` with the policies and the hours set, or removed where off (the door then takes back its own). */
  readonly applyTo: (settings: Readonly<Record<string, unknown>>) => Record<string, unknown>;
  /** Back to what `settings` set, nothing tried yet (after a load). */
  readonly reset: (settings: Readonly<Record<string, unknown>>) => void;
}

export function usePolicySections(initial: Readonly<Record<string, unknown>>): PolicySections {
  const [liveness, setLiveness] = useState<LivenessPolicy | undefined>(() => livenessOf(initial));
  const [credential, setCredential] = useState<CredentialPolicy | undefined>(() => credentialOf(initial));
  const [doorHours, setDoorHours] = useState<WeeklyWindow[] | null>(() => doorHoursOf(initial) ?? null);
  const [checked, setChecked] = useState(false);
  const livenessProblems = livenessIssues(liveness);
  const credentialProblems = credentialIssues(credential);
  const hoursProblems = doorHours === null ? new Map<string, SettingsIssue>() : issuesByPath(doorHoursSchema, doorHours);
  return {
    liveness,
    setLiveness,
    credential,
    setCredential,
    doorHours,
    setDoorHours,
    livenessIssues: checked ? livenessProblems : new Map(),
    credentialIssues: checked ? credentialProblems : new Map(),
    hoursIssue: (path) => {
      const issue = checked ? issueAt(hoursProblems, path) : undefined;
      return issue ? issueText(issue) : undefined;
    },
    shownCount: checked ? livenessProblems.size + credentialProblems.size + hoursProblems.size : 0,
    check: () => {
      setChecked(true);
      return livenessProblems.size === 0 && credentialProblems.size === 0 && hoursProblems.size === 0;
    },
    applyTo: (settings) => withPolicyValue(withCredential(withLiveness(settings, liveness), credential), 'doorHours', doorHours ?? undefined),
    reset: (settings) => {
      setLiveness(livenessOf(settings));
      setCredential(credentialOf(settings));
      setDoorHours(doorHoursOf(settings) ?? null);
      setChecked(false);
    },
  };
}
