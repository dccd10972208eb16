import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rawFrameToRgb, type RawFrame, type YuvOptions } from './raw-frame.js';
import type { RgbImage } from './rgb-image.js';

type Rgb = readonly [number, number, number];
type Yuv = readonly [y: number, u: number, v: number];

function pixel(img: RgbImage, x: number, y: number): Rgb {
  const i = (y * img.widthPx + x) * 3;
  return [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!];
}

function assertNear(actual: Rgb, expected: Rgb, label: string, tolerance = 1): void {
  const ok = actual.every((value, c) => Math.abs(value - expected[c]!) <= tolerance);
  assert.ok(ok, `${label}: got [${actual.join(', ')}], expected [${expected.join(', ')}] ±${tolerance}`);
}

/** 4x2 NV12 frame of one colour; padding bytes (0xEE) must never reach the output. */
function nv12Solid([y, u, v]: Yuv, strideBytes = 4): RawFrame {
  const data = new Uint8Array(strideBytes * 3).fill(0xee);
  for (let row = 0; row < 2; row++) data.fill(y, row * strideBytes, row * strideBytes + 4);
  for (let col = 0; col < 4; col += 2) { data[2 * strideBytes + col] = u; data[2 * strideBytes + col + 1] = v; }
  return { format: 'NV12', widthPx: 4, heightPx: 2, strideBytes, data };
}

function yuyvSolid([y, u, v]: Yuv): RawFrame {
  return { format: 'YUYV', widthPx: 2, heightPx: 1, data: Uint8Array.of(y, u, y, v) };
}

function assertSolid(frame: RawFrame, expected: Rgb, label: string, options?: YuvOptions): void {
  const img = rawFrameToRgb(frame, options);
  for (let y = 0; y < img.heightPx; y++) {
    for (let x = 0; x < img.widthPx; x++) assertNear(pixel(img, x, y), expected, `${label} (${x},${y})`);
  }
}

// Expected values hand-computed with the textbook BT.601 formulas, e.g. limited:
// R = 1.164(Y-16) + 1.596(V-128), G = 1.164(Y-16) - 0.392(U-128) - 0.813(V-128), B = 1.164(Y-16) + 2.017(U-128),
// then clamped to 0..255 (red's B is -1 before clamping, green's G is 256).
const LIMITED_601: ReadonlyArray<readonly [string, Yuv, Rgb]> = [
  ['white', [235, 128, 128], [255, 255, 255]],
  ['black', [16, 128, 128], [0, 0, 0]],
  ['mid grey', [126, 128, 128], [128, 128, 128]],
  ['red', [81, 90, 240], [254, 0, 0]],
  ['green', [145, 54, 34], [0, 255, 1]],
  ['blue', [41, 240, 110], [0, 0, 255]],
];
// Full range (JPEG): R = Y + 1.402(V-128), G = Y - 0.344136(U-128) - 0.714136(V-128), B = Y + 1.772(U-128).
const FULL_601: ReadonlyArray<readonly [string, Yuv, Rgb]> = [
  ['white', [255, 128, 128], [255, 255, 255]],
  ['black', [0, 128, 128], [0, 0, 0]],
  ['mid grey', [128, 128, 128], [128, 128, 128]],
  ['red', [76, 85, 255], [254, 0, 0]],
  ['green', [150, 44, 21], [0, 255, 1]],
  ['blue', [29, 255, 107], [0, 0, 254]],
];

describe('rawFrameToRgb YUV colours', () => {
  for (const [name, yuv, rgb] of LIMITED_601) {
    it(`BT.601 limited ${name} (NV12 and YUYV, the default options)`, () => {
      assertSolid(nv12Solid(yuv), rgb, `NV12 ${name}`);
      assertSolid(yuyvSolid(yuv), rgb, `YUYV ${name}`);
    });
  }
  for (const [name, yuv, rgb] of FULL_601) {
    it(`BT.601 full ${name}`, () => {
      assertSolid(nv12Solid(yuv), rgb, `NV12 ${name}`, { yuvRange: 'full' });
      assertSolid(yuyvSolid(yuv), rgb, `YUYV ${name}`, { yuvRange: 'full' });
    });
  }
  it('BT.709 limited primaries (R = 1.164(Y-16) + 1.793(V-128), …)', () => {
    const options = { matrix: 'bt709' } as const;
    assertSolid(nv12Solid([63, 102, 240]), [255, 1, 0], 'red', options);
    assertSolid(nv12Solid([173, 42, 26]), [0, 255, 1], 'green', options);
    assertSolid(nv12Solid([32, 240, 118]), [1, 0, 255], 'blue', options);
  });
});

describe('rawFrameToRgb YUV sweep', () => {
  // Textbook coefficients [Y gain, R←V, G←U, G←V, B←U] per matrix and range.
  const COEFFICIENTS = {
    'bt601/limited': [1.164, 1.596, 0.392, 0.813, 2.017],
    'bt601/full': [1, 1.402, 0.344136, 0.714136, 1.772],
    'bt709/limited': [1.164, 1.793, 0.213, 0.533, 2.112],
    'bt709/full': [1, 1.5748, 0.1873, 0.4681, 1.8556],
  } as const;
  const clamp = (v: number): number => Math.min(255, Math.max(0, Math.round(v)));

  for (const [key, [kY, rV, gU, gV, bU]] of Object.entries(COEFFICIENTS)) {
    it(`${key} matches the formula ±1 over a Y/U/V sweep, saturating at the extremes`, () => {
      const [matrix, yuvRange] = key.split('/') as ['bt601' | 'bt709', 'limited' | 'full'];
      const yOffset = yuvRange === 'limited' ? 16 : 0;
      const values = [0, 1, 16, 60, 127, 128, 129, 200, 235, 240, 254, 255];
      for (const y of values) {
        for (const u of values) {
          for (const v of values) {
            const c = kY * (y - yOffset);
            const expected = [clamp(c + rV * (v - 128)), clamp(c - gU * (u - 128) - gV * (v - 128)), clamp(c + bU * (u - 128))] as const;
            const img = rawFrameToRgb(yuyvSolid([y, u, v]), { matrix, yuvRange });
            assertNear(pixel(img, 0, 0), expected, `YUV ${y},${u},${v}`);
          }
        }
      }
    });
  }
});

describe('rawFrameToRgb layouts', () => {
  it('NV12 shares one UV pair per 2x2 block and reads the UV plane at strideBytes·heightPx', () => {
    const stride = 6; // 2 padding bytes per row
    const data = new Uint8Array(stride * 3).fill(0xee);
    data.set([126, 126, 126, 126], 0);
    data.set([126, 126, 126, 126], stride);
    data.set([128, 128, 90, 240], 2 * stride); // block 0 grey, block 1 reddish
    const img = rawFrameToRgb({ format: 'NV12', widthPx: 4, heightPx: 2, strideBytes: stride, data });
    for (const [x, y] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) assertNear(pixel(img, x, y), [128, 128, 128], `block 0 (${x},${y})`);
    const red = pixel(img, 2, 0);
    assert.ok(red[0] > 200 && red[1] < 100, `block 1 should be reddish, got ${red.join(',')}`);
    for (const [x, y] of [[3, 0], [2, 1], [3, 1]] as const) assert.deepEqual(pixel(img, x, y), red, `block 1 (${x},${y})`);
  });

  it('NV12 stride padding is ignored', () => {
    assertSolid(nv12Solid([235, 128, 128], 16), [255, 255, 255], 'padded white');
  });

  it('YUYV: Y0 U Y1 V gives two pixels with their own luma and shared chroma', () => {
    const img = rawFrameToRgb({ format: 'YUYV', widthPx: 4, heightPx: 1, data: Uint8Array.of(16, 128, 235, 128, 81, 90, 81, 240) });
    assert.deepEqual([pixel(img, 0, 0), pixel(img, 1, 0)], [[0, 0, 0], [255, 255, 255]]);
    assertNear(pixel(img, 2, 0), [254, 0, 0], 'red pair left');
    assertNear(pixel(img, 3, 0), [254, 0, 0], 'red pair right');
  });

  it('RGB24 copies, BGR24 swaps, RGBA drops alpha; row padding is skipped', () => {
    const rgb = rawFrameToRgb({ format: 'RGB24', widthPx: 2, heightPx: 2, strideBytes: 8, data: Uint8Array.of(1, 2, 3, 4, 5, 6, 99, 99, 7, 8, 9, 10, 11, 12) });
    assert.deepEqual([...rgb.data], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const bgr = rawFrameToRgb({ format: 'BGR24', widthPx: 2, heightPx: 1, data: Uint8Array.of(10, 20, 30, 40, 50, 60) });
    assert.deepEqual([...bgr.data], [30, 20, 10, 60, 50, 40]);
    const rgba = rawFrameToRgb({ format: 'RGBA', widthPx: 2, heightPx: 2, strideBytes: 9, data: Uint8Array.of(1, 2, 3, 255, 4, 5, 6, 0, 99, 7, 8, 9, 128, 10, 11, 12, 7) });
    assert.deepEqual([...rgba.data], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('never aliases the camera buffer', () => {
    const data = Uint8Array.of(1, 2, 3);
    const img = rawFrameToRgb({ format: 'RGB24', widthPx: 1, heightPx: 1, data });
    data[0] = 200;
    assert.equal(img.data[0], 1);
  });
});

describe('rawFrameToRgb validation', () => {
  it('a short buffer names the format, size and expected vs actual bytes', () => {
    assert.throws(
      () => rawFrameToRgb({ format: 'NV12', widthPx: 1280, heightPx: 720, data: new Uint8Array(500) }),
      (error: Error) => /NV12/.test(error.message) && /1280x720/.test(error.message) && /1382400/.test(error.message) && /\b500\b/.test(error.message),
    );
    assert.throws(
      () => rawFrameToRgb({ format: 'RGBA', widthPx: 4, heightPx: 2, strideBytes: 20, data: new Uint8Array(35) }),
      /RGBA 4x2 .*needs at least 36 bytes, got 35/,
    );
  });

  it('odd widths for YUYV/NV12 and odd heights for NV12 are errors', () => {
    assert.throws(() => rawFrameToRgb({ format: 'YUYV', widthPx: 3, heightPx: 2, data: new Uint8Array(64) }), /YUYV 3x2: width must be even/);
    assert.throws(() => rawFrameToRgb({ format: 'NV12', widthPx: 5, heightPx: 2, data: new Uint8Array(64) }), /NV12 5x2: width must be even/);
    assert.throws(() => rawFrameToRgb({ format: 'NV12', widthPx: 4, heightPx: 3, data: new Uint8Array(64) }), /height must be even/);
  });

  it('a stride narrower than a row and non-positive sizes are errors', () => {
    assert.throws(() => rawFrameToRgb({ format: 'RGB24', widthPx: 4, heightPx: 1, strideBytes: 10, data: new Uint8Array(64) }), /strideBytes 10/);
    assert.throws(() => rawFrameToRgb({ format: 'RGB24', widthPx: 0, heightPx: 1, data: new Uint8Array(64) }), /positive integers/);
  });
});
