import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { cameraUriOf, parseCameraChoice } from './camera-choice.js';

describe('camera choice', () => {
  test('reads the forms of camera.uri and writes them back', () => {
    assert.deepEqual(parseCameraChoice(null), { kind: 'default' });
    assert.deepEqual(parseCameraChoice('v4l2:/dev/video0?format=NV12&width=1280&height=720&fps=30'), { kind: 'v4l2', devicePath: '/dev/video0', format: 'NV12', widthPx: 1280, heightPx: 720, fps: 30 });
    assert.deepEqual(parseCameraChoice('file:/srv/photos?fps=5'), { kind: 'file', path: '/srv/photos', query: 'fps=5' });
    for (const uri of ['v4l2:/dev/video0?format=NV12&width=1280&height=720&fps=30', 'file:/srv/photos?fps=5', 'usb:0']) assert.equal(cameraUriOf(parseCameraChoice(uri)), uri);
  });

  test('a V4L2 URI without a query reads as the terminal reads it, and gains the query when written', () => {
    assert.equal(cameraUriOf(parseCameraChoice('v4l2:/dev/video2')), 'v4l2:/dev/video2?format=YUYV&width=640&height=480&fps=30');
  });
});
