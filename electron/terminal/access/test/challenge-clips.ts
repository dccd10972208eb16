// Camera clips for the tests of the active liveness challenge, made from a real person turning her head: the
// Intel head-pose sample (../shared/data/video, CC BY 4.0), a woman sweeping her head left and right. LFW
// people do not turn their heads, so she is both the enrolled person and the one at the door:
//   - a genuine entry: frontal frames held, then her real turn toward one side (frames in their order), then
//     the turned pose held;
//   - a photo attack: one frontal frame printed flat and the print turned toward the same side as a plane
//     (a perspective warp), with hand-like jitter.
// Frames are cropped around her and enlarged three times: her face is ~30 px wide in the 480 × 270 source.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import sharp from 'sharp';

import type { RgbImage } from '../../../vision/frame/rgb-image.js';
import { warpPerspective } from '../../../vision/geometry/warp.js';
import { randomChallenge } from '../../../vision/liveness/active/challenge.js';
import { planeHomography } from '../../../vision/liveness/bench/sequences.js';
import { createSeededRandom } from '../../../vision/matcher/seeded-random.js';
import { packageRoot } from '../../../vision/models/paths.js';

/** The sample: 23 frames at 12 fps, the head sweeping from her right to her left and back. */
export const HEAD_TURN_GIF = join(packageRoot(), '..', 'shared', 'data', 'video', 'intel_head-pose-face-detection-female.gif');

/** A man of the same sample set (CC BY 4.0) facing the camera throughout (yaw within 2°): a second person at the door. */
export const SECOND_PERSON_GIF = join(packageRoot(), '..', 'shared', 'data', 'video', 'intel_head-pose-face-detection-male.gif');

/** Why the clips cannot be made here, or '' when they can. */
export function missingHeadTurnClip(): string {
  return existsSync(HEAD_TURN_GIF) ? '' : `the head-turn sample is missing at ${HEAD_TURN_GIF}`;
}

/** Why the two-person clip cannot be made here, or '' when it can. */
export function missingTwoPeopleClip(): string {
  return missingHeadTurnClip() || (existsSync(SECOND_PERSON_GIF) ? '' : `the second person's sample is missing at ${SECOND_PERSON_GIF}`);
}

/** Crop around her (source px) and enlargement: 240 × 270 → 720 × 810. */
const CROP = { left: 120, top: 0, width: 240, height: 270 } as const;
const SCALE = 3;

/**
 * Frames of the GIF by what they show, measured with the default models (yaw by headPoseDeg: positive is
 * turned toward the image's right, i.e. her left): 9 and 19 face the camera (2° and −2°); 9 → 13 turns to her
 * left (to 32°); 19 → 22 → 0 → 2 turns to her right (to −47°).
 */
export const FRAMES = {
  frontal: [9, 19],
  enroll: [8, 9, 18, 19],
  turnLeft: [9, 10, 11, 12, 13],
  turnRight: [19, 20, 21, 22, 0, 1, 2],
} as const;

/** The wall behind a print held up at the door. */
const WALL_RGB: readonly [number, number, number] = [200, 200, 205];

/** One GIF frame, cropped and enlarged, as raw RGB. */
async function gifFrame(page: number): Promise<RgbImage & { data: Buffer }> {
  const { data, info } = await sharp(HEAD_TURN_GIF, { page })
    .removeAlpha()
    .extract(CROP)
    .resize(CROP.width * SCALE, CROP.height * SCALE, { kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, widthPx: info.width, heightPx: info.height };
}

/** One GIF frame, cropped and enlarged, as JPEG (e.g. a photo to enroll from). */
export async function gifFrameJpeg(page: number): Promise<Buffer> {
  const { data, widthPx, heightPx } = await gifFrame(page);
  return sharp(data, { raw: { width: widthPx, height: heightPx, channels: 3 } }).jpeg({ quality: 92 }).toBuffer();
}

/** Photos to enroll her from: near-frontal frames. */
export function enrollmentPhotos(): Promise<Buffer[]> {
  return Promise.all(FRAMES.enroll.map((page) => gifFrameJpeg(page)));
}

/** Narrow crops (source px) of her and of him, side by side in the two-person clip, enlarged `TWO_SCALE` times. */
const HER_NARROW = { left: 150, top: 0, width: 180, height: 270 } as const;
const HIS_NARROW = { left: 130, top: 0, width: 180, height: 270 } as const;
const TWO_SCALE = 2;

async function narrowFrame(gif: string, page: number, crop: typeof HER_NARROW | typeof HIS_NARROW): Promise<Buffer> {
  return sharp(gif, { page }).removeAlpha().extract(crop).resize(crop.width * TWO_SCALE, crop.height * TWO_SCALE, { kernel: 'lanczos3' }).jpeg({ quality: 92 }).toBuffer();
}

/** Photos to enroll the second person from: frames of his clip, as the two-person clip shows him. */
export function secondPersonPhotos(): Promise<Buffer[]> {
  return Promise.all([0, 10, 20, 30].map((page) => narrowFrame(SECOND_PERSON_GIF, page, HIS_NARROW)));
}

/**
 * Two people at the door at once, both facing the camera and holding still: her frontal frame on the left of
 * the image, his on the right (360 × 540 each); `frames` copies (default 150, 15 s at 10 fps). Neither turns:
 * both are asked, and both prompts are on screen until they time out.
 */
export async function writeTwoPeopleClip(dir: string, frames = 150): Promise<string> {
  const hers = await narrowFrame(HEAD_TURN_GIF, FRAMES.frontal[0], HER_NARROW);
  const his = await narrowFrame(SECOND_PERSON_GIF, 10, HIS_NARROW);
  const widthPx = (HER_NARROW.width + HIS_NARROW.width) * TWO_SCALE;
  const both = await sharp({ create: { width: widthPx, height: HER_NARROW.height * TWO_SCALE, channels: 3, background: { r: 200, g: 200, b: 205 } } })
    .composite([{ input: hers, left: 0, top: 0 }, { input: his, left: HER_NARROW.width * TWO_SCALE, top: 0 }])
    .jpeg({ quality: 92 })
    .toBuffer();
  return writeFrames(dir, Array.from({ length: frames }, () => both));
}

/** How a clip is timed, in frames of the folder camera. */
export interface ClipTiming {
  /** Frontal frames before the turn (the door identifies her and asks); default 25. */
  readonly holdFrames?: number;
  /** Copies of each frame of the turn (slows it to a person's pace); default 2. */
  readonly turnRepeat?: number;
  /** Turned frames after the turn; default 25. */
  readonly afterFrames?: number;
}

async function writeFrames(dir: string, frames: readonly Buffer[]): Promise<string> {
  await mkdir(dir, { recursive: true });
  await Promise.all(frames.map((jpeg, index) => writeFile(join(dir, `frame-${String(index).padStart(4, '0')}.jpg`), jpeg)));
  return dir;
}

/** Her real head turn toward `direction` (her own left or right) as a folder of frames; returns the folder. */
export async function writeHeadTurnClip(dir: string, direction: 'left' | 'right', timing: ClipTiming = {}): Promise<string> {
  const turn = direction === 'left' ? FRAMES.turnLeft : FRAMES.turnRight;
  const jpegs = new Map<number, Buffer>();
  for (const page of new Set([...FRAMES.frontal, ...turn])) jpegs.set(page, await gifFrameJpeg(page));
  const at = (page: number): Buffer => jpegs.get(page) as Buffer;
  const start = turn[0] as number;
  const end = turn[turn.length - 1] as number;
  const frames = [
    ...Array.from({ length: timing.holdFrames ?? 25 }, () => at(start)),
    ...turn.slice(1).flatMap((page) => Array.from({ length: timing.turnRepeat ?? 2 }, () => at(page))),
    ...Array.from({ length: timing.afterFrames ?? 25 }, () => at(end)),
  ];
  return writeFrames(dir, frames);
}

/**
 * A photo attack: her frontal frame as a print held up, then turned as a plane toward `direction` by up to
 * `maxYawDeg` (default 30°) with hand-like jitter (a few px of shift, half a degree of roll per frame).
 */
export async function writePlanarAttackClip(dir: string, direction: 'left' | 'right', timing: ClipTiming & { readonly maxYawDeg?: number } = {}): Promise<string> {
  const still = await gifFrame(FRAMES.frontal[0]);
  const random = createSeededRandom(direction === 'left' ? 11 : 17);
  const sign = direction === 'left' ? 1 : -1;
  const maxYawDeg = timing.maxYawDeg ?? 30;
  const turnFrames = (FRAMES.turnLeft.length - 1) * (timing.turnRepeat ?? 2);
  const yaws = [
    ...Array.from({ length: timing.holdFrames ?? 25 }, () => 0),
    ...Array.from({ length: turnFrames }, (_, i) => (maxYawDeg * (i + 1)) / turnFrames),
    ...Array.from({ length: timing.afterFrames ?? 25 }, () => maxYawDeg),
  ];
  const frames = await Promise.all(
    yaws.map((yawDeg) => {
      // The print fills the frame as the photo did (focal length = width, at one focal length), turned about its
      // vertical centre line; positive yaw takes its right side away, as her left turn does to her face.
      const plane = planeHomography(still, still, {
        yawDeg: sign * yawDeg,
        pitchDeg: 0,
        shiftPx: { x: (random() - 0.5) * 6, y: (random() - 0.5) * 6 },
        rollDeg: (random() - 0.5) * 1,
        scale: 1,
        fill: 1,
      });
      const frame = warpPerspective(still, plane, still.widthPx, still.heightPx, { fillRgb: WALL_RGB });
      return sharp(frame.data, { raw: { width: frame.widthPx, height: frame.heightPx, channels: 3 } }).jpeg({ quality: 92 }).toBuffer();
    }),
  );
  return writeFrames(dir, frames);
}

/**
 * A seed for `createSeededRandom` whose first `count` challenges all ask for a turn toward `direction`: the clip can
 * then be chosen before the door asks, and restarts (another face, a gap in the track) do not change the ask.
 */
export function seedAskingAlways(direction: 'left' | 'right', count: number): number {
  for (let seed = 1; seed < 10_000_000; seed++) {
    const random = createSeededRandom(seed);
    let all = true;
    for (let i = 0; i < count && all; i++) {
      const action = randomChallenge(random);
      all = action.kind === 'turn' && action.direction === direction;
    }
    if (all) return seed;
  }
  throw new Error(`no seed below 10,000,000 asks ${count} times for ${direction}`);
}

/**
 * The swap: her frontal frame held up (a print, to be identified), then another person's photo in its place —
 * the face the challenge then sees is not the one identified. `strangerPhoto` is a 250 × 250 LFW portrait,
 * enlarged so that the stranger's face lies where hers was.
 */
export async function writeFaceSwapClip(dir: string, strangerPhoto: string, timing: { readonly holdFrames?: number; readonly strangerFrames?: number } = {}): Promise<string> {
  const hers = await gifFrameJpeg(FRAMES.frontal[0]);
  const stranger = await sharp(hers)
    .composite([{ input: await sharp(strangerPhoto).resize(450, 450).toBuffer(), left: 105, top: 95 }])
    .jpeg({ quality: 92 })
    .toBuffer();
  return writeFrames(dir, [...Array.from({ length: timing.holdFrames ?? 25 }, () => hers), ...Array.from({ length: timing.strangerFrames ?? 40 }, () => stranger)]);
}
