// V4L2 pixel formats are four ASCII characters packed little-endian into a u32 (`v4l2_fourcc` in videodev2.h).

/** Packs a four-character code, e.g. `'NV12'` → 0x3231564E (V4L2_PIX_FMT_NV12). */
export function fourcc(code: string): number {
  if (code.length !== 4 || !/^[\x20-\x7e]{4}$/.test(code)) {
    throw new RangeError(`a fourcc is four printable ASCII characters, got '${code}'`);
  }
  return (code.charCodeAt(0) | (code.charCodeAt(1) << 8) | (code.charCodeAt(2) << 16) | (code.charCodeAt(3) << 24)) >>> 0;
}

/** Unpacks a pixel format number into its four characters (trailing spaces kept, as in `'Y16 '`). */
export function fourccToString(pixelFormat: number): string {
  return String.fromCharCode(pixelFormat & 0xff, (pixelFormat >>> 8) & 0xff, (pixelFormat >>> 16) & 0xff, (pixelFormat >>> 24) & 0xff);
}
