import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { FakeSyscalls } from '../../../native-bridge/libc/fake-syscalls.js';
import { FakeV4l2Device } from '../../../native-bridge/v4l2/fake-v4l2-device.js';
import type { CameraFrame, CameraState } from './camera.js';
import { V4l2CameraSource } from './v4l2-camera-source.js';

function waitFor<T>(subscribe: (listener: (value: T) => void) => () => void, accept: (value: T) => boolean, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nothing within ${timeoutMs} ms`)), timeoutMs);
    const unsubscribe = subscribe((value) => {
      if (!accept(value)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(value);
    });
  });
}

describe('V4l2CameraSource (fake V4L2 device)', () => {
  it('delivers NV12 frames as the node gives them (converted in the worker), goes offline when unplugged, and comes back', async () => {
    const sys = new FakeSyscalls();
    let device = new FakeV4l2Device({ captureApi: 'multi-planar' }).install(sys, '/dev/video0');
    const source = new V4l2CameraSource({ uri: 'v4l2:/dev/video0', devicePath: '/dev/video0', format: 'NV12', widthPx: 640, heightPx: 480, sys, retryDelayMs: 20, frameTimeoutMs: 500 });
    const emitter = setInterval(() => device.emitFrame(), 10);
    try {
      const firstFrame = waitFor<CameraFrame>((l) => source.onFrame(l), () => true, 3000);
      await source.start();
      const frame = await firstFrame;
      assert.deepEqual([frame.pixels.format, frame.pixels.widthPx, frame.pixels.heightPx, frame.pixels.data.length], ['NV12', 640, 480, (640 * 480 * 3) / 2]);
      // The frame's buffer is its own: taken, it leaves the frame (moved to a worker, not copied).
      const pixels = frame.takePixels();
      assert.equal(pixels?.data.length, (640 * 480 * 3) / 2);
      assert.equal(frame.pixels.data.length, 0);
      await waitFor<CameraState>((l) => source.onState(l), (state) => state.status === 'live', 3000).catch(() => undefined);
      assert.equal(source.state.status, 'live');

      const offline = waitFor<CameraState>((l) => source.onState(l), (state) => state.status === 'offline', 3000);
      device.disconnect();
      const state = await offline;
      assert.ok(state.status === 'offline' && state.reason.length > 0, JSON.stringify(state));

      device = new FakeV4l2Device({ captureApi: 'multi-planar' }).install(sys, '/dev/video0');
      const back = await waitFor<CameraFrame>((l) => source.onFrame(l), () => true, 5000);
      assert.ok(back.seq > frame.seq);
    } finally {
      clearInterval(emitter);
      await source.stop();
    }
    assert.equal(source.state.status, 'stopped');
  });

  it('is offline, not crashed, when the device does not exist', async () => {
    const source = new V4l2CameraSource({ uri: 'v4l2:/dev/video9', devicePath: '/dev/video9', format: 'YUYV', widthPx: 640, heightPx: 480, sys: new FakeSyscalls(), retryDelayMs: 10_000 });
    const offline = waitFor<CameraState>((l) => source.onState(l), (state) => state.status === 'offline', 2000);
    await source.start();
    const state = await offline;
    await source.stop();
    assert.ok(state.status === 'offline' && /video9/.test(state.reason), JSON.stringify(state));
  });
});
