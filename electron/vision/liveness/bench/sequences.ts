// Frame sequences for the active-liveness benchmarks: GIF frames, face tracks of FaceMesh observations through
// the real pipeline, and planar renderings (a photo or a screen moved in the hand).
import sharp from 'sharp';

import { resizeBilinear } from '../../frame/resize.js';
import type { RgbImage } from '../../frame/rgb-image.js';
import { multiplyHomography, type Homography } from '../../geometry/homography.js';
import { warpPerspective } from '../../geometry/warp.js';
import type { FacePipeline } from '../../pipeline/face-pipeline.js';
import type { MeshObservation } from '../active/mesh-observation.js';

/** Frames of an animated image with their presentation times. */
export interface TimedFrames {
  readonly frames: RgbImage[];
  readonly timestampsMs: number[];
}

/**
 * Decodes every frame of an animated GIF (or WebP) to RGB, scaled by `scale` (bilinear; default 1), with
 * timestamps from the frame delays (100 ms where the file gives none).
 */
export async function readAnimationFrames(path: string, scale = 1): Promise<TimedFrames> {
  const metadata = await sharp(path).metadata();
  const pages = metadata.pages ?? 1;
  const frames: RgbImage[] = [];
  const timestampsMs: number[] = [];
  let timeMs = 0;
  for (let page = 0; page < pages; page++) {
    const { data, info } = await sharp(path, { page }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    let frame: RgbImage = { widthPx: info.width, heightPx: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
    if (scale !== 1) frame = resizeBilinear(frame, Math.round(info.width * scale), Math.round(info.height * scale));
    frames.push(frame);
    timestampsMs.push(timeMs);
    timeMs += metadata.delay?.[page] ?? 100;
  }
  return { frames, timestampsMs };
}

/** One face followed through a sequence: its observations, and the frames where the pipeline missed it. */
export interface FaceTrack {
  readonly observations: MeshObservation[];
  /** Index into the sequence of each observation. */
  readonly frameIndices: number[];
  /** Frames of the track's span where no face was found near the track. */
  missed: number;
}

/** Result of tracking every face of a sequence. */
export interface TrackingResult {
  readonly tracks: FaceTrack[];
  /** Frames with at least one face found. */
  readonly framesWithFace: number;
  readonly frames: number;
}

/**
 * Runs the pipeline (detector + mesh, as the terminal does on every frame) on each frame and links faces into
 * tracks by the nearest box centre (within half a face width of the track's last box).
 */
export async function trackFaces(pipeline: FacePipeline, sequence: TimedFrames): Promise<TrackingResult> {
  const tracks: (FaceTrack & { last: { x: number; y: number; size: number } })[] = [];
  let framesWithFace = 0;
  for (let index = 0; index < sequence.frames.length; index++) {
    const image = sequence.frames[index]!;
    const { faces } = await pipeline.analyse(image);
    if (faces.length > 0) framesWithFace++;
    const taken = new Set<number>();
    for (const face of faces) {
      const centre = { x: face.boxNorm.x + face.boxNorm.width / 2, y: face.boxNorm.y + face.boxNorm.height / 2, size: face.boxNorm.width };
      let best = -1;
      let bestDistance = Infinity;
      tracks.forEach((track, t) => {
        if (taken.has(t)) return;
        const d = Math.hypot(track.last.x - centre.x, track.last.y - centre.y);
        if (d < track.last.size / 2 && d < bestDistance) {
          best = t;
          bestDistance = d;
        }
      });
      const observation: MeshObservation = { timestampMs: sequence.timestampsMs[index]!, meshNorm: face.meshNorm, widthPx: image.widthPx, heightPx: image.heightPx };
      if (best < 0) {
        tracks.push({ observations: [observation], frameIndices: [index], missed: 0, last: centre });
        taken.add(tracks.length - 1);
      } else {
        const track = tracks[best]!;
        track.missed += index - track.frameIndices[track.frameIndices.length - 1]! - 1;
        track.observations.push(observation);
        track.frameIndices.push(index);
        track.last = centre;
        taken.add(best);
      }
    }
  }
  return { tracks: tracks.map(({ observations, frameIndices, missed }) => ({ observations, frameIndices, missed })), framesWithFace, frames: sequence.frames.length };
}

/** How a hand-held plane (a print or a phone) moves over a sequence. */
export interface PlaneMotion {
  /** Rotation in depth about the plane's vertical axis at the end of the sequence, degrees (positive: its right edge goes away). */
  readonly yawEndDeg: number;
  /** Rotation in depth about the horizontal axis, degrees, reached linearly. */
  readonly pitchEndDeg: number;
  /** In-plane rotation, degrees, reached linearly. */
  readonly rollEndDeg: number;
  /** Translation of the plane's centre at the end, px of the output. */
  readonly shiftEndPx: { x: number; y: number };
  /** Scale change at the end (1.1 = 10 % closer). */
  readonly scaleEnd: number;
  /** Per-frame hand tremor: SD of extra rotation (degrees) and shift (px). */
  readonly jitterDeg: number;
  readonly jitterPx: number;
}

/**
 * A random hand-held motion: a tilt toward a side (default 20–60°: as far as an attacker trying to fake a turn
 * would go), small pitch/roll, shift, scale and tremor.
 */
export function randomPlaneMotion(random: () => number, yawSign: 1 | -1, tiltRangeDeg: readonly [number, number] = [20, 60]): PlaneMotion {
  const between = (low: number, high: number): number => low + (high - low) * random();
  return {
    yawEndDeg: yawSign * between(tiltRangeDeg[0], tiltRangeDeg[1]),
    pitchEndDeg: between(-8, 8),
    rollEndDeg: between(-6, 6),
    shiftEndPx: { x: between(-30, 30), y: between(-20, 20) },
    scaleEnd: between(0.9, 1.15),
    jitterDeg: between(0.3, 1.2),
    jitterPx: between(0.5, 2.5),
  };
}

/**
 * The homography that shows a srcWidth × srcHeight picture on a plane in front of a pinhole camera, turned by
 * yaw/pitch/roll (degrees; positive yaw takes the picture's right edge away from the camera, as a head turning
 * toward the image's right does) and shifted/scaled, in a widthPx × heightPx output. Facing the camera, the
 * picture fills `fill` (default 0.9) of the output's height; the focal length is the output width (~53° wide).
 */
export function planeHomography(
  src: { widthPx: number; heightPx: number }, out: { widthPx: number; heightPx: number },
  pose: { yawDeg: number; pitchDeg: number; rollDeg: number; shiftPx: { x: number; y: number }; scale: number; fill?: number },
): Homography {
  const focalPx = out.widthPx;
  // The plane stands at one focal length, so plane units are output px when it faces the camera.
  const distancePx = focalPx;
  const sizePx = ((pose.fill ?? 0.9) * out.heightPx) / src.heightPx;
  const rad = Math.PI / 180;
  const rotation = multiply3(rotateY(pose.yawDeg * rad), multiply3(rotateX(pose.pitchDeg * rad), rotateZ(pose.rollDeg * rad)));
  const column = (c: number): number[] => [rotation[c]!, rotation[3 + c]!, rotation[6 + c]!];
  const [r1, r2] = [column(0), column(1)];
  const t = [0, 0, distancePx];
  const f = focalPx * pose.scale;
  const cx = out.widthPx / 2 + pose.shiftPx.x;
  const cy = out.heightPx / 2 + pose.shiftPx.y;
  // K · [r1 r2 t], K = [[f, 0, cx], [0, f, cy], [0, 0, 1]].
  const projection: Homography = [
    f * r1[0]! + cx * r1[2]!, f * r2[0]! + cx * r2[2]!, f * t[0]! + cx * t[2]!,
    f * r1[1]! + cy * r1[2]!, f * r2[1]! + cy * r2[2]!, f * t[1]! + cy * t[2]!,
    r1[2]!, r2[2]!, t[2]!,
  ];
  // Source pixel → plane coordinates centred on the picture.
  const toPlane: Homography = [sizePx, 0, (-sizePx * src.widthPx) / 2, 0, sizePx, (-sizePx * src.heightPx) / 2, 0, 0, 1];
  return multiplyHomography(projection, toPlane);
}

/** Rotation about the vertical axis taking +x toward +z (away from the camera) for a positive angle. */
function rotateY(a: number): number[] {
  return [Math.cos(a), 0, -Math.sin(a), 0, 1, 0, Math.sin(a), 0, Math.cos(a)];
}

function rotateX(a: number): number[] {
  return [1, 0, 0, 0, Math.cos(a), -Math.sin(a), 0, Math.sin(a), Math.cos(a)];
}

function rotateZ(a: number): number[] {
  return [Math.cos(a), -Math.sin(a), 0, Math.sin(a), Math.cos(a), 0, 0, 0, 1];
}

function multiply3(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) out.push(a[r * 3]! * b[c]! + a[r * 3 + 1]! * b[3 + c]! + a[r * 3 + 2]! * b[6 + c]!);
  return out;
}

/** Renders `picture` (or the k-th picture of a sequence) on the moving plane, one output frame per step. */
export function renderPlanarSequence(
  pictures: readonly RgbImage[], motion: PlaneMotion, options: { frames: number; frameMs: number; widthPx?: number; heightPx?: number; random: () => number; fill?: number },
): TimedFrames {
  const widthPx = options.widthPx ?? 640;
  const heightPx = options.heightPx ?? 480;
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - options.random())) * Math.cos(2 * Math.PI * options.random());
  const frames: RgbImage[] = [];
  const timestampsMs: number[] = [];
  for (let k = 0; k < options.frames; k++) {
    // Ease in and out, as a hand does; the first frames hold still so the turn has a starting pose.
    const linear = Math.min(1, Math.max(0, (k - 2) / Math.max(1, options.frames - 5)));
    const s = linear * linear * (3 - 2 * linear);
    const picture = pictures[Math.min(k, pictures.length - 1)]!;
    const h = planeHomography(picture, { widthPx, heightPx }, {
      yawDeg: motion.yawEndDeg * s + gauss() * motion.jitterDeg,
      pitchDeg: motion.pitchEndDeg * s + gauss() * motion.jitterDeg,
      rollDeg: motion.rollEndDeg * s + gauss() * motion.jitterDeg * 0.5,
      shiftPx: { x: motion.shiftEndPx.x * s + gauss() * motion.jitterPx, y: motion.shiftEndPx.y * s + gauss() * motion.jitterPx },
      scale: 1 + (motion.scaleEnd - 1) * s,
      fill: options.fill,
    });
    frames.push(warpPerspective(picture, h, widthPx, heightPx, { border: 'constant' }));
    timestampsMs.push(k * options.frameMs);
  }
  return { frames, timestampsMs };
}
