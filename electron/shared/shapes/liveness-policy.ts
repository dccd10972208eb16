// The liveness policy as the settings hold it (`access.policy.liveness`): which checks a grant needs, per site,
// group and weekly schedule. The terminal resolves it for a person in electron/terminal/access/liveness-policy.ts.
import { z } from 'zod';

import { groupName } from './fields.js';
import { modeScheduleSchema } from './weekly-schedule.js';

/**
 * Which liveness checks a door decision needs: none, the passive model's score (it may reject, never admit on
 * its own), the active challenge (a random head turn or blink, followed on the face mesh), or both.
 */
export const LIVENESS_MODES = ['off', 'passive', 'active', 'passive+active'] as const;
export const livenessModeSchema = z.enum(LIVENESS_MODES);
export type LivenessMode = z.infer<typeof livenessModeSchema>;

/**
 * Why a liveness check failed, stored with a `liveness-failed` event: `passive`, the passive score was below
 * the threshold; `motion`, the face did not move more than a photo does over a few seconds (the natural-motion
 * cue, electron/vision/liveness/natural-motion.ts); `trained`, the passive cue the site trained on its own recordings
 * scored the face below its threshold (`lintel pad install`); the others come from the active challenge
 * (electron/vision/liveness/active/challenge.ts).
 */
export const LIVENESS_CUES = ['passive', 'motion', 'trained', 'timeout', 'planar', 'no-parallax', 'wrong-direction', 'no-blink', 'track-lost'] as const;
export const livenessCueSchema = z.enum(LIVENESS_CUES);
export type LivenessCue = z.infer<typeof livenessCueSchema>;

/** A mode in force during some weekly windows, e.g. `active` after hours. */
export const livenessScheduleSchema = modeScheduleSchema(livenessModeSchema);
export type LivenessSchedule = z.infer<typeof livenessScheduleSchema>;

/**
 * The liveness policy: a site mode, modes per group and per weekly schedule, and how the active challenge
 * runs. Resolution for a person at an instant: the first schedule whose window holds the instant, else the
 * modes of the person's groups that have one (their checks together: `passive` and `active` make
 * `passive+active`), else the site mode, else the manifest's default.
 */
export const livenessPolicySchema = z.strictObject({
  /** Site mode; null = the manifest's default (`defaults.livenessMode`; shipped: passive+active). */
  mode: livenessModeSchema.nullable().default(null),
  /** Group name → mode for its members, instead of the site mode. */
  groups: z.record(groupName, livenessModeSchema).default({}),
  /** Modes in force during weekly windows (schedule times), before groups and the site mode; first match wins. */
  schedules: z.array(livenessScheduleSchema).max(16).default([]),
  /** Time the person has to do what the challenge asks, ms; default 4000. */
  challengeTimeoutMs: z.int().min(1000).max(30_000).default(4000),
  /** Pause after a failed challenge before the next one on the same face, ms; default 1500. */
  retryPauseMs: z.int().min(0).max(10_000).default(1500),
  /** Challenges one face gets before it is denied for good (until it leaves the view); default 3. */
  maxAttempts: z.int().min(1).max(10).default(3),
  /** Whether a challenge may ask for a blink instead of a head turn; default false (turns only). */
  blink: z.boolean().default(false),
  /**
   * With the passive check, also refuse a face that moves no more than a photo over the manifest's window
   * (`defaults.passiveLiveness.naturalMotion`, 2.4 s: the grant waits for it). Default false: on Replay-Attack
   * devel it stops prints MiniFASNet passes (worst species 46.7 → 26.7 %) but refuses more genuine clips
   * (BPCER 6.7 → 10 %), and the challenge already refuses still photos; for doors with the passive check alone.
   */
  naturalMotion: z.boolean().default(false),
});
export type LivenessPolicy = z.infer<typeof livenessPolicySchema>;
