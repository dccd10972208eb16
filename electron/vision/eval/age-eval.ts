/**
 * `lintel eval age`: how well the age estimator tells young children from everyone else, per labelled age band
 * (FairFace's `labels.csv` `age` column): the median estimate and the share estimated under each cut-off. The
 * cut-off the terminal uses for its young-child check is one of them.
 */
import { median } from '../statistics.js';

/** Cut-offs reported, years: a face is "under" one when its estimate is below it. */
export const AGE_CUTOFFS_YEARS: readonly number[] = [4, 6, 8, 10, 12];

/** One image's estimate. */
export interface AgeEstimate {
  readonly file: string;
  /** The labelled age band ("0-2", "3-9", …), or null for an unlabelled folder. */
  readonly band: string | null;
  /** Estimated age in years; null when no face was found. */
  readonly years: number | null;
}

/** One band's figures. */
export interface AgeBandSummary {
  readonly band: string;
  readonly images: number;
  readonly withFace: number;
  readonly medianYears: number;
  /** Cut-off (years, as a string) → share of the band's faces estimated under it, 0..1. */
  readonly shareUnder: Record<string, number>;
}

/** Lower bound of a band, for ordering: "0-2" → 0, "more than 70" → 70, anything else last. */
function bandStart(band: string): number {
  const match = /(\d+)/.exec(band);
  return match ? Number(match[1]) : Number.POSITIVE_INFINITY;
}

/** Per band (unlabelled images under "unlabelled"), in order of age. */
export function summariseAges(estimates: readonly AgeEstimate[], cutoffsYears: readonly number[] = AGE_CUTOFFS_YEARS): AgeBandSummary[] {
  const byBand = new Map<string, AgeEstimate[]>();
  for (const estimate of estimates) {
    const band = estimate.band ?? 'unlabelled';
    byBand.set(band, [...(byBand.get(band) ?? []), estimate]);
  }
  return [...byBand]
    .sort(([a], [b]) => bandStart(a) - bandStart(b) || a.localeCompare(b))
    .map(([band, rows]) => {
      const years = rows.flatMap((row) => (row.years === null ? [] : [row.years])).sort((a, b) => a - b);
      return {
        band,
        images: rows.length,
        withFace: years.length,
        medianYears: median(years),
        shareUnder: Object.fromEntries(cutoffsYears.map((cutoff) => [String(cutoff), years.length === 0 ? Number.NaN : years.filter((y) => y < cutoff).length / years.length])),
      };
    });
}

/** A few lines for a terminal. */
export function formatAgeSummary(bands: readonly AgeBandSummary[], productCutoffYears: number): string {
  const percent = (share: number | undefined): string => (share === undefined || Number.isNaN(share) ? '—' : `${(share * 100).toFixed(1)} %`);
  return bands
    .map((b) => {
      const under = Object.entries(b.shareUnder).map(([cutoff, share]) => `${Number(cutoff) === productCutoffYears ? '*' : ''}under ${cutoff} ${percent(share)}`);
      return `${b.band.padEnd(14)} ${String(b.withFace).padStart(5)} faces of ${String(b.images).padStart(5)}, median ${b.medianYears.toFixed(1)} years; ${under.join(', ')}`;
    })
    .join('\n');
}
