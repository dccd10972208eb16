import type { Point } from './point.js';

/**
 * 2-D affine transform [a, b, c, d, e, f]: x' = a·x + b·y + c, y' = d·x + e·y + f.
 * Works on continuous coordinates (pixel centres at +0.5, see point.ts).
 */
export type Affine2D = readonly [a: number, b: number, c: number, d: number, e: number, f: number];

/** The transform that leaves every point where it is. */
export const IDENTITY_AFFINE: Affine2D = [1, 0, 0, 0, 1, 0];

/** Maps one point through m. */
export function applyAffine(m: Affine2D, p: Point): Point {
  const [a, b, c, d, e, f] = m;
  return { x: a * p.x + b * p.y + c, y: d * p.x + e * p.y + f };
}

/** Inverse of m; throws a RangeError when m is singular (determinant 0 or not finite). */
export function invertAffine(m: Affine2D): Affine2D {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  // Relative test: a 1e-4 px scale is legitimate, a determinant lost in rounding noise is not.
  if (!Number.isFinite(det) || Math.abs(det) <= 1e-14 * Math.max(Math.abs(a * e), Math.abs(b * d))) {
    throw new RangeError(`affine transform [${m.join(', ')}] is not invertible`);
  }
  return [e / det, -b / det, (b * f - e * c) / det, -d / det, a / det, (d * c - a * f) / det];
}

/** The transform that applies `first`, then `second` (i.e. second ∘ first). */
export function composeAffine(first: Affine2D, second: Affine2D): Affine2D {
  const [a1, b1, c1, d1, e1, f1] = first;
  const [a2, b2, c2, d2, e2, f2] = second;
  return [
    a2 * a1 + b2 * d1,
    a2 * b1 + b2 * e1,
    a2 * c1 + b2 * f1 + c2,
    d2 * a1 + e2 * d1,
    d2 * b1 + e2 * e1,
    d2 * c1 + e2 * f1 + f2,
  ];
}

/**
 * Least-squares similarity (rotation + uniform scale + translation, never a reflection) mapping src onto dst.
 * Needs N ≥ 2 point pairs; throws a RangeError when the src or dst points all coincide.
 */
export function estimateSimilarity(src: readonly Point[], dst: readonly Point[]): Affine2D {
  const n = src.length;
  if (n < 2 || dst.length !== n) {
    throw new RangeError(`estimateSimilarity needs ≥ 2 point pairs, got ${n} src and ${dst.length} dst points`);
  }
  let srcMeanX = 0, srcMeanY = 0, dstMeanX = 0, dstMeanY = 0;
  for (let i = 0; i < n; i++) {
    srcMeanX += src[i]!.x; srcMeanY += src[i]!.y;
    dstMeanX += dst[i]!.x; dstMeanY += dst[i]!.y;
  }
  srcMeanX /= n; srcMeanY /= n; dstMeanX /= n; dstMeanY /= n;

  // In 2-D a rotation+scale is the complex product (p + iq)·z, so Umeyama's SVD reduces to two sums:
  // the same optimum, and det = p² + q² ≥ 0 rules out reflections by construction.
  let srcVar = 0, dstVar = 0, dot = 0, cross = 0;
  for (let i = 0; i < n; i++) {
    const sx = src[i]!.x - srcMeanX, sy = src[i]!.y - srcMeanY;
    const dx = dst[i]!.x - dstMeanX, dy = dst[i]!.y - dstMeanY;
    srcVar += sx * sx + sy * sy;
    dstVar += dx * dx + dy * dy;
    dot += sx * dx + sy * dy;
    cross += sx * dy - sy * dx;
  }
  if (!(srcVar > 1e-12)) throw new RangeError('estimateSimilarity: source points coincide (or are not finite)');
  if (!(dstVar > 1e-12)) throw new RangeError('estimateSimilarity: destination points coincide (or are not finite)');
  const p = dot / srcVar; // scale·cos θ
  const q = cross / srcVar; // scale·sin θ
  if (!(p * p + q * q > 1e-24)) throw new RangeError('estimateSimilarity: no rotation/scale fits (points are uncorrelated)');
  return [p, -q, dstMeanX - (p * srcMeanX - q * srcMeanY), q, p, dstMeanY - (q * srcMeanX + p * srcMeanY)];
}

/** Scale factor and rotation of a similarity; rotationRad turns +x towards +y (clockwise on screen, y points down). */
export function similarityParams(m: Affine2D): { scale: number; rotationRad: number } {
  const [a, , , d] = m;
  return { scale: Math.hypot(a, d), rotationRad: Math.atan2(d, a) };
}
