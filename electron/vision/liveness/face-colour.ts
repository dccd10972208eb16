import type { RgbImage } from '../frame/rgb-image.js';
import type { BoxPx } from '../geometry/point.js';
import { warpAffine } from '../geometry/warp.js';

/** What {@link measureFaceColour} found in a face box, resampled to a fixed size so faces of any size compare. */
export interface FaceColour {
  /** ln of the mean squared Laplacian of the luma over its variance: fine detail left after printing or a screen's blur. */
  readonly sharpnessLog: number;
  /** ln(1 + luma variance), 0..255 scale: contrast. */
  readonly contrastLog: number;
  /** Standard deviations of the chroma (BT.601 Cb and Cr, 0..255 scale): a print's or screen's narrower gamut. */
  readonly cbStd: number;
  readonly crStd: number;
  /** Mean and standard deviation of the HSV saturation, 0..1. */
  readonly saturationMean: number;
  readonly saturationStd: number;
}

/** The statistics as the passive cue's measure ids, and how each is read from a {@link FaceColour}. */
export const FACE_COLOUR_MEASURES = ['colour-sharpness', 'colour-contrast', 'colour-cb-std', 'colour-cr-std', 'colour-saturation', 'colour-saturation-std'] as const;
export type FaceColourMeasure = (typeof FACE_COLOUR_MEASURES)[number];
export const FACE_COLOUR_READERS: Readonly<Record<FaceColourMeasure, (colour: FaceColour) => number>> = {
  'colour-sharpness': (colour) => colour.sharpnessLog,
  'colour-contrast': (colour) => colour.contrastLog,
  'colour-cb-std': (colour) => colour.cbStd,
  'colour-cr-std': (colour) => colour.crStd,
  'colour-saturation': (colour) => colour.saturationMean,
  'colour-saturation-std': (colour) => colour.saturationStd,
};

export function isFaceColourMeasure(id: string): id is FaceColourMeasure {
  return (FACE_COLOUR_MEASURES as readonly string[]).includes(id);
}

/** Side of the square the face box is resampled to, px; default of {@link measureFaceColour}. */
export const FACE_COLOUR_SIDE_PX = 64;

/**
 * Colour and sharpness statistics of the face (its landmark box, stretched to a 64 × 64 square, bilinear): a
 * recaptured face — printed, or shown on a screen — loses fine detail and colour range that skin in front of the
 * camera keeps. Cheap (one small resample and two passes); weak alone, a feature of the trained passive cue.
 */
export function measureFaceColour(image: RgbImage, faceBoxPx: BoxPx, sidePx = FACE_COLOUR_SIDE_PX): FaceColour {
  if (!(faceBoxPx.width > 0 && faceBoxPx.height > 0)) throw new RangeError(`face box must have a positive size, got ${faceBoxPx.width} × ${faceBoxPx.height}`);
  const sx = sidePx / faceBoxPx.width;
  const sy = sidePx / faceBoxPx.height;
  const crop = warpAffine(image, [sx, 0, -faceBoxPx.x * sx, 0, sy, -faceBoxPx.y * sy], sidePx, sidePx, { border: 'replicate' });
  const n = sidePx * sidePx;
  const luma = new Float32Array(n);
  let lumaSum = 0;
  const chroma = { cb: 0, cr: 0, cb2: 0, cr2: 0, sat: 0, sat2: 0 };
  for (let i = 0; i < n; i++) {
    const r = crop.data[3 * i] as number;
    const g = crop.data[3 * i + 1] as number;
    const b = crop.data[3 * i + 2] as number;
    const y = 0.299 * r + 0.587 * g + 0.114 * b;
    luma[i] = y;
    lumaSum += y;
    const cb = -0.168736 * r - 0.331264 * g + 0.5 * b;
    const cr = 0.5 * r - 0.418688 * g - 0.081312 * b;
    const max = Math.max(r, g, b);
    const saturation = max > 0 ? (max - Math.min(r, g, b)) / max : 0;
    chroma.cb += cb;
    chroma.cb2 += cb * cb;
    chroma.cr += cr;
    chroma.cr2 += cr * cr;
    chroma.sat += saturation;
    chroma.sat2 += saturation * saturation;
  }
  const lumaMean = lumaSum / n;
  let variance = 0;
  for (const y of luma) variance += (y - lumaMean) ** 2;
  variance /= n;
  let laplacian = 0;
  for (let y = 1; y < sidePx - 1; y++) {
    for (let x = 1; x < sidePx - 1; x++) {
      const i = y * sidePx + x;
      const l = 4 * (luma[i] as number) - (luma[i - 1] as number) - (luma[i + 1] as number) - (luma[i - sidePx] as number) - (luma[i + sidePx] as number);
      laplacian += l * l;
    }
  }
  laplacian /= (sidePx - 2) ** 2;
  const std = (sum: number, sumSquares: number): number => Math.sqrt(Math.max(0, sumSquares / n - (sum / n) ** 2));
  return {
    sharpnessLog: Math.log(1e-6 + laplacian / (variance + 1e-6)),
    contrastLog: Math.log(1 + variance),
    cbStd: std(chroma.cb, chroma.cb2),
    crStd: std(chroma.cr, chroma.cr2),
    saturationMean: chroma.sat / n,
    saturationStd: std(chroma.sat, chroma.sat2),
  };
}
