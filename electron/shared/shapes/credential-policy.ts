// Which credentials a grant needs (`access.policy.credential`): the face alone, or a card read at the door's own
// reader and then the card holder's face, compared one to one. The terminal resolves it for a person in
// electron/terminal/access/credential-policy.ts.
import { z } from 'zod';

import { groupName } from './fields.js';
import { modeScheduleSchema } from './weekly-schedule.js';

/**
 * `face`: the face is searched among everyone enrolled (1:N). `card+face`: the person presents their card and the
 * door compares their face with the card holder's only (1:1): a stranger can no longer be taken for someone among
 * thousands, and an enrolled person is not missed for resembling someone else.
 */
export const CREDENTIAL_MODES = ['face', 'card+face'] as const;
export const credentialModeSchema = z.enum(CREDENTIAL_MODES);
export type CredentialMode = z.infer<typeof credentialModeSchema>;

/** A mode in force during some weekly windows, e.g. `card+face` after hours. */
export const credentialScheduleSchema = modeScheduleSchema(credentialModeSchema);
export type CredentialSchedule = z.infer<typeof credentialScheduleSchema>;

/**
 * The credential policy: a door mode, modes per group and per weekly schedule. Resolution for a person at an
 * instant: `youngChildren` for a person who looks like a young child when it is `card+face`, else the first
 * schedule whose window holds the instant, else `card+face` if any of the person's groups asks for it, else a
 * group's `face`, else the door mode. A card read always starts a one-to-one check, whatever the
 * mode: the mode only says whether the face alone is enough.
 */
export const credentialPolicySchema = z.strictObject({
  /** The door's mode; default `face`. */
  mode: credentialModeSchema.default('face'),
  /** Group name → mode for its members, instead of the door mode. */
  groups: z.record(groupName, credentialModeSchema).default({}),
  /** Modes in force during weekly windows, before groups and the door mode; first match wins. */
  schedules: z.array(credentialScheduleSchema).max(16).default([]),
  /**
   * What a person whose enrolled samples look like a young child's (estimated under 6 years) needs, whatever
   * their groups and the hours; default `card+face`. Recognisers tell young children apart badly: one enrolled
   * child draws other children's faces (models/README.md, "Young children"). Without a card reader at the door,
   * `card+face` keeps them from entering by face.
   */
  youngChildren: credentialModeSchema.default('card+face'),
  /** After a card is read, how long the door waits for the card holder's face, ms; default 10000. */
  cardTimeoutMs: z.int().min(2000).max(60_000).default(10_000),
});
export type CredentialPolicy = z.infer<typeof credentialPolicySchema>;
