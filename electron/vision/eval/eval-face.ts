/**
 * The face an evaluation measures in one image of a data set: the central one, found again on a padded canvas where
 * the image is all face. `lintel eval ident` and `lintel eval age` pick faces this way, so their figures concern the
 * same faces.
 */
import { createRgbImage, type RgbImage } from '../frame/rgb-image.js';
import { centralFace } from '../pipeline/central-face.js';
import type { AnalysedFace, FacePipeline } from '../pipeline/face-pipeline.js';

/**
 * The image centred on a canvas `factor` times its size, mid-grey around it. FairFace's crops are filled by
 * the face, which BlazeFace (trained on faces at a distance) often misses; a door camera never sees that.
 */
export function padded(image: RgbImage, factor = 2): RgbImage {
  const widthPx = Math.round(image.widthPx * factor);
  const heightPx = Math.round(image.heightPx * factor);
  const canvas = createRgbImage(widthPx, heightPx);
  canvas.data.fill(128);
  const left = Math.floor((widthPx - image.widthPx) / 2);
  const top = Math.floor((heightPx - image.heightPx) / 2);
  const rowBytes = image.widthPx * 3;
  for (let row = 0; row < image.heightPx; row++) {
    canvas.data.set(image.data.subarray(row * rowBytes, (row + 1) * rowBytes), ((top + row) * widthPx + left) * 3);
  }
  return canvas;
}

/** The central face of `image`, else of `padded(image)`; with the image its coordinates refer to. */
export async function evalFace(pipeline: Pick<FacePipeline, 'analyse'>, image: RgbImage): Promise<{ image: RgbImage; face: AnalysedFace | undefined }> {
  const face = centralFace((await pipeline.analyse(image)).faces);
  if (face) return { image, face };
  const canvas = padded(image);
  return { image: canvas, face: centralFace((await pipeline.analyse(canvas)).faces) };
}
