import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';
import { decodeImageBuffer, decodeImageFile, encodeJpeg, encodePng, ImageDecodeError } from './decode.js';
import { createRgbImage, type RgbImage } from './rgb-image.js';

const SAMPLE_JPEG = fileURLToPath(new URL('../../../node_modules/@vladmandic/face-api/demo/sample1.jpg', import.meta.url));

/** 16x8 image with a colour per pixel, so any reordering or channel swap shows. */
function pattern(): RgbImage {
  const img = createRgbImage(16, 8);
  for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 37) % 256;
  return img;
}

function rawInput(img: RgbImage): Sharp {
  return sharp(img.data, { raw: { width: img.widthPx, height: img.heightPx, channels: 3 } });
}

async function rejectsWith(promise: Promise<unknown>, reason: string, messagePart: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ImageDecodeError, `expected ImageDecodeError, got ${String(error)}`);
    assert.equal(error.reason, reason);
    assert.match(error.message, messagePart);
    return true;
  });
}

describe('decode', () => {
  let dir = '';
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'lintel-decode-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('decodes a real JPEG to packed 8-bit RGB', async () => {
    const meta = await sharp(SAMPLE_JPEG).metadata();
    const img = await decodeImageFile(SAMPLE_JPEG);
    assert.deepEqual([img.widthPx, img.heightPx], [meta.width, meta.height]);
    assert.equal(img.data.length, img.widthPx * img.heightPx * 3);
    assert.equal(Object.getPrototypeOf(img.data), Uint8Array.prototype, 'a plain Uint8Array, not a Buffer');
  });

  it('round-trips a PNG exactly and a WebP/JPEG closely', async () => {
    const src = pattern();
    const pngPath = join(dir, 'pattern.png');
    await writeFile(pngPath, await rawInput(src).png().toBuffer());
    assert.deepEqual(await decodeImageFile(pngPath), src);
    assert.deepEqual(await decodeImageBuffer(await encodePng(src), 'encoded.png'), src);

    const webpPath = join(dir, 'pattern.webp');
    await writeFile(webpPath, await rawInput(src).webp({ lossless: true }).toBuffer());
    assert.deepEqual(await decodeImageFile(webpPath), src);

    const grey = createRgbImage(16, 8);
    grey.data.fill(120);
    const jpeg = await decodeImageBuffer(await encodeJpeg(grey, 95), 'grey.jpg');
    assert.ok(jpeg.data.every((v) => Math.abs(v - 120) <= 2));
  });

  it('applies EXIF orientation, flattens alpha onto black and expands greyscale', async () => {
    const landscape = await rawInput(createRgbImage(4, 2)).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const rotated = await decodeImageBuffer(landscape, 'rotated.jpg');
    assert.deepEqual([rotated.widthPx, rotated.heightPx], [2, 4]);

    const rgba = await sharp(Uint8Array.of(200, 100, 50, 255, 200, 100, 50, 0), { raw: { width: 2, height: 1, channels: 4 } }).png().toBuffer();
    assert.deepEqual([...(await decodeImageBuffer(rgba, 'alpha.png')).data], [200, 100, 50, 0, 0, 0]);

    const greyPng = await sharp(Uint8Array.of(0, 77, 255), { raw: { width: 3, height: 1, channels: 1 } }).toColourspace('b-w').png().toBuffer();
    assert.equal((await sharp(greyPng).metadata()).channels, 1);
    assert.deepEqual([...(await decodeImageBuffer(greyPng, 'grey.png')).data], [0, 0, 0, 77, 77, 77, 255, 255, 255]);
  });

  it('rejects a truncated JPEG as corrupt', async () => {
    const truncated = (await readFile(SAMPLE_JPEG)).subarray(0, 500);
    const path = join(dir, 'truncated.jpg');
    await writeFile(path, truncated);
    await rejectsWith(decodeImageFile(path), 'corrupt', /truncated\.jpg": corrupt or truncated/);
  });

  it('rejects a text file as not a supported image', async () => {
    const path = join(dir, 'notes.jpg');
    await writeFile(path, 'this is not an image\n');
    await rejectsWith(decodeImageFile(path), 'unsupported', /notes\.jpg": not a supported image \(JPEG, PNG, WebP\)/);
  });

  it('refuses an image whose header claims more than 100 MP before decoding it', async () => {
    // A PNG header saying 16000 × 16000 RGB, with one compressed row: a bomb of a few hundred bytes.
    const chunk = (type: string, data: Buffer): Buffer => {
      const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
      const head = Buffer.alloc(4);
      head.writeUInt32BE(data.length);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(typed));
      return Buffer.concat([head, typed, crc]);
    };
    const header = Buffer.alloc(13);
    header.writeUInt32BE(16_000, 0);
    header.writeUInt32BE(16_000, 4);
    header.set([8, 2, 0, 0, 0], 8);
    const bomb = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.alloc(16_000 * 3 + 1))), chunk('IEND', Buffer.alloc(0))]);
    const startMs = performance.now();
    await rejectsWith(decodeImageBuffer(bomb, 'bomb.png'), 'too-large', /over 100 MP/);
    assert.ok(performance.now() - startMs < 1000);
  });

  it('rejects a missing path, a directory and an empty buffer with their reasons', async () => {
    const missing = join(dir, 'missing.png');
    await rejectsWith(decodeImageFile(missing), 'not-found', /missing\.png": no such file: check the path/);
    await assert.rejects(decodeImageFile(missing), (error: ImageDecodeError) => error.filePath === missing);
    await rejectsWith(decodeImageFile(dir), 'unreadable', /is a directory/);
    await rejectsWith(decodeImageBuffer(new Uint8Array(0), 'upload'), 'empty', /"upload": empty file/);
  });

  it('encodeJpeg validates quality', async () => {
    await assert.rejects(encodeJpeg(pattern(), 0), /quality must be an integer 1\.\.100/);
  });
});
