import type { z } from 'zod';

import type { DeepReadonly } from '../../shared/contract/handler.js';
import type { identificationStateSchema, thresholdSourceSchema } from '../../shared/contract/schemas.js';
import { expectedRates, identifyThresholdFor, matchScore, thresholdFor, type IdentificationCurve } from '../../vision/matcher/identification-curve.js';
import type { MatchThresholds } from '../../vision/matcher/face-matcher.js';

/** The target FPIR per search where the settings name none (`recognition.targetFpir`). */
export const DEFAULT_TARGET_FPIR = 1e-3;

/** Where the 1:N threshold in force comes from (see thresholdSourceSchema). */
export type ThresholdSource = z.output<typeof thresholdSourceSchema>;

/** The 1:N threshold in force and what it is expected to give, for the System screen. */
export type IdentificationState = DeepReadonly<z.output<typeof identificationStateSchema>>;

/** What the threshold needs of the store: a cheap revision and the count of the gallery. */
export interface GalleryCounter {
  readonly galleryRevision: number;
  galleryCount(modelId: string): { persons: number; templates: number };
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
    return curve ? Math.max(fixed.verifySimilarity, thresholdFor(curve, 1, this.targetFpir)) : fixed.verifySimilarity;
  }

  /** The threshold in force, where it comes from and what it is expected to give. */
  state(): IdentificationState {
    const { modelId, curve, fixed } = this.options;
    const { gallerySize, galleryTemplates, similarity: followed } = this.current();
    const thresholdSimilarity = this.override ?? followed;
    const source: ThresholdSource = this.override !== undefined ? 'override' : curve ? 'curve' : 'fixed';
    const note =
      source === 'fixed'
        ? `no identification curve for ${modelId} in the manifest: its fixed threshold ${fixed.identifySimilarity} is used whatever the gallery size (measure one with lintel eval ident --write-curve)`
        : source === 'override'
          ? `the threshold is set by hand (recognition.identifySimilarity ${thresholdSimilarity}); ${curve ? `the curve would give ${followed.toFixed(4)}` : 'there is no curve'}`
          : undefined;
    return {
      modelId,
      gallerySize,
      galleryTemplates,
      targetFpir: this.targetFpir,
      thresholdSimilarity,
      source,
      expected: curve ? expectedRates(curve, gallerySize, thresholdSimilarity) : null,
      oneToOneSimilarity: this.oneToOneSimilarity,
      curveProtocol: curve ? describeCurveProtocol(curve) : null,
      ...(note ? { note } : {}),
    };
  }

  private current(): { gallerySize: number; galleryTemplates: number; similarity: number } {
    const { gallery, modelId, curve, fixed } = this.options;
    const revision = gallery.galleryRevision;
    if (this.counted?.revision === revision) return this.counted;
    const { persons: gallerySize, templates: galleryTemplates } = gallery.galleryCount(modelId);
    const similarity = identifyThresholdFor(fixed, curve, gallerySize, this.targetFpir);
    this.counted = { revision, gallerySize, galleryTemplates, similarity };
    return this.counted;
  }
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
