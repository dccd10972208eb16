import type { Point } from '../geometry/point.js';

/** A raw detection in model-input pixels. */
export interface RawDetection {
  /** Face score, 0..1. */
  score: number;
  xMinPx: number;
  yMinPx: number;
  xMaxPx: number;
  yMaxPx: number;
  keypointsPx: Point[];
}

function overlap(a: RawDetection, b: RawDetection): number {
  const width = Math.min(a.xMaxPx, b.xMaxPx) - Math.max(a.xMinPx, b.xMinPx);
  const height = Math.min(a.yMaxPx, b.yMaxPx) - Math.max(a.yMinPx, b.yMinPx);
  if (width <= 0 || height <= 0) return 0;
  const intersection = width * height;
  const areaA = (a.xMaxPx - a.xMinPx) * (a.yMaxPx - a.yMinPx);
  const areaB = (b.xMaxPx - b.xMinPx) * (b.yMaxPx - b.yMinPx);
  return intersection / (areaA + areaB - intersection);
}

/**
 * Weighted non-maximum suppression, as MediaPipe runs it after BlazeFace: each kept detection is the
 * score-weighted mean of the detections that overlap the best one by more than `iouThreshold`. Averaging the
 * overlapping anchors gives steadier boxes and key points than plain NMS, which keeps one noisy anchor.
 * Returns detections best first.
 */
export function weightedNms(detections: readonly RawDetection[], iouThreshold: number): RawDetection[] {
  const remaining = [...detections].sort((a, b) => b.score - a.score);
  const kept: RawDetection[] = [];
  while (remaining.length > 0) {
    const best = remaining[0] as RawDetection;
    // The best detection always joins its own cluster: a zero-area box overlaps itself by 0, and with
    // `iouThreshold` 1 nothing exceeds it, so testing it against itself would keep it in `rest` forever.
    const cluster: RawDetection[] = [best];
    const rest: RawDetection[] = [];
    for (const candidate of remaining.slice(1)) (overlap(best, candidate) > iouThreshold ? cluster : rest).push(candidate);
    let total = 0;
    const merged: RawDetection = {
      score: best.score,
      xMinPx: 0,
      yMinPx: 0,
      xMaxPx: 0,
      yMaxPx: 0,
      keypointsPx: best.keypointsPx.map(() => ({ x: 0, y: 0 })),
    };
    for (const member of cluster) {
      const weight = member.score;
      total += weight;
      merged.xMinPx += member.xMinPx * weight;
      merged.yMinPx += member.yMinPx * weight;
      merged.xMaxPx += member.xMaxPx * weight;
      merged.yMaxPx += member.yMaxPx * weight;
      member.keypointsPx.forEach((point, k) => {
        const target = merged.keypointsPx[k] as Point;
        merged.keypointsPx[k] = { x: target.x + point.x * weight, y: target.y + point.y * weight };
      });
    }
    merged.xMinPx /= total;
    merged.yMinPx /= total;
    merged.xMaxPx /= total;
    merged.yMaxPx /= total;
    merged.keypointsPx = merged.keypointsPx.map((point) => ({ x: point.x / total, y: point.y / total }));
    kept.push(merged);
    remaining.length = 0;
    remaining.push(...rest);
  }
  return kept;
}
