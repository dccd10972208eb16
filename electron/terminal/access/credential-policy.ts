import type { CredentialMode, CredentialPolicy } from '../../shared/shapes/credential-policy.js';
import { scheduleInForce } from './weekly-schedule.js';

/**
 * Whether the face alone lets a person in at `atMs` (`face`) or a card must come first (`card+face`): the young
 * children's mode for one who looks like a young child when it asks for the card, else the first schedule in
 * force, else `card+face` if any of `groups` asks for it, else a group's `face`, else the door's mode.
 */
export function resolveCredentialMode(
  policy: CredentialPolicy,
  person: { readonly groups: readonly string[]; readonly youngChild?: boolean | undefined },
  atMs: number,
  timeZone?: string,
): CredentialMode {
  // Stricter than any hours: a schedule's face alone would let another child in as them.
  if (person.youngChild && policy.youngChildren === 'card+face') return 'card+face';
  const { groups } = person;
  const scheduled = scheduleInForce(policy.schedules, atMs, timeZone);
  if (scheduled) return scheduled.mode;
  const groupModes = groups.flatMap((group) => (Object.hasOwn(policy.groups, group) ? [policy.groups[group] as CredentialMode] : []));
  // The stricter wins: a person in a group that needs the card needs it whatever their other groups say.
  if (groupModes.length > 0) return groupModes.includes('card+face') ? 'card+face' : 'face';
  return policy.mode;
}
