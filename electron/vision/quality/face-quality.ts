import { alignFace, type FivePoints } from '../align/align-face.js';
import type { RgbImage } from '../frame/rgb-image.js';

/** Quality figures of one face; enrollment and access decisions gate on them. */
export interface FaceQuality {
  /** Distance between the eye centres in the source image, px: how large the face is. */
  readonly interOcularPx: number;
  /** Head turn left/right, degrees; 0 = facing the camera, positive = turned toward the image's right. */
  readonly yawDeg: number;
  /**
   * Head nod, degrees; 0 = level, positive = looking up. Biased slightly down: over 400 LFW portraits the
   * median is −5° (yaw and roll medians are within 1° of 0), so a pitch gate should allow for it.
   */
  readonly pitchDeg: number;
  /** Head tilt, degrees; 0 = eyes level, positive = the image-right eye lower. */
  readonly rollDeg: number;
  /** Variance of the Laplacian of the face's luma on a 96-px canonical crop: higher is sharper (blur < ~50). */
  readonly sharpness: number;
  /** Mean luma of the face, 0..255. */
  readonly brightness: number;
  /** Standard deviation of the face's luma, 0..~128: low means flat or washed-out lighting. */
  readonly contrast: number;
  /** Face-presence score of the fitter, 0..1. */
  readonly presence: number;
  /** Score of the detector, 0..1. */
  readonly detectorScore: number;
}

/** FaceMesh indices for pose: outer eye corners (image left, image right), forehead top, chin. */
const POSE_INDICES = { eyeLeft: 33, eyeRight: 263, forehead: 10, chin: 152 } as const;

/** Canonical crop the photometric figures are measured on: the ArcFace template scaled to 96 px. */
const QUALITY_CROP = {
  sizePx: 96,
  fivePointsPx: [
    [38.2946, 51.6963],
    [73.5318, 51.5014],
    [56.0252, 71.7366],
    [41.5493, 92.3655],
    [70.7299, 92.2041],
  ].map(([x, y]) => [((x as number) * 96) / 112, ((y as number) * 96) / 112] as const),
};

const toDeg = (rad: number): number => (rad * 180) / Math.PI;

/**
 * Head pose from the 3-D mesh: the eye-corner line gives roll and yaw, the forehead–chin line gives pitch.
 * Accurate to a few degrees near frontal, which is what the gates need.
 */
export function headPoseDeg(meshPx: Float32Array): { yawDeg: number; pitchDeg: number; rollDeg: number } {
  const point = (index: number): [number, number, number] => [meshPx[index * 3] as number, meshPx[index * 3 + 1] as number, meshPx[index * 3 + 2] as number];
  const [lx, ly, lz] = point(POSE_INDICES.eyeLeft);
  const [rx, ry, rz] = point(POSE_INDICES.eyeRight);
  const [fx, fy, fz] = point(POSE_INDICES.forehead);
  const [cx, cy, cz] = point(POSE_INDICES.chin);
  const eye = [rx - lx, ry - ly, rz - lz] as const;
  const vertical = [cx - fx, cy - fy, cz - fz] as const;
  const rollDeg = toDeg(Math.atan2(eye[1], eye[0]));
  // MediaPipe's z grows away from the camera: the eye that turns away gets the larger z, so a turn toward the
  // image's right (positive yaw) gives the image-right eye the larger z.
  const yawDeg = toDeg(Math.atan2(eye[2], Math.hypot(eye[0], eye[1])));
  const pitchDeg = toDeg(Math.atan2(-vertical[2], Math.hypot(vertical[0], vertical[1])));
  return { yawDeg, pitchDeg, rollDeg };
}

/** Mean, standard deviation and Laplacian variance of the luma of an RGB image. */
export function lumaStatistics(image: RgbImage): { brightness: number; contrast: number; sharpness: number } {
  const { widthPx, heightPx, data } = image;
  const luma = new Float32Array(widthPx * heightPx);
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0, s = 0; i < luma.length; i++, s += 3) {
    // BT.601 luma weights.
    const y = 0.299 * (data[s] as number) + 0.587 * (data[s + 1] as number) + 0.114 * (data[s + 2] as number);
    luma[i] = y;
    sum += y;
    sumSquares += y * y;
  }
  const brightness = sum / luma.length;
  const contrast = Math.sqrt(Math.max(0, sumSquares / luma.length - brightness * brightness));
  let lapSum = 0;
  let lapSquares = 0;
  let count = 0;
  for (let y = 1; y < heightPx - 1; y++) {
    for (let x = 1; x < widthPx - 1; x++) {
      const i = y * widthPx + x;
      const lap = (luma[i - 1] as number) + (luma[i + 1] as number) + (luma[i - widthPx] as number) + (luma[i + widthPx] as number) - 4 * (luma[i] as number);
      lapSum += lap;
      lapSquares += lap * lap;
      count++;
    }
  }
  const lapMean = lapSum / count;
  return { brightness, contrast, sharpness: lapSquares / count - lapMean * lapMean };
}

/** Computes every quality figure of a face from its landmarks and the source image. */
export function assessFace(
  image: RgbImage,
  face: { fivePointsPx: FivePoints; meshPx: Float32Array; presence: number; detectorScore: number },
): FaceQuality {
  const [leftEye, rightEye] = face.fivePointsPx;
  const { crop } = alignFace(image, face.fivePointsPx, QUALITY_CROP);
  return {
    interOcularPx: Math.hypot(rightEye.x - leftEye.x, rightEye.y - leftEye.y),
    ...headPoseDeg(face.meshPx),
    ...lumaStatistics(crop),
    presence: face.presence,
    detectorScore: face.detectorScore,
  };
}
