import type { RgbImage } from '../frame/rgb-image.js';
import type { BoxPx } from '../geometry/point.js';

/** A grey (luma, 0..255) region of an image, row-major, with where it lies in the image. */
export interface LumaRegion {
  readonly widthPx: number;
  readonly heightPx: number;
  /** Image pixel of the region's top-left pixel. */
  readonly leftPx: number;
  readonly topPx: number;
  readonly data: Float32Array;
}

/** `boxPx` scaled by `scale` around its centre. */
export function scaleBox(boxPx: BoxPx, scale: number): BoxPx {
  const width = boxPx.width * scale;
  const height = boxPx.height * scale;
  return { x: boxPx.x + boxPx.width / 2 - width / 2, y: boxPx.y + boxPx.height / 2 - height / 2, width, height };
}

/** The luma (BT.601) of the whole pixels under `boxPx`, clipped to the image; null when nothing of it is inside. */
export function lumaRegion(image: RgbImage, boxPx: BoxPx): LumaRegion | null {
  const left = Math.max(0, Math.floor(boxPx.x));
  const top = Math.max(0, Math.floor(boxPx.y));
  const right = Math.min(image.widthPx, Math.ceil(boxPx.x + boxPx.width));
  const bottom = Math.min(image.heightPx, Math.ceil(boxPx.y + boxPx.height));
  if (right <= left || bottom <= top) return null;
  const widthPx = right - left;
  const heightPx = bottom - top;
  const data = new Float32Array(widthPx * heightPx);
  const src = image.data;
  for (let y = 0; y < heightPx; y++) {
    let s = ((top + y) * image.widthPx + left) * 3;
    for (let x = 0, o = y * widthPx; x < widthPx; x++, o++, s += 3) {
      data[o] = 0.299 * (src[s] as number) + 0.587 * (src[s + 1] as number) + 0.114 * (src[s + 2] as number);
    }
  }
  return { widthPx, heightPx, leftPx: left, topPx: top, data };
}
