import { YOUNG_CHILD_UNDER_YEARS } from './age-estimator.js';
import { median } from '../statistics.js';

/**
 * Enrollment's young-child check. Recognisers tell young children apart badly: one enrolled baby draws other
 * children's faces (models/README.md, "Label errors and one enrolled infant"). Enrollment says so when a person's
 * samples look like a young child's, so the administrator can ask for card and face for them.
 */
export interface YoungChildNotice {
  /** Median of the samples' estimates, years, to one decimal. */
  readonly estimatedAgeYears: number;
}

/**
 * The notice for samples with these age estimates (years; null or undefined for a sample that has none), or undefined when
 * they do not look like a young child's.
 */
export function youngChildOf(estimatesYears: readonly (number | null | undefined)[]): YoungChildNotice | undefined {
  const estimated = estimatesYears.filter((years) => typeof years === 'number');
  if (estimated.length === 0) return undefined;
  const years = median(estimated.sort((a, b) => a - b));
  return years < YOUNG_CHILD_UNDER_YEARS ? { estimatedAgeYears: Math.round(years * 10) / 10 } : undefined;
}
