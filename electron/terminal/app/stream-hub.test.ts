import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import sharp from 'sharp';

import type { StreamMessage } from '../../shared/contract/streams.js';
import { cameraFrame } from '../camera/camera.js';
import { StreamHub } from './stream-hub.js';

/** A 1280×720 NV12 frame of one colour (Y, U, V), in a Buffer of its own as a V4L2 camera gives it. */
function nv12Frame(seq: number, [y, u, v]: readonly [number, number, number]): ReturnType<typeof cameraFrame> {
  const data = Buffer.alloc((1280 * 720 * 3) / 2);
  data.fill(y, 0, 1280 * 720);
  for (let i = 1280 * 720; i < data.length; i += 2) {
    data[i] = u;
    data[i + 1] = v;
  }
  return cameraFrame(seq, 1_000 + seq, { format: 'NV12', widthPx: 1280, heightPx: 720, data }, { owned: true });
}

describe('StreamHub previews', () => {
  it('encodes an NV12 frame on the preview worker at the preview width, leaving the frame its pixels', async () => {
    const hub = new StreamHub({ previewWidthPx: 640 });
    try {
      const preview = new Promise<StreamMessage>((resolve) => hub.subscribe((message) => message.kind === 'frame' && resolve(message)));
      // BT.601 limited range: Y 81, U 90, V 240 is pure red.
      const frame = nv12Frame(0, [81, 90, 240]);
      hub.frame(frame);
      assert.equal(frame.pixels.data.length, (1280 * 720 * 3) / 2, 'the preview took a copy; the frame is still the inference worker’s to take');
      const message = await preview;
      assert.ok(message.kind === 'frame');
      assert.equal(frame.takePixels()?.data.length, (1280 * 720 * 3) / 2, 'the copy was of the bytes, not a view of the same buffer');
      assert.deepEqual([message.widthPx, message.heightPx], [640, 360]);
      const { data, info } = await sharp(Buffer.from(message.jpegBase64, 'base64')).raw().toBuffer({ resolveWithObject: true });
      assert.deepEqual([info.width, info.height], [640, 360]);
      const [r, g, b] = [data[0] ?? 0, data[1] ?? 0, data[2] ?? 0];
      assert.ok(r > 230 && g < 30 && b < 30, `a red preview, got ${r},${g},${b}`);
    } finally {
      await hub.close();
    }
  });

  it('makes no preview while nobody listens, and none of a frame whose pixels were already taken', async () => {
    const hub = new StreamHub();
    try {
      const messages: StreamMessage[] = [];
      hub.frame(nv12Frame(0, [81, 90, 240]));
      hub.subscribe((message) => messages.push(message));
      const taken = nv12Frame(1, [81, 90, 240]);
      taken.takePixels();
      hub.frame(taken);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(messages, []);
    } finally {
      await hub.close();
    }
  });
});
