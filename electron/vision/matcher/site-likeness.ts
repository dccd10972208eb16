/**
 * How alike the faces enrolled at a site look to one another, held against the dev gallery an identification
 * curve was measured on. The curve's FMR is what strangers score on the dev photos; a site's camera, light and
 * background can bring strangers closer (Replay-Attack's 320 × 240 webcam: 5–10 × the curve's FMR at the same
 * similarity, models/README.md "The curve on another camera"). The people enrolled at the site are strangers to
 * one another, on the site's own camera: each enrolled sample against every other person's mean template is a
 * comparison with a stranger, made the way the door makes it. Their share reaching the dev gallery's own
 * similarity at FMR 1e-2, 1e-3 and 1e-4 (manifest `identification.galleryReference`), over that FMR, says how
 * many times likelier a stranger here is to match; the door takes the FMR as that many times higher at every
 * similarity, by the largest factor the site's pairs of people bear out at any level, and only ever raises its
 * threshold for it. Deeper levels matter: a camera's likeness can grow into the tail (Replay-Attack's webcam:
 * 6.8× at 1e-2, 9.5× at 1e-3). The means are compared as the door compares them, with the extractor's length
 * exponent (PersonGallery), which already takes back what averaging differing samples does.
 */
import { PersonGallery } from './person-gallery.js';
import { shuffledIndices } from './seeded-random.js';

/** The dev gallery's own cross-person comparisons: at each level `fmr` of them reach `similarity` (manifest `galleryReference`). */
export interface GalleryReference {
  readonly levels: readonly { readonly fmr: number; readonly similarity: number }[];
}

/** An enrolled sample's template. */
export interface PersonTemplate {
  readonly personId: string;
  readonly template: Float32Array;
}

/** The site at one reference level. */
export interface SiteLikenessLevel {
  /** The dev gallery's FMR at `similarity`. */
  readonly fmr: number;
  readonly similarity: number;
  /** Comparisons at or above `similarity`. */
  readonly reaching: number;
  /** (reaching / comparisons) / fmr: how many times likelier a stranger matches here; 0 with none reaching. */
  readonly factor: number;
  /**
   * The factor's lower bound (95 % over all levels together; Poisson's exact bound for few events, Wilson's for
   * many), counted over pairs of people rather than comparisons (a pair's samples are not independent), so a small
   * site raises nothing on a few close pairs.
   */
  readonly factorLower: number;
}

/** The site's enrolled faces against the dev gallery (see the file comment). */
export interface SiteLikeness {
  /** People with a template. */
  readonly persons: number;
  /** Comparisons made: an enrolled sample with another person's mean template (all, or a random subset, among at most MAX_SITE_PERSONS people). */
  readonly comparisons: number;
  readonly levels: readonly SiteLikenessLevel[];
  /** What the threshold applies: the largest `factorLower` where it is above 1, else 1 (never lowered). */
  readonly applied: number;
}

/** Fewer people than this say nothing: 45 pairs. */
export const MIN_SITE_PERSONS = 10;

/** At most this many comparisons (a random subset beyond): ~50 M multiply-adds at 512 floats, 10 expected at 1e-4. */
export const MAX_SITE_COMPARISONS = 100_000;

/** Among at most this many people (a random subset beyond): 500,000 pairs, more than the comparisons. */
export const MAX_SITE_PERSONS = 1_000;

/** One-sided tail of each of 1, 2 or 3 lower bounds that hold at 95 % together (Bonferroni). */
const ALPHA_FOR_LEVELS = [0.05, 0.025, 0.05 / 3] as const;
/** The normal quantiles of those tails, for counts large enough for Wilson's interval. */
const Z_FOR_LEVELS = [1.6449, 1.96, 2.128] as const;
/** Up to this many events the bound is Poisson's exact one; beyond, Wilson's. */
const EXACT_UP_TO = 200;

/** Wilson score interval's lower end for `successes` of `n` (good for many successes, too high for a handful). */
export function wilsonLower(successes: number, n: number, z: number = Z_FOR_LEVELS[0]): number {
  if (n <= 0) return 0;
  const p = successes / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return Math.max(0, (centre - spread) / (1 + z2 / n));
}

/** The Poisson mean λ at which P(X ≥ x) = alpha: the exact one-sided lower bound of a rate seen x times. */
export function poissonLower(x: number, alpha: number): number {
  if (x <= 0) return 0;
  const upperTail = (lambda: number): number => {
    // 1 − P(X ≤ x − 1), the terms built up from e^−λ (λ ≤ x ≤ EXACT_UP_TO: no underflow).
    let term = Math.exp(-lambda);
    let cdf = term;
    for (let i = 1; i < x; i++) {
      term *= lambda / i;
      cdf += term;
    }
    return 1 - cdf;
  };
  let low = 0;
  let high = x;
  for (let k = 0; k < 60; k++) {
    const mid = (low + high) / 2;
    if (upperTail(mid) < alpha) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/**
 * Lower bound of a rate seen `successes` times (fractional: a share of `n`) in `n` trials, one of `level` + 1 bounds
 * that hold at 95 % together:
 * Poisson's exact bound on the whole events seen where they are few (Wilson's interval claims far too much from
 * one or two), Wilson's where they are many.
 */
export function rateLower(successes: number, n: number, level: 0 | 1 | 2 = 0): number {
  if (n <= 0) return 0;
  const events = Math.floor(successes + 1e-9);
  if (events > EXACT_UP_TO) return wilsonLower(successes, n, Z_FOR_LEVELS[level]);
  return Math.min(1, poissonLower(events, ALPHA_FOR_LEVELS[level]) / n);
}

/**
 * Every enrolled sample against every other person's mean template (or a seeded random subset of the samples
 * beyond `limit` comparisons), among at most `maxPersons` people (a seeded random subset beyond: the cost stays
 * bounded at a large site). The means are the door's own: a PersonGallery of the samples, searched for everyone.
 */
export function crossPersonSimilarities(
  templates: Iterable<PersonTemplate>,
  limit: number,
  seed = 1,
  maxPersons = Number.POSITIVE_INFINITY,
  lengthExponent = 0,
): { persons: number; comparedPersons: number; similarities: Float32Array } {
  const samplesOf = new Map<string, Float32Array[]>();
  for (const { personId, template } of templates) {
    const list = samplesOf.get(personId);
    if (list) list.push(template);
    else samplesOf.set(personId, [template]);
  }
  const everyone = [...samplesOf.keys()];
  const persons = everyone.length > maxPersons ? shuffledIndices(everyone.length, seed).slice(0, maxPersons).map((i) => everyone[i]!) : everyone;
  if (persons.length < 2) return { persons: everyone.length, comparedPersons: persons.length, similarities: new Float32Array(0) };
  const samples = persons.flatMap((id) => samplesOf.get(id)!.map((template) => ({ id, template })));
  const gallery = new PersonGallery({ dimension: samples[0]!.template.length, initialCapacity: persons.length, lengthExponent });
  gallery.addMany(samples);
  const others = persons.length - 1;
  const chosen = samples.length * others > limit ? shuffledIndices(samples.length, seed).slice(0, Math.max(1, Math.floor(limit / others))).map((i) => samples[i]!) : samples;
  const similarities = new Float32Array(chosen.length * others);
  let k = 0;
  for (const { id, template } of chosen) {
    for (const hit of gallery.search(template, { topK: persons.length })) if (hit.id !== id) similarities[k++] = hit.similarity;
  }
  return { persons: everyone.length, comparedPersons: persons.length, similarities: similarities.subarray(0, k) };
}

/**
 * Measures the site's likeness from its enrolled templates; null with fewer than MIN_SITE_PERSONS people.
 * Deterministic: the random subset (beyond `maxComparisons`) is drawn with `seed`.
 */
export function measureSiteLikeness(
  templates: Iterable<PersonTemplate>,
  reference: GalleryReference,
  options: {
    readonly maxComparisons?: number;
    readonly maxPersons?: number;
    readonly seed?: number;
    /** People enrolled with a template, where `templates` are a subset's (the store chose them: Store.galleryTemplates). */
    readonly persons?: number;
    /** The door's PersonGallery `lengthExponent` (the manifest's `identification.meanTemplate`); default 0. */
    readonly lengthExponent?: number;
  } = {},
): SiteLikeness | null {
  if (reference.levels.length === 0) throw new RangeError('a reference needs at least one level');
  if (reference.levels.length > ALPHA_FOR_LEVELS.length) throw new RangeError(`a reference holds at most ${ALPHA_FOR_LEVELS.length} levels, got ${reference.levels.length}`);
  for (const { fmr } of reference.levels) if (!(fmr > 0 && fmr < 1)) throw new RangeError(`reference FMR must lie in (0, 1), got ${fmr}`);
  const measured = crossPersonSimilarities(templates, options.maxComparisons ?? MAX_SITE_COMPARISONS, options.seed, options.maxPersons ?? MAX_SITE_PERSONS, options.lengthExponent);
  const { comparedPersons, similarities } = measured;
  const persons = Math.max(measured.persons, options.persons ?? 0);
  if (persons < MIN_SITE_PERSONS) return null;
  const comparisons = similarities.length;
  const pairs = (comparedPersons * (comparedPersons - 1)) / 2;
  const effective = Math.min(comparisons, pairs);
  const level = (reference.levels.length - 1) as 0 | 1 | 2;
  const levels = reference.levels.map(({ fmr, similarity }) => {
    let reaching = 0;
    for (const value of similarities) if (value >= similarity) reaching++;
    const share = reaching / comparisons;
    return { fmr, similarity, reaching, factor: share / fmr, factorLower: rateLower(share * effective, effective, level) / fmr };
  });
  return { persons, comparisons, levels, applied: Math.max(1, ...levels.map((level) => level.factorLower)) };
}

/** Comparisons a dev gallery's reference is measured on at most (a random subset beyond). */
export const MAX_REFERENCE_COMPARISONS = 2_000_000;

/** The FMR levels a reference holds. */
export const REFERENCE_FMRS = [1e-2, 1e-3, 1e-4] as const;

/**
 * A dev gallery's reference: at each FMR with at least 10 comparisons reaching it, the similarity that share of
 * its cross-person comparisons reach (the k-th highest, k = ⌈fmr · comparisons⌉), measured the way
 * measureSiteLikeness measures a site. Throws when not even the first level has 10.
 */
export function galleryReferenceOf(
  templates: Iterable<PersonTemplate>,
  fmrs: readonly number[] = REFERENCE_FMRS,
  seed = 1,
  lengthExponent = 0,
): GalleryReference & { comparisons: number } {
  const { similarities } = crossPersonSimilarities(templates, MAX_REFERENCE_COMPARISONS, seed, Number.POSITIVE_INFINITY, lengthExponent);
  const sorted = similarities.slice().sort().reverse();
  const levels = fmrs.flatMap((fmr) => {
    const reaching = Math.ceil(fmr * sorted.length);
    return reaching >= 10 ? [{ fmr, similarity: sorted[reaching - 1]! }] : [];
  });
  if (levels.length === 0) throw new RangeError(`${similarities.length} cross-person comparisons are too few for a reference at FMR ${fmrs[0]}`);
  return { levels, comparisons: similarities.length };
}
