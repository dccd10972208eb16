// The arithmetic of the per-stage latency chart: stacked bars, one per health sample, on a rounded scale.
import type { StageTimingsMs } from '../../store/types.js';

export const STAGES = [
  { key: 'detectMs', label: 'Detect' },
  { key: 'fitMs', label: 'Fit' },
  { key: 'qualityMs', label: 'Quality' },
  { key: 'extractMs', label: 'Extract' },
] as const satisfies readonly { readonly key: keyof StageTimingsMs; readonly label: string }[];

/** The chart's top: the smallest of 1, 2, 2.5, 5 × 10ⁿ ms at or above `maxMs` (at least 10 ms). */
export function chartTopMs(maxMs: number): number {
  const target = Math.max(10, maxMs);
  const power = 10 ** Math.floor(Math.log10(target));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= target) return step * power;
  return 10 * power;
}

export interface BarSegment {
  readonly stage: (typeof STAGES)[number]['key'];
  /** From the bottom, in fractions of the chart's height. */
  readonly bottom: number;
  readonly height: number;
}

/** One sample's stacked segments, bottom to top in stage order. */
export function stackSegments(timings: StageTimingsMs, topMs: number): BarSegment[] {
  let bottom = 0;
  return STAGES.map(({ key }) => {
    const height = Math.max(0, timings[key]) / topMs;
    const segment = { stage: key, bottom, height };
    bottom += height;
    return segment;
  });
}
