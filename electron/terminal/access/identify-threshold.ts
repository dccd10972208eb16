import type { z } from 'zod';

import type { DeepReadonly } from '../../shared/contract/handler.js';
import type { identificationStateSchema, thresholdSourceSchema } from '../../shared/contract/schemas.js';
import { expectedRates, identifyThresholdFor, matchScore, thresholdFor, type IdentificationCurve } from '../../vision/matcher/identification-curve.js';
import type { MatchThresholds } from '../../vision/matcher/face-matcher.js';
import { MAX_SITE_PERSONS, measureSiteLikeness, type PersonTemplate, type SiteLikeness } from '../../vision/matcher/site-likeness.js';

/** The target FPIR per search where the settings name none (`recognition.targetFpir`). */
export const DEFAULT_TARGET_FPIR = 1e-3;

/** Where the 1:N threshold in force comes from (see thresholdSourceSchema). */
export type ThresholdSource = z.output<typeof thresholdSourceSchema>;

/** The 1:N threshold in force and what it is expected to give, for the System screen. */
export type IdentificationState = DeepReadonly<z.output<typeof identificationStateSchema>>;

/**
 * What the threshold needs of the store: a cheap revision and the count of the gallery; the enrolled templates,
 * where the site's likeness is to be measured (site-likeness.ts).
 */
export interface GalleryCounter {
  readonly galleryRevision: number;
  galleryCount(modelId: string): { persons: number; templates: number };
  /** The templates of at most `maxPersons` people (a random subset beyond), and how many people have one. */
  galleryTemplates?(modelId: string, maxPersons: number): { persons: number; templates: Iterable<PersonTemplate> };
}

/** Options of `IdentifyThreshold`. */
export interface IdentifyThresholdOptions {
  /** The running extractor. */
  readonly modelId: string;
  /** Its manifest thresholds: `identifySimilarity` where there is no curve, `verifySimilarity` as a floor. */
  readonly fixed: MatchThresholds;
  /** Its manifest identification curve, if measured. */
  readonly curve?: IdentificationCurve;
  readonly gallery: GalleryCounter;
  /** Default DEFAULT_TARGET_FPIR. */
  readonly targetFpir?: number;
  /** The administrator's threshold (cosine), overriding the curve; default none. */
  readonly override?: number;
}

/** A sentence saying where a curve was measured, from its protocol. */
export function describeCurveProtocol(curve: IdentificationCurve): string {
  const p = curve.protocol;
  return (
    `Measured on ${p.measuredOn} by ${p.description}: a dev gallery of ${p.gallerySize.toLocaleString('en-GB')} people, ` +
    `${p.matedSearches.toLocaleString('en-GB')} searches by enrolled people and ${p.nonMatedSearches.toLocaleString('en-GB')} by others, ` +
    `${p.comparisons.toLocaleString('en-GB')} single comparisons (FMR below 1 in ${p.comparisons.toLocaleString('en-GB')} is extrapolated).`
  );
}

/**
 * The 1:N threshold the terminal identifies with: `thresholdFor(curve, gallery size, target FPIR)`, never below
 * the 1:1 verification threshold (the gallery search leaves out hits below it). The gallery is counted again
 * only when the store's revision moved, at the next read, so a bulk import does not count after every person
 * until something searches. Without a curve, the extractor's fixed threshold; an administrator's override
 * wins over both.
 */
export class IdentifyThreshold {
  private targetFpir: number;
  private override: number | undefined;
  private counted: { revision: number; gallerySize: number; galleryTemplates: number; similarity: number } | undefined;
  /** The site's likeness and the number of people it was measured on (null: too few, or nothing to hold it against). */
  private likeness: { persons: number; measured: SiteLikeness | null } | undefined;
  private likenessPending: Promise<void> | undefined;
  private likenessFailure: string | undefined;

  constructor(private readonly options: IdentifyThresholdOptions) {
    this.targetFpir = options.targetFpir ?? DEFAULT_TARGET_FPIR;
    this.override = options.override;
  }

  /** A new target FPIR per search (0..1, exclusive), in force from the next search. */
  setTargetFpir(targetFpir: number): void {
    if (!(targetFpir > 0 && targetFpir < 1)) throw new RangeError(`target FPIR must lie in (0, 1), got ${targetFpir}`);
    this.targetFpir = targetFpir;
    this.counted = undefined;
  }

  /** The administrator's threshold (cosine), or undefined to follow the curve again. */
  setOverride(similarity: number | undefined): void {
    this.override = similarity;
  }

  /** The threshold in force, cosine -1..1. */
  get similarity(): number {
    if (this.override !== undefined) return this.override;
    return this.current().similarity;
  }

  /**
   * The threshold of a face compared with one person only (after a card names them), cosine: a search of a gallery
   * of one at the same target FPIR, never below the 1:1 verification threshold; without a curve, that threshold.
   */
  get oneToOneSimilarity(): number {
    const { curve, fixed } = this.options;
    return curve ? Math.max(fixed.verifySimilarity, thresholdFor(curve, 1, this.targetFpir, this.fmrFactor())) : fixed.verifySimilarity;
  }

  /** The threshold in force, where it comes from and what it is expected to give. */
  state(): IdentificationState {
    const { modelId, curve, fixed } = this.options;
    const { gallerySize, galleryTemplates, similarity: followed } = this.current();
    const thresholdSimilarity = this.override ?? followed;
    const source: ThresholdSource = this.override !== undefined ? 'override' : curve ? 'curve' : 'fixed';
    const likeness = this.likeness?.measured ?? null;
    const note =
      source === 'fixed'
        ? `no identification curve for ${modelId} in the manifest: its fixed threshold ${fixed.identifySimilarity} is used whatever the gallery size (measure one with lintel eval ident --write-curve)`
        : source === 'override'
          ? `the threshold is set by hand (recognition.identifySimilarity ${thresholdSimilarity}); ${curve ? `the curve would give ${followed.toFixed(4)}` : 'there is no curve'}`
          : this.likenessFailure;
    return {
      modelId,
      gallerySize,
      galleryTemplates,
      targetFpir: this.targetFpir,
      thresholdSimilarity,
      source,
      expected: curve ? expectedRates(curve, gallerySize, thresholdSimilarity, this.fmrFactor()) : null,
      oneToOneSimilarity: this.oneToOneSimilarity,
      curveProtocol: curve ? describeCurveProtocol(curve) : null,
      siteLikeness: likeness ? { ...likeness, note: describeSiteLikeness(likeness) } : null,
      ...(note ? { note } : {}),
    };
  }

  private current(): { gallerySize: number; galleryTemplates: number; similarity: number } {
    const { gallery, modelId, curve, fixed } = this.options;
    const revision = gallery.galleryRevision;
    if (this.counted?.revision === revision) return this.counted;
    const { persons: gallerySize, templates: galleryTemplates } = gallery.galleryCount(modelId);
    this.measureLikeness(gallerySize);
    const similarity = identifyThresholdFor(fixed, curve, gallerySize, this.targetFpir, this.fmrFactor());
    this.counted = { revision, gallerySize, galleryTemplates, similarity };
    return this.counted;
  }

  /** The site's FMR factor the threshold applies (1 without a measure). */
  private fmrFactor(): number {
    return this.likeness?.measured?.applied ?? 1;
  }

  /**
   * Measures the site's likeness again once the gallery has grown or shrunk by 5 % (at least 5 people) since the
   * last measure: it decrypts the templates of up to MAX_SITE_PERSONS people and compares them (at 1,000 people of
   * 5 templates here 0.25–0.35 s to read, 0.11 s to compare), so not at every enrollment of a bulk import, and
   * after the first measure not on the search that noticed the change either: later, between frames, and the
   * threshold follows from the next read on.
   */
  private measureLikeness(gallerySize: number): void {
    const { gallery, curve } = this.options;
    if (!curve?.galleryReference || !gallery.galleryTemplates || this.likenessPending) return;
    const last = this.likeness;
    if (last && Math.abs(gallerySize - last.persons) < Math.max(5, 0.05 * last.persons)) return;
    if (!last) {
      this.measureLikenessNow(gallerySize);
      return;
    }
    this.likenessPending = new Promise<void>((resolve) =>
      setImmediate(() => {
        try {
          this.measureLikenessNow(gallerySize);
        } finally {
          this.likenessPending = undefined;
          resolve();
        }
      }),
    );
  }

  /** A measure that fails (an unreadable template) leaves the threshold as the curve gives it, and says why. */
  private measureLikenessNow(gallerySize: number): void {
    const { gallery, modelId, curve } = this.options;
    try {
      const { persons, templates } = gallery.galleryTemplates!(modelId, MAX_SITE_PERSONS);
      const lengthExponent = curve!.meanTemplate?.lengthExponent ?? 0;
      this.likeness = { persons: gallerySize, measured: measureSiteLikeness(templates, curve!.galleryReference!, { persons, lengthExponent }) };
      this.likenessFailure = undefined;
    } catch (error) {
      this.likeness = { persons: gallerySize, measured: null };
      this.likenessFailure = `the site's likeness could not be measured (${(error as Error).message}): the threshold follows the curve alone`;
    }
    // The threshold in force follows from the next read.
    this.counted = undefined;
  }

  /** Resolves once no measure of the site's likeness is waiting (tests, and whoever wants the figures settled). */
  async likenessSettled(): Promise<void> {
    await this.likenessPending;
  }
}

/** A sentence for administrators on what the site's likeness did to the threshold. */
export function describeSiteLikeness(likeness: SiteLikeness): string {
  const times = (x: number): string => `${x < 10 ? x.toFixed(1) : x.toFixed(0)}×`;
  const oneIn = (fmr: number): string => `1-in-${Math.round(1 / fmr).toLocaleString('en-GB')}`;
  const compared = `of ${likeness.comparisons.toLocaleString('en-GB')} comparisons of the ${likeness.persons.toLocaleString('en-GB')} people enrolled here with one another`;
  // The level that decided: the largest lower bound.
  const decided = likeness.levels.reduce((best, level) => (level.factorLower > best.factorLower ? level : best));
  const atLevel = `${decided.reaching.toLocaleString('en-GB')} ${compared} reach the dev gallery's ${oneIn(decided.fmr)} similarity, ${times(decided.factor)} as often`;
  return likeness.applied > 1
    ? `Faces enrolled here look more alike than the dev data's: ${atLevel} (at least ${times(decided.factorLower)}); the threshold is raised so that strangers matching ${times(likeness.applied)} as often still meet the target FPIR.`
    : `Faces enrolled here look no more alike than the dev data's (${atLevel}, not surely above 1×): the threshold follows the curve as measured.`;
}

/**
 * The 0–100 match score (identification-curve.ts `matchScore`) of a similarity made by `modelId`, from that
 * model's curve; null when there is no similarity, no model or no curve for it.
 */
export function matchScoreOf(curves: ReadonlyMap<string, IdentificationCurve>, modelId: string | null | undefined, similarity: number | null | undefined): number | null {
  if (similarity === null || similarity === undefined || !modelId) return null;
  const curve = curves.get(modelId);
  return curve ? matchScore(curve, similarity) : null;
}
