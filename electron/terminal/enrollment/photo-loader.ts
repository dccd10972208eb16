// The one way an enrollment or import photo becomes pixels. An upload or a file is untrusted: a few kilobytes
// can claim 16000 × 16000 pixels (gigabytes decoded, a minute of CPU), and SVG, TIFF or GIF bring decoders the
// door has no use for. So the format is told from the first bytes, the size from the header, and only then is
// anything decoded, shrunk while it is decoded.
import sharp, { type Metadata, type OutputInfo } from 'sharp';

import { ImageDecodeError } from '../../vision/frame/decode.js';
import { assertRgbImage, type RgbImage } from '../../vision/frame/rgb-image.js';
import { ImportFileError, readImportFile } from './import-files.js';

/** Most pixels a photo may have (width × height): 40 MP, above any phone camera's 12–24 MP and below a bomb's. */
export const MAX_PHOTO_PIXELS = 40_000_000;
/**
 * Longest side of a photo once loaded, px; larger ones are shrunk (aspect kept) as they decode. A 12 MP phone
 * portrait keeps a face of hundreds of pixels, far above the 32 px the photo gates need, and the analysis
 * copies 20 MB rather than 36.
 */
export const PHOTO_LONG_SIDE_PX = 2560;
/** Largest photo file an import reads, bytes (a 40 MP PNG scan is about this). */
export const MAX_PHOTO_FILE_BYTES = 48 * 1024 * 1024;

/** The formats a photo may be in, by sharp's name, with the name people know them by. */
const ACCEPTED_FORMATS: Readonly<Record<string, string>> = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP' };
const ACCEPTED_LIST = 'JPEG, PNG or WebP';

/**
 * The format of an encoded image told from its first bytes: `jpeg`, `png` or `webp`, else the name of what it
 * is (`SVG`, `TIFF`, `GIF`, `AVIF`, …) or undefined when it is nothing recognised.
 */
export function sniffImageFormat(bytes: Uint8Array): string | undefined {
  const ascii = (start: number, end: number): string => String.fromCharCode(...bytes.subarray(start, end));
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (ascii(0, 8) === '\x89PNG\r\n\x1a\n') return 'png';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (ascii(0, 4) === 'GIF8') return 'GIF';
  if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return 'TIFF';
  if (ascii(0, 2) === 'BM') return 'BMP';
  if (ascii(0, 4) === '%PDF') return 'PDF';
  if ((bytes[0] === 0xff && bytes[1] === 0x0a) || ascii(4, 12) === 'JXL \r\n\x87\n') return 'JPEG XL';
  if (ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12);
    if (brand === 'avif' || brand === 'avis') return 'AVIF';
    if (['heic', 'heix', 'hevc', 'heim', 'heis', 'mif1', 'msf1'].includes(brand)) return 'HEIC';
  }
  // SVG and other XML: text whose first non-blank character (after a UTF-8 BOM) opens a tag.
  const head = Buffer.from(bytes.subarray(0, 512)).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('<')) return /<svg[\s>]/i.test(head) || head.startsWith('<?xml') ? 'SVG' : 'markup (HTML or XML)';
  return undefined;
}

/**
 * Decodes an uploaded photo to RGB: JPEG, PNG or WebP only (first frame), at most MAX_PHOTO_PIXELS, shrunk to
 * PHOTO_LONG_SIDE_PX on its longest side; EXIF orientation applied, alpha flattened onto black. Anything else
 * is an ImageDecodeError saying what the photo is and why it is refused, before its pixels are decoded.
 */
export async function loadPhotoBytes(bytes: Uint8Array, name: string): Promise<RgbImage> {
  if (bytes.length === 0) throw new ImageDecodeError(name, 'empty', 'empty file');
  const format = sniffImageFormat(bytes);
  if (format === undefined) throw new ImageDecodeError(name, 'unsupported', `not a supported image: photos must be ${ACCEPTED_LIST}`);
  if (!Object.hasOwn(ACCEPTED_FORMATS, format)) throw new ImageDecodeError(name, 'unsupported', `${format} images are not taken: photos must be ${ACCEPTED_LIST}`);
  // Headers only: sharp reads the size without decoding a pixel.
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new ImageDecodeError(name, 'corrupt', `not a readable ${ACCEPTED_FORMATS[format]} (${firstLine(error)})`, { cause: error });
  }
  if (metadata.format !== format) throw new ImageDecodeError(name, 'corrupt', `starts like a ${ACCEPTED_FORMATS[format]} but is not one`);
  const widthPx = metadata.width ?? 0;
  const heightPx = metadata.pageHeight ?? metadata.height ?? 0;
  const pixels = widthPx * heightPx;
  if (pixels > MAX_PHOTO_PIXELS) {
    throw new ImageDecodeError(
      name,
      'too-large',
      `${widthPx} × ${heightPx} px (${(pixels / 1e6).toFixed(0)} MP): photos of at most ${MAX_PHOTO_PIXELS / 1e6} MP are enrolled; shrink it first`,
    );
  }
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await sharp(bytes, { failOn: 'warning', limitInputPixels: MAX_PHOTO_PIXELS })
      .autoOrient()
      // JPEGs shrink while they decode (libjpeg's DCT scaling): a large photo never exists at full size.
      .resize({ width: PHOTO_LONG_SIDE_PX, height: PHOTO_LONG_SIDE_PX, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#000000' })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new ImageDecodeError(name, 'corrupt', `corrupt or truncated (${firstLine(error)})`, { cause: error });
  }
  const { data, info } = decoded;
  if (info.channels !== 3) throw new ImageDecodeError(name, 'unsupported', `decoded to ${info.channels} channels instead of 3`);
  const image = { widthPx: info.width, heightPx: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  assertRgbImage(image);
  return image;
}

/** Options of loadPhotoFile. */
export interface LoadPhotoFileOptions {
  /** Folders the photo must be in (links followed); default anywhere. */
  readonly roots?: readonly string[];
  /** Stops the read; rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * Reads a photo file (a regular file inside `roots`, at most MAX_PHOTO_FILE_BYTES) and decodes it as
 * loadPhotoBytes does. A file that cannot or may not be read is an ImageDecodeError too, `not-found` or
 * `unreadable`, its message naming the path and why.
 */
export async function loadPhotoFile(path: string, options: LoadPhotoFileOptions = {}): Promise<RgbImage> {
  let bytes: Buffer;
  try {
    bytes = await readImportFile(path, { maxBytes: MAX_PHOTO_FILE_BYTES, ...options });
  } catch (error) {
    if (!(error instanceof ImportFileError)) throw error;
    const reason = error.reason === 'not-found' ? 'not-found' : error.reason === 'too-large' ? 'too-large' : error.reason === 'empty' ? 'empty' : 'unreadable';
    throw new ImageDecodeError(path, reason, error.detail, { cause: error });
  }
  return loadPhotoBytes(bytes, path);
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n', 1)[0] ?? message;
}
