// Where a camera image and its normalised overlay land on the canvas: letterboxed (the whole image visible,
// aspect kept, centred) and optionally mirrored, with the same mapping for pixels and overlay coordinates.

/** A rectangle in canvas pixels. */
export interface RectPx {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface PointNorm {
  readonly x: number;
  readonly y: number;
}

export interface BoxNorm extends PointNorm {
  readonly width: number;
  readonly height: number;
}

/** The largest rectangle of the image's aspect that fits the canvas, centred (letterbox or pillarbox). */
export function fitContain(imageWidthPx: number, imageHeightPx: number, canvasWidthPx: number, canvasHeightPx: number): RectPx {
  if (imageWidthPx <= 0 || imageHeightPx <= 0 || canvasWidthPx <= 0 || canvasHeightPx <= 0) return { x: 0, y: 0, width: 0, height: 0 };
  const scale = Math.min(canvasWidthPx / imageWidthPx, canvasHeightPx / imageHeightPx);
  const width = imageWidthPx * scale;
  const height = imageHeightPx * scale;
  return { x: (canvasWidthPx - width) / 2, y: (canvasHeightPx - height) / 2, width, height };
}

/** A normalised image point on the canvas; mirrored flips it left-right inside the image's rectangle. */
export function pointToCanvas(point: PointNorm, imageRect: RectPx, mirrored: boolean): PointNorm {
  const x = mirrored ? 1 - point.x : point.x;
  return { x: imageRect.x + x * imageRect.width, y: imageRect.y + point.y * imageRect.height };
}

/** A normalised image box on the canvas; mirrored, its left edge is the image's right edge flipped. */
export function boxToCanvas(box: BoxNorm, imageRect: RectPx, mirrored: boolean): RectPx {
  const left = mirrored ? 1 - box.x - box.width : box.x;
  return {
    x: imageRect.x + left * imageRect.width,
    y: imageRect.y + box.y * imageRect.height,
    width: box.width * imageRect.width,
    height: box.height * imageRect.height,
  };
}
