import { estimateHomography, reprojectionRms } from '../../geometry/homography.js';
import type { Point } from '../../geometry/point.js';
import { yawDegOf } from './head-turn.js';
import { interOcular3dPx, landmarkPx, type MeshObservation } from './mesh-observation.js';

/**
 * FaceMesh index pairs whose 3-D lengths give the face's width (eye corners, cheek rim) and height (forehead to
 * the base of the nose, mid-forehead to the nose tip): all on rigid parts, so a real head keeps their ratio.
 */
const SHAPE_PAIRS = { width: [[33, 263], [234, 454]], height: [[10, 2], [151, 1]] } as const;

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
   * Residual (RMS distance of the fitted points from one homography, in 3-D inter-ocular distances of the first
   * frame, which do not shrink as the head turns) below which the landmarks moved as one plane; default 0.07
   * (chosen on half the bench data, see README).
   */
  readonly minResidualIod?: number;
  /**
   * Least ratio between a frame's 3-D width/height of the face and the first frame's (both ways, ≤ 1) for a real
   * face; default 0.89 (chosen with minResidualIod, see README). A rigid head keeps it near 1 whatever its pose;
   * a print tilted far enough to make the mesh report a turn is foreshortened, and the mesh narrows with it.
   */
  readonly minShapeRatio?: number;
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
  /** Smallest ratio of a frame's 3-D width/height of the face to the first frame's, taken both ways (≤ 1). */
  readonly shapeRatio: number;
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
  /** This frame's 3-D width/height of the face over the first frame's. */
  readonly shapeRatio: number;
}

/** Defaults of PlanarityOptions. */
export const PLANARITY_DEFAULTS = { minResidualIod: 0.07, minShapeRatio: 0.89, minCorrelation: 0.3, minYawSpanDeg: 8, minFrames: 4 } as const;

/** The face's 3-D width over its 3-D height (see SHAPE_PAIRS); rotation- and scale-free for a rigid head. */
export function faceShapeRatio(observation: MeshObservation): number {
  const { meshNorm, widthPx, heightPx } = observation;
  const length = ([a, b]: readonly [number, number]): number => Math.hypot(
    ((meshNorm[a * 3] as number) - (meshNorm[b * 3] as number)) * widthPx,
    ((meshNorm[a * 3 + 1] as number) - (meshNorm[b * 3 + 1] as number)) * heightPx,
    ((meshNorm[a * 3 + 2] as number) - (meshNorm[b * 3 + 2] as number)) * widthPx,
  );
  const width = SHAPE_PAIRS.width.reduce((sum, pair) => sum + length(pair), 0);
  const height = SHAPE_PAIRS.height.reduce((sum, pair) => sum + length(pair), 0);
  return height > 0 ? width / height : 0;
}

/** The per-frame residuals and yaw changes of a sequence, each frame against the first. */
export function planarityFrames(observations: readonly MeshObservation[], indices: readonly number[] = PLANARITY_INDICES): PlanarityFrame[] {
  if (observations.length === 0) return [];
  const first = observations[0]!;
  const points = (o: MeshObservation): Point[] => indices.map((index) => landmarkPx(o, index));
  const firstPoints = points(first);
  const iodPx = interOcular3dPx(first);
  const firstYawDeg = yawDegOf(first);
  const firstShape = faceShapeRatio(first);
  return observations.map((o, k) => {
    const yawDeg = k === 0 ? firstYawDeg : yawDegOf(o);
    let residualIod = 0;
    if (k > 0) {
      const framePoints = points(o);
      residualIod = reprojectionRms(estimateHomography(firstPoints, framePoints), firstPoints, framePoints) / iodPx;
    }
    return { timestampMs: o.timestampMs, yawDeg, yawChangeDeg: Math.abs(yawDeg - firstYawDeg), residualIod, shapeRatio: firstShape > 0 ? faceShapeRatio(o) / firstShape : 0 };
  });
}

/**
 * Decides whether a face's landmarks moved as one plane (a photo or a screen moved in the hand) over a head
 * turn: each frame is fitted to the first by one homography; a real face leaves a residual that grows with
 * the yaw. Planar when the face's 3-D proportions change (a print tilted far enough to fool the mesh's yaw is
 * foreshortened), when the residual at the turned end is below minResidualIod, when the residual does not
 * correlate with the yaw change (noise, not parallax), or when there is too little turn or too few frames to judge.
 */
export function assessPlanarity(observations: readonly MeshObservation[], options: PlanarityOptions = {}): PlanarityVerdict {
  const minResidualIod = options.minResidualIod ?? PLANARITY_DEFAULTS.minResidualIod;
  const minCorrelation = options.minCorrelation ?? PLANARITY_DEFAULTS.minCorrelation;
  const minShapeRatio = options.minShapeRatio ?? PLANARITY_DEFAULTS.minShapeRatio;
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
  const shapeRatio = Math.min(1, ...frames.map((f) => Math.min(f.shapeRatio, 1 / f.shapeRatio)));
  const base = { residualIod, yawSpanDeg, correlation, shapeRatio };
  if (frames.length < minFrames) return { ...base, planar: true, cue: 'no-parallax', reason: `${frames.length} frames, the test needs ${minFrames}` };
  if (yawSpanDeg < minYawSpanDeg) return { ...base, planar: true, cue: 'no-parallax', reason: `the head turned ${yawSpanDeg.toFixed(1)}°, the test needs ${minYawSpanDeg}°` };
  if (shapeRatio < minShapeRatio) {
    return { ...base, planar: true, cue: 'planar', reason: `the face narrowed like a tilted picture (3-D width/height ${shapeRatio.toFixed(2)} of the first frame's, < ${minShapeRatio})` };
  }
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
