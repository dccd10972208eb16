import { Gallery, type GalleryHit } from './gallery.js';
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

/**
 * Compares templates of one extractor with its thresholds: 1:1 verification, and 1:N identification over an
 * in-memory gallery (one contiguous matrix; see Gallery).
 */
export class FaceMatcher {
  readonly gallery: Gallery;

  constructor(
    readonly modelId: string,
    readonly dimension: number,
    readonly thresholds: MatchThresholds,
  ) {
    this.gallery = new Gallery({ dimension });
  }

  /** 1:1: the similarity of two templates (-1..1) and whether they are the same person. */
  verify(a: Float32Array, b: Float32Array): { similarity: number; match: boolean } {
    const similarity = cosineSimilarity(a, b);
    return { similarity, match: similarity >= this.thresholds.verifySimilarity };
  }

  /**
   * 1:N: the best `topK` enrolled ids (default 1) for a probe, best first, each marked whether it reaches the
   * identification threshold. Hits below the verification threshold are left out: they are nobody.
   */
  identify(probe: Float32Array, topK = 1): IdentifyHit[] {
    return this.gallery
      .search(probe, { topK, minSimilarity: this.thresholds.verifySimilarity })
      .map((hit) => ({ ...hit, match: hit.similarity >= this.thresholds.identifySimilarity }));
  }
}
