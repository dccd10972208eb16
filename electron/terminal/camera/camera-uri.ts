import { z } from 'zod';

/**
 * Cameras are configured by URI:
 * - `v4l2:/dev/video0?format=NV12&width=1280&height=720&fps=30` — a V4L2 device (UVC webcam or RK3568 ISP node);
 * - `file:/path/to/folder?fps=10` — the images of a folder in name order, looped;
 * - `file:/path/to/clip.gif` (or an animated WebP, or a video where ffmpeg is installed) — looped at its own rate.
 */
export type CameraConfig =
  | { readonly kind: 'v4l2'; readonly devicePath: string; readonly format: 'NV12' | 'YUYV' | 'MJPG'; readonly widthPx: number; readonly heightPx: number; readonly fps: number }
  | { readonly kind: 'file'; readonly path: string; readonly fps?: number; readonly loop: boolean };

const positiveInt = z.coerce.number().int().positive();

const v4l2Query = z.object({
  format: z.enum(['NV12', 'YUYV', 'MJPG']).default('YUYV'),
  width: positiveInt.default(640),
  height: positiveInt.default(480),
  fps: positiveInt.default(30),
});

const fileQuery = z.object({
  fps: z.coerce.number().positive().max(240).optional(),
  loop: z.enum(['true', 'false']).default('true'),
});

/** Thrown for a camera URI that cannot be used; the message says what is wrong and shows the forms accepted. */
export class CameraUriError extends Error {
  override readonly name = 'CameraUriError';
}

const FORMS = 'use v4l2:/dev/videoN?format=NV12|YUYV|MJPG&width=…&height=…&fps=… or file:<folder|gif|webp|video>?fps=…';

/** Parses a camera URI; the error names what is wrong. */
export function parseCameraUri(uri: string): CameraConfig {
  const match = /^(v4l2|file):([^?]+)(?:\?(.*))?$/.exec(uri.trim());
  if (!match) throw new CameraUriError(`camera "${uri}" is not a camera URI: ${FORMS}`);
  const [, scheme, path = '', queryText = ''] = match;
  const query = Object.fromEntries(new URLSearchParams(queryText));
  const describe = (error: z.ZodError): string => error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
  if (scheme === 'v4l2') {
    if (!/^\/dev\/[\w.-]+$/.test(path)) throw new CameraUriError(`camera "${uri}": ${path} is not a device path like /dev/video0`);
    const parsed = v4l2Query.strict().safeParse(query);
    if (!parsed.success) throw new CameraUriError(`camera "${uri}": ${describe(parsed.error)}`);
    const { format, width, height, fps } = parsed.data;
    return { kind: 'v4l2', devicePath: path, format, widthPx: width, heightPx: height, fps };
  }
  const parsed = fileQuery.strict().safeParse(query);
  if (!parsed.success) throw new CameraUriError(`camera "${uri}": ${describe(parsed.error)}`);
  return { kind: 'file', path: decodeURIComponent(path), fps: parsed.data.fps, loop: parsed.data.loop === 'true' };
}
