import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';

import sharp from 'sharp';

import { ImageDecodeError } from '../../vision/frame/decode.js';
import { loadPhotoBytes, loadPhotoFile, MAX_PHOTO_PIXELS, PHOTO_LONG_SIDE_PX, sniffImageFormat } from './photo-loader.js';
import { DEMO_DIR, makeTempDir } from './test/helpers.js';

const SAMPLE = join(DEMO_DIR, 'sample1.jpg');

/** A PNG chunk: length, type, data, CRC of type and data. */
function pngChunk(type: string, data: Buffer): Buffer {
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/**
 * A decompression bomb: a PNG whose header says widthPx × heightPx RGB and whose single compressed row of zeros
 * is all it holds (a few hundred bytes). Anything that decodes before it checks the size allocates gigabytes.
 */
function pngBomb(widthPx: number, heightPx: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(widthPx, 0);
  header.writeUInt32BE(heightPx, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = deflateSync(Buffer.alloc(widthPx * 3 + 1));
  return Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), pngChunk('IHDR', header), pngChunk('IDAT', row), pngChunk('IEND', Buffer.alloc(0))]);
}

const SVG_BOMB = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"><rect width="100%" height="100%"/></svg>');

function rejectsWith(reason: ImageDecodeError['reason'], pattern: RegExp): (error: unknown) => boolean {
  return (error) => error instanceof ImageDecodeError && error.reason === reason && pattern.test(error.message);
}

describe('photo loader', () => {
  const cleanups: (() => void)[] = [];
  after(() => cleanups.forEach((cleanup) => cleanup()));

  it('tells the formats apart from their first bytes', async () => {
    const solid = sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } });
    assert.equal(sniffImageFormat(await solid.clone().jpeg().toBuffer()), 'jpeg');
    assert.equal(sniffImageFormat(await solid.clone().png().toBuffer()), 'png');
    assert.equal(sniffImageFormat(await solid.clone().webp().toBuffer()), 'webp');
    assert.equal(sniffImageFormat(await solid.clone().gif().toBuffer()), 'GIF');
    assert.equal(sniffImageFormat(await solid.clone().tiff().toBuffer()), 'TIFF');
    assert.equal(sniffImageFormat(SVG_BOMB), 'SVG');
    assert.equal(sniffImageFormat(Buffer.from('\uFEFF  <?xml version="1.0"?><svg/>')), 'SVG');
    assert.equal(sniffImageFormat(Buffer.from('\0\0\0\x1cftypavif\0\0\0\0')), 'AVIF');
    assert.equal(sniffImageFormat(Buffer.from('root:x:0:0:root:/root:/bin/bash\n')), undefined);
  });

  it('refuses SVG, TIFF, GIF and AVIF naming the format, and text as no image, before decoding', async () => {
    const solid = sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } });
    await assert.rejects(loadPhotoBytes(SVG_BOMB, 'tiny.svg'), rejectsWith('unsupported', /"tiny\.svg".*SVG images are not taken: photos must be JPEG, PNG or WebP/));
    await assert.rejects(loadPhotoBytes(await solid.clone().tiff().toBuffer(), 'scan.tif'), rejectsWith('unsupported', /TIFF images are not taken/));
    await assert.rejects(loadPhotoBytes(await solid.clone().gif().toBuffer(), 'anim.gif'), rejectsWith('unsupported', /GIF images are not taken/));
    await assert.rejects(loadPhotoBytes(Buffer.from('\0\0\0\x1cftypavif\0\0\0\0'), 'x.avif'), rejectsWith('unsupported', /AVIF images are not taken/));
    const secret = 'root:x:0:0:root:/root:/bin/bash\n';
    await assert.rejects(loadPhotoBytes(Buffer.from(secret), 'passwd.jpg'), (error: Error) => rejectsWith('unsupported', /not a supported image/)(error) && !error.message.includes('root:x'));
  });

  it('refuses a 16000 × 16000 PNG bomb from its header, in well under a second, naming the size', async () => {
    const bomb = pngBomb(16_000, 16_000);
    assert.ok(bomb.length < 200_000, `the bomb is ${bomb.length} bytes`);
    const startMs = performance.now();
    await assert.rejects(loadPhotoBytes(bomb, 'bomb.png'), rejectsWith('too-large', /16000 × 16000 px \(256 MP\): photos of at most 40 MP/));
    const elapsedMs = performance.now() - startMs;
    assert.ok(elapsedMs < 1000, `refused after ${elapsedMs.toFixed(0)} ms`);
  });

  it('shrinks a large photo to the long side it keeps, and leaves a small one as it is', async () => {
    // A 12 MP phone-sized picture: the demo photo enlarged onto a 4032 × 3024 canvas.
    const phone = await sharp(SAMPLE).resize(4032, 3024, { fit: 'contain', background: '#303030' }).jpeg({ quality: 90 }).toBuffer();
    const image = await loadPhotoBytes(phone, 'phone.jpg');
    assert.deepEqual([image.widthPx, image.heightPx], [PHOTO_LONG_SIDE_PX, 1920]);
    assert.equal(image.data.length, image.widthPx * image.heightPx * 3);
    const small = await loadPhotoBytes(readFileSync(SAMPLE), 'sample1.jpg');
    const metadata = await sharp(SAMPLE).metadata();
    assert.deepEqual([small.widthPx, small.heightPx], [metadata.width, metadata.height]);
    assert.ok(MAX_PHOTO_PIXELS >= 4032 * 3024 * 3, 'a 36 MP photo is still taken');
  });

  it('reads photo files only where it may, and only regular ones', async (t) => {
    if (!existsSync(SAMPLE)) return t.skip(`face-api's demo photos absent at ${DEMO_DIR}`);
    const dir = makeTempDir((fn) => cleanups.push(fn), 'lintel-photo-loader-');
    const inside = join(dir, 'photo.jpg');
    writeFileSync(inside, readFileSync(SAMPLE));
    assert.ok((await loadPhotoFile(inside, { roots: [dir] })).widthPx > 0);
    await assert.rejects(loadPhotoFile(SAMPLE, { roots: [dir] }), rejectsWith('unreadable', /outside the import folders/));
    await assert.rejects(loadPhotoFile('/dev/zero'), rejectsWith('unreadable', /is a device, not a regular file/));
    await assert.rejects(loadPhotoFile(join(dir, 'absent.jpg')), rejectsWith('not-found', /no such file/));
  });
});
