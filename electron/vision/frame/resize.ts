import type { Affine2D } from '../geometry/affine.js';
import { assertRgbImage, createRgbImage, type RgbImage } from './rgb-image.js';

/** Per-output-index filter along one axis: weights for `count` consecutive source indices from `start`. */
interface Taps {
  readonly count: number;
  readonly start: Int32Array;
  /** count weights per output index, each group summing to 1. */
  readonly weight: Float64Array;
}

/**
 * Bilinear taps with half-pixel centres (OpenCV INTER_LINEAR) up to a 2× shrink; beyond that, area
 * averaging (OpenCV INTER_AREA), because bilinear then skips source pixels and aliases edges into the
 * detector input. At exactly 2× both give the mean of two pixels, so the switch has no jump.
 */
function buildTaps(srcSize: number, dstSize: number): Taps {
  const scale = srcSize / dstSize;
  const area = scale > 2;
  // Window j covers source [j·scale, (j+1)·scale) when averaging; the widest window sets the tap count.
  let count = Math.min(srcSize, 2);
  if (area) {
    for (let j = 0; j < dstSize; j++) {
      count = Math.max(count, Math.ceil(Math.min((j + 1) * scale, srcSize)) - Math.floor(j * scale));
    }
  }
  const start = new Int32Array(dstSize);
  const weight = new Float64Array(dstSize * count);
  for (let j = 0; j < dstSize; j++) {
    const base = j * count;
    if (area) {
      const lo = j * scale;
      const hi = Math.min((j + 1) * scale, srcSize);
      const first = Math.floor(lo);
      // Shift the window left at the far edge so every tap stays inside the source.
      const s = Math.min(first, srcSize - count);
      start[j] = s;
      for (let i = first; i < hi; i++) weight[base + i - s] = (Math.min(i + 1, hi) - Math.max(i, lo)) / (hi - lo);
    } else {
      const pos = Math.min(Math.max((j + 0.5) * scale - 0.5, 0), srcSize - 1);
      const i0 = Math.floor(pos);
      const frac = pos - i0;
      const s = Math.min(i0, srcSize - count);
      start[j] = s;
      weight[base + i0 - s] = 1 - frac;
      if (frac > 0) weight[base + i0 + 1 - s] = frac;
    }
  }
  return { count, start, weight };
}

/** Resizes src into a widthPx × heightPx window at (dstX, dstY) of a packed RGB buffer with dstRowBytes per row. */
function resizeInto(
  src: RgbImage, dst: Uint8Array, dstRowBytes: number,
  dstX: number, dstY: number, widthPx: number, heightPx: number,
): void {
  assertRgbImage(src);
  const xTaps = buildTaps(src.widthPx, widthPx);
  const yTaps = buildTaps(src.heightPx, heightPx);
  const { count: xCount, start: xStart, weight: xWeight } = xTaps;
  const { count: yCount, start: yStart, weight: yWeight } = yTaps;
  const s = src.data;
  const srcRowBytes = src.widthPx * 3;
  // Separable: blend source rows into one float row, then filter that row horizontally.
  const row = new Float64Array(srcRowBytes);
  for (let dy = 0; dy < heightPx; dy++) {
    // Source rows are blended two at a time, so each pass over `row` carries two taps; an odd last
    // tap pairs with itself at weight 0.
    for (let t = 0; t < yCount; t += 2) {
      const tap = dy * yCount + t;
      const offA = (yStart[dy]! + t) * srcRowBytes;
      const wA = yWeight[tap]!;
      const paired = t + 1 < yCount;
      const offB = paired ? offA + srcRowBytes : offA;
      const wB = paired ? yWeight[tap + 1]! : 0;
      if (t === 0) {
        for (let k = 0; k < srcRowBytes; k++) row[k] = s[offA + k]! * wA + s[offB + k]! * wB;
      } else {
        for (let k = 0; k < srcRowBytes; k++) row[k]! += s[offA + k]! * wA + s[offB + k]! * wB;
      }
    }

    let o = (dstY + dy) * dstRowBytes + dstX * 3;
    if (xCount === 2) {
      for (let dx = 0, t = 0; dx < widthPx; dx++, o += 3, t += 2) {
        const p = xStart[dx]! * 3;
        const w0 = xWeight[t]!, w1 = xWeight[t + 1]!;
        dst[o] = row[p]! * w0 + row[p + 3]! * w1 + 0.5;
        dst[o + 1] = row[p + 1]! * w0 + row[p + 4]! * w1 + 0.5;
        dst[o + 2] = row[p + 2]! * w0 + row[p + 5]! * w1 + 0.5;
      }
    } else {
      for (let dx = 0; dx < widthPx; dx++, o += 3) {
        let p = xStart[dx]! * 3;
        let r = 0.5, g = 0.5, b = 0.5;
        for (let t = dx * xCount, end = t + xCount; t < end; t++, p += 3) {
          const w = xWeight[t]!;
          r += row[p]! * w;
          g += row[p + 1]! * w;
          b += row[p + 2]! * w;
        }
        dst[o] = r;
        dst[o + 1] = g;
        dst[o + 2] = b;
      }
    }
  }
}

/**
 * Resizes to widthPx × heightPx: bilinear with half-pixel centres (as OpenCV INTER_LINEAR) for scale
 * factors up to 2× shrink, area averaging per axis beyond that so strong downscales do not alias.
 */
export function resizeBilinear(src: RgbImage, widthPx: number, heightPx: number): RgbImage {
  const out = createRgbImage(widthPx, heightPx);
  resizeInto(src, out.data, widthPx * 3, 0, 0, widthPx, heightPx);
  return out;
}

/** A letterboxed square image and the transform from its pixels back to source pixels. */
export interface LetterboxResult {
  readonly image: RgbImage;
  /** Maps letterbox coordinates to source coordinates (continuous pixels, centres at +0.5). */
  readonly transform: Affine2D;
}

/**
 * Scales src so its longest side is sizePx (aspect ratio kept) and centres it on a black sizePx × sizePx
 * square, as square-input detectors expect.
 */
export function letterbox(src: RgbImage, sizePx: number): LetterboxResult {
  const scale = sizePx / Math.max(src.widthPx, src.heightPx);
  const contentW = Math.max(1, Math.round(src.widthPx * scale));
  const contentH = Math.max(1, Math.round(src.heightPx * scale));
  const offsetX = Math.floor((sizePx - contentW) / 2);
  const offsetY = Math.floor((sizePx - contentH) / 2);
  const image = createRgbImage(sizePx, sizePx);
  resizeInto(src, image.data, sizePx * 3, offsetX, offsetY, contentW, contentH);
  // Per-axis factors: rounding the content size makes them differ slightly, and each must match its resize.
  const sx = src.widthPx / contentW;
  const sy = src.heightPx / contentH;
  return { image, transform: [sx, 0, -offsetX * sx, 0, sy, -offsetY * sy] };
}
