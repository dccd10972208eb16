/** Options of LoginThrottle. */
export interface LoginThrottleOptions {
  /** Attempts a source may make at once; default 10. */
  readonly burst?: number;
  /** One more attempt per this many ms; default 2000 (30 a minute). */
  readonly refillMs?: number;
  /** Sources remembered; the least recently seen is forgotten past this; default 10,000. */
  readonly maxSources?: number;
  /** Clock, ms since epoch; default Date.now. */
  readonly nowMs?: () => number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

/**
 * How often one source (a peer address, the kiosk) may try to log in: a token bucket each, so a person who
 * mistypes is never slowed while a script that sends logins as fast as it can gets one every `refillMs`. Any
 * username counts, known or not: a flood of made-up names is throttled like guesses at a real one. Memory is
 * bounded by `maxSources`.
 */
export class LoginThrottle {
  private readonly buckets = new Map<string, Bucket>();
  private readonly burst: number;
  private readonly refillMs: number;
  private readonly maxSources: number;
  private readonly nowMs: () => number;

  constructor(options: LoginThrottleOptions = {}) {
    this.burst = options.burst ?? 10;
    this.refillMs = options.refillMs ?? 2000;
    this.maxSources = options.maxSources ?? 10_000;
    this.nowMs = options.nowMs ?? Date.now;
  }

  /** Takes one attempt for `source`; when none is left, says when the next one will be, ms since epoch. */
  take(source: string): { ok: true } | { ok: false; retryAtMs: number } {
    const nowMs = this.nowMs();
    const previous = this.buckets.get(source);
    const tokens = previous ? Math.min(this.burst, previous.tokens + (nowMs - previous.atMs) / this.refillMs) : this.burst;
    // Re-inserted so the Map's order is least recently seen first.
    this.buckets.delete(source);
    if (tokens < 1) {
      this.buckets.set(source, { tokens, atMs: nowMs });
      return { ok: false, retryAtMs: nowMs + Math.ceil((1 - tokens) * this.refillMs) };
    }
    this.buckets.set(source, { tokens: tokens - 1, atMs: nowMs });
    if (this.buckets.size > this.maxSources) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    return { ok: true };
  }
}
