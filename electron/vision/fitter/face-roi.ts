import type { Affine2D } from '../geometry/affine.js';
import type { Point } from '../geometry/point.js';

/**
 * A square, rotated region of interest around a face, in source-image pixels. `rotationRad` is the angle of
 * the face's eye line in image coordinates (y down), so a face tilted toward the image's right shoulder has
 * a positive rotation; the crop undoes it.
 */
export interface FaceRoi {
  readonly centerPx: Point;
  readonly sizePx: number;
  readonly rotationRad: number;
}

/** Angle of the line from `from` to `to` in image coordinates, radians. */
export function lineAngleRad(from: Point, to: Point): number {
  return Math.atan2(to.y - from.y, to.x - from.x);
}

/**
 * MediaPipe's RectTransformation with `square_long`: the ROI is the box's centre and its longer side scaled
 * by `scale`, rotated by the eye-line angle.
 */
export function roiFromBox(
  box: { xMinPx: number; yMinPx: number; xMaxPx: number; yMaxPx: number },
  rotationRad: number,
  scale: number,
): FaceRoi {
  const widthPx = box.xMaxPx - box.xMinPx;
  const heightPx = box.yMaxPx - box.yMinPx;
  return {
    centerPx: { x: (box.xMinPx + box.xMaxPx) / 2, y: (box.yMinPx + box.yMaxPx) / 2 },
    sizePx: Math.max(widthPx, heightPx) * scale,
    rotationRad,
  };
}

/** The similarity transform that maps the ROI onto an upright `cropSizePx` square. */
export function roiToCropTransform(roi: FaceRoi, cropSizePx: number): Affine2D {
  const k = cropSizePx / roi.sizePx;
  const cos = Math.cos(roi.rotationRad) * k;
  const sin = Math.sin(roi.rotationRad) * k;
  const half = cropSizePx / 2;
  const { x: cx, y: cy } = roi.centerPx;
  return [cos, sin, half - (cos * cx + sin * cy), -sin, cos, half - (-sin * cx + cos * cy)];
}
