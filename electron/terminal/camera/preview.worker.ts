/**
 * The preview worker: turns a camera frame's pixels (transferred here, as the camera gave them) into the live
 * view's JPEG — conversion to RGB, scaling and encoding all off the main thread. One frame at a time, in order.
 */
import { parentPort } from 'node:worker_threads';

import sharp from 'sharp';

import { jsPixelConverter } from '../inference/pixel-converter.js';
import type { PreviewReply, PreviewRequest } from './preview-encoder.js';

if (!parentPort) throw new Error('preview.worker must run in a worker thread');
const port = parentPort;

async function encode(request: PreviewRequest): Promise<PreviewReply> {
  const image = jsPixelConverter.toRgb(request.pixels);
  const widthPx = Math.min(image.widthPx, request.targetWidthPx);
  const heightPx = Math.max(1, Math.round((image.heightPx * widthPx) / image.widthPx));
  const jpeg = await sharp(image.data, { raw: { width: image.widthPx, height: image.heightPx, channels: 3 } })
    .resize(widthPx, heightPx)
    .jpeg({ quality: request.jpegQuality })
    .toBuffer();
  // Base64 here too: the stream carries it as text, and the main thread only forwards it.
  return { seq: request.seq, ok: true, widthPx, heightPx, jpegBase64: jpeg.toString('base64') };
}

let chain = Promise.resolve();
port.on('message', (request: PreviewRequest) => {
  chain = chain.then(async () => {
    const reply = await encode(request).catch((error: Error): PreviewReply => ({ seq: request.seq, ok: false, message: error.message }));
    port.postMessage(reply);
  });
});
