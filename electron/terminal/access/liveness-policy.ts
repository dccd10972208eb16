import { z } from 'zod';

import { localTimeOf, weeklyWindowSchema, type WeeklyWindow } from './weekly-schedule.js';

/**
 * Which liveness checks a door decision needs: none, the passive model's score (it may reject, never admit on
 * its own), the active challenge (a random head turn or blink, followed on the face mesh), or both.
 */
export const LIVENESS_MODES = ['off', 'passive', 'active', 'passive+active'] as const;
export const livenessModeSchema = z.enum(LIVENESS_MODES);
export type LivenessMode = z.infer<typeof livenessModeSchema>;

/** The mode of a new terminal when neither its settings nor the manifest's defaults name one. */
export const SHIPPED_LIVENESS_MODE: LivenessMode = 'passive+active';

/**
 * Why a liveness check failed, stored with a `liveness-failed` event: `passive`, the passive score was below
 * the threshold; `motion`, the face did not move more than a photo does over a few seconds (the natural-motion
 * cue, electron/vision/liveness/natural-motion.ts); the others come from the active challenge
 * (electron/vision/liveness/active/challenge.ts).
 */
export const LIVENESS_CUES = ['passive', 'motion', 'timeout', 'planar', 'no-parallax', 'wrong-direction', 'no-blink', 'track-lost'] as const;
export type LivenessCue = (typeof LIVENESS_CUES)[number];

/** A mode in force during some weekly windows, e.g. `active` after hours. */
export const livenessScheduleSchema = z.object({
  windows: z.array(weeklyWindowSchema).min(1).max(28),
  mode: livenessModeSchema,
});
export type LivenessSchedule = z.infer<typeof livenessScheduleSchema>;

/**
 * The liveness policy: a site mode, modes per group and per weekly schedule, and how the active challenge
 * runs. Resolution for a person at an instant: the first schedule whose window holds the instant, else the
 * modes of the person's groups that have one (their checks together: `passive` and `active` make
 * `passive+active`), else the site mode, else the manifest's default.
 */
export const livenessPolicySchema = z.object({
  /** Site mode; null = the manifest's default (`defaults.livenessMode`; shipped: passive+active). */
  mode: livenessModeSchema.nullable().default(null),
  /** Group name → mode for its members, instead of the site mode. */
  groups: z.record(z.string().min(1), livenessModeSchema).default({}),
  /** Modes in force during weekly windows (schedule times), before groups and the site mode; first match wins. */
  schedules: z.array(livenessScheduleSchema).max(16).default([]),
  /** Time the person has to do what the challenge asks, ms; default 4000. */
  challengeTimeoutMs: z.number().int().min(1000).max(30_000).default(4000),
  /** Pause after a failed challenge before the next one on the same face, ms; default 1500. */
  retryPauseMs: z.number().int().min(0).max(10_000).default(1500),
  /** Challenges one face gets before it is denied for good (until it leaves the view); default 3. */
  maxAttempts: z.number().int().min(1).max(10).default(3),
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

/** The checks a decision needs, after what the terminal can run. */
export interface LivenessRequirement {
  /** The mode the policy asked for. */
  readonly mode: LivenessMode;
  readonly passive: boolean;
  readonly active: boolean;
  /**
   * The mode asked for a passive check and no passive model runs: it is skipped, and where nothing else would
   * check (mode `passive`), the active challenge stands in.
   */
  readonly passiveUnavailable: boolean;
}

const withinWindows = (windows: readonly WeeklyWindow[], atMs: number, timeZone?: string): boolean => {
  const { isoWeekday, hhmm } = localTimeOf(atMs, timeZone);
  return windows.some((window) => window.days.includes(isoWeekday) && hhmm >= window.from && hhmm < window.to);
};

const checksOf = (mode: LivenessMode): { passive: boolean; active: boolean } => ({ passive: mode === 'passive' || mode === 'passive+active', active: mode === 'active' || mode === 'passive+active' });

function modeOf(checks: { passive: boolean; active: boolean }): LivenessMode {
  if (checks.passive && checks.active) return 'passive+active';
  if (checks.passive) return 'passive';
  return checks.active ? 'active' : 'off';
}

/** The mode for a person in `groups` at `atMs` (see livenessPolicySchema for the order). */
export function resolveLivenessMode(policy: LivenessPolicy, groups: readonly string[], atMs: number, options: { timeZone?: string; defaultMode?: LivenessMode } = {}): LivenessMode {
  const scheduled = policy.schedules.find((schedule) => withinWindows(schedule.windows, atMs, options.timeZone));
  if (scheduled) return scheduled.mode;
  const groupModes = groups.flatMap((group) => (Object.hasOwn(policy.groups, group) ? [policy.groups[group] as LivenessMode] : []));
  if (groupModes.length > 0) {
    const checks = groupModes.map(checksOf);
    return modeOf({ passive: checks.some((c) => c.passive), active: checks.some((c) => c.active) });
  }
  return policy.mode ?? options.defaultMode ?? SHIPPED_LIVENESS_MODE;
}

/** What `mode` needs of a terminal that does (or does not) run a passive model. */
export function livenessRequirement(mode: LivenessMode, passiveAvailable: boolean): LivenessRequirement {
  const checks = checksOf(mode);
  if (!checks.passive || passiveAvailable) return { mode, ...checks, passiveUnavailable: false };
  // Never silently off: a passive check that cannot run leaves the challenge, which needs no model.
  return { mode, passive: false, active: true, passiveUnavailable: true };
}
