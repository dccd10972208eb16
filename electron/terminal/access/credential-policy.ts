import type { CredentialMode, CredentialPolicy } from '../../shared/shapes/credential-policy.js';
import { scheduleInForce } from './weekly-schedule.js';

/**
 * Whether the face alone lets `groups` in at `atMs` (`face`) or a card must come first (`card+face`): the first
 * schedule in force, else `card+face` if any group asks for it, else a group's `face`, else the door's mode.
 */
export function resolveCredentialMode(policy: CredentialPolicy, groups: readonly string[], atMs: number, timeZone?: string): CredentialMode {
  const scheduled = scheduleInForce(policy.schedules, atMs, timeZone);
  if (scheduled) return scheduled.mode;
  const groupModes = groups.flatMap((group) => (Object.hasOwn(policy.groups, group) ? [policy.groups[group] as CredentialMode] : []));
  // The stricter wins: a person in a group that needs the card needs it whatever their other groups say.
  if (groupModes.length > 0) return groupModes.includes('card+face') ? 'card+face' : 'face';
  return policy.mode;
}
