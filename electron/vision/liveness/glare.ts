import type { RgbImage } from '../frame/rgb-image.js';
import type { BoxPx } from '../geometry/point.js';
import { scaleBox } from './luma-region.js';

/** Options of {@link measureGlare}; every field has a default. */
export interface GlareOptions {
  /** The region looked at: the face box scaled by this (default 1.5), where a screen or glossy print shines. */
  readonly regionScale?: number;
  /** A pixel is a specular highlight when its darkest channel is at least this, 0..255; default 240. */
  readonly minChannel?: number;
}

/** What {@link measureGlare} found. */
export interface GlareMeasure {
  /** Fraction of the region's pixels that are near-white highlights, 0..1. */
  readonly highlightFraction: number;
  /** The largest 4-connected highlight blob, as a fraction of the face box's area. */
  readonly largestBlobFraction: number;
}

/**
 * Specular glare around a face: a phone or tablet screen and a glossy print reflect lamps as near-white blobs
 * larger than the small highlights skin shows. Counts near-white pixels (every channel ≥ minChannel) in the face
 * region and the size of the largest blob of them.
 */
export function measureGlare(image: RgbImage, faceBoxPx: BoxPx, options: GlareOptions = {}): GlareMeasure {
  const { regionScale = 1.5, minChannel = 240 } = options;
  const region = scaleBox(faceBoxPx, regionScale);
  const left = Math.max(0, Math.floor(region.x));
  const top = Math.max(0, Math.floor(region.y));
  const right = Math.min(image.widthPx, Math.ceil(region.x + region.width));
  const bottom = Math.min(image.heightPx, Math.ceil(region.y + region.height));
  if (right <= left || bottom <= top) return { highlightFraction: 0, largestBlobFraction: 0 };
  const widthPx = right - left;
  const heightPx = bottom - top;
  const mask = new Uint8Array(widthPx * heightPx);
  let highlights = 0;
  for (let y = 0; y < heightPx; y++) {
    let s = ((top + y) * image.widthPx + left) * 3;
    for (let x = 0; x < widthPx; x++, s += 3) {
      const d = image.data;
      if (d[s]! >= minChannel && d[s + 1]! >= minChannel && d[s + 2]! >= minChannel) {
        mask[y * widthPx + x] = 1;
        highlights++;
      }
    }
  }
  let largest = 0;
  const stack: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (mask[start] !== 1) continue;
    mask[start] = 2;
    stack.push(start);
    let size = 0;
    while (stack.length > 0) {
      const i = stack.pop()!;
      size++;
      const x = i % widthPx;
      for (const j of [x > 0 ? i - 1 : -1, x < widthPx - 1 ? i + 1 : -1, i - widthPx, i + widthPx]) {
        if (j >= 0 && j < mask.length && mask[j] === 1) {
          mask[j] = 2;
          stack.push(j);
        }
      }
    }
    largest = Math.max(largest, size);
  }
  return { highlightFraction: highlights / (widthPx * heightPx), largestBlobFraction: largest / (faceBoxPx.width * faceBoxPx.height) };
}
