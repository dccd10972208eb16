import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { FakeSyscalls } from '../../../native-bridge/libc/fake-syscalls.js';
import { FakeV4l2Device } from '../../../native-bridge/v4l2/fake-v4l2-device.js';
import { createCamera } from '../camera/create-camera.js';
import { V4l2CameraSource } from '../camera/v4l2-camera-source.js';
import { cameraProblem, checkCameraGivesFrame, sameV4l2Device } from './camera-check.js';
import { makeWallCamera } from './test/open-test-app.js';

describe('camera check on save', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lintel-camera-check-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a folder of photos gives a picture: no problem, and the camera is stopped again', async () => {
    const camera = createCamera(await makeWallCamera(dir));
    assert.equal(await checkCameraGivesFrame(camera, 5000), null);
    assert.equal(camera.state.status, 'stopped');
  });

  it('a folder that is not there, or holds no photo, is refused in words', async () => {
    assert.match((await checkCameraGivesFrame(createCamera(`file:${join(dir, 'gone')}`), 5000)) ?? '', /gone does not exist/);
    await mkdir(join(dir, 'notes'));
    await writeFile(join(dir, 'notes', 'readme.txt'), 'no photos here');
    assert.match((await checkCameraGivesFrame(createCamera(`file:${join(dir, 'notes')}`), 5000)) ?? '', /holds no images/);
  });

  it('a V4L2 node that does not exist says so without the errno', async () => {
    const problem = await checkCameraGivesFrame(createCamera('v4l2:/dev/video97'), 5000);
    assert.equal(problem, '/dev/video97 does not exist on this terminal (the camera list shows the cameras present)');
  });

  it('a V4L2 camera that opens but never gives a frame is refused after the timeout, and released', async () => {
    const sys = new FakeSyscalls();
    const device = new FakeV4l2Device({ captureApi: 'single-planar' }).install(sys, '/dev/video0');
    const camera = new V4l2CameraSource({ uri: 'v4l2:/dev/video0', devicePath: '/dev/video0', format: 'YUYV', widthPx: 640, heightPx: 480, sys, frameTimeoutMs: 5000 });
    assert.equal(await checkCameraGivesFrame(camera, 300), 'it opened but gave no picture within 0.3 s');
    assert.equal(device.isStreaming, false);
  });

  it('turns common errno reasons into words', () => {
    assert.equal(cameraProblem('v4l2:/dev/video2', 'open /dev/video2: EACCES (permission denied)'), 'the terminal may not open /dev/video2 (permission denied: the service user needs the video group)');
    assert.equal(cameraProblem('v4l2:/dev/video2', 'VIDIOC_STREAMON /dev/video2: EBUSY'), '/dev/video2 is in use by another program');
    assert.equal(cameraProblem('v4l2:/dev/video2', 'VIDIOC_S_FMT: EINVAL'), 'it did not open: VIDIOC_S_FMT: EINVAL');
    assert.equal(cameraProblem('file:/x', '/x holds no images (JPEG, PNG, WebP)'), '/x holds no images (JPEG, PNG, WebP)');
  });

  it('knows when the new URI is the live camera\'s own device', () => {
    assert.equal(sameV4l2Device('v4l2:/dev/video0', 'v4l2:/dev/video0?format=NV12&width=1280&height=720'), '/dev/video0');
    assert.equal(sameV4l2Device('v4l2:/dev/video0', 'v4l2:/dev/video2'), null);
    assert.equal(sameV4l2Device('file:/photos', 'v4l2:/dev/video0'), null);
    assert.equal(sameV4l2Device(undefined, 'v4l2:/dev/video0'), null);
  });
});
