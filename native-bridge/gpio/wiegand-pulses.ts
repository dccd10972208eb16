// Wiegand output on two GPIO lines: a "0" is a pulse on D0, a "1" a pulse on D1, first bit first. Pulses are
// timed by busy-waiting on the monotonic clock; each pulse starts one interval after the start of the one before,
// so a late pulse delays the rest of the frame (panels tolerate intervals up to 20 ms) rather than bunching the
// next ones closer than the interval, which panels do not tolerate. User space cannot do better on a
// non-real-time kernel: a preemption between the two ioctls of a pulse stretches it (see README, Wiegand timing).

/** The part of an output line the pulse train drives: `set(true)` asserts the pulse level. */
export interface WiegandPulseLine {
  set(active: boolean): void;
}

/** Pulse timing; the SIA figures are a 20–100 µs pulse and a 200 µs – 20 ms interval. */
export interface WiegandTiming {
  /** How long each pulse lasts, µs; default 50. */
  readonly pulseWidthUs: number;
  /** From the start of one pulse to the start of the next, µs; default 2000. */
  readonly intervalUs: number;
}

export const DEFAULT_WIEGAND_TIMING: WiegandTiming = { pulseWidthUs: 50, intervalUs: 2000 };

/** A monotonic clock in nanoseconds; default `process.hrtime.bigint`. */
export type ClockNs = () => bigint;

/** When one bit's pulse was driven, as measured right after each line write. */
export interface WiegandEdge {
  /** 0-based bit index. */
  readonly bit: number;
  readonly value: 0 | 1;
  /** After the write that asserted the pulse, and after the one that released it, ns on the clock. */
  readonly assertedAtNs: bigint;
  readonly releasedAtNs: bigint;
}

/** What a frame took. */
export interface WiegandTrainReport {
  readonly startedAtNs: bigint;
  readonly edges: readonly WiegandEdge[];
}

function waitUntil(clock: ClockNs, targetNs: bigint): void {
  // A busy wait: timers and sleeps wake milliseconds late, far longer than a 50 µs pulse.
  while (clock() < targetNs) {
    /* spin */
  }
}

/**
 * Sends `bits` (one 0/1 per bit, first sent first) as pulses on `d0`/`d1`, blocking the calling thread for about
 * bits × interval. Both lines must be idle (inactive) before; they are left idle, also when a write throws.
 */
export function sendWiegandPulses(lines: { readonly d0: WiegandPulseLine; readonly d1: WiegandPulseLine }, bits: ArrayLike<number>, timing: WiegandTiming, clock: ClockNs = process.hrtime.bigint): WiegandTrainReport {
  const widthNs = BigInt(Math.round(timing.pulseWidthUs * 1000));
  const intervalNs = BigInt(Math.round(timing.intervalUs * 1000));
  if (widthNs <= 0n || intervalNs <= widthNs) throw new RangeError(`a pulse of ${timing.pulseWidthUs} µs must be positive and shorter than the interval of ${timing.intervalUs} µs`);
  const edges: WiegandEdge[] = [];
  const startedAtNs = clock();
  let startNs = startedAtNs;
  for (let bit = 0; bit < bits.length; bit++) {
    const value = bits[bit] === 1 ? 1 : 0;
    const line = value === 1 ? lines.d1 : lines.d0;
    waitUntil(clock, startNs);
    line.set(true);
    const assertedAtNs = clock();
    try {
      // The width counts from the measured start: a late start still gives a whole pulse.
      waitUntil(clock, assertedAtNs + widthNs);
    } finally {
      line.set(false);
    }
    edges.push({ bit, value, assertedAtNs, releasedAtNs: clock() });
    startNs = assertedAtNs + intervalNs;
  }
  return { startedAtNs, edges };
}

/** Timing figures of sent frames, µs: how far pulses and intervals strayed from the configured ones. */
export interface WiegandJitter {
  readonly pulses: number;
  readonly pulseWidthUs: { readonly min: number; readonly median: number; readonly p99: number; readonly max: number };
  readonly intervalUs: { readonly min: number; readonly median: number; readonly p99: number; readonly max: number };
  /** Largest |measured − configured| over widths and intervals, µs. */
  readonly worstErrorUs: number;
  /** Pulses wider than 100 µs, or followed by an interval outside 200 µs – 20 ms: out of the SIA tolerance. */
  readonly outOfSpec: number;
}

function spread(values: number[]): { min: number; median: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { min: sorted[0] ?? Number.NaN, median: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN };
}

/** Pulse widths and start-to-start intervals of `reports`, against `timing`. */
export function measureWiegandJitter(reports: readonly WiegandTrainReport[], timing: WiegandTiming): WiegandJitter {
  const widths: number[] = [];
  const intervals: number[] = [];
  for (const { edges } of reports) {
    edges.forEach((edge, index) => {
      widths.push(Number(edge.releasedAtNs - edge.assertedAtNs) / 1000);
      const previous = edges[index - 1];
      if (previous) intervals.push(Number(edge.assertedAtNs - previous.assertedAtNs) / 1000);
    });
  }
  const worst = Math.max(...widths.map((width) => Math.abs(width - timing.pulseWidthUs)), ...intervals.map((interval) => Math.abs(interval - timing.intervalUs)));
  const outOfSpec = widths.filter((width) => width > 100).length + intervals.filter((interval) => interval < 200 || interval > 20_000).length;
  return { pulses: widths.length, pulseWidthUs: spread(widths), intervalUs: spread(intervals), worstErrorUs: worst, outOfSpec };
}
