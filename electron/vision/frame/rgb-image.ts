import type { BoxPx } from '../geometry/point.js';

/** Packed 8-bit RGB image: 3 bytes per pixel, row-major, no row padding (data.length = widthPx·heightPx·3). */
export interface RgbImage {
  readonly widthPx: number;
  readonly heightPx: number;
  readonly data: Uint8Array;
}

function assertSize(widthPx: number, heightPx: number): void {
  if (!Number.isInteger(widthPx) || !Number.isInteger(heightPx) || widthPx <= 0 || heightPx <= 0) {
    throw new RangeError(`image size must be positive integers, got ${widthPx}x${heightPx}`);
  }
}

/** A new widthPx × heightPx image filled with black. */
export function createRgbImage(widthPx: number, heightPx: number): RgbImage {
  assertSize(widthPx, heightPx);
  return { widthPx, heightPx, data: new Uint8Array(widthPx * heightPx * 3) };
}

/** Throws a TypeError/RangeError unless value is a well-formed RgbImage (e.g. after crossing a worker boundary). */
export function assertRgbImage(value: unknown): asserts value is RgbImage {
  if (typeof value !== 'object' || value === null) throw new TypeError('RgbImage expected, got ' + String(value));
  const { widthPx, heightPx, data } = value as Partial<RgbImage>;
  if (typeof widthPx !== 'number' || typeof heightPx !== 'number') throw new TypeError('RgbImage needs numeric widthPx and heightPx');
  assertSize(widthPx, heightPx);
  if (!(data instanceof Uint8Array)) throw new TypeError('RgbImage data must be a Uint8Array');
  const expectedBytes = widthPx * heightPx * 3;
  if (data.length !== expectedBytes) {
    throw new RangeError(`RgbImage ${widthPx}x${heightPx} needs ${expectedBytes} bytes of data, got ${data.length}`);
  }
}

/** Mirror image (left ↔ right), e.g. to show a user-facing camera as a mirror. */
export function flipHorizontal(img: RgbImage): RgbImage {
  const { widthPx, heightPx, data } = img;
  const out = new Uint8Array(data.length);
  const rowBytes = widthPx * 3;
  for (let row = 0; row < heightPx; row++) {
    const start = row * rowBytes;
    for (let i = start, j = start + rowBytes - 3; j >= start; i += 3, j -= 3) {
      out[i] = data[j]!;
      out[i + 1] = data[j + 1]!;
      out[i + 2] = data[j + 2]!;
    }
  }
  return { widthPx, heightPx, data: out };
}

/**
 * Copies the pixels under boxPx: fractional edges grow outwards to whole pixels, then the box is clamped to
 * the image. Throws a RangeError when nothing of the box lies inside the image.
 */
export function cropRgb(img: RgbImage, boxPx: BoxPx): RgbImage {
  const x0 = Math.max(0, Math.floor(boxPx.x));
  const y0 = Math.max(0, Math.floor(boxPx.y));
  const x1 = Math.min(img.widthPx, Math.ceil(boxPx.x + boxPx.width));
  const y1 = Math.min(img.heightPx, Math.ceil(boxPx.y + boxPx.height));
  if (!(x1 > x0 && y1 > y0)) {
    throw new RangeError(
      `crop box {x: ${boxPx.x}, y: ${boxPx.y}, width: ${boxPx.width}, height: ${boxPx.height}} ` +
        `lies outside the ${img.widthPx}x${img.heightPx} image`,
    );
  }
  const out = createRgbImage(x1 - x0, y1 - y0);
  const srcRowBytes = img.widthPx * 3;
  const outRowBytes = out.widthPx * 3;
  for (let row = 0; row < out.heightPx; row++) {
    const start = (y0 + row) * srcRowBytes + x0 * 3;
    out.data.set(img.data.subarray(start, start + outRowBytes), row * outRowBytes);
  }
  return out;
}
