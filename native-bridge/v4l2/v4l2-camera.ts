// MMAP streaming capture from one V4L2 node, single-planar (UVC) or multi-planar (rkisp), following the ioctl
// sequence of reference §4.2. Frames are copied out of the driver's buffers into JS-owned Buffers (no koffi.view:
// it throws inside Electron, reference §4.4) and the buffer goes straight back to the driver.
import koffi from 'koffi';

import { POLLERR, POLLHUP, POLLIN, POLLNVAL } from '../libc/bindings.js';
import { openLibc } from '../libc/syscalls.js';
import type { MappedRegion, Syscalls } from '../libc/syscalls.js';
import { isSystemCallError } from '../libc/system-call-error.js';
import {
  V4L2_BUF_FLAG_ERROR,
  V4L2_BUF_FLAG_TIMESTAMP_MASK,
  V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC,
  V4L2_FIELD_NONE,
  V4L2_MEMORY_MMAP,
  V4l2Buffer,
  V4l2Format,
  V4l2Plane,
  V4l2RequestBuffers,
  VIDEO_MAX_PLANES,
  VIDIOC_DQBUF,
  VIDIOC_QBUF,
  VIDIOC_QUERYBUF,
  VIDIOC_REQBUFS,
  VIDIOC_S_FMT,
  VIDIOC_STREAMOFF,
  VIDIOC_STREAMON,
} from './bindings.js';
import { fourcc as packFourcc, fourccToString } from './fourcc.js';
import { V4l2Error } from './v4l2-error.js';
import { addHint, bufferTypeOf, closeQuietly, openVideoNode, queryCapabilities } from './v4l2-query.js';
import type { CaptureApi, V4l2Capabilities } from './v4l2-query.js';

/** How to open a camera. */
export interface V4l2CameraOptions {
  /** Device node, e.g. `/dev/video0` (rkisp_mainpath) or a UVC node; find them with listVideoDevices(). */
  devicePath: string;
  /** Requested width in pixels; the driver may adjust it (read `format.widthPx`). */
  widthPx: number;
  /** Requested height in pixels; the driver may adjust it (read `format.heightPx`). */
  heightPx: number;
  /** Pixel format as a four-character code: `NV12` for rkisp, `YUYV` or `MJPG` for UVC webcams. */
  fourcc: string;
  /** mmap buffers to request, 2–32. Default 4 (reference §4.2 step 5); the driver may grant fewer or more. */
  bufferCount?: number;
}

/** Dependencies, for tests and for sharing one loaded C library. */
export interface V4l2CameraDeps {
  /** System calls to use. Default: the real ones (`openLibc()`). */
  sys?: Syscalls;
}

/** The format the driver settled on (after VIDIOC_S_FMT). */
export interface V4l2ActiveFormat {
  /** Frame width in pixels. */
  widthPx: number;
  /** Frame height in pixels. */
  heightPx: number;
  /** Pixel format, e.g. `NV12`. */
  fourcc: string;
  /** Bytes per row of the first plane (≥ width × bytes per pixel; drivers may pad); 0 for compressed formats. */
  strideBytes: number;
  /** Largest frame the driver will deliver, in bytes. */
  sizeImageBytes: number;
  /** Which capture API the camera uses. */
  captureApi: CaptureApi;
}

/** One captured frame, in memory owned by JS. */
export interface V4l2Frame {
  /** Frame bytes (`bytesused` of the buffer, or of plane 0 for multi-planar NV12, which holds Y then CbCr). */
  data: Buffer;
  /** Width in pixels. */
  widthPx: number;
  /** Height in pixels. */
  heightPx: number;
  /** Bytes per row; for NV12 the CbCr rows start at `strideBytes × heightPx`. 0 for compressed formats. */
  strideBytes: number;
  /** Pixel format, e.g. `NV12`. */
  fourcc: string;
  /** Driver's frame counter; gaps mean the driver dropped frames while no buffer was queued. */
  sequence: number;
  /**
   * When the driver captured the frame, in milliseconds. CLOCK_MONOTONIC for vb2 drivers (uvcvideo, rkisp):
   * compare with `Number(process.hrtime.bigint()) / 1e6`, which reads the same clock on Linux.
   */
  timestampMs: number;
  /** Whether `timestampMs` is on CLOCK_MONOTONIC (V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC). */
  timestampMonotonic: boolean;
}

/** Default wait of nextFrame() in milliseconds: rkisp's first frame can take ~1 s while 3A converges. */
export const DEFAULT_FRAME_TIMEOUT_MS = 2000;

interface MappedBuffer {
  index: number;
  region: MappedRegion;
}

interface Dequeued {
  index: number;
  flags: number;
  sequence: number;
  timestampMs: number;
  /** Offset of the image within the mapped buffer, in bytes. */
  dataOffsetBytes: number;
  /** Image bytes (bytesused − data_offset for planes). */
  lengthBytes: number;
}

const SIZEOF_BUFFER = koffi.sizeof(V4l2Buffer);
const SIZEOF_FORMAT = koffi.sizeof(V4l2Format);
const SIZEOF_REQUEST_BUFFERS = koffi.sizeof(V4l2RequestBuffers);

/**
 * A streaming V4L2 camera. `open()` runs QUERYCAP → S_FMT → REQBUFS → QUERYBUF + mmap → QBUF → STREAMON;
 * `nextFrame()` waits with poll, dequeues, copies and requeues; `close()` stops and releases everything.
 * Every failed ioctl is a SystemCallError naming the ioctl and device; other failures are V4l2Error.
 */
export class V4l2Camera {
  private readonly buffers: MappedBuffer[] = [];
  /** Native v4l2_plane[VIDEO_MAX_PLANES] for `m.planes`: needs a stable address the kernel can write (reference §4.4). */
  private planes: unknown = null;
  private streaming = false;
  private buffersRequested = false;
  private isClosed = false;
  private waiting = false;
  private dropped = 0;

  private constructor(
    private readonly sys: Syscalls,
    private readonly fd: number,
    /** Device node the camera was opened from. */
    readonly devicePath: string,
    /** What the driver reported at open. */
    readonly capabilities: V4l2Capabilities,
    /** The format the driver chose. */
    readonly format: V4l2ActiveFormat,
  ) {}

  /**
   * Opens the node, sets the format and starts streaming.
   * @throws SystemCallError for a failed call (ENOENT: no such node; ENOTTY on VIDIOC_QUERYCAP: not V4L2;
   *   EBUSY: another process streams), V4l2Error for a node or format that cannot be captured,
   *   NativeLibraryUnavailableError when no `sys` is given and the C library cannot be loaded (camera unavailable).
   */
  static open(options: V4l2CameraOptions, deps: V4l2CameraDeps = {}): V4l2Camera {
    const { devicePath, widthPx, heightPx, bufferCount = 4 } = options;
    checkOptions(options, bufferCount);
    const pixelFormat = packFourcc(options.fourcc);
    const sys = deps.sys ?? openLibc();

    const fd = openVideoNode(sys, devicePath);
    let camera: V4l2Camera;
    try {
      const capabilities = queryCapabilities(sys, fd, devicePath);
      const api = capabilities.captureApi;
      if (api === null) {
        throw new V4l2Error(
          'NOT_A_CAPTURE_DEVICE',
          devicePath,
          `${capabilities.card} (${capabilities.driver}) does not capture video (device caps 0x${capabilities.deviceCaps.toString(16)}); ` +
            'on RK3568 use rkisp_mainpath or rkisp_selfpath, not the statistics/params nodes',
        );
      }
      if (!capabilities.streaming) {
        throw new V4l2Error('NO_STREAMING', devicePath, `${capabilities.card} (${capabilities.driver}) has no streaming I/O`);
      }
      const format = setFormat(sys, fd, devicePath, api, widthPx, heightPx, pixelFormat);
      camera = new V4l2Camera(sys, fd, devicePath, capabilities, format);
    } catch (error) {
      closeQuietly(sys, fd, devicePath);
      throw error;
    }
    try {
      camera.allocateBuffers(bufferCount);
      camera.startStreaming();
    } catch (error) {
      camera.release();
      throw error;
    }
    return camera;
  }

  /** Buffers the driver granted. */
  get bufferCount(): number {
    return this.buffers.length;
  }

  /** Whether close() has run. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Buffers skipped because the driver flagged them as corrupted or delivered them empty. */
  get droppedFrames(): number {
    return this.dropped;
  }

  /**
   * Waits for the next frame and returns a copy of it; the driver's buffer is queued again before this returns.
   * The wait runs off the JS thread (poll on a worker), so the event loop stays free.
   * @param timeoutMs how long to wait in milliseconds. Default DEFAULT_FRAME_TIMEOUT_MS (2000).
   * @throws V4l2Error TIMEOUT, CLOSED (closed before or during the wait), BUSY (another call is waiting),
   *   STREAM_ERROR; SystemCallError from VIDIOC_DQBUF / VIDIOC_QBUF (ENODEV: camera unplugged).
   */
  async nextFrame(timeoutMs: number = DEFAULT_FRAME_TIMEOUT_MS): Promise<V4l2Frame> {
    if (this.isClosed) throw new V4l2Error('CLOSED', this.devicePath, 'camera is closed');
    if (this.waiting) throw new V4l2Error('BUSY', this.devicePath, 'nextFrame() is already waiting; await it before asking again');
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) throw new RangeError(`timeoutMs must be a non-negative number, got ${timeoutMs}`);
    this.waiting = true;
    try {
      const deadlineMs = performance.now() + timeoutMs;
      for (;;) {
        const dequeued = this.dequeue();
        if (dequeued !== null) {
          const frame = this.copyAndRequeue(dequeued);
          if (frame !== null) return frame;
          continue;
        }
        const remainingMs = deadlineMs - performance.now();
        if (remainingMs <= 0) {
          throw new V4l2Error('TIMEOUT', this.devicePath, `no frame within ${timeoutMs} ms`);
        }
        const revents = await this.sys.poll(this.fd, POLLIN, remainingMs, this.devicePath);
        // close() may have run while poll waited on its worker thread: the fd number may already belong to
        // another file, so touch nothing.
        if (this.isClosed) throw new V4l2Error('CLOSED', this.devicePath, 'camera was closed while waiting for a frame');
        if ((revents & (POLLERR | POLLHUP | POLLNVAL)) !== 0 && (revents & POLLIN) === 0) {
          // vb2 reports POLLERR when the queue stopped or failed; DQBUF then gives the errno (ENODEV, EIO…).
          const afterError = this.dequeue();
          if (afterError === null) {
            throw new V4l2Error('STREAM_ERROR', this.devicePath, `poll reported 0x${revents.toString(16)} and no buffer is ready`);
          }
          const frame = this.copyAndRequeue(afterError);
          if (frame !== null) return frame;
        }
      }
    } finally {
      this.waiting = false;
    }
  }

  /**
   * STREAMOFF, munmap, REQBUFS(0), close (reference §4.2 step 10). Idempotent. A pending nextFrame() rejects
   * with CLOSED. ENODEV during teardown (camera already gone) is not an error.
   * @throws the first SystemCallError of the teardown, after every step has run.
   */
  close(): void {
    if (this.isClosed) return;
    const error = this.release();
    if (error !== undefined) throw error instanceof Error ? error : new Error(String(error));
  }

  private allocateBuffers(count: number): void {
    const type = bufferTypeOf(this.format.captureApi);
    const request = Buffer.alloc(SIZEOF_REQUEST_BUFFERS);
    koffi.encode(request, 0, V4l2RequestBuffers, { count, type, memory: V4L2_MEMORY_MMAP });
    try {
      this.sys.ioctl(this.fd, VIDIOC_REQBUFS, request, 'VIDIOC_REQBUFS', this.devicePath);
    } catch (error) {
      throw addHint(error, { EBUSY: 'another process is streaming from this device', EINVAL: 'the driver does not support mmap streaming' });
    }
    this.buffersRequested = true;
    const granted = (koffi.decode(request, V4l2RequestBuffers) as { count: number }).count;
    if (granted < 1) throw new V4l2Error('NO_BUFFERS', this.devicePath, `the driver granted no buffers (asked for ${count})`);

    if (this.format.captureApi === 'multi-planar') this.planes = koffi.alloc(V4l2Plane, VIDEO_MAX_PLANES);
    for (let index = 0; index < granted; index += 1) {
      const arg = this.bufferArg(index);
      this.sys.ioctl(this.fd, VIDIOC_QUERYBUF, arg, 'VIDIOC_QUERYBUF', this.devicePath);
      let lengthBytes: number;
      let offsetBytes: number;
      if (this.planes === null) {
        const raw = koffi.decode(arg, V4l2Buffer) as { length: number; m: { offset: number } };
        lengthBytes = raw.length;
        offsetBytes = raw.m.offset;
      } else {
        const plane = this.planeZero();
        lengthBytes = plane.length;
        offsetBytes = plane.memOffset;
      }
      const region = this.sys.mmap({ fd: this.fd, lengthBytes, offsetBytes, path: this.devicePath });
      this.buffers.push({ index, region });
    }
  }

  private startStreaming(): void {
    for (const buffer of this.buffers) this.queue(buffer.index);
    try {
      this.sys.ioctl(this.fd, VIDIOC_STREAMON, this.typeArg(), 'VIDIOC_STREAMON', this.devicePath);
    } catch (error) {
      throw addHint(error, {
        ENOSPC: 'not enough USB bandwidth for this size and format; lower the resolution or use MJPG',
        EPIPE: 'the sensor pipeline is not linked or configured (media-ctl)',
      });
    }
    this.streaming = true;
  }

  private queue(index: number): void {
    this.sys.ioctl(this.fd, VIDIOC_QBUF, this.bufferArg(index), 'VIDIOC_QBUF', this.devicePath);
  }

  /** VIDIOC_DQBUF; null when no buffer is ready (EAGAIN on the non-blocking fd). */
  private dequeue(): Dequeued | null {
    const arg = this.bufferArg(0);
    try {
      this.sys.ioctl(this.fd, VIDIOC_DQBUF, arg, 'VIDIOC_DQBUF', this.devicePath);
    } catch (error) {
      if (isSystemCallError(error, 'EAGAIN')) return null;
      throw addHint(error, { ENODEV: 'the camera was disconnected', EPIPE: 'the capture pipeline stopped' });
    }
    const raw = koffi.decode(arg, V4l2Buffer) as {
      index: number;
      bytesused: number;
      flags: number;
      sequence: number;
      timestamp: { tv_sec: number; tv_usec: number };
    };
    let dataOffsetBytes = 0;
    let lengthBytes = raw.bytesused;
    if (this.planes !== null) {
      // For planes, bytesused includes data_offset (V4L2 spec, struct v4l2_plane).
      const plane = this.planeZero();
      dataOffsetBytes = Math.min(plane.dataOffset, plane.bytesused);
      lengthBytes = plane.bytesused - dataOffsetBytes;
    }
    return {
      index: raw.index,
      flags: raw.flags,
      sequence: raw.sequence,
      timestampMs: raw.timestamp.tv_sec * 1000 + raw.timestamp.tv_usec / 1000,
      dataOffsetBytes,
      lengthBytes,
    };
  }

  /** Copies a dequeued buffer into a new Buffer and queues it again; null when the frame is to be skipped. */
  private copyAndRequeue(dequeued: Dequeued): V4l2Frame | null {
    const buffer = this.buffers[dequeued.index];
    if (buffer === undefined) {
      throw new V4l2Error('STREAM_ERROR', this.devicePath, `driver returned buffer ${dequeued.index}, only ${this.buffers.length} were mapped`);
    }
    let data: Buffer | null = null;
    try {
      const corrupted = (dequeued.flags & V4L2_BUF_FLAG_ERROR) !== 0;
      if (!corrupted && dequeued.lengthBytes > 0) {
        // Never trust bytesused beyond the mapping: a driver bug must not become an out-of-bounds read.
        const lengthBytes = Math.min(dequeued.lengthBytes, buffer.region.lengthBytes - dequeued.dataOffsetBytes);
        data = Buffer.allocUnsafe(lengthBytes);
        buffer.region.copyTo(data, 0, dequeued.dataOffsetBytes, lengthBytes);
      }
    } finally {
      this.queue(dequeued.index);
    }
    if (data === null) {
      this.dropped += 1;
      return null;
    }
    return {
      data,
      widthPx: this.format.widthPx,
      heightPx: this.format.heightPx,
      strideBytes: this.format.strideBytes,
      fourcc: this.format.fourcc,
      sequence: dequeued.sequence,
      timestampMs: dequeued.timestampMs,
      timestampMonotonic: (dequeued.flags & V4L2_BUF_FLAG_TIMESTAMP_MASK) === V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC,
    };
  }

  /** A zeroed v4l2_buffer for `index`; multi-planar ones point `m.planes` at the native plane array. */
  private bufferArg(index: number): Buffer {
    const arg = Buffer.alloc(SIZEOF_BUFFER);
    const type = bufferTypeOf(this.format.captureApi);
    koffi.encode(
      arg,
      0,
      V4l2Buffer,
      this.planes === null
        ? { index, type, memory: V4L2_MEMORY_MMAP }
        : { index, type, memory: V4L2_MEMORY_MMAP, m: { planes: this.planes }, length: VIDEO_MAX_PLANES },
    );
    return arg;
  }

  private planeZero(): { bytesused: number; length: number; memOffset: number; dataOffset: number } {
    const plane = koffi.decode(this.planes, V4l2Plane) as { bytesused: number; length: number; m: { mem_offset: number }; data_offset: number };
    return { bytesused: plane.bytesused, length: plane.length, memOffset: plane.m.mem_offset, dataOffset: plane.data_offset };
  }

  /** STREAMON/STREAMOFF take a pointer to the buffer type as an int (reference §4.2 step 8). */
  private typeArg(): Buffer {
    const arg = Buffer.alloc(4);
    arg.writeInt32LE(bufferTypeOf(this.format.captureApi), 0);
    return arg;
  }

  /** Releases whatever exists, in reverse order of acquisition; returns the first failure instead of throwing. */
  private release(): unknown {
    this.isClosed = true;
    let first: unknown;
    const attempt = (step: () => void): void => {
      try {
        step();
      } catch (error) {
        // The camera being gone already is what closing wanted anyway.
        if (isSystemCallError(error, 'ENODEV')) return;
        first ??= error;
      }
    };
    if (this.streaming) {
      // STREAMOFF also wakes a poll() waiting on another thread (vb2 wakes the queue's waiters).
      attempt(() => this.sys.ioctl(this.fd, VIDIOC_STREAMOFF, this.typeArg(), 'VIDIOC_STREAMOFF', this.devicePath));
      this.streaming = false;
    }
    for (const buffer of this.buffers.splice(0)) attempt(() => buffer.region.unmap());
    if (this.buffersRequested) {
      // Buffers can only be freed once unmapped (EBUSY otherwise on recent kernels).
      const request = Buffer.alloc(SIZEOF_REQUEST_BUFFERS);
      koffi.encode(request, 0, V4l2RequestBuffers, { count: 0, type: bufferTypeOf(this.format.captureApi), memory: V4L2_MEMORY_MMAP });
      attempt(() => this.sys.ioctl(this.fd, VIDIOC_REQBUFS, request, 'VIDIOC_REQBUFS', this.devicePath));
      this.buffersRequested = false;
    }
    attempt(() => this.sys.close(this.fd, this.devicePath));
    if (this.planes !== null) {
      koffi.free(this.planes);
      this.planes = null;
    }
    return first;
  }
}

function checkOptions(options: V4l2CameraOptions, bufferCount: number): void {
  const problems: string[] = [];
  const dimension = (label: string, value: number): void => {
    if (!Number.isInteger(value) || value < 1 || value > 16384) problems.push(`${label} must be an integer from 1 to 16384, got ${value}`);
  };
  dimension('widthPx', options.widthPx);
  dimension('heightPx', options.heightPx);
  if (!Number.isInteger(bufferCount) || bufferCount < 2 || bufferCount > 32) problems.push(`bufferCount must be an integer from 2 to 32, got ${bufferCount}`);
  if (!/^[\x20-\x7e]{4}$/.test(options.fourcc)) problems.push(`fourcc must be four ASCII characters such as 'NV12', got '${options.fourcc}'`);
  if (problems.length > 0) throw new V4l2Error('INVALID_OPTIONS', options.devicePath, problems.join('; '));
}

/** VIDIOC_S_FMT and read back what the driver chose (it may align sizes, reference §4.2 step 4). */
function setFormat(
  sys: Syscalls,
  fd: number,
  devicePath: string,
  api: CaptureApi,
  widthPx: number,
  heightPx: number,
  pixelFormat: number,
): V4l2ActiveFormat {
  const arg = Buffer.alloc(SIZEOF_FORMAT);
  const type = bufferTypeOf(api);
  const request = { width: widthPx, height: heightPx, pixelformat: pixelFormat, field: V4L2_FIELD_NONE };
  koffi.encode(arg, 0, V4l2Format, api === 'multi-planar' ? { type, fmt: { pix_mp: { ...request, num_planes: 1 } } } : { type, fmt: { pix: request } });
  try {
    sys.ioctl(fd, VIDIOC_S_FMT, arg, 'VIDIOC_S_FMT', devicePath);
  } catch (error) {
    throw addHint(error, { EBUSY: 'another process is streaming from this device', EINVAL: 'the driver refused this buffer type or format' });
  }
  const chosen = koffi.decode(arg, V4l2Format) as {
    fmt: {
      pix: { width: number; height: number; pixelformat: number; bytesperline: number; sizeimage: number };
      pix_mp: { width: number; height: number; pixelformat: number; num_planes: number; plane_fmt: Array<{ sizeimage: number; bytesperline: number }> };
    };
  };
  let format: V4l2ActiveFormat;
  if (api === 'multi-planar') {
    const mp = chosen.fmt.pix_mp;
    // rkisp delivers NV12 as one contiguous plane (FMT_NUM_PLANES 1, reference §4.1); formats such as NM12 put
    // Y and CbCr in separate buffers, which this class does not reassemble.
    if (mp.num_planes !== 1) {
      throw new V4l2Error(
        'UNSUPPORTED_PLANE_COUNT',
        devicePath,
        `${fourccToString(mp.pixelformat)} uses ${mp.num_planes} memory planes; choose a single-plane format such as NV12`,
      );
    }
    const plane = mp.plane_fmt[0] ?? { sizeimage: 0, bytesperline: 0 };
    format = {
      widthPx: mp.width,
      heightPx: mp.height,
      fourcc: fourccToString(mp.pixelformat),
      strideBytes: plane.bytesperline,
      sizeImageBytes: plane.sizeimage,
      captureApi: api,
    };
    if (mp.pixelformat >>> 0 !== pixelFormat) throw formatRejected(devicePath, pixelFormat, mp.pixelformat);
  } else {
    const pix = chosen.fmt.pix;
    format = {
      widthPx: pix.width,
      heightPx: pix.height,
      fourcc: fourccToString(pix.pixelformat),
      strideBytes: pix.bytesperline,
      sizeImageBytes: pix.sizeimage,
      captureApi: api,
    };
    if (pix.pixelformat >>> 0 !== pixelFormat) throw formatRejected(devicePath, pixelFormat, pix.pixelformat);
  }
  return format;
}

function formatRejected(devicePath: string, requested: number, chosen: number): V4l2Error {
  // Drivers substitute a format they support instead of failing; consuming it as the requested one would
  // misread every pixel, so this is an error (probeVideoDevice() lists what the node offers).
  return new V4l2Error(
    'FORMAT_NOT_SUPPORTED',
    devicePath,
    `the driver does not offer ${fourccToString(requested)} and chose ${fourccToString(chosen)} instead`,
  );
}
