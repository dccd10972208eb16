/**
 * The inputs `make_golden.py` fed the PyTorch reference, regenerated bit for bit: seeded LCG noise, a smooth
 * gradient and an aligned face (pixels 0..255, NCHW), normalised (pixel − 127.5) / 127.5.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import sharp from 'sharp';

const SIDE = 112;
const PLANE = SIDE * SIDE;
const goldenDir = dirname(fileURLToPath(import.meta.url));

/** 3 × 112 × 112 pixels from a 32-bit LCG: state = 1664525 · state + 1013904223 mod 2³², pixel = state >>> 24. */
export function lcgPixels(seed: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: 3 * PLANE }, () => {
    state = (Math.imul(1664525, state) + 1013904223) >>> 0;
    return state >>> 24;
  });
}

/** R rises left to right, G top to bottom, B along the diagonal; integer arithmetic as in make_golden.py. */
export function gradientPixels(): Float32Array {
  const out = new Float32Array(3 * PLANE);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      out[y * SIDE + x] = Math.floor((x * 255) / (SIDE - 1));
      out[PLANE + y * SIDE + x] = Math.floor((y * 255) / (SIDE - 1));
      out[2 * PLANE + y * SIDE + x] = Math.floor(((x + y) * 255) / (2 * (SIDE - 1)));
    }
  }
  return out;
}

/** face-api's sample1.jpg, the left woman's face aligned by Lintel's pipeline to the ArcFace 112 template, NCHW. */
export async function facePixels(): Promise<Float32Array> {
  const { data, info } = await sharp(await readFile(join(goldenDir, 'sample1-face-arcface112.png'))).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.width !== SIDE || info.height !== SIDE || info.channels !== 3) throw new Error('sample1-face-arcface112.png is not 112×112 RGB');
  const out = new Float32Array(3 * PLANE);
  for (let i = 0; i < PLANE; i++) for (let c = 0; c < 3; c++) out[c * PLANE + i] = data[i * 3 + c] as number;
  return out;
}

/** (pixel − 127.5) / 127.5, as the manifest's mean / std say. */
export function normalise(pixels: Float32Array): Float32Array {
  return Float32Array.from(pixels, (p) => (p - 127.5) / 127.5);
}

/** The golden inputs by the names edgeface-golden.json uses. */
export async function goldenInputs(): Promise<Map<string, Float32Array>> {
  return new Map([
    ['noise-seed-1', normalise(lcgPixels(1))],
    ['noise-seed-2', normalise(lcgPixels(2))],
    ['gradient', normalise(gradientPixels())],
    ['face-sample1', normalise(await facePixels())],
  ]);
}

/** edgeface-golden.json as make_golden.py writes it. */
export interface EdgeFaceGolden {
  readonly torch: string;
  readonly timm: string;
  readonly variants: Readonly<Record<string, { readonly outputs: Readonly<Record<string, { readonly float: number[]; readonly dynamicInt8CosineToFloat: number }>> }>>;
}

export async function readGolden(): Promise<EdgeFaceGolden> {
  return JSON.parse(await readFile(join(goldenDir, 'edgeface-golden.json'), 'utf8')) as EdgeFaceGolden;
}
