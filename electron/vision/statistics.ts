/** Small statistics for timings and benchmarks: samples must be sorted ascending. */

/** Median (mean of the middle two for an even count); NaN when empty. */
export function median(sortedAscending: readonly number[]): number {
  const n = sortedAscending.length;
  if (n === 0) return Number.NaN;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? (sortedAscending[mid] as number) : ((sortedAscending[mid - 1] as number) + (sortedAscending[mid] as number)) / 2;
}

/** Nearest-rank percentile: the smallest sample with at least `fraction` of the samples at or below it; NaN when empty. */
export function percentile(sortedAscending: readonly number[], fraction: number): number {
  const rank = Math.max(1, Math.ceil(fraction * sortedAscending.length));
  return sortedAscending[rank - 1] ?? Number.NaN;
}

/** Median and 95th percentile of unsorted samples. */
export function medianAndP95(samples: readonly number[]): { median: number; p95: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: median(sorted), p95: percentile(sorted, 0.95) };
}
