import { rawFrameToRgb, type RawFrame } from '../../vision/frame/raw-frame.js';
import type { RgbImage } from '../../vision/frame/rgb-image.js';

/**
 * Turns a camera frame's pixels into packed RGB, in a worker thread. The seam where the RK3568's RGA (its 2D
 * engine, which converts NV12 → RGB without the CPU) takes over: an implementation on librga goes beside this
 * one and is chosen where the worker is built.
 */
export interface PixelConverter {
  /** What does the conversion, for health and benchmarks, e.g. `js`. */
  readonly name: string;
  /** The frame as packed RGB; may take over `frame.data` (the frame was transferred to this thread). */
  toRgb(frame: RawFrame): RgbImage;
}

/** The JavaScript converter: table-driven BT.601 limited range (rawFrameToRgb); tight RGB24 is used as it is. */
export const jsPixelConverter: PixelConverter = {
  name: 'js',
  toRgb(frame) {
    const { format, widthPx, heightPx, data } = frame;
    const tight = frame.strideBytes === undefined || frame.strideBytes === widthPx * 3;
    if (format === 'RGB24' && tight && data.length === widthPx * heightPx * 3) return { widthPx, heightPx, data };
    return rawFrameToRgb(frame);
  },
};
