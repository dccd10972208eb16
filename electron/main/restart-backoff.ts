// When to reload a renderer that crashed: at once the first time, then with a growing delay while it keeps
// crashing (a page that dies on load must not spin a core of the board at 100 %), back to immediate once it
// has stayed up for a while.

/** Options of RestartBackoff; every field has a default. */
export interface RestartBackoffOptions {
  /** Delay before the first reload, ms; default 500. */
  readonly firstDelayMs?: number;
  /** Longest delay, ms; default 30 000. */
  readonly maxDelayMs?: number;
  /** A renderer up this long since its last crash counts as healthy again, ms; default 60 000. */
  readonly healthyAfterMs?: number;
}

/** Crash back-off: `nextDelayMs(now)` on each crash. */
export class RestartBackoff {
  private readonly firstDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly healthyAfterMs: number;
  private crashesInRow = 0;
  private lastCrashAtMs = Number.NEGATIVE_INFINITY;

  constructor(options: RestartBackoffOptions = {}) {
    this.firstDelayMs = options.firstDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.healthyAfterMs = options.healthyAfterMs ?? 60_000;
  }

  /** Records a crash at `nowMs` and returns how long to wait before reloading, ms (doubling per crash in a row). */
  nextDelayMs(nowMs: number): number {
    if (nowMs - this.lastCrashAtMs >= this.healthyAfterMs) this.crashesInRow = 0;
    this.lastCrashAtMs = nowMs;
    const delayMs = Math.min(this.maxDelayMs, this.firstDelayMs * 2 ** this.crashesInRow);
    this.crashesInRow++;
    return delayMs;
  }

  /** Crashes since the renderer was last healthy, this one included. */
  get crashCount(): number {
    return this.crashesInRow;
  }
}
