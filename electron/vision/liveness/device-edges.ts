import type { RgbImage } from '../frame/rgb-image.js';
import type { BoxPx } from '../geometry/point.js';
import { lumaRegion, scaleBox } from './luma-region.js';

/** Options of {@link measureDeviceEdges}; every field has a default. */
export interface DeviceEdgeOptions {
  /** The ring starts at the face box scaled by this (default 1.2): the face's own contours stay out. */
  readonly innerScale?: number;
  /** The ring ends at the face box scaled by this (default 2.6): where a phone, tablet or sheet ends. */
  readonly outerScale?: number;
  /** Sobel magnitude (on 0..255 luma, |gx| + |gy|) a pixel needs to count as an edge; default 80. */
  readonly minGradient?: number;
}

/** What {@link measureDeviceEdges} found. */
export interface DeviceEdgeMeasure {
  /** Length of the longest straight edge in the ring, in face-box heights (0 when none). */
  readonly longestLineRatio: number;
}

const ANGLE_BINS = 36; // 5° each
const RHO_BIN_PX = 2;

/**
 * Straight long edges around a face: the border of a phone, tablet or sheet of paper held in front of the camera
 * draws a line in the ring between innerScale and outerScale × the face box. A Hough transform where each edge
 * pixel votes for the line through it along its own gradient orientation (and the neighbouring orientations);
 * the longest line's votes, in face heights, are the measure. Backgrounds with straight edges (doors, shelves)
 * give the same signal: only a measurement on real data says whether the cue is worth keeping.
 */
export function measureDeviceEdges(image: RgbImage, faceBoxPx: BoxPx, options: DeviceEdgeOptions = {}): DeviceEdgeMeasure {
  const { innerScale = 1.2, outerScale = 2.6, minGradient = 80 } = options;
  const outer = lumaRegion(image, scaleBox(faceBoxPx, outerScale));
  if (!outer || outer.widthPx < 3 || outer.heightPx < 3) return { longestLineRatio: 0 };
  const inner = scaleBox(faceBoxPx, innerScale);
  const innerLeft = inner.x - outer.leftPx;
  const innerTop = inner.y - outer.topPx;
  const innerRight = innerLeft + inner.width;
  const innerBottom = innerTop + inner.height;
  const { widthPx, heightPx, data } = outer;
  const rhoMax = Math.ceil(Math.hypot(widthPx, heightPx));
  const rhoBins = Math.ceil((2 * rhoMax) / RHO_BIN_PX) + 1;
  const votes = new Uint16Array(ANGLE_BINS * rhoBins);
  const cos = new Float64Array(ANGLE_BINS);
  const sin = new Float64Array(ANGLE_BINS);
  for (let k = 0; k < ANGLE_BINS; k++) {
    // Bin centres at multiples of 5° from 0: upright and level edges (a device on a stand) fall in one bin.
    const theta = (k * Math.PI) / ANGLE_BINS;
    cos[k] = Math.cos(theta);
    sin[k] = Math.sin(theta);
  }
  for (let y = 1; y < heightPx - 1; y++) {
    for (let x = 1; x < widthPx - 1; x++) {
      if (x + 0.5 > innerLeft && x + 0.5 < innerRight && y + 0.5 > innerTop && y + 0.5 < innerBottom) continue;
      const i = y * widthPx + x;
      const a = data[i - widthPx - 1]!, b = data[i - widthPx]!, c = data[i - widthPx + 1]!;
      const d = data[i - 1]!, f = data[i + 1]!;
      const g = data[i + widthPx - 1]!, h = data[i + widthPx]!, j = data[i + widthPx + 1]!;
      const gx = c + 2 * f + j - a - 2 * d - g;
      const gy = g + 2 * h + j - a - 2 * b - c;
      if (Math.abs(gx) + Math.abs(gy) < minGradient) continue;
      // The gradient is normal to the edge: its orientation (mod π) is the line's normal angle θ.
      let theta = Math.atan2(gy, gx);
      if (theta < 0) theta += Math.PI;
      const bin = Math.round((theta / Math.PI) * ANGLE_BINS) % ANGLE_BINS;
      for (let dk = -1; dk <= 1; dk++) {
        const k = (bin + dk + ANGLE_BINS) % ANGLE_BINS;
        const rho = x * cos[k]! + y * sin[k]!;
        const r = Math.round((rho + rhoMax) / RHO_BIN_PX);
        votes[k * rhoBins + r]!++;
      }
    }
  }
  let best = 0;
  for (let i = 0; i < votes.length; i++) if (votes[i]! > best) best = votes[i]!;
  // A sharp edge is about two Sobel pixels wide across, so a line of length L gathers about 2L votes in one cell.
  return { longestLineRatio: best / 2 / faceBoxPx.height };
}
