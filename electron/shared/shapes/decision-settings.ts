// The decision policy's settings (`access.policy`): quality gates, frames to agree, cooldown, liveness, weekly
// schedules. The terminal decides with them in electron/terminal/access/decision-policy.ts.
import { z } from 'zod';

import { freeText, groupName } from './fields.js';
import { credentialPolicySchema } from './credential-policy.js';
import { livenessPolicySchema } from './liveness-policy.js';
import { groupSchedulesSchema, weeklyWindowSchema } from './weekly-schedule.js';

/** What the person at the door should do for a frame to be usable; the door screen words each. */
export const QUALITY_HINTS = ['come-closer', 'look-at-camera', 'hold-still', 'too-dark', 'too-bright'] as const;
export const qualityHintSchema = z.enum(QUALITY_HINTS);
export type QualityHint = z.infer<typeof qualityHintSchema>;

/**
 * Why a decision was taken; stable codes for events and the UI. The card reasons: `card-required`, a face alone
 * where the credential policy asks for card and face; `unknown-card`, a card nobody enrolled carries;
 * `card-face-mismatch`, faces came after the card but none was the card holder's; `card-no-face`, no usable face
 * came within the card's time; `card-face-not-enrolled`, the card holder has no template of the running extractor (no
 * usable photo, or theirs is still being rebuilt after an extractor change), so no face could ever match.
 */
export const decisionReasonSchema = z.enum([
  'granted',
  'unknown',
  'disabled',
  'expired',
  'not-yet-valid',
  'outside-schedule',
  'not-allowed-here',
  'low-quality',
  'liveness-failed',
  'card-required',
  'unknown-card',
  'card-face-mismatch',
  'card-no-face',
  'card-face-not-enrolled',
]);
export type DecisionReason = z.infer<typeof decisionReasonSchema>;

/** Quality gates and decision settings, with defaults. */
export const decisionSettingsSchema = z.strictObject({
  /** Frames that must name the same person, with no other person named in between, before a decision; default 3. */
  framesToAgree: z.int().min(1).max(30).default(3),
  /** Usable frames without any match before an "unknown" denial; default 8. */
  unknownAfterFrames: z.int().min(1).max(100).default(8),
  /** A face that never becomes usable for this long is denied for low quality, ms; default 5000. */
  lowQualityAfterMs: z.int().min(500).max(60_000).default(5000),
  /** No second grant for the same person within this time, ms; default 10,000. */
  cooldownMs: z.int().min(0).max(600_000).default(10_000),
  minInterOcularPx: z.number().min(10).max(500).default(40),
  maxAbsYawDeg: z.number().min(5).max(90).default(30),
  maxAbsPitchDeg: z.number().min(5).max(90).default(30),
  minSharpness: z.number().min(0).default(20),
  minBrightness: z.number().min(0).max(255).default(40),
  maxBrightness: z.number().min(0).max(255).default(220),
  /**
   * Passive liveness: least score, 0..1 (mean over the track's frames), where the liveness mode asks for the
   * passive check; null = the passive model's threshold from the manifest, else 0.5.
   */
  minLiveness: z.number().min(0).max(1).nullable().default(null),
  /** Which liveness checks a grant needs, per site, group and weekly schedule, and how the challenge runs. */
  liveness: livenessPolicySchema.prefault({}),
  /** Whether the face alone is enough or a card read at the door's reader must come first, per door, group and weekly schedule. */
  credential: credentialPolicySchema.prefault({}),
  /** Weekly windows per group; groups without one are not restricted. */
  schedules: groupSchedulesSchema.default({}),
  /**
   * The door's own hours: weekly windows in which it lets anyone in by face, whatever their groups' schedules;
   * outside them every known face is denied `outside-schedule`. Null (default): at any time.
   */
  doorHours: z.array(weeklyWindowSchema).min(1).max(28).nullable().default(null),
  /**
   * The groups let through this door; a person in none of them is denied `not-allowed-here`. Null: every enabled
   * person. On a door of a site the hub's door policy sets it.
   */
  allowedGroups: z.array(groupName).max(64).nullable().default(null),
  /** IANA time zone the schedules are written in; default the machine's. */
  timeZone: freeText.min(1).max(64).optional(),
});
export type DecisionSettings = z.infer<typeof decisionSettingsSchema>;
