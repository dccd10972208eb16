/**
 * Extracts a genuine head-turn sequence from an animated GIF (the Intel head-pose clips) as numbered frames for
 * a folder file camera, letterboxed into the output size after scaling the clip up (its faces are small).
 *
 *   npx tsx electron/vision/liveness/bench/make-head-turn.ts --gif <file.gif> --out <dir> [--from 0] [--to last]
 *     [--width 640] [--height 480] [--scale auto] [--mirror] [--format png|jpg]
 *
 * `--scale auto` fills the output's width; `--mirror` flips the frames, which turns every turn the other way.
 * The clips are 12 fps: play the folder at `fps: 12` to keep the turn's real speed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

import { encodeJpeg, encodePng } from '../../frame/decode.js';
import { resizeBilinear } from '../../frame/resize.js';
import { createRgbImage, flipHorizontal, type RgbImage } from '../../frame/rgb-image.js';
import { readAnimationFrames } from './sequences.js';

/** Options of makeHeadTurn. */
export interface HeadTurnClipOptions {
  readonly gifPath: string;
  readonly outDir: string;
  /** First and last frame (inclusive) of the clip; default the whole clip. */
  readonly fromFrame?: number;
  readonly toFrame?: number;
  /** Output size; default 640 × 480. */
  readonly widthPx?: number;
  readonly heightPx?: number;
  /** Scale of the clip; default: fill the output's width. */
  readonly scale?: number;
  /** Flip left–right; default false. */
  readonly mirror?: boolean;
  readonly format?: 'png' | 'jpg';
}

/** Writes the clip's frames as `frame-00000.png`…; returns their paths and the clip's frame times, ms. */
export async function makeHeadTurn(options: HeadTurnClipOptions): Promise<{ paths: string[]; timestampsMs: number[] }> {
  const widthPx = options.widthPx ?? 640;
  const heightPx = options.heightPx ?? 480;
  const clip = await readAnimationFrames(options.gifPath);
  const from = options.fromFrame ?? 0;
  const to = Math.min(options.toFrame ?? clip.frames.length - 1, clip.frames.length - 1);
  await mkdir(options.outDir, { recursive: true });
  const format = options.format ?? 'png';
  const paths: string[] = [];
  for (let index = from; index <= to; index++) {
    let frame = clip.frames[index]!;
    if (options.mirror) frame = flipHorizontal(frame);
    const scale = options.scale ?? widthPx / frame.widthPx;
    const scaled = resizeBilinear(frame, Math.round(frame.widthPx * scale), Math.round(frame.heightPx * scale));
    const out = paste(scaled, widthPx, heightPx);
    const path = join(options.outDir, `frame-${String(index - from).padStart(5, '0')}.${format}`);
    await writeFile(path, format === 'png' ? await encodePng(out) : await encodeJpeg(out, 92));
    paths.push(path);
  }
  return { paths, timestampsMs: clip.timestampsMs.slice(from, to + 1).map((t) => t - clip.timestampsMs[from]!) };
}

/** `image` centred on a grey widthPx × heightPx canvas, cut where it is larger. */
function paste(image: RgbImage, widthPx: number, heightPx: number): RgbImage {
  const out = createRgbImage(widthPx, heightPx);
  out.data.fill(128);
  const offsetX = Math.round((widthPx - image.widthPx) / 2);
  const offsetY = Math.round((heightPx - image.heightPx) / 2);
  for (let y = 0; y < heightPx; y++) {
    const sy = y - offsetY;
    if (sy < 0 || sy >= image.heightPx) continue;
    for (let x = 0; x < widthPx; x++) {
      const sx = x - offsetX;
      if (sx < 0 || sx >= image.widthPx) continue;
      const s = (sy * image.widthPx + sx) * 3;
      const d = (y * widthPx + x) * 3;
      out.data[d] = image.data[s]!;
      out.data[d + 1] = image.data[s + 1]!;
      out.data[d + 2] = image.data[s + 2]!;
    }
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      gif: { type: 'string' }, out: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
      width: { type: 'string', default: '640' }, height: { type: 'string', default: '480' }, scale: { type: 'string', default: 'auto' },
      mirror: { type: 'boolean', default: false }, format: { type: 'string', default: 'png' },
    },
  });
  if (!values.gif || !values.out) throw new Error('usage: make-head-turn.ts --gif <file.gif> --out <dir> [--from n] [--to n] [--mirror]');
  if (values.format !== 'png' && values.format !== 'jpg') throw new Error(`--format must be png or jpg, got ${values.format}`);
  const { paths } = await makeHeadTurn({
    gifPath: values.gif, outDir: values.out, fromFrame: values.from ? Number(values.from) : undefined, toFrame: values.to ? Number(values.to) : undefined,
    widthPx: Number(values.width), heightPx: Number(values.height), scale: values.scale === 'auto' ? undefined : Number(values.scale),
    mirror: values.mirror, format: values.format,
  });
  console.log(`${paths.length} frames written to ${values.out} (12 fps)`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
