/**
 * Threshold choice on every image pair of a data set, not only the protocol's pairs: LFW's 1,500
 * different-person pairs can place a threshold for FAR 1e-3 on one or two scores, while all cross-person
 * pairs of the same images number millions. A person-disjoint split checks that a threshold chosen on some
 * people holds on people it never saw.
 */

import { countAtOrAbove } from './open-set-metrics.js';

/** One operating point over all image pairs. */
export interface ImpostorOperatingPoint {
  /** Target false-accept rate over different-person pairs. */
  targetFar: number;
  /** Smallest cosine similarity at which the FAR is at most the target (accept when similarity ≥ threshold). */
  threshold: number;
  /** Different-person pairs at or above the threshold. */
  falseAccepts: number;
  /** Share of same-person pairs at or above the threshold, 0..1. */
  tar: number;
  /** Threshold chosen on the people of half A alone, and the FAR it gives on the people of half B. */
  heldOut: { thresholdOnA: number; farOnB: number; thresholdOnB: number; farOnA: number };
}

/** Result of {@link analyseImpostors}. */
export interface ImpostorAnalysis {
  /** People with at least one embedded image. */
  personCount: number;
  imageCount: number;
  /** Different-person image pairs scored. */
  impostorPairCount: number;
  /** Same-person image pairs scored. */
  genuinePairCount: number;
  points: ImpostorOperatingPoint[];
}

/** Sorted-descending scores → the smallest threshold with at most `allowed` scores at or above it. */
function thresholdForCount(descending: Float32Array, allowed: number): number {
  if (descending.length === 0) return Number.POSITIVE_INFINITY;
  if (allowed >= descending.length) return Number.NEGATIVE_INFINITY;
  // Just above the first score that must be rejected; float32 spacing near 1 is ~6e-8.
  return (descending[allowed] as number) + 1e-7;
}

function sortDescending(values: number[] | Float32Array): Float32Array {
  const sorted = Float32Array.from(values).sort();
  return sorted.reverse();
}

/**
 * Scores every pair of embedded images (cosine; embeddings must be L2-normalised) and places thresholds for
 * each FAR target. People are split into two halves by their position in name order (even / odd), for the
 * held-out check.
 *
 * @param embeddings image → unit-length embedding
 * @param personOf image → person id
 * @param farTargets default [1e-3, 1e-4, 1e-5]
 */
export function analyseImpostors(
  embeddings: ReadonlyMap<string, Float32Array>,
  personOf: (image: string) => string,
  farTargets: readonly number[] = [1e-3, 1e-4, 1e-5],
): ImpostorAnalysis {
  const images = [...embeddings.keys()].sort();
  const people = [...new Set(images.map(personOf))].sort();
  const half = new Map(people.map((person, index) => [person, index % 2]));
  const count = images.length;
  const dimension = embeddings.get(images[0] ?? '')?.length ?? 0;
  const matrix = new Float32Array(count * dimension);
  images.forEach((image, row) => matrix.set(embeddings.get(image) as Float32Array, row * dimension));
  const personIndex = Int32Array.from(images, (image) => people.indexOf(personOf(image)));

  const impostors = new Float32Array((count * (count - 1)) / 2);
  const impostorsA: number[] = [];
  const impostorsB: number[] = [];
  const genuine: number[] = [];
  let impostorCount = 0;
  for (let i = 0; i < count; i++) {
    const rowI = i * dimension;
    const personI = personIndex[i] as number;
    const halfI = half.get(people[personI] as string);
    for (let j = i + 1; j < count; j++) {
      const rowJ = j * dimension;
      let dot = 0;
      for (let d = 0; d < dimension; d++) dot += (matrix[rowI + d] as number) * (matrix[rowJ + d] as number);
      const personJ = personIndex[j] as number;
      if (personI === personJ) {
        genuine.push(dot);
        continue;
      }
      impostors[impostorCount++] = dot;
      const halfJ = half.get(people[personJ] as string);
      if (halfI === halfJ) (halfI === 0 ? impostorsA : impostorsB).push(dot);
    }
  }
  const all = sortDescending(impostors.subarray(0, impostorCount));
  const sortedA = sortDescending(impostorsA);
  const sortedB = sortDescending(impostorsB);
  const sortedGenuine = sortDescending(genuine);

  const points = farTargets.map((targetFar): ImpostorOperatingPoint => {
    const threshold = thresholdForCount(all, Math.floor(targetFar * all.length));
    const thresholdOnA = thresholdForCount(sortedA, Math.floor(targetFar * sortedA.length));
    const thresholdOnB = thresholdForCount(sortedB, Math.floor(targetFar * sortedB.length));
    return {
      targetFar,
      threshold,
      falseAccepts: countAtOrAbove(all, threshold),
      tar: sortedGenuine.length === 0 ? Number.NaN : countAtOrAbove(sortedGenuine, threshold) / sortedGenuine.length,
      heldOut: {
        thresholdOnA,
        farOnB: countAtOrAbove(sortedB, thresholdOnA) / Math.max(1, sortedB.length),
        thresholdOnB,
        farOnA: countAtOrAbove(sortedA, thresholdOnB) / Math.max(1, sortedA.length),
      },
    };
  });
  return { personCount: people.length, imageCount: count, impostorPairCount: impostorCount, genuinePairCount: genuine.length, points };
}
