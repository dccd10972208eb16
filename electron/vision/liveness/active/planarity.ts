import { estimateHomography, reprojectionRms } from '../../geometry/homography.js';
import type { Point } from '../../geometry/point.js';
import { yawDegOf } from './head-turn.js';
import { interOcular3dPx, landmarkPx, type MeshObservation } from './mesh-observation.js';

/**
 * FaceMesh indices the planarity test fits: points spread over the face that neither blinks nor speech move
 * — the face rim (forehead, temples, jaw, chin), cheeks, the nose (bridge, tip, wings) and the eye corners.
 * A real face puts these at different depths (the nose tip ~⅓ of the inter-ocular distance in front of the
 * eye corners, the rim behind them), so a turn moves them apart in a way no single homography explains.
 */
export const PLANARITY_INDICES: readonly number[] = [
  // Rim: forehead, temples, cheekbones at the silhouette, jaw, chin.
  10, 109, 338, 67, 297, 127, 356, 234, 454, 93, 323, 132, 361, 58, 288, 136, 365, 149, 378, 152,
  // Cheeks.
  50, 280, 205, 425, 116, 345, 123, 352,
  // Nose: bridge, tip, wings, below the tip.
  168, 6, 197, 195, 5, 4, 1, 2, 98, 327,
  // Eye corners (the lids move when blinking, the corners do not).
  33, 133, 362, 263,
];

/** Thresholds of the planarity test. */
export interface PlanarityOptions {
  /**
   * Residual (RMS distance of the fitted points from one homography, in inter-ocular distances) below which
   * the landmarks moved as one plane; default 0.07 (chosen on half the data, see README).
   */
  readonly minResidualIod?: number;
  /** Least correlation between the residual and the yaw change for a real face; default 0.3. */
  readonly minCorrelation?: number;
  /** Least yaw span, degrees, for the test to judge at all; default 8. Less is reported as planar. */
  readonly minYawSpanDeg?: number;
  /** Least number of frames (at least 2); default 4. Fewer are reported as planar. */
  readonly minFrames?: number;
  /** Landmarks to fit; default PLANARITY_INDICES. */
  readonly indices?: readonly number[];
}

/** The planarity test's verdict on one sequence: planar means "moved like a photo or a screen", i.e. reject. */
export interface PlanarityVerdict {
  readonly planar: boolean;
  /** The decisive residual: median over the frames turned at least half as far as the furthest, in inter-ocular distances. */
  readonly residualIod: number;
  /** Largest minus smallest yaw over the sequence, degrees. */
  readonly yawSpanDeg: number;
  /** Pearson correlation between the per-frame residual and |yaw change| (0 when undefined). */
  readonly correlation: number;
  /** Which rule rejected: 'planar' (one homography fits), 'no-parallax' (residual unrelated to the turn); absent when not planar. */
  readonly cue?: 'planar' | 'no-parallax';
  /** Why it is planar, in words; absent when not planar. */
  readonly reason?: string;
}

/** One frame of a sequence against its first frame. */
export interface PlanarityFrame {
  readonly timestampMs: number;
  readonly yawDeg: number;
  /** |yaw − first frame's yaw|, degrees. */
  readonly yawChangeDeg: number;
  /** RMS distance of the fitted points from the best homography first → this frame, in inter-ocular distances. */
  readonly residualIod: number;
}

/** Defaults of PlanarityOptions. */
export const PLANARITY_DEFAULTS = { minResidualIod: 0.07, minCorrelation: 0.3, minYawSpanDeg: 8, minFrames: 4 } as const;

/** The per-frame residuals and yaw changes of a sequence, each frame against the first. */
export function planarityFrames(observations: readonly MeshObservation[], indices: readonly number[] = PLANARITY_INDICES): PlanarityFrame[] {
  if (observations.length === 0) return [];
  const first = observations[0]!;
  const points = (o: MeshObservation): Point[] => indices.map((index) => landmarkPx(o, index));
  const firstPoints = points(first);
  const iodPx = interOcular3dPx(first);
  const firstYawDeg = yawDegOf(first);
  return observations.map((o, k) => {
    const yawDeg = k === 0 ? firstYawDeg : yawDegOf(o);
    let residualIod = 0;
    if (k > 0) {
      const framePoints = points(o);
      residualIod = reprojectionRms(estimateHomography(firstPoints, framePoints), firstPoints, framePoints) / iodPx;
    }
    return { timestampMs: o.timestampMs, yawDeg, yawChangeDeg: Math.abs(yawDeg - firstYawDeg), residualIod };
  });
}

/**
 * Decides whether a face's landmarks moved as one plane (a photo or a screen moved in the hand) over a head
 * turn: each frame is fitted to the first by one homography; a real face leaves a residual that grows with
 * the yaw. Planar when the residual at the turned end is below minResidualIod, or when it does not correlate
 * with the yaw change (noise, not parallax), or when there is too little turn or too few frames to judge.
 */
export function assessPlanarity(observations: readonly MeshObservation[], options: PlanarityOptions = {}): PlanarityVerdict {
  const minResidualIod = options.minResidualIod ?? PLANARITY_DEFAULTS.minResidualIod;
  const minCorrelation = options.minCorrelation ?? PLANARITY_DEFAULTS.minCorrelation;
  const minYawSpanDeg = options.minYawSpanDeg ?? PLANARITY_DEFAULTS.minYawSpanDeg;
  const minFrames = Math.max(2, options.minFrames ?? PLANARITY_DEFAULTS.minFrames);
  const frames = planarityFrames(observations, options.indices ?? PLANARITY_INDICES);
  const yaws = frames.map((f) => f.yawDeg);
  const yawSpanDeg = frames.length > 0 ? Math.max(...yaws) - Math.min(...yaws) : 0;
  const later = frames.slice(1);
  const correlation = pearson(later.map((f) => f.yawChangeDeg), later.map((f) => f.residualIod));
  const furthestDeg = Math.max(0, ...later.map((f) => f.yawChangeDeg));
  const turned = later.filter((f) => f.yawChangeDeg >= furthestDeg / 2).map((f) => f.residualIod);
  const residualIod = turned.length > 0 ? median(turned) : 0;
  const base = { residualIod, yawSpanDeg, correlation };
  if (frames.length < minFrames) return { ...base, planar: true, cue: 'no-parallax', reason: `${frames.length} frames, the test needs ${minFrames}` };
  if (yawSpanDeg < minYawSpanDeg) return { ...base, planar: true, cue: 'no-parallax', reason: `the head turned ${yawSpanDeg.toFixed(1)}°, the test needs ${minYawSpanDeg}°` };
  if (residualIod < minResidualIod) {
    return { ...base, planar: true, cue: 'planar', reason: `the landmarks fit one plane (residual ${residualIod.toFixed(4)} < ${minResidualIod} of the eye distance)` };
  }
  // With fewer than three later frames a correlation means nothing; minFrames decides whether that may happen.
  if (later.length >= 3 && correlation < minCorrelation) {
    return { ...base, planar: true, cue: 'no-parallax', reason: `the residual does not grow with the turn (correlation ${correlation.toFixed(2)} < ${minCorrelation})` };
  }
  return { ...base, planar: false };
}

/** Pearson correlation of two equal-length series; 0 when either is constant or shorter than 3. */
export function pearson(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  if (n < 3) return 0;
  let meanA = 0;
  let meanB = 0;
  for (let i = 0; i < n; i++) {
    meanA += a[i]!;
    meanB += b[i]!;
  }
  meanA /= n;
  meanB /= n;
  let cov = 0;
  let varA = 0;
  let varB = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - meanA;
    const db = b[i]! - meanB;
    cov += da * db;
    varA += da * da;
    varB += db * db;
  }
  return varA > 0 && varB > 0 ? cov / Math.sqrt(varA * varB) : 0;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
