import type { LivenessMode, LivenessPolicy } from '../../shared/shapes/liveness-policy.js';
import { scheduleInForce } from './weekly-schedule.js';

/** The mode of a new terminal when neither its settings nor the manifest's defaults name one. */
export const SHIPPED_LIVENESS_MODE: LivenessMode = 'passive+active';

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

const checksOf = (mode: LivenessMode): { passive: boolean; active: boolean } => ({ passive: mode === 'passive' || mode === 'passive+active', active: mode === 'active' || mode === 'passive+active' });

function modeOf(checks: { passive: boolean; active: boolean }): LivenessMode {
  if (checks.passive && checks.active) return 'passive+active';
  if (checks.passive) return 'passive';
  return checks.active ? 'active' : 'off';
}

/** The mode for a person in `groups` at `atMs` (see livenessPolicySchema for the order). */
export function resolveLivenessMode(policy: LivenessPolicy, groups: readonly string[], atMs: number, options: { timeZone?: string; defaultMode?: LivenessMode } = {}): LivenessMode {
  const scheduled = scheduleInForce(policy.schedules, atMs, options.timeZone);
  if (scheduled) return scheduled.mode;
  const groupModes = groups.flatMap((group) => (Object.hasOwn(policy.groups, group) ? [policy.groups[group] as LivenessMode] : []));
  if (groupModes.length > 0) {
    const checks = groupModes.map(checksOf);
    return modeOf({ passive: checks.some((c) => c.passive), active: checks.some((c) => c.active) });
  }
  return policy.mode ?? options.defaultMode ?? SHIPPED_LIVENESS_MODE;
}

/**
 * Whether any decision at `atMs` may ask for the passive check: the schedule in force, else the door's mode or any
 * group's. False (liveness off or the challenge alone for everyone) lets the passive model rest.
 */
export function passiveMayBeAsked(policy: LivenessPolicy, atMs: number, options: { timeZone?: string; defaultMode?: LivenessMode } = {}): boolean {
  const scheduled = scheduleInForce(policy.schedules, atMs, options.timeZone);
  const modes = scheduled ? [scheduled.mode] : [policy.mode ?? options.defaultMode ?? SHIPPED_LIVENESS_MODE, ...Object.values(policy.groups)];
  return modes.some((mode) => checksOf(mode).passive);
}

/** What `mode` needs of a terminal that does (or does not) run a passive model. */
export function livenessRequirement(mode: LivenessMode, passiveAvailable: boolean): LivenessRequirement {
  const checks = checksOf(mode);
  if (!checks.passive || passiveAvailable) return { mode, ...checks, passiveUnavailable: false };
  // Never silently off: a passive check that cannot run leaves the challenge, which needs no model.
  return { mode, passive: false, active: true, passiveUnavailable: true };
}
