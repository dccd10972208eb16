/** An SSD anchor centre in normalised input coordinates (0..1); BlazeFace anchors have a fixed unit size. */
export interface Anchor {
  readonly xCenter: number;
  readonly yCenter: number;
}

/**
 * Generates MediaPipe SSD anchors with `fixed_anchor_size` and one aspect ratio, as BlazeFace uses them.
 * Consecutive layers with the same stride share one grid; each layer adds two anchors per cell
 * (the aspect-ratio-1 anchor and the interpolated-scale one), so strides [16, 32, 32, 32] on a 256-px input
 * give 16·16·2 + 8·8·6 = 896 anchors.
 *
 * @param inputSizePx side of the square model input, px
 * @param strides one stride per anchor layer, px
 * @param anchorOffset where the anchor sits in its cell, 0..1; default 0.5 (the centre)
 */
export function generateAnchors(inputSizePx: number, strides: readonly number[], anchorOffset = 0.5): Anchor[] {
  const anchors: Anchor[] = [];
  let layer = 0;
  while (layer < strides.length) {
    const stride = strides[layer] as number;
    let anchorsPerCell = 0;
    let last = layer;
    while (last < strides.length && strides[last] === stride) {
      anchorsPerCell += 2;
      last++;
    }
    const gridSize = Math.ceil(inputSizePx / stride);
    for (let y = 0; y < gridSize; y++) {
      for (let x = 0; x < gridSize; x++) {
        for (let a = 0; a < anchorsPerCell; a++) {
          anchors.push({ xCenter: (x + anchorOffset) / gridSize, yCenter: (y + anchorOffset) / gridSize });
        }
      }
    }
    layer = last;
  }
  return anchors;
}
