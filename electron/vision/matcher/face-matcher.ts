import type { GalleryHit } from './gallery.js';
import { matchScore, type IdentificationCurve } from './identification-curve.js';
import { PersonGallery } from './person-gallery.js';
import { cosineSimilarity } from './similarity.js';

/** Cosine-similarity thresholds of one extractor (the manifest's `thresholds`). */
export interface MatchThresholds {
  /** 1:1: same person when similarity ≥ this. */
  readonly verifySimilarity: number;
  /** 1:N: a gallery hit counts only at or above this, stricter because false accepts grow with gallery size. */
  readonly identifySimilarity: number;
}

/** A 1:N hit with its verdict. */
export interface IdentifyHit extends GalleryHit {
  /** Whether the similarity reaches the identification threshold. */
  readonly match: boolean;
}

/** Options of FaceMatcher beyond its fixed thresholds. */
export interface FaceMatcherOptions {
  /** The 1:N threshold (cosine, -1..1) in force, read at each search; default the fixed `identifySimilarity`. */
  readonly identifySimilarity?: () => number;
  /** The extractor's identification curve (manifest), for match scores and how mean templates compare; default none (no scores). */
  readonly curve?: IdentificationCurve;
}

/**
 * Compares templates of one extractor with its thresholds: 1:1 verification, and 1:N identification over an
 * in-memory gallery of one mean template per person (see PersonGallery). The 1:N threshold may follow the gallery:
 * `identifySimilarity` is then read at each search (see identification-curve.ts).
 */
export class FaceMatcher {
  readonly gallery: PersonGallery;

  constructor(
    readonly modelId: string,
    readonly dimension: number,
    private readonly fixedThresholds: MatchThresholds,
    private readonly options: FaceMatcherOptions = {},
  ) {
    this.gallery = new PersonGallery({ dimension, lengthExponent: options.curve?.meanTemplate?.lengthExponent ?? 0 });
  }

  /** The thresholds in force now. */
  get thresholds(): MatchThresholds {
    const { identifySimilarity } = this.options;
    return identifySimilarity ? { ...this.fixedThresholds, identifySimilarity: identifySimilarity() } : this.fixedThresholds;
  }

  /** The 0–100 match score of a similarity for administrators (identification-curve.ts `matchScore`); null without a curve. */
  matchScore(similarity: number): number | null {
    return this.options.curve ? matchScore(this.options.curve, similarity) : null;
  }

  /** 1:1: the similarity of two templates (-1..1) and whether they are the same person. */
  verify(a: Float32Array, b: Float32Array): { similarity: number; match: boolean } {
    const similarity = cosineSimilarity(a, b);
    return { similarity, match: similarity >= this.thresholds.verifySimilarity };
  }

  /**
   * 1:1 with an enrolled person (after a card names them): the similarity of `probe` with their mean template and
   * whether it reaches `threshold`; undefined when they have no template of this extractor.
   */
  verifyPerson(personId: string, probe: Float32Array, threshold: number): { similarity: number; match: boolean } | undefined {
    const similarity = this.gallery.similarityTo(personId, probe);
    return similarity === undefined ? undefined : { similarity, match: similarity >= threshold };
  }

  /**
   * 1:N: the best `topK` enrolled ids (default 1) for a probe, best first, each marked whether it reaches the
   * identification threshold. Hits below the verification threshold are left out: they are nobody.
   */
  identify(probe: Float32Array, topK = 1): IdentifyHit[] {
    const { verifySimilarity, identifySimilarity } = this.thresholds;
    return this.gallery.search(probe, { topK, minSimilarity: verifySimilarity }).map((hit) => ({ ...hit, match: hit.similarity >= identifySimilarity }));
  }
}
