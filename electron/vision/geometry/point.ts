// Coordinates are continuous: pixel (col, row) covers [col, col+1) × [row, row+1), so its centre is at
// (col + 0.5, row + 0.5) and a box { x: 0, y: 0, width: W, height: H } is the whole W×H image.

/** A 2-D point; pixels or normalised units depending on where it comes from (the name of the field says). */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/** Axis-aligned box in pixels: top-left corner (x, y), width and height. */
export interface BoxPx {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Axis-aligned box in fractions (0..1) of the image width and height. */
export interface BoxNorm {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Converts a pixel box to fractions of a widthPx × heightPx image (no clamping). */
export function boxToNorm(box: BoxPx, widthPx: number, heightPx: number): BoxNorm {
  return { x: box.x / widthPx, y: box.y / heightPx, width: box.width / widthPx, height: box.height / heightPx };
}

/** Converts a normalised box to pixels of a widthPx × heightPx image (no rounding, no clamping). */
export function boxToPx(box: BoxNorm, widthPx: number, heightPx: number): BoxPx {
  return { x: box.x * widthPx, y: box.y * heightPx, width: box.width * widthPx, height: box.height * heightPx };
}

/** Intersection over union (0..1) of two boxes given in the same space; 0 when both are empty. */
export function iou(a: BoxPx | BoxNorm, b: BoxPx | BoxNorm): number {
  const overlapW = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const overlapH = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (overlapW <= 0 || overlapH <= 0) return 0;
  const intersection = overlapW * overlapH;
  const union = Math.max(0, a.width) * Math.max(0, a.height) + Math.max(0, b.width) * Math.max(0, b.height) - intersection;
  return union > 0 ? intersection / union : 0;
}
