// Synthetic FaceMesh observations for the tests of the active challenge: a real face shape (fixtures/face-mesh-3d.json)
// turned in 3-D and projected by a pinhole camera, or flattened onto a plane (a photo) and that plane moved.
import { readFileSync } from 'node:fs';

import type { MeshObservation } from './mesh-observation.js';

interface MeshFixture {
  readonly points: readonly (readonly [number, number, number])[];
}

let shape: readonly (readonly [number, number, number])[] | undefined;

/** The 468-point face shape, in inter-ocular distances (x right, y down, z away from the camera). */
export function faceShape(): readonly (readonly [number, number, number])[] {
  shape ??= (JSON.parse(readFileSync(new URL('./fixtures/face-mesh-3d.json', import.meta.url), 'utf8')) as MeshFixture).points;
  return shape;
}

/** Where and how a synthetic face is filmed. */
export interface SyntheticView {
  readonly timestampMs: number;
  /** Head yaw, degrees, headPoseDeg's sign (positive = toward the image's right). */
  readonly yawDeg?: number;
  /** Inter-ocular distance at the face's depth, px; default 60. */
  readonly iodPx?: number;
  /** Image size; default 640 × 480. */
  readonly widthPx?: number;
  readonly heightPx?: number;
  /** Face centre in the image, px; default the image centre. */
  readonly centrePx?: { x: number; y: number };
  /** Camera distance to the face, in inter-ocular distances; default 8 (~50 cm for a 6.3 cm eye distance). */
  readonly distanceIod?: number;
  /** 0 open … 1 closed: moves the upper lids onto the lower ones. */
  readonly eyeClosure?: number;
  /** Gaussian landmark noise, px (needs `random`). */
  readonly noisePx?: number;
  readonly random?: () => number;
  /**
   * 'face' turns the 3-D shape (about a vertical axis 1 IOD behind the face centre, like a neck); 'photo'
   * flattens the frontal face onto a plane and turns the plane, so the image points obey one homography. The
   * photo's z is turned with it, as if the mesh model read the foreshortening as a turn (the worst case).
   */
  readonly kind?: 'face' | 'photo';
}

const UPPER_LIDS = [160, 158, 385, 387] as const;
const LOWER_LIDS = [144, 153, 380, 373] as const;

/** One synthetic observation of the fixture face seen as `view` says. */
export function syntheticObservation(view: SyntheticView): MeshObservation {
  const widthPx = view.widthPx ?? 640;
  const heightPx = view.heightPx ?? 480;
  const iodPx = view.iodPx ?? 60;
  const centre = view.centrePx ?? { x: widthPx / 2, y: heightPx / 2 };
  const distance = view.distanceIod ?? 8;
  const yawRad = ((view.yawDeg ?? 0) * Math.PI) / 180;
  const cos = Math.cos(yawRad);
  const sin = Math.sin(yawRad);
  const pivotZ = 1;
  const points = faceShape().map(([x, y, z]) => [x, y, z] as [number, number, number]);
  const closure = view.eyeClosure ?? 0;
  UPPER_LIDS.forEach((upper, k) => {
    const lower = points[LOWER_LIDS[k]!]!;
    const p = points[upper]!;
    points[upper] = [p[0] + (lower[0] - p[0]) * closure, p[1] + (lower[1] - p[1]) * closure, p[2] + (lower[2] - p[2]) * closure];
  });
  const gauss = (): number => {
    const random = view.random;
    if (!random || !view.noisePx) return 0;
    return view.noisePx * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  };
  const meshNorm = new Float32Array(points.length * 3);
  points.forEach(([x, y, z], i) => {
    // A photo is the frontal face printed flat: every point at depth 0 of the plane.
    const depth = view.kind === 'photo' ? 0 : z;
    // Turning toward the image's right brings the image-right side away from the camera (z grows away).
    const rx = cos * x - sin * (depth - pivotZ);
    const rz = sin * x + cos * (depth - pivotZ) + pivotZ;
    const scale = (distance / (distance + rz)) * iodPx;
    const zTurned = view.kind === 'photo' ? sin * x + cos * z : rz;
    meshNorm[i * 3] = (centre.x + rx * scale + gauss()) / widthPx;
    meshNorm[i * 3 + 1] = (centre.y + y * scale + gauss()) / heightPx;
    meshNorm[i * 3 + 2] = (zTurned * iodPx) / widthPx;
  });
  return { timestampMs: view.timestampMs, meshNorm, widthPx, heightPx };
}
