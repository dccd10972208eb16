import { readFile } from 'node:fs/promises';
import sharp, { type OutputInfo, type Sharp } from 'sharp';
import { assertRgbImage, type RgbImage } from './rgb-image.js';

/**
 * Most pixels (width × height) any decode here takes, 100 MP: above every camera and photo the terminal meets,
 * far below what a few kilobytes of decompression bomb claim (16000 × 16000 is 256 MP, sharp's own limit 268).
 * sharp checks it against the header, before decoding. Enrollment photos have a tighter limit of their own.
 */
export const MAX_DECODE_PIXELS = 100_000_000;

/** Why an image could not be decoded; stable codes for the UI, the message carries the detail. */
export type ImageDecodeReason = 'not-found' | 'unreadable' | 'empty' | 'unsupported' | 'corrupt' | 'too-large';

/** An image file or buffer that could not be turned into an RgbImage. */
export class ImageDecodeError extends Error {
  override readonly name = 'ImageDecodeError';

  constructor(
    /** The path (or the name given for a buffer) of the image. */
    readonly filePath: string,
    readonly reason: ImageDecodeReason,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot decode image "${filePath}": ${detail}`, options);
  }
}

/** Reads and decodes an image file (any format sharp reads) to 8-bit RGB; rejects with ImageDecodeError. */
export async function decodeImageFile(path: string): Promise<RgbImage> {
  let buffer: Buffer;
  try {
    buffer = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ImageDecodeError(path, 'not-found', 'no such file: check the path', { cause: error });
    const detail = code === 'EISDIR' ? 'is a directory' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : `unreadable (${code ?? String(error)})`;
    throw new ImageDecodeError(path, 'unreadable', detail, { cause: error });
  }
  return decodeImageBuffer(buffer, path);
}

/**
 * Decodes an encoded image (JPEG, PNG, WebP, and whatever else sharp reads; first page only) to 8-bit
 * RGB: EXIF orientation applied, alpha flattened onto black, greyscale expanded to three channels.
 * Truncated or corrupt files are rejected rather than half-decoded (sharp failOn 'warning').
 * nameForErrors only labels the ImageDecodeError.
 */
export async function decodeImageBuffer(buffer: Uint8Array, nameForErrors: string): Promise<RgbImage> {
  if (buffer.length === 0) throw new ImageDecodeError(nameForErrors, 'empty', 'empty file');
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await sharp(buffer, { failOn: 'warning', limitInputPixels: MAX_DECODE_PIXELS })
      .autoOrient()
      .flatten({ background: '#000000' })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw classifySharpError(nameForErrors, error);
  }
  const { data, info } = decoded;
  // A plain Uint8Array view: Buffer's slice() shares memory where Uint8Array's copies, a trap for callers.
  const image = { widthPx: info.width, heightPx: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  if (info.channels !== 3) {
    throw new ImageDecodeError(nameForErrors, 'unsupported', `decoded to ${info.channels} channels instead of 3`);
  }
  assertRgbImage(image);
  return image;
}

function classifySharpError(name: string, error: unknown): ImageDecodeError {
  const message = error instanceof Error ? error.message : String(error);
  // sharp only reports strings; these prefixes are stable across 0.33–0.35.
  if (/unsupported image format/i.test(message)) {
    return new ImageDecodeError(name, 'unsupported', 'not a supported image (JPEG, PNG, WebP)', { cause: error });
  }
  if (/pixel limit/i.test(message)) {
    return new ImageDecodeError(name, 'too-large', `too large (over ${MAX_DECODE_PIXELS / 1e6} MP)`, { cause: error });
  }
  const firstLine = message.split('\n', 1)[0] ?? message;
  return new ImageDecodeError(name, 'corrupt', `corrupt or truncated (${firstLine})`, { cause: error });
}

function sharpFromRgb(img: RgbImage): Sharp {
  assertRgbImage(img);
  return sharp(img.data, { raw: { width: img.widthPx, height: img.heightPx, channels: 3 } });
}

/** Encodes an RgbImage as a PNG (lossless). */
export async function encodePng(img: RgbImage): Promise<Buffer> {
  return sharpFromRgb(img).png().toBuffer();
}

/** Encodes an RgbImage as a JPEG; quality 1..100, default 85. */
export async function encodeJpeg(img: RgbImage, quality = 85): Promise<Buffer> {
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new RangeError(`JPEG quality must be an integer 1..100, got ${quality}`);
  }
  return sharpFromRgb(img).jpeg({ quality }).toBuffer();
}
