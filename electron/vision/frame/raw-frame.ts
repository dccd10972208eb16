import { createRgbImage, type RgbImage } from './rgb-image.js';

/** Camera pixel layouts we accept: packed 8-bit RGB/BGR/RGBA, YUYV 4:2:2 and NV12 4:2:0 (Y plane, then interleaved UV). */
export type PixelFormat = 'RGB24' | 'BGR24' | 'RGBA' | 'YUYV' | 'NV12';

/** One frame as the camera delivers it. */
export interface RawFrame {
  readonly format: PixelFormat;
  readonly widthPx: number;
  readonly heightPx: number;
  /** Bytes per row of the first plane (NV12: Y and UV planes alike); default tight (widthPx × bytes per pixel). */
  readonly strideBytes?: number;
  /** Pixel bytes; for NV12 the UV plane starts at strideBytes·heightPx, as V4L2 single-plane NV12 delivers it. */
  readonly data: Uint8Array;
}

/** YUV decoding options; ignored for the RGB formats. */
export interface YuvOptions {
  /** 'limited' (Y 16..235, UV 16..240, what most webcams send) or 'full' (0..255, JPEG); default 'limited'. */
  readonly yuvRange?: 'limited' | 'full';
  /** Colour matrix; default 'bt601' (SD and most UVC cameras), 'bt709' for HD sources that say so. */
  readonly matrix?: 'bt601' | 'bt709';
}

const BYTES_PER_PIXEL: Record<PixelFormat, number> = { RGB24: 3, BGR24: 3, RGBA: 4, YUYV: 2, NV12: 1 };

const FIX_SHIFT = 16;

// Saturation by table lookup, CLAMP[value + CLAMP_OFFSET]: branch-free, where a Uint8ClampedArray store
// mispredicts and ran 3x slower on noisy frames. The range covers every sum the YUV tables can produce.
const CLAMP_OFFSET = 512;
const CLAMP = new Uint8Array(1536);
for (let i = 0; i < CLAMP.length; i++) CLAMP[i] = Math.min(255, Math.max(0, i - CLAMP_OFFSET));

/** Per-byte contributions in 16.16 fixed point, so a pixel costs lookups, adds and shifts. */
interface YuvTables {
  /** Luma term plus the 0.5 rounding bias and CLAMP_OFFSET, so a shifted sum indexes CLAMP directly. */
  readonly y: Int32Array;
  readonly rFromV: Int32Array;
  readonly gFromU: Int32Array;
  readonly gFromV: Int32Array;
  readonly bFromU: Int32Array;
}

const tableCache = new Map<string, YuvTables>();

function yuvTables(range: 'limited' | 'full', matrix: 'bt601' | 'bt709'): YuvTables {
  const key = `${range}/${matrix}`;
  const cached = tableCache.get(key);
  if (cached) return cached;
  // Derived from Kr/Kb rather than typed-in rounded coefficients; limited range stretches Y by 255/219, UV by 255/224.
  const [kr, kb] = matrix === 'bt709' ? [0.2126, 0.0722] : [0.299, 0.114];
  const kg = 1 - kr - kb;
  const limited = range === 'limited';
  const yScale = limited ? 255 / 219 : 1;
  const yOffset = limited ? 16 : 0;
  const cScale = limited ? 255 / 224 : 1;
  const one = 1 << FIX_SHIFT;
  const tables: YuvTables = {
    y: new Int32Array(256),
    rFromV: new Int32Array(256),
    gFromU: new Int32Array(256),
    gFromV: new Int32Array(256),
    bFromU: new Int32Array(256),
  };
  for (let i = 0; i < 256; i++) {
    const c = (i - 128) * cScale * one;
    tables.y[i] = Math.round((i - yOffset) * yScale * one) + one / 2 + CLAMP_OFFSET * one;
    tables.rFromV[i] = Math.round(2 * (1 - kr) * c);
    tables.gFromU[i] = Math.round((-2 * kb * (1 - kb) / kg) * c);
    tables.gFromV[i] = Math.round((-2 * kr * (1 - kr) / kg) * c);
    tables.bFromU[i] = Math.round(2 * (1 - kb) * c);
  }
  tableCache.set(key, tables);
  return tables;
}

/** Validates the frame and returns its effective row stride in bytes. */
function checkedStrideBytes(frame: RawFrame): number {
  const { format, widthPx, heightPx, data } = frame;
  const bpp = BYTES_PER_PIXEL[format];
  if (bpp === undefined) throw new RangeError(`unknown pixel format ${String(format)}`);
  if (!Number.isInteger(widthPx) || !Number.isInteger(heightPx) || widthPx <= 0 || heightPx <= 0) {
    throw new RangeError(`${format} frame size must be positive integers, got ${widthPx}x${heightPx}`);
  }
  if ((format === 'YUYV' || format === 'NV12') && widthPx % 2 !== 0) {
    throw new RangeError(`${format} ${widthPx}x${heightPx}: width must be even (chroma is shared by pixel pairs)`);
  }
  if (format === 'NV12' && heightPx % 2 !== 0) {
    throw new RangeError(`NV12 ${widthPx}x${heightPx}: height must be even (chroma is shared by 2x2 blocks)`);
  }
  const rowBytes = widthPx * bpp;
  const strideBytes = frame.strideBytes ?? rowBytes;
  if (!Number.isInteger(strideBytes) || strideBytes < rowBytes) {
    throw new RangeError(`${format} ${widthPx}x${heightPx}: strideBytes ${strideBytes} is below the ${rowBytes} bytes of one row`);
  }
  const rows = format === 'NV12' ? heightPx + heightPx / 2 : heightPx;
  // The last row may omit its padding: some drivers hand over exactly the bytes they wrote.
  const requiredBytes = (rows - 1) * strideBytes + rowBytes;
  if (data.length < requiredBytes) {
    throw new RangeError(
      `${format} ${widthPx}x${heightPx} frame (stride ${strideBytes} B) needs at least ${requiredBytes} bytes, got ${data.length}`,
    );
  }
  return strideBytes;
}

/** Converts a camera frame to a new packed RgbImage (never aliases frame.data); throws a RangeError on a bad size. */
export function rawFrameToRgb(frame: RawFrame, options: YuvOptions = {}): RgbImage {
  const strideBytes = checkedStrideBytes(frame);
  const out = createRgbImage(frame.widthPx, frame.heightPx);
  switch (frame.format) {
    case 'RGB24':
      copyRows(frame, strideBytes, out.data);
      break;
    case 'BGR24':
      convertPacked(frame, strideBytes, out.data, 3, 2, 1, 0);
      break;
    case 'RGBA':
      convertPacked(frame, strideBytes, out.data, 4, 0, 1, 2);
      break;
    case 'YUYV':
      convertYuyv(frame, strideBytes, out.data, yuvTables(options.yuvRange ?? 'limited', options.matrix ?? 'bt601'));
      break;
    case 'NV12':
      convertNv12(frame, strideBytes, out.data, yuvTables(options.yuvRange ?? 'limited', options.matrix ?? 'bt601'));
      break;
  }
  return out;
}

function copyRows(frame: RawFrame, strideBytes: number, out: Uint8Array): void {
  const rowBytes = frame.widthPx * 3;
  if (strideBytes === rowBytes) {
    out.set(frame.data.subarray(0, rowBytes * frame.heightPx));
    return;
  }
  for (let row = 0; row < frame.heightPx; row++) {
    const start = row * strideBytes;
    out.set(frame.data.subarray(start, start + rowBytes), row * rowBytes);
  }
}

function convertPacked(
  frame: RawFrame, strideBytes: number, out: Uint8Array,
  bpp: number, rIndex: number, gIndex: number, bIndex: number,
): void {
  const { widthPx, heightPx, data } = frame;
  let o = 0;
  for (let row = 0; row < heightPx; row++) {
    const end = row * strideBytes + widthPx * bpp;
    for (let i = row * strideBytes; i < end; i += bpp, o += 3) {
      out[o] = data[i + rIndex]!;
      out[o + 1] = data[i + gIndex]!;
      out[o + 2] = data[i + bIndex]!;
    }
  }
}

function convertYuyv(frame: RawFrame, strideBytes: number, out: Uint8Array, t: YuvTables): void {
  const { widthPx, heightPx, data } = frame;
  const { y: yT, rFromV, gFromU, gFromV, bFromU } = t;
  let o = 0;
  for (let row = 0; row < heightPx; row++) {
    const end = row * strideBytes + widthPx * 2;
    for (let i = row * strideBytes; i < end; i += 4, o += 6) {
      const u = data[i + 1]!, v = data[i + 3]!;
      const r = rFromV[v]!, g = gFromU[u]! + gFromV[v]!, b = bFromU[u]!;
      const y0 = yT[data[i]!]!, y1 = yT[data[i + 2]!]!;
      out[o] = CLAMP[((y0 + r) >> FIX_SHIFT)]!;
      out[o + 1] = CLAMP[((y0 + g) >> FIX_SHIFT)]!;
      out[o + 2] = CLAMP[((y0 + b) >> FIX_SHIFT)]!;
      out[o + 3] = CLAMP[((y1 + r) >> FIX_SHIFT)]!;
      out[o + 4] = CLAMP[((y1 + g) >> FIX_SHIFT)]!;
      out[o + 5] = CLAMP[((y1 + b) >> FIX_SHIFT)]!;
    }
  }
}

function convertNv12(frame: RawFrame, strideBytes: number, out: Uint8Array, t: YuvTables): void {
  const { widthPx, heightPx, data } = frame;
  const { y: yT, rFromV, gFromU, gFromV, bFromU } = t;
  const uvPlane = strideBytes * heightPx;
  const outRowBytes = widthPx * 3;
  // Two luma rows per pass: each UV pair (one 2x2 block) is looked up once for four pixels.
  for (let row = 0; row < heightPx; row += 2) {
    let top = row * strideBytes;
    let bottom = top + strideBytes;
    let uv = uvPlane + (row >> 1) * strideBytes;
    const uvEnd = uv + widthPx;
    let o = row * outRowBytes;
    for (; uv < uvEnd; uv += 2, top += 2, bottom += 2, o += 6) {
      const u = data[uv]!, v = data[uv + 1]!;
      const r = rFromV[v]!, g = gFromU[u]! + gFromV[v]!, b = bFromU[u]!;
      let y = yT[data[top]!]!;
      out[o] = CLAMP[((y + r) >> FIX_SHIFT)]!;
      out[o + 1] = CLAMP[((y + g) >> FIX_SHIFT)]!;
      out[o + 2] = CLAMP[((y + b) >> FIX_SHIFT)]!;
      y = yT[data[top + 1]!]!;
      out[o + 3] = CLAMP[((y + r) >> FIX_SHIFT)]!;
      out[o + 4] = CLAMP[((y + g) >> FIX_SHIFT)]!;
      out[o + 5] = CLAMP[((y + b) >> FIX_SHIFT)]!;
      const ob = o + outRowBytes;
      y = yT[data[bottom]!]!;
      out[ob] = CLAMP[((y + r) >> FIX_SHIFT)]!;
      out[ob + 1] = CLAMP[((y + g) >> FIX_SHIFT)]!;
      out[ob + 2] = CLAMP[((y + b) >> FIX_SHIFT)]!;
      y = yT[data[bottom + 1]!]!;
      out[ob + 3] = CLAMP[((y + r) >> FIX_SHIFT)]!;
      out[ob + 4] = CLAMP[((y + g) >> FIX_SHIFT)]!;
      out[ob + 5] = CLAMP[((y + b) >> FIX_SHIFT)]!;
    }
  }
}
