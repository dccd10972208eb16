import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CameraUriError, parseCameraUri } from './camera-uri.js';

describe('parseCameraUri', () => {
  it('reads a V4L2 URI with its query, and defaults what is missing', () => {
    assert.deepEqual(parseCameraUri('v4l2:/dev/video0?format=NV12&width=1280&height=720'), {
      kind: 'v4l2',
      devicePath: '/dev/video0',
      format: 'NV12',
      widthPx: 1280,
      heightPx: 720,
      fps: 30,
    });
    assert.deepEqual(parseCameraUri('v4l2:/dev/video11'), { kind: 'v4l2', devicePath: '/dev/video11', format: 'YUYV', widthPx: 640, heightPx: 480, fps: 30 });
  });

  it('reads a file URI', () => {
    assert.deepEqual(parseCameraUri('file:/data/clips/door.gif'), { kind: 'file', path: '/data/clips/door.gif', fps: undefined, loop: true });
    assert.deepEqual(parseCameraUri('file:/data/people?fps=2&loop=false'), { kind: 'file', path: '/data/people', fps: 2, loop: false });
  });

  it('refuses what it cannot use, saying what is wrong', () => {
    assert.throws(() => parseCameraUri('rtsp://camera/stream'), (error: Error) => error instanceof CameraUriError && /not a camera URI/.test(error.message));
    assert.throws(() => parseCameraUri('v4l2:video0'), /not a device path/);
    assert.throws(() => parseCameraUri('v4l2:/dev/video0?format=H264'), /format/);
    assert.throws(() => parseCameraUri('v4l2:/dev/video0?width=-5'), /width/);
    assert.throws(() => parseCameraUri('v4l2:/dev/video0?colour=red'), /colour|Unrecognized/i);
    assert.throws(() => parseCameraUri('file:/x?fps=0'), /fps/);
  });
});

describe('createCamera', () => {
  it('builds the camera the URI names', async () => {
    const { createCamera } = await import('./create-camera.js');
    assert.equal(createCamera('file:/tmp/clip.gif').constructor.name, 'FileCamera');
    assert.equal(createCamera('v4l2:/dev/video0?format=NV12&width=1280&height=720').constructor.name, 'V4l2CameraSource');
    assert.throws(() => createCamera('http://x'), CameraUriError);
  });
});
