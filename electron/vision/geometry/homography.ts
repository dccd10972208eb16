import type { Point } from './point.js';

/**
 * Plane-to-plane projective map, row-major 3 × 3 [h0 … h8]: x' = (h0·x + h1·y + h2) / (h6·x + h7·y + h8),
 * y' = (h3·x + h4·y + h5) / (h6·x + h7·y + h8). Works on continuous coordinates like Affine2D.
 */
export type Homography = readonly [number, number, number, number, number, number, number, number, number];

/** The homography that leaves every point where it is. */
export const IDENTITY_HOMOGRAPHY: Homography = [1, 0, 0, 0, 1, 0, 0, 0, 1];

/** Maps one point through h; a point sent to infinity (w = 0) comes back with non-finite coordinates. */
export function applyHomography(h: Homography, p: Point): Point {
  const w = h[6] * p.x + h[7] * p.y + h[8];
  return { x: (h[0] * p.x + h[1] * p.y + h[2]) / w, y: (h[3] * p.x + h[4] * p.y + h[5]) / w };
}

/** The product a·b (apply b first, then a), scaled so the last entry is 1 when it can be. */
export function multiplyHomography(a: Homography, b: Homography): Homography {
  const out: number[] = [];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      out.push(a[r * 3]! * b[c]! + a[r * 3 + 1]! * b[3 + c]! + a[r * 3 + 2]! * b[6 + c]!);
    }
  }
  return scaleToUnit(out);
}

/** Inverse of h; throws a RangeError when h is singular. */
export function invertHomography(h: Homography): Homography {
  const [a, b, c, d, e, f, g, i, j] = h;
  const co = [e * j - f * i, -(d * j - f * g), d * i - e * g, -(b * j - c * i), a * j - c * g, -(a * i - b * g), b * f - c * e, -(a * f - c * d), a * e - b * d];
  const det = a * co[0]! + b * co[1]! + c * co[2]!;
  const size = Math.max(...h.map(Math.abs));
  if (!Number.isFinite(det) || Math.abs(det) <= 1e-14 * size ** 3) throw new RangeError(`homography [${h.join(', ')}] is not invertible`);
  // The inverse is the transposed cofactor matrix over the determinant.
  return scaleToUnit([co[0]! / det, co[3]! / det, co[6]! / det, co[1]! / det, co[4]! / det, co[7]! / det, co[2]! / det, co[5]! / det, co[8]! / det]);
}

/**
 * The homography mapping src onto dst by the normalised direct linear transform (Hartley & Zisserman,
 * Multiple View Geometry, algorithm 4.2): both point sets are moved to their centroid and scaled to a mean
 * distance of √2, the 2N × 9 system is solved as the eigenvector of AᵀA with the smallest eigenvalue, and the
 * normalisation is undone. Least squares in the algebraic error: no outlier rejection, which suits measuring
 * how far points are from one plane. Needs N ≥ 4 pairs, no three of the first four collinear; throws a
 * RangeError when the points are degenerate.
 */
export function estimateHomography(src: readonly Point[], dst: readonly Point[]): Homography {
  const n = src.length;
  if (n < 4 || dst.length !== n) {
    throw new RangeError(`estimateHomography needs ≥ 4 point pairs, got ${n} src and ${dst.length} dst points`);
  }
  const srcNorm = normalisation(src, 'source');
  const dstNorm = normalisation(dst, 'destination');
  const ata = new Float64Array(81);
  const row = new Float64Array(9);
  const accumulate = (): void => {
    for (let r = 0; r < 9; r++) {
      const v = row[r]!;
      if (v === 0) continue;
      for (let c = r; c < 9; c++) ata[r * 9 + c]! += v * row[c]!;
    }
  };
  for (let k = 0; k < n; k++) {
    const x = (src[k]!.x - srcNorm.cx) * srcNorm.s;
    const y = (src[k]!.y - srcNorm.cy) * srcNorm.s;
    const u = (dst[k]!.x - dstNorm.cx) * dstNorm.s;
    const v = (dst[k]!.y - dstNorm.cy) * dstNorm.s;
    row.set([x, y, 1, 0, 0, 0, -u * x, -u * y, -u]);
    accumulate();
    row.set([0, 0, 0, x, y, 1, -v * x, -v * y, -v]);
    accumulate();
  }
  for (let r = 0; r < 9; r++) for (let c = 0; c < r; c++) ata[r * 9 + c] = ata[c * 9 + r]!;
  const { values, vectors } = symmetricEigen(ata, 9);
  let smallest = 0;
  for (let k = 1; k < 9; k++) if (values[k]! < values[smallest]!) smallest = k;
  // A second (near-)zero eigenvalue means the points do not pin one homography down.
  const sorted = [...values].sort((a, b) => a - b);
  if (!(sorted[1]! > 1e-12 * Math.max(1, sorted[8]!))) throw new RangeError('estimateHomography: the points are degenerate (collinear or repeated)');
  const hn: number[] = [];
  for (let k = 0; k < 9; k++) hn.push(vectors[k * 9 + smallest]!);
  // H = T_dst⁻¹ · Hn · T_src, with T = [[s, 0, −s·cx], [0, s, −s·cy], [0, 0, 1]].
  const tSrc: Homography = [srcNorm.s, 0, -srcNorm.s * srcNorm.cx, 0, srcNorm.s, -srcNorm.s * srcNorm.cy, 0, 0, 1];
  const tDstInv: Homography = [1 / dstNorm.s, 0, dstNorm.cx, 0, 1 / dstNorm.s, dstNorm.cy, 0, 0, 1];
  return multiplyHomography(tDstInv, multiplyHomography(hn as unknown as Homography, tSrc));
}

/** Root-mean-square distance between h(src[k]) and dst[k], in the units of dst. */
export function reprojectionRms(h: Homography, src: readonly Point[], dst: readonly Point[]): number {
  let sum = 0;
  for (let k = 0; k < src.length; k++) {
    const p = applyHomography(h, src[k]!);
    sum += (p.x - dst[k]!.x) ** 2 + (p.y - dst[k]!.y) ** 2;
  }
  return Math.sqrt(sum / src.length);
}

/** Centroid and the scale that gives the points a mean distance of √2 from it. */
function normalisation(points: readonly Point[], which: string): { cx: number; cy: number; s: number } {
  let cx = 0;
  let cy = 0;
  for (const p of points) {
    cx += p.x;
    cy += p.y;
  }
  cx /= points.length;
  cy /= points.length;
  let meanDistance = 0;
  for (const p of points) meanDistance += Math.hypot(p.x - cx, p.y - cy);
  meanDistance /= points.length;
  if (!(meanDistance > 1e-12) || !Number.isFinite(meanDistance)) throw new RangeError(`estimateHomography: ${which} points coincide (or are not finite)`);
  return { cx, cy, s: Math.SQRT2 / meanDistance };
}

function scaleToUnit(m: readonly number[]): Homography {
  const last = m[8]!;
  const size = Math.max(...m.map(Math.abs));
  // Keep the last entry at 1 unless it is (nearly) 0, where dividing would blow the others up.
  const divisor = Math.abs(last) > 1e-12 * size ? last : size;
  return m.map((v) => v / divisor) as unknown as Homography;
}

/**
 * Eigen-decomposition of a symmetric n × n matrix (row-major) by cyclic Jacobi rotations; returns the
 * eigenvalues and the eigenvectors as the columns of `vectors`. Exact to rounding for the small matrices here.
 */
export function symmetricEigen(matrix: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p++) {
      diag += a[p * n + p]! ** 2;
      for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2;
    }
    if (off <= 1e-30 * Math.max(diag, 1e-300)) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq === 0) continue;
        const app = a[p * n + p]!;
        const aqq = a[q * n + q]!;
        // The rotation angle that zeroes a[p][q] (Numerical Recipes §11.1, the stable form of tan θ).
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i]!;
  return { values, vectors: v };
}
