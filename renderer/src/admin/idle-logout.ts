// When an unattended admin session ends: after `timeoutMs` without pointer or key activity, with a warning
// shortly before. Pure (time comes in as arguments), so the kiosk's timer and the tests share it.

export type IdlePhase = 'active' | 'warning' | 'idle';

export interface IdleState {
  readonly phase: IdlePhase;
  /** Until logout, ms; 0 once idle. */
  readonly remainingMs: number;
}

/** Default idle logout, ms (the `admin.idleLogoutMs` setting's default). */
export const DEFAULT_IDLE_LOGOUT_MS = 120_000;
/** How long before logout the warning shows, ms; never more than half the timeout. */
export const IDLE_WARNING_MS = 15_000;

export class IdleClock {
  private lastActivityMs: number;

  constructor(
    private timeoutMs: number,
    nowMs: number,
  ) {
    this.lastActivityMs = nowMs;
  }

  /** Activity at `nowMs` restarts the countdown; activity after the session went idle does not revive it. */
  touch(nowMs: number): void {
    if (this.state(nowMs).phase === 'idle') return;
    this.lastActivityMs = Math.max(this.lastActivityMs, nowMs);
  }

  /** A new timeout (the setting changed), counted from the last activity. */
  setTimeoutMs(timeoutMs: number): void {
    this.timeoutMs = timeoutMs;
  }

  state(nowMs: number): IdleState {
    const remainingMs = Math.max(0, this.lastActivityMs + this.timeoutMs - nowMs);
    if (remainingMs === 0) return { phase: 'idle', remainingMs };
    const warningMs = Math.min(IDLE_WARNING_MS, this.timeoutMs / 2);
    return { phase: remainingMs <= warningMs ? 'warning' : 'active', remainingMs };
  }
}
