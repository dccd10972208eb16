import type { Point } from '../../geometry/point.js';

/** One frame's landmarks of one tracked face. */
export interface MeshObservation {
  readonly timestampMs: number;
  /** FaceMesh points (x, y normalised to the image, z in image widths), 468 × 3. */
  readonly meshNorm: Float32Array;
  readonly widthPx: number;
  readonly heightPx: number;
}

/** FaceMesh indices of the eye corners: image-left eye outer/inner, image-right eye inner/outer. */
export const EYE_CORNER_INDICES = { leftOuter: 33, leftInner: 133, rightInner: 362, rightOuter: 263 } as const;

/** The mesh in source pixels (x, y px; z in the same pixel scale), as headPoseDeg and the fitter use it. */
export function meshPxOf(observation: MeshObservation): Float32Array {
  const { meshNorm, widthPx, heightPx } = observation;
  const meshPx = new Float32Array(meshNorm.length);
  for (let i = 0; i < meshNorm.length; i += 3) {
    meshPx[i] = (meshNorm[i] as number) * widthPx;
    meshPx[i + 1] = (meshNorm[i + 1] as number) * heightPx;
    meshPx[i + 2] = (meshNorm[i + 2] as number) * widthPx;
  }
  return meshPx;
}

/** Landmark `index` of the observation in pixels. */
export function landmarkPx(observation: MeshObservation, index: number): Point {
  return { x: (observation.meshNorm[index * 3] as number) * observation.widthPx, y: (observation.meshNorm[index * 3 + 1] as number) * observation.heightPx };
}

/** Distance between the two eye centres (mean of each eye's corners), px. */
export function interOcularPx(observation: MeshObservation): number {
  const c = EYE_CORNER_INDICES;
  const a = landmarkPx(observation, c.leftOuter);
  const b = landmarkPx(observation, c.leftInner);
  const d = landmarkPx(observation, c.rightInner);
  const e = landmarkPx(observation, c.rightOuter);
  return Math.hypot((d.x + e.x - a.x - b.x) / 2, (d.y + e.y - a.y - b.y) / 2);
}

/**
 * Distance between the eye centres in 3-D (x, y px and the mesh's z in the same pixel scale), px: unlike the
 * distance in the image it does not shrink as the head turns, so residuals divided by it do not grow with yaw.
 */
export function interOcular3dPx(observation: MeshObservation): number {
  const { meshNorm, widthPx, heightPx } = observation;
  const c = EYE_CORNER_INDICES;
  const at = (index: number, axis: 0 | 1 | 2): number => (meshNorm[index * 3 + axis] as number) * (axis === 1 ? heightPx : widthPx);
  const delta = ([0, 1, 2] as const).map((axis) => (at(c.rightInner, axis) + at(c.rightOuter, axis) - at(c.leftOuter, axis) - at(c.leftInner, axis)) / 2);
  return Math.hypot(delta[0]!, delta[1]!, delta[2]!);
}
