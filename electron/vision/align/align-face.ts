import type { RgbImage } from '../frame/rgb-image.js';
import { estimateSimilarity, type Affine2D } from '../geometry/affine.js';
import type { Point } from '../geometry/point.js';
import { warpAffine } from '../geometry/warp.js';

/** Five points in alignment order: left eye, right eye, nose tip, left and right mouth corner (as seen in the image). */
export type FivePoints = readonly [Point, Point, Point, Point, Point];

/** Where the five points must land in an aligned crop (the manifest's `alignment`). */
export interface AlignmentTemplate {
  readonly sizePx: number;
  readonly fivePointsPx: readonly (readonly [number, number])[];
}

/**
 * The least-squares similarity transform taking the face's five points onto the template. Templates are
 * written, as dlib and OpenCV write them, with pixel centres at whole numbers; Lintel's images put them at +0.5.
 */
export function alignmentTransform(fivePointsPx: FivePoints, template: AlignmentTemplate): Affine2D {
  return estimateSimilarity(fivePointsPx, templatePointsPx(template));
}

/** The template's five points as image coordinates of its aligned crop (pixel centres at +0.5): where a stored crop's face is. */
export function templatePointsPx(template: AlignmentTemplate): FivePoints {
  return template.fivePointsPx.map(([x, y]) => ({ x: x + 0.5, y: y + 0.5 })) as unknown as FivePoints;
}

/** Cuts the aligned face crop an extractor was trained on. Outside the image the border pixels repeat. */
export function alignFace(image: RgbImage, fivePointsPx: FivePoints, template: AlignmentTemplate): { crop: RgbImage; transform: Affine2D } {
  const transform = alignmentTransform(fivePointsPx, template);
  const crop = warpAffine(image, transform, template.sizePx, template.sizePx, { border: 'replicate' });
  return { crop, transform };
}
