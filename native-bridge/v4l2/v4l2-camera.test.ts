import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';

import koffi from 'koffi';

import { FakeSyscalls } from '../libc/fake-syscalls.js';
import { SystemCallError } from '../libc/system-call-error.js';
import { V4L2_BUF_FLAG_ERROR, V4L2_PIX_FMT_NV12, V4l2Buffer, V4l2Format, V4l2PixFormatMplane } from './bindings.js';
import { FakeV4l2Device } from './fake-v4l2-device.js';
import type { FakeV4l2DeviceOptions } from './fake-v4l2-device.js';
import { V4l2Camera } from './v4l2-camera.js';
import { V4l2Error } from './v4l2-error.js';
import type { V4l2ErrorCode } from './v4l2-error.js';
import { probeVideoDevice } from './v4l2-query.js';

const openFdCount = (): number => readdirSync('/proc/self/fd').length;

function isSyscallError(code: string, request?: string) {
  return (error: unknown): boolean =>
    error instanceof SystemCallError && error.code === code && (request === undefined || error.request === request);
}

function isV4l2Error(code: V4l2ErrorCode) {
  return (error: unknown): boolean => error instanceof V4l2Error && error.code === code;
}

function fakeCamera(options: FakeV4l2DeviceOptions, path = '/dev/video0'): { sys: FakeSyscalls; device: FakeV4l2Device } {
  const sys = new FakeSyscalls();
  const device = new FakeV4l2Device(options).install(sys, path);
  return { sys, device };
}

describe('V4l2Camera with real system calls', () => {
  it('an absent /dev/video node is a typed ENOENT from open', () => {
    let number = 99;
    while (existsSync(`/dev/video${number}`)) number += 1;
    const devicePath = `/dev/video${number}`;
    assert.throws(
      () => V4l2Camera.open({ devicePath, widthPx: 640, heightPx: 480, fourcc: 'NV12' }),
      (error: unknown) => {
        assert.ok(error instanceof SystemCallError);
        assert.equal(error.code, 'ENOENT');
        assert.equal(error.syscall, 'open');
        assert.equal(error.path, devicePath);
        assert.match(error.message, /listVideoDevices/);
        return true;
      },
    );
  });

  it('/dev/null is not V4L2: ENOTTY from VIDIOC_QUERYCAP, and the fd is closed again', () => {
    const before = openFdCount();
    assert.throws(
      () => V4l2Camera.open({ devicePath: '/dev/null', widthPx: 640, heightPx: 480, fourcc: 'NV12' }),
      (error: unknown) => {
        assert.ok(error instanceof SystemCallError);
        assert.equal(error.code, 'ENOTTY');
        assert.equal(error.errno, 25);
        assert.equal(error.request, 'VIDIOC_QUERYCAP');
        assert.equal(error.path, '/dev/null');
        assert.match(error.message, /not a V4L2 device/);
        return true;
      },
    );
    assert.throws(() => probeVideoDevice('/dev/null'), isSyscallError('ENOTTY', 'VIDIOC_QUERYCAP'));
    assert.equal(openFdCount(), before);
  });
});

describe('V4l2Camera on a fake multi-planar node (rkisp_mainpath, NV12)', () => {
  it('runs QUERYCAP → S_FMT → REQBUFS → QUERYBUF/mmap → QBUF → STREAMON with the right struct bytes', () => {
    const { sys, device } = fakeCamera({ captureApi: 'multi-planar' });
    const camera = V4l2Camera.open({ devicePath: '/dev/video0', widthPx: 1280, heightPx: 720, fourcc: 'NV12' }, { sys });
    try {
      assert.deepEqual(
        sys.log.filter((r) => r.syscall === 'ioctl').map((r) => r.requestName),
        ['VIDIOC_QUERYCAP', 'VIDIOC_S_FMT', 'VIDIOC_REQBUFS', ...Array(4).fill('VIDIOC_QUERYBUF'), ...Array(4).fill('VIDIOC_QBUF'), 'VIDIOC_STREAMON'],
      );
      assert.equal(sys.log.filter((r) => r.syscall === 'mmap').length, 4);

      const setFormat = sys.ioctls('VIDIOC_S_FMT')[0]?.arg;
      assert.ok(setFormat !== undefined);
      const fmt = koffi.offsetof(V4l2Format, 'fmt');
      assert.equal(setFormat.readUInt32LE(0), 9, 'type = V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE');
      assert.equal(setFormat.readUInt32LE(fmt + 0), 1280);
      assert.equal(setFormat.readUInt32LE(fmt + 4), 720);
      assert.equal(setFormat.readUInt32LE(fmt + 8), V4L2_PIX_FMT_NV12);
      assert.equal(setFormat.readUInt32LE(fmt + 12), 1, 'field = V4L2_FIELD_NONE');
      assert.equal(setFormat[fmt + koffi.offsetof(V4l2PixFormatMplane, 'num_planes')], 1);

      const queryBuf = sys.ioctls('VIDIOC_QUERYBUF')[2]?.arg;
      assert.ok(queryBuf !== undefined);
      assert.equal(queryBuf.readUInt32LE(0), 2, 'index');
      assert.equal(queryBuf.readUInt32LE(4), 9, 'type');
      assert.equal(queryBuf.readUInt32LE(koffi.offsetof(V4l2Buffer, 'memory')), 1, 'memory = MMAP');
      assert.notEqual(queryBuf.readBigUInt64LE(koffi.offsetof(V4l2Buffer, 'm')), 0n, 'm.planes points at native memory');
      assert.equal(queryBuf.readUInt32LE(koffi.offsetof(V4l2Buffer, 'length')), 8, 'length = VIDEO_MAX_PLANES');

      const streamOn = sys.ioctls('VIDIOC_STREAMON')[0]?.arg;
      assert.equal(streamOn?.readInt32LE(0), 9);

      assert.equal(camera.capabilities.captureApi, 'multi-planar');
      assert.equal(camera.capabilities.card, 'rkisp_mainpath');
      assert.equal(camera.capabilities.version, '5.10.160');
      assert.deepEqual(camera.format, { widthPx: 1280, heightPx: 720, fourcc: 'NV12', strideBytes: 1280, sizeImageBytes: 1382400, captureApi: 'multi-planar' });
      assert.equal(camera.bufferCount, 4);
      assert.deepEqual(device.states(), { dequeued: 0, queued: 4, done: 0 });
      assert.ok(device.isStreaming);
    } finally {
      camera.close();
    }
  });

  it('copies plane 0 (bytesused − data_offset) into a JS Buffer and queues the buffer again', async () => {
    const { sys, device } = fakeCamera({ captureApi: 'multi-planar', dataOffsetBytes: 256 });
    const camera = V4l2Camera.open({ devicePath: '/dev/video0', widthPx: 640, heightPx: 480, fourcc: 'NV12' }, { sys });
    try {
      const sequence = device.emitFrame();
      const frame = await camera.nextFrame(1000);
      assert.equal(frame.sequence, sequence);
      assert.equal(frame.data.length, 640 * 480 * 1.5);
      assert.ok(frame.data.equals(FakeV4l2Device.pattern(0, 640 * 480 * 1.5)));
      assert.equal(frame.widthPx, 640);
      assert.equal(frame.heightPx, 480);
      assert.equal(frame.strideBytes, 640);
      assert.equal(frame.fourcc, 'NV12');
      assert.ok(frame.timestampMonotonic);
      const nowMs = Number(process.hrtime.bigint()) / 1e6;
      assert.ok(nowMs - frame.timestampMs >= 0 && nowMs - frame.timestampMs < 5000, `timestamp ${frame.timestampMs} vs now ${nowMs}`);
      assert.deepEqual(device.states(), { dequeued: 0, queued: 4, done: 0 });
      // The copy is ours: the driver reusing the buffer does not change it.
      device.emitFrame();
      device.emitFrame();
      device.emitFrame();
      device.emitFrame();
      assert.ok(frame.data.equals(FakeV4l2Device.pattern(0, 640 * 480 * 1.5)));
      const next = await camera.nextFrame(1000);
      assert.equal(next.sequence, 1);
    } finally {
      camera.close();
    }
  });

  it('reports the stride the driver chose for a padded width', () => {
    const { sys } = fakeCamera({ captureApi: 'multi-planar', formats: [{ fourcc: 'NV12', sizes: [{ widthPx: 1000, heightPx: 600 }] }] });
    const camera = V4l2Camera.open({ devicePath: '/dev/video0', widthPx: 1000, heightPx: 600, fourcc: 'NV12' }, { sys });
    assert.equal(camera.format.strideBytes, 1024);
    assert.equal(camera.format.sizeImageBytes, 1024 * 600 * 1.5);
    camera.close();
  });

  it('refuses formats with more than one memory plane', () => {
    const { sys } = fakeCamera({ captureApi: 'multi-planar', formats: [{ fourcc: 'NM12', sizes: [{ widthPx: 640, heightPx: 480 }] }] });
    assert.throws(() => V4l2Camera.open({ devicePath: '/dev/video0', widthPx: 640, heightPx: 480, fourcc: 'NM12' }, { sys }), isV4l2Error('UNSUPPORTED_PLANE_COUNT'));
    assert.deepEqual(sys.openFds(), []);
  });

  it('waits for a frame off the JS thread and times out with a typed error', async () => {
    const { sys, device } = fakeCamera({ captureApi: 'multi-planar' });
    const camera = V4l2Camera.open({ devicePath: '/dev/video0', widthPx: 640, heightPx: 480, fourcc: 'NV12' }, { sys });
    try {
      const timer = setTimeout(() => device.emitFrame(), 20);
      const frame = await camera.nextFrame(2000);
      clearTimeout(timer);
      assert.equal(frame.sequence, 0);
      const startedMs = performance.now();
      await assert.rejects(camera.nextFrame(50), isV4l2Error('TIMEOUT'));
      assert.ok(performance.now() - startedMs >= 45);
    } finally {
      camera.close();
    }
  });

  it('skips buffers the driver flags as corrupted', async () => {
    const { sys, device } = fakeCamera({ captureApi: 'multi-planar' });
    const camera = V4l2Camera.open({ devicePath: '/dev/video0', widthPx: 640, heightPx: 480, fourcc: 'NV12' }, { sys });
    try {
      device.emitFrame({ flags: V4L2_BUF_FLAG_ERROR });
      device.emitFrame({ bytesused: 0 });
      device.emitFrame();
      const frame = await camera.nextFrame(1000);
      assert.equal(frame.sequence, 2);
      assert.equal(camera.droppedFrames, 2);
      assert.deepEqual(device.states(), { dequeued: 0, queued: 4, done: 0 });
    } finally {
      camera.close();
    }
  });

  it('refuses a second concurrent wait, and close() during a wait rejects it with CLOSED', async () => {
    const { sys, device } = fakeCamera({ captureApi: 'multi-planar' });
    const camera = V4l2Camera.open({ devicePath: '/dev/video0', widthPx: 640, heightPx: 480, fourcc: 'NV12' }, { sys });
    const waiting = camera.nextFrame(5000);
    await assert.rejects(camera.nextFrame(10), isV4l2Error('BUSY'));
    setTimeout(() => camera.close(), 10);
    await assert.rejects(waiting, isV4l2Error('CLOSED'));
    await assert.rejects(camera.nextFrame(10), isV4l2Error('CLOSED'));
    assert.ok(!device.isStreaming);
  });

  it('close() stops streaming, unmaps, frees the buffers and closes the fd, once', () => {
    const { sys, device } = fakeCamera({ captureApi: 'multi-planar' });
    const camera = V4l2Camera.open({ devicePath: '/dev/video0', widthPx: 640, heightPx: 480, fourcc: 'NV12' }, { sys });
    const logLength = sys.log.length;
    camera.close();
    camera.close();
    assert.ok(camera.closed);
    const teardown = sys.log.slice(logLength).map((r) => r.requestName ?? r.syscall);
    assert.deepEqual(teardown, ['VIDIOC_STREAMOFF', 'munmap', 'munmap', 'munmap', 'munmap', 'VIDIOC_REQBUFS', 'close']);
    assert.equal(sys.ioctls('VIDIOC_REQBUFS').at(-1)?.arg?.readUInt32LE(0), 0, 'REQBUFS count = 0');
    assert.deepEqual(sys.openFds(), []);
    assert.ok(!device.isStreaming);
  });

  it('an unplugged camera fails DQBUF with ENODEV, and closing it is not an error', async () => {
    const { sys, device } = fakeCamera({ captureApi: 'multi-planar' });
    const camera = V4l2Camera.open({ devicePath: '/dev/video0', widthPx: 640, heightPx: 480, fourcc: 'NV12' }, { sys });
    const waiting = camera.nextFrame(5000);
    setTimeout(() => device.disconnect(), 10);
    await assert.rejects(waiting, (error: unknown) => isSyscallError('ENODEV', 'VIDIOC_DQBUF')(error) && /disconnected/.test((error as Error).message));
    camera.close();
    assert.deepEqual(sys.openFds(), []);
  });

  it('a second opener gets EBUSY from VIDIOC_S_FMT while the first streams', async () => {
    const { sys, device } = fakeCamera({ captureApi: 'multi-planar' });
    const first = V4l2Camera.open({ devicePath: '/dev/video0', widthPx: 640, heightPx: 480, fourcc: 'NV12' }, { sys });
    try {
      assert.throws(
        () => V4l2Camera.open({ devicePath: '/dev/video0', widthPx: 640, heightPx: 480, fourcc: 'NV12' }, { sys }),
        (error: unknown) => isSyscallError('EBUSY', 'VIDIOC_S_FMT')(error) && /another process is streaming/.test((error as Error).message),
      );
      device.emitFrame();
      assert.equal((await first.nextFrame(1000)).sequence, 0);
    } finally {
      first.close();
    }
    assert.deepEqual(sys.openFds(), []);
  });
});

describe('V4l2Camera on a fake single-planar node (UVC webcam)', () => {
  it('uses fmt.pix and m.offset, and captures YUYV', async () => {
    const { sys, device } = fakeCamera({ captureApi: 'single-planar' });
    const camera = V4l2Camera.open({ devicePath: '/dev/video0', widthPx: 640, heightPx: 480, fourcc: 'YUYV', bufferCount: 3 }, { sys });
    try {
      assert.equal(camera.capabilities.captureApi, 'single-planar');
      assert.equal(sys.ioctls('VIDIOC_S_FMT')[0]?.arg?.readUInt32LE(0), 1, 'type = V4L2_BUF_TYPE_VIDEO_CAPTURE');
      assert.equal(sys.ioctls('VIDIOC_QUERYBUF')[0]?.arg?.readBigUInt64LE(koffi.offsetof(V4l2Buffer, 'm')), 0n, 'no planes pointer');
      assert.equal(camera.bufferCount, 3);
      assert.equal(camera.format.strideBytes, 1280);
      device.emitFrame();
      const frame = await camera.nextFrame(1000);
      assert.equal(frame.data.length, 1280 * 480);
      assert.ok(frame.data.equals(FakeV4l2Device.pattern(0, 1280 * 480)));
      assert.equal(frame.fourcc, 'YUYV');
    } finally {
      camera.close();
    }
  });

  it('reports the size the driver chose when it differs from the request', () => {
    const { sys } = fakeCamera({ captureApi: 'single-planar' });
    const camera = V4l2Camera.open({ devicePath: '/dev/video0', widthPx: 1300, heightPx: 700, fourcc: 'MJPG' }, { sys });
    assert.equal(camera.format.widthPx, 1280);
    assert.equal(camera.format.heightPx, 720);
    assert.equal(camera.format.strideBytes, 0);
    camera.close();
  });

  it('refuses a substituted pixel format and closes the node', () => {
    const { sys } = fakeCamera({ captureApi: 'single-planar' });
    assert.throws(
      () => V4l2Camera.open({ devicePath: '/dev/video0', widthPx: 640, heightPx: 480, fourcc: 'NV12' }, { sys }),
      (error: unknown) => isV4l2Error('FORMAT_NOT_SUPPORTED')(error) && /chose YUYV/.test((error as Error).message),
    );
    assert.deepEqual(sys.openFds(), []);
  });

  it('refuses nodes that do not capture video (UVC metadata, rkisp statistics)', () => {
    const { sys } = fakeCamera({ captureApi: 'none', card: 'rkisp-statistics' });
    assert.throws(() => V4l2Camera.open({ devicePath: '/dev/video0', widthPx: 640, heightPx: 480, fourcc: 'NV12' }, { sys }), isV4l2Error('NOT_A_CAPTURE_DEVICE'));
    assert.deepEqual(sys.openFds(), []);
  });

  it('checks options before touching the device', () => {
    const sys = new FakeSyscalls();
    assert.throws(() => V4l2Camera.open({ devicePath: '/dev/video0', widthPx: 0, heightPx: 480, fourcc: 'NV12' }, { sys }), isV4l2Error('INVALID_OPTIONS'));
    assert.throws(() => V4l2Camera.open({ devicePath: '/dev/video0', widthPx: 640, heightPx: 480, fourcc: 'NV1' }, { sys }), isV4l2Error('INVALID_OPTIONS'));
    assert.throws(() => V4l2Camera.open({ devicePath: '/dev/video0', widthPx: 640, heightPx: 480, fourcc: 'NV12', bufferCount: 1 }, { sys }), isV4l2Error('INVALID_OPTIONS'));
    assert.deepEqual(sys.log, []);
  });
});

describe('probeVideoDevice on fakes', () => {
  it('lists formats and frame sizes without streaming', () => {
    const { sys, device } = fakeCamera({ captureApi: 'single-planar' });
    const probe = probeVideoDevice('/dev/video0', { sys });
    assert.equal(probe.capabilities.driver, 'fake-uvc');
    assert.deepEqual(
      probe.formats.map((format) => [format.fourcc, format.compressed]),
      [
        ['YUYV', false],
        ['MJPG', true],
      ],
    );
    assert.deepEqual(probe.formats[0]?.frameSizes, {
      kind: 'discrete',
      sizes: [
        { widthPx: 640, heightPx: 480 },
        { widthPx: 1280, heightPx: 720 },
      ],
    });
    assert.ok(!device.isStreaming);
    assert.deepEqual(sys.openFds(), []);
  });
});

// Needs a camera: LINTEL_V4L2_DEVICE=/dev/video0 (optionally LINTEL_V4L2_FOURCC=NV12, LINTEL_V4L2_SIZE=640x480).
const hardwareDevice = process.env.LINTEL_V4L2_DEVICE;
describe('V4l2Camera on real hardware', () => {
  const skip = hardwareDevice === undefined ? 'needs a camera: set LINTEL_V4L2_DEVICE=/dev/videoN to run' : false;
  it('captures frames with increasing sequence numbers and timestamps', { skip }, async () => {
    const devicePath = hardwareDevice ?? '';
    const probe = probeVideoDevice(devicePath);
    const offered = probe.formats.map((format) => format.fourcc);
    const fourcc = process.env.LINTEL_V4L2_FOURCC ?? ['NV12', 'YUYV', 'MJPG'].find((code) => offered.includes(code)) ?? offered[0] ?? 'NV12';
    const [widthPx, heightPx] = (process.env.LINTEL_V4L2_SIZE ?? '640x480').split('x').map(Number);
    const camera = V4l2Camera.open({ devicePath, widthPx: widthPx ?? 640, heightPx: heightPx ?? 480, fourcc });
    try {
      console.log(`${devicePath}: ${camera.capabilities.card} (${camera.capabilities.driver}), ${JSON.stringify(camera.format)}`);
      let previous: { sequence: number; timestampMs: number } | undefined;
      for (let i = 0; i < 10; i += 1) {
        const frame = await camera.nextFrame(5000);
        assert.ok(frame.data.length > 0);
        if (fourcc === 'NV12') assert.ok(frame.data.length >= (frame.strideBytes * frame.heightPx * 3) / 2);
        if (previous !== undefined) {
          assert.ok(frame.sequence > previous.sequence);
          assert.ok(frame.timestampMs > previous.timestampMs);
        }
        previous = frame;
      }
    } finally {
      camera.close();
    }
  });
});
