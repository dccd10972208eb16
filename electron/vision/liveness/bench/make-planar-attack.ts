/**
 * Renders a planar "photo attack": a still photo of a person moved in front of the camera as one plane (tilted
 * toward a side as if to fake a head turn, shifted, scaled, with hand tremor), written as numbered frames that
 * a folder file camera plays.
 *
 *   npx tsx electron/vision/liveness/bench/make-planar-attack.ts --photo <img> --out <dir> [--frames 40]
 *     [--direction left|right] [--width 640] [--height 480] [--format png|jpg] [--seed 1] [--fill 0.9]
 *
 * `--direction` is the turn the tilt imitates as the person would see it (left: the photo's right edge goes away).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

import { decodeImageFile, encodeJpeg, encodePng } from '../../frame/decode.js';
import { createSeededRandom } from '../../matcher/seeded-random.js';
import type { TurnDirection } from '../active/head-turn.js';
import { randomPlaneMotion, renderPlanarSequence } from './sequences.js';

/** Options of makePlanarAttack. */
export interface PlanarAttackOptions {
  readonly photoPath: string;
  readonly outDir: string;
  /** Frames to write; default 40 (4 s at the file camera's default 10 fps). */
  readonly frames?: number;
  /** The head turn the tilt imitates; default 'left'. */
  readonly direction?: TurnDirection;
  readonly widthPx?: number;
  readonly heightPx?: number;
  /** 'png' (default) or 'jpg'. */
  readonly format?: 'png' | 'jpg';
  /** Seed of the motion and tremor; default 1. */
  readonly seed?: number;
  /** Height fraction of the frame the photo fills when facing the camera; default 0.9. */
  readonly fill?: number;
}

/** Writes the attack's frames as `frame-00000.png`…; returns their paths. */
export async function makePlanarAttack(options: PlanarAttackOptions): Promise<string[]> {
  const photo = await decodeImageFile(options.photoPath);
  const random = createSeededRandom(options.seed ?? 1);
  const motion = randomPlaneMotion(random, (options.direction ?? 'left') === 'left' ? 1 : -1);
  const sequence = renderPlanarSequence([photo], motion, {
    frames: options.frames ?? 40, frameMs: 100, widthPx: options.widthPx, heightPx: options.heightPx, random, fill: options.fill,
  });
  await mkdir(options.outDir, { recursive: true });
  const format = options.format ?? 'png';
  const paths: string[] = [];
  for (const [index, frame] of sequence.frames.entries()) {
    const path = join(options.outDir, `frame-${String(index).padStart(5, '0')}.${format}`);
    await writeFile(path, format === 'png' ? await encodePng(frame) : await encodeJpeg(frame, 92));
    paths.push(path);
  }
  return paths;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      photo: { type: 'string' }, out: { type: 'string' }, frames: { type: 'string', default: '40' },
      direction: { type: 'string', default: 'left' }, width: { type: 'string', default: '640' }, height: { type: 'string', default: '480' },
      format: { type: 'string', default: 'png' }, seed: { type: 'string', default: '1' }, fill: { type: 'string', default: '0.9' },
    },
  });
  if (!values.photo || !values.out) throw new Error('usage: make-planar-attack.ts --photo <img> --out <dir> [--frames 40] [--direction left|right]');
  if (values.direction !== 'left' && values.direction !== 'right') throw new Error(`--direction must be left or right, got ${values.direction}`);
  if (values.format !== 'png' && values.format !== 'jpg') throw new Error(`--format must be png or jpg, got ${values.format}`);
  const paths = await makePlanarAttack({
    photoPath: values.photo, outDir: values.out, frames: Number(values.frames), direction: values.direction, widthPx: Number(values.width),
    heightPx: Number(values.height), format: values.format, seed: Number(values.seed), fill: Number(values.fill),
  });
  console.log(`${paths.length} frames written to ${values.out}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
