import { assertRgbImage, createRgbImage, type RgbImage } from '../frame/rgb-image.js';
import { invertAffine, type Affine2D } from './affine.js';
import { invertHomography, type Homography } from './homography.js';

/** Options for warpAffine and warpPerspective. */
export interface WarpOptions {
  /** What samples outside src read: 'constant' (`fillRgb`, default) or 'replicate' (the nearest edge pixel). */
  readonly border?: 'constant' | 'replicate';
  /** The colour outside src with the constant border, integers 0–255; default black [0, 0, 0]. */
  readonly fillRgb?: readonly [number, number, number];
}

const BLACK: readonly [number, number, number] = [0, 0, 0];

/** The constant border's colour, checked. */
function borderFill(options: WarpOptions): readonly [number, number, number] {
  const fill = options.fillRgb ?? BLACK;
  if (fill.length !== 3 || !fill.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)) {
    throw new RangeError(`fillRgb must be three integers 0–255, got [${fill.join(', ')}]`);
  }
  return fill;
}

/** A new image of the fill colour (black is the allocation's own). */
function filledImage(widthPx: number, heightPx: number, fill: readonly [number, number, number]): RgbImage {
  const out = createRgbImage(widthPx, heightPx);
  if (fill[0] !== 0 || fill[1] !== 0 || fill[2] !== 0) {
    for (let i = 0; i < out.data.length; i += 3) out.data.set(fill, i);
  }
  return out;
}

/**
 * Renders a widthPx × heightPx image whose pixel at p shows src at invert(srcToDst)(p), bilinearly
 * sampled (continuous pixel coordinates, centres at +0.5, so integer translations copy pixels exactly).
 * Points given with centres at integers (OpenCV, InsightFace's ArcFace template) need +0.5 on both sides
 * before estimateSimilarity to cut the same crop as cv2.warpAffine.
 */
export function warpAffine(
  src: RgbImage, srcToDst: Affine2D, widthPx: number, heightPx: number, options: WarpOptions = {},
): RgbImage {
  assertRgbImage(src);
  const replicate = options.border === 'replicate';
  const fill = borderFill(options);
  const [a, b, c, d, e, f] = invertAffine(srcToDst);
  const out = filledImage(widthPx, heightPx, fill);
  const o = out.data;
  const s = src.data;
  const srcW = src.widthPx, srcH = src.heightPx, stride = srcW * 3;
  // sx < maxX (sy < maxY) keeps the right (bottom) neighbour x0 + 1 (y0 + 1) inside src.
  const maxX = srcW - 1, maxY = srcH - 1;
  let edgePixels = 0;
  for (let y = 0, i = 0; y < heightPx; y++) {
    // Source position of this row's first pixel centre, in index space (pixel k's centre at k).
    const rowX = a * 0.5 + b * (y + 0.5) + c - 0.5;
    const rowY = d * 0.5 + e * (y + 0.5) + f - 0.5;
    for (let x = 0; x < widthPx; x++, i += 3) {
      const sx = rowX + a * x;
      const sy = rowY + d * x;
      // All four neighbours inside src; anything else goes to the second loop, off the hot path.
      if (sx >= 0 && sy >= 0 && sx < maxX && sy < maxY) {
        const x0 = sx | 0, y0 = sy | 0;
        const fx = sx - x0, fy = sy - y0;
        const p = y0 * stride + x0 * 3, q = p + stride;
        const w11 = fx * fy, w01 = fx - w11, w10 = fy - w11, w00 = 1 - fx - w10;
        // Non-negative weights summing to 1 keep the result in 0..255: +0.5 and the Uint8 store round.
        o[i] = s[p]! * w00 + s[p + 3]! * w01 + s[q]! * w10 + s[q + 3]! * w11 + 0.5;
        o[i + 1] = s[p + 1]! * w00 + s[p + 4]! * w01 + s[q + 1]! * w10 + s[q + 4]! * w11 + 0.5;
        o[i + 2] = s[p + 2]! * w00 + s[p + 5]! * w01 + s[q + 2]! * w10 + s[q + 5]! * w11 + 0.5;
      } else {
        edgePixels++;
      }
    }
  }
  if (edgePixels > 0) fillEdges(src, [a, b, c, d, e, f], out, replicate, fill);
  return out;
}

/**
 * Renders a widthPx × heightPx image whose pixel at p shows src at invert(srcToDst)(p) through a projective
 * map (a plane seen from another viewpoint), bilinearly sampled with warpAffine's pixel-centre convention.
 * Pixels whose source lies behind the camera (w ≤ 0) take the fill colour.
 */
export function warpPerspective(
  src: RgbImage, srcToDst: Homography, widthPx: number, heightPx: number, options: WarpOptions = {},
): RgbImage {
  assertRgbImage(src);
  const replicate = options.border === 'replicate';
  const fill = borderFill(options);
  const h = invertHomography(srcToDst);
  const out = filledImage(widthPx, heightPx, fill);
  const srcW = src.widthPx, srcH = src.heightPx;
  for (let y = 0, i = 0; y < heightPx; y++) {
    const cy = y + 0.5;
    for (let x = 0; x < widthPx; x++, i += 3) {
      const cx = x + 0.5;
      const w = h[6] * cx + h[7] * cy + h[8];
      if (!(w > 0)) continue;
      // Source position in index space (pixel k's centre at k).
      const sx = (h[0] * cx + h[1] * cy + h[2]) / w - 0.5;
      const sy = (h[3] * cx + h[4] * cy + h[5]) / w - 0.5;
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      if (!replicate && (x0 < -1 || y0 < -1 || x0 >= srcW || y0 >= srcH)) continue;
      sampleEdge(src.data, srcW, srcH, x0, y0, sx - x0, sy - y0, replicate, fill, out.data, i);
    }
  }
  return out;
}

/** Second pass over the pixels whose samples touch or cross the src border. */
function fillEdges(src: RgbImage, dstToSrc: Affine2D, out: RgbImage, replicate: boolean, fill: readonly [number, number, number]): void {
  const [a, b, c, d, e, f] = dstToSrc;
  const { widthPx: srcW, heightPx: srcH, data: s } = src;
  const o = out.data;
  for (let y = 0, i = 0; y < out.heightPx; y++) {
    const rowX = a * 0.5 + b * (y + 0.5) + c - 0.5;
    const rowY = d * 0.5 + e * (y + 0.5) + f - 0.5;
    for (let x = 0; x < out.widthPx; x++, i += 3) {
      const sx = rowX + a * x;
      const sy = rowY + d * x;
      if (sx >= 0 && sy >= 0 && sx < srcW - 1 && sy < srcH - 1) continue;
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      // With a constant border a sample wholly outside keeps the fill colour it was allocated with.
      if (replicate || (x0 >= -1 && y0 >= -1 && x0 < srcW && y0 < srcH)) {
        sampleEdge(s, srcW, srcH, x0, y0, sx - x0, sy - y0, replicate, fill, o, i);
      }
    }
  }
}

/** Bilinear sample where some neighbours fall outside src: clamped (replicate) or the fill colour (constant). */
function sampleEdge(
  s: Uint8Array, srcW: number, srcH: number, x0: number, y0: number, fx: number, fy: number,
  replicate: boolean, fill: readonly [number, number, number], o: Uint8Array, i: number,
): void {
  let x1 = x0 + 1, y1 = y0 + 1;
  let wx0 = 1 - fx, wx1 = fx, wy0 = 1 - fy, wy1 = fy;
  let dropped = false;
  if (replicate) {
    x0 = Math.min(Math.max(x0, 0), srcW - 1);
    x1 = Math.min(Math.max(x1, 0), srcW - 1);
    y0 = Math.min(Math.max(y0, 0), srcH - 1);
    y1 = Math.min(Math.max(y1, 0), srcH - 1);
  } else {
    // A neighbour outside contributes the fill colour: drop its weight from src and point it at a valid index.
    if (x0 < 0) { wx0 = 0; x0 = 0; dropped = true; }
    if (x1 >= srcW) { wx1 = 0; x1 = srcW - 1; dropped = true; }
    if (y0 < 0) { wy0 = 0; y0 = 0; dropped = true; }
    if (y1 >= srcH) { wy1 = 0; y1 = srcH - 1; dropped = true; }
  }
  const p00 = (y0 * srcW + x0) * 3, p01 = (y0 * srcW + x1) * 3;
  const p10 = (y1 * srcW + x0) * 3, p11 = (y1 * srcW + x1) * 3;
  const w00 = wx0 * wy0, w01 = wx1 * wy0, w10 = wx0 * wy1, w11 = wx1 * wy1;
  // Exactly 0 when every neighbour is inside, so rounding matches a plain bilinear sample.
  const outside = dropped ? 1 - w00 - w01 - w10 - w11 : 0;
  for (let ch = 0; ch < 3; ch++) {
    o[i + ch] = s[p00 + ch]! * w00 + s[p01 + ch]! * w01 + s[p10 + ch]! * w10 + s[p11 + ch]! * w11 + fill[ch]! * outside + 0.5;
  }
}
