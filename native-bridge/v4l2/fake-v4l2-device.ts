// A fake V4L2 capture node for FakeSyscalls: answers the ioctls of reference §4.2 on the real struct bytes
// (including the native v4l2_plane array behind `m.planes`), keeps the vb2 queue states, and delivers frames when a
// test calls emitFrame(). It stands in for a UVC webcam (single-planar) or an rkisp path (multi-planar NV12).
import koffi from 'koffi';

import { POLLERR, POLLHUP, POLLIN } from '../libc/bindings.js';
import { FakeErrno } from '../libc/fake-syscalls.js';
import type { FakeDevice, FakeSyscalls } from '../libc/fake-syscalls.js';
import {
  V4L2_BUF_FLAG_DONE,
  V4L2_BUF_FLAG_MAPPED,
  V4L2_BUF_FLAG_QUEUED,
  V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC,
  V4L2_BUF_TYPE_VIDEO_CAPTURE,
  V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE,
  V4L2_CAP_DEVICE_CAPS,
  V4L2_CAP_META_CAPTURE,
  V4L2_CAP_STREAMING,
  V4L2_CAP_VIDEO_CAPTURE,
  V4L2_CAP_VIDEO_CAPTURE_MPLANE,
  V4L2_FIELD_NONE,
  V4L2_FMT_FLAG_COMPRESSED,
  V4L2_FRMSIZE_TYPE_DISCRETE,
  V4L2_MEMORY_MMAP,
  V4l2Buffer,
  V4l2Capability,
  V4l2FmtDesc,
  V4l2Format,
  V4l2FrmSizeEnum,
  V4l2Plane,
  V4l2RequestBuffers,
  VIDIOC_DQBUF,
  VIDIOC_ENUM_FMT,
  VIDIOC_ENUM_FRAMESIZES,
  VIDIOC_QBUF,
  VIDIOC_QUERYBUF,
  VIDIOC_QUERYCAP,
  VIDIOC_REQBUFS,
  VIDIOC_S_FMT,
  VIDIOC_STREAMOFF,
  VIDIOC_STREAMON,
} from './bindings.js';
import { fourcc, fourccToString } from './fourcc.js';

/** A pixel format the fake offers, with its discrete frame sizes in pixels. */
export interface FakeV4l2Format {
  fourcc: string;
  description?: string;
  sizes: Array<{ widthPx: number; heightPx: number }>;
}

/** How the fake node looks. */
export interface FakeV4l2DeviceOptions {
  /** `single-planar` (UVC), `multi-planar` (rkisp), or `none` (a metadata node that cannot capture video). */
  captureApi: 'single-planar' | 'multi-planar' | 'none';
  /** Driver name. Default `fake-uvc` or `fake-rkisp`. */
  driver?: string;
  /** Card name. Default `Fake Webcam` or `rkisp_mainpath`. */
  card?: string;
  /** Formats offered. Default NV12 (multi-planar) or YUYV + MJPG (single-planar), 640×480 and 1280×720. */
  formats?: FakeV4l2Format[];
  /** Row alignment in bytes for bytesperline. Default 64, so 1280-wide rows are unpadded and odd widths get padded. */
  strideAlignBytes?: number;
  /** Most buffers REQBUFS grants. Default 8. */
  maxBuffers?: number;
  /** data_offset of plane 0 (multi-planar). Default 0. */
  dataOffsetBytes?: number;
}

type BufferState = 'dequeued' | 'queued' | 'done';

interface FakeBuffer {
  index: number;
  state: BufferState;
  memory: Buffer;
  offsetBytes: number;
  bytesused: number;
  flags: number;
  sequence: number;
  timestampUs: bigint;
}

interface ActiveFormat {
  widthPx: number;
  heightPx: number;
  pixelFormat: number;
  strideBytes: number;
  sizeImageBytes: number;
  numPlanes: number;
}

const PAGE_BYTES = 4096;

/** A fake V4L2 node. Install it with `install(sys, '/dev/video0')`. */
export class FakeV4l2Device implements FakeDevice {
  private readonly formats: FakeV4l2Format[];
  private format: ActiveFormat;
  private buffers: FakeBuffer[] = [];
  private readonly queued: number[] = [];
  private readonly done: number[] = [];
  private streaming = false;
  private disconnected = false;
  private sequence = 0;
  private waiters: Array<(revents: number) => void> = [];
  /** Frames the fake produced while no buffer was queued (the driver would drop them). */
  droppedByDriver = 0;

  constructor(readonly options: FakeV4l2DeviceOptions) {
    this.formats =
      options.formats ??
      (options.captureApi === 'multi-planar'
        ? [{ fourcc: 'NV12', description: 'Y/CbCr 4:2:0', sizes: [{ widthPx: 640, heightPx: 480 }, { widthPx: 1280, heightPx: 720 }] }]
        : [
            { fourcc: 'YUYV', description: 'YUYV 4:2:2', sizes: [{ widthPx: 640, heightPx: 480 }, { widthPx: 1280, heightPx: 720 }] },
            { fourcc: 'MJPG', description: 'Motion-JPEG', sizes: [{ widthPx: 640, heightPx: 480 }, { widthPx: 1280, heightPx: 720 }] },
          ]);
    const first = this.formats[0];
    const size = first?.sizes[0];
    if (first === undefined || size === undefined) throw new RangeError('a fake V4L2 device needs at least one format with one size');
    this.format = this.layout(fourcc(first.fourcc), size.widthPx, size.heightPx);
  }

  /** Registers this device as `path` in `sys` (every open() gets this same device). */
  install(sys: FakeSyscalls, path: string): this {
    sys.addNode(path, () => this);
    return this;
  }

  /** Whether the queue is streaming. */
  get isStreaming(): boolean {
    return this.streaming;
  }

  /** Buffers allocated by REQBUFS. */
  get bufferCount(): number {
    return this.buffers.length;
  }

  /** Count of buffers per vb2 state. */
  states(): Record<BufferState, number> {
    const counts: Record<BufferState, number> = { dequeued: 0, queued: 0, done: 0 };
    for (const buffer of this.buffers) counts[buffer.state] += 1;
    return counts;
  }

  /** The bytes a frame of `sequence` carries, so tests can check a copy: byte i = (sequence × 31 + i) & 0xff. */
  static pattern(sequence: number, lengthBytes: number): Buffer {
    const bytes = Buffer.alloc(lengthBytes);
    for (let i = 0; i < lengthBytes; i += 1) bytes[i] = (sequence * 31 + i) & 0xff;
    return bytes;
  }

  /**
   * Completes a frame into the oldest queued buffer, like the hardware finishing a capture.
   * @param options.bytesused bytes of image data (default sizeimage); `flags` adds V4L2_BUF_FLAG_* bits (e.g. ERROR);
   *   `data` the image bytes to deliver (default FakeV4l2Device.pattern), cut to bytesused.
   * @returns the frame's sequence number, or null when no buffer was queued (frame dropped, sequence still advances).
   */
  emitFrame(options: { bytesused?: number; flags?: number; data?: Uint8Array } = {}): number | null {
    const sequence = this.sequence;
    this.sequence += 1;
    const index = this.queued.shift();
    const buffer = index === undefined ? undefined : this.buffers[index];
    if (buffer === undefined) {
      this.droppedByDriver += 1;
      return null;
    }
    const dataOffset = this.options.captureApi === 'multi-planar' ? (this.options.dataOffsetBytes ?? 0) : 0;
    const bytesused = Math.min(options.bytesused ?? this.format.sizeImageBytes, buffer.memory.length - dataOffset);
    buffer.memory.fill(0);
    if (options.data) buffer.memory.set(options.data.subarray(0, bytesused), dataOffset);
    else FakeV4l2Device.pattern(sequence, bytesused).copy(buffer.memory, dataOffset);
    buffer.bytesused = bytesused;
    buffer.flags = options.flags ?? 0;
    buffer.sequence = sequence;
    buffer.timestampUs = process.hrtime.bigint() / 1000n;
    buffer.state = 'done';
    this.done.push(buffer.index);
    this.wake(POLLIN);
    return sequence;
  }

  /** Simulates unplugging: later ioctls fail with ENODEV, pollers see POLLERR | POLLHUP. */
  disconnect(): void {
    this.disconnected = true;
    this.wake(POLLERR | POLLHUP);
  }

  ioctl(request: number, arg: Buffer): number {
    if (this.disconnected) throw new FakeErrno('ENODEV');
    switch (request) {
      case VIDIOC_QUERYCAP:
        return this.queryCap(arg);
      case VIDIOC_ENUM_FMT:
        return this.enumFormat(arg);
      case VIDIOC_ENUM_FRAMESIZES:
        return this.enumFrameSizes(arg);
      case VIDIOC_S_FMT:
        return this.setFormat(arg);
      case VIDIOC_REQBUFS:
        return this.requestBuffers(arg);
      case VIDIOC_QUERYBUF:
        return this.describeBuffer(arg);
      case VIDIOC_QBUF:
        return this.queueBuffer(arg);
      case VIDIOC_DQBUF:
        return this.dequeueBuffer(arg);
      case VIDIOC_STREAMON:
        return this.streamOn(arg);
      case VIDIOC_STREAMOFF:
        return this.streamOff(arg);
      default:
        throw new FakeErrno('ENOTTY');
    }
  }

  mmap(lengthBytes: number, offsetBytes: number): Buffer {
    const buffer = this.buffers.find((candidate) => candidate.offsetBytes === offsetBytes);
    if (buffer === undefined || lengthBytes > buffer.memory.length) throw new FakeErrno('EINVAL');
    return buffer.memory;
  }

  poll(_events: number, timeoutMs: number): Promise<number> {
    if (this.disconnected) return Promise.resolve(POLLERR | POLLHUP);
    if (!this.streaming) return Promise.resolve(POLLERR);
    if (this.done.length > 0) return Promise.resolve(POLLIN);
    return new Promise<number>((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== finish);
        resolve(0);
      }, timeoutMs);
      const finish = (revents: number): void => {
        clearTimeout(timer);
        resolve(revents);
      };
      this.waiters.push(finish);
    });
  }

  private wake(revents: number): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter(revents);
  }

  private get bufferType(): number {
    return this.options.captureApi === 'multi-planar' ? V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE : V4L2_BUF_TYPE_VIDEO_CAPTURE;
  }

  private checkType(type: number): void {
    if (this.options.captureApi === 'none' || type !== this.bufferType) throw new FakeErrno('EINVAL');
  }

  private queryCap(arg: Buffer): number {
    const api = this.options.captureApi;
    const nodeCaps =
      (api === 'multi-planar' ? V4L2_CAP_VIDEO_CAPTURE_MPLANE : api === 'single-planar' ? V4L2_CAP_VIDEO_CAPTURE : V4L2_CAP_META_CAPTURE) |
      V4L2_CAP_STREAMING;
    koffi.encode(arg, 0, V4l2Capability, {
      driver: this.options.driver ?? (api === 'multi-planar' ? 'fake-rkisp' : 'fake-uvc'),
      card: this.options.card ?? (api === 'multi-planar' ? 'rkisp_mainpath' : 'Fake Webcam'),
      bus_info: 'platform:fake',
      version: (5 << 16) | (10 << 8) | 160,
      // The whole device can do more than this node, as on real hardware; device_caps is what counts.
      capabilities: (nodeCaps | V4L2_CAP_META_CAPTURE | V4L2_CAP_DEVICE_CAPS) >>> 0,
      device_caps: nodeCaps >>> 0,
    });
    return 0;
  }

  private enumFormat(arg: Buffer): number {
    const { index, type } = koffi.decode(arg, V4l2FmtDesc) as { index: number; type: number };
    this.checkType(type);
    const format = this.formats[index];
    if (format === undefined) throw new FakeErrno('EINVAL');
    koffi.encode(arg, 0, V4l2FmtDesc, {
      index,
      type,
      flags: format.fourcc === 'MJPG' ? V4L2_FMT_FLAG_COMPRESSED : 0,
      description: format.description ?? format.fourcc,
      pixelformat: fourcc(format.fourcc),
    });
    return 0;
  }

  private enumFrameSizes(arg: Buffer): number {
    const { index, pixel_format: pixelFormat } = koffi.decode(arg, V4l2FrmSizeEnum) as { index: number; pixel_format: number };
    const format = this.formats.find((candidate) => fourcc(candidate.fourcc) === pixelFormat >>> 0);
    const size = format?.sizes[index];
    if (size === undefined) throw new FakeErrno('EINVAL');
    koffi.encode(arg, 0, V4l2FrmSizeEnum, {
      index,
      pixel_format: pixelFormat,
      type: V4L2_FRMSIZE_TYPE_DISCRETE,
      size: { discrete: { width: size.widthPx, height: size.heightPx } },
    });
    return 0;
  }

  private layout(pixelFormat: number, widthPx: number, heightPx: number): ActiveFormat {
    const code = fourccToString(pixelFormat);
    const align = this.options.strideAlignBytes ?? 64;
    const alignUp = (value: number): number => Math.ceil(value / align) * align;
    switch (code) {
      case 'NV12':
      case 'NV21': {
        const stride = alignUp(widthPx);
        return { widthPx, heightPx, pixelFormat, strideBytes: stride, sizeImageBytes: (stride * heightPx * 3) / 2, numPlanes: 1 };
      }
      case 'NM12': {
        const stride = alignUp(widthPx);
        return { widthPx, heightPx, pixelFormat, strideBytes: stride, sizeImageBytes: stride * heightPx, numPlanes: 2 };
      }
      case 'MJPG':
        return { widthPx, heightPx, pixelFormat, strideBytes: 0, sizeImageBytes: widthPx * heightPx, numPlanes: 1 };
      default: {
        const stride = alignUp(widthPx * 2);
        return { widthPx, heightPx, pixelFormat, strideBytes: stride, sizeImageBytes: stride * heightPx, numPlanes: 1 };
      }
    }
  }

  private setFormat(arg: Buffer): number {
    const raw = koffi.decode(arg, V4l2Format) as {
      type: number;
      fmt: { pix: { width: number; height: number; pixelformat: number }; pix_mp: { width: number; height: number; pixelformat: number } };
    };
    this.checkType(raw.type);
    if (this.streaming || this.buffers.length > 0) throw new FakeErrno('EBUSY');
    const requested = this.options.captureApi === 'multi-planar' ? raw.fmt.pix_mp : raw.fmt.pix;
    // Like real drivers: an unsupported format is replaced by the first one, a size by the nearest offered.
    const format = this.formats.find((candidate) => fourcc(candidate.fourcc) === requested.pixelformat >>> 0) ?? this.formats[0];
    if (format === undefined) throw new FakeErrno('EINVAL');
    const size = [...format.sizes].sort(
      (a, b) =>
        Math.abs(a.widthPx - requested.width) + Math.abs(a.heightPx - requested.height) -
        (Math.abs(b.widthPx - requested.width) + Math.abs(b.heightPx - requested.height)),
    )[0];
    if (size === undefined) throw new FakeErrno('EINVAL');
    this.format = this.layout(fourcc(format.fourcc), size.widthPx, size.heightPx);
    const f = this.format;
    if (this.options.captureApi === 'multi-planar') {
      const planeSize = { sizeimage: f.sizeImageBytes, bytesperline: f.strideBytes };
      koffi.encode(arg, 0, V4l2Format, {
        type: raw.type,
        fmt: {
          pix_mp: {
            width: f.widthPx,
            height: f.heightPx,
            pixelformat: f.pixelFormat,
            field: V4L2_FIELD_NONE,
            plane_fmt: f.numPlanes === 2 ? [planeSize, { sizeimage: f.sizeImageBytes / 2, bytesperline: f.strideBytes }] : [planeSize],
            num_planes: f.numPlanes,
          },
        },
      });
    } else {
      koffi.encode(arg, 0, V4l2Format, {
        type: raw.type,
        fmt: {
          pix: {
            width: f.widthPx,
            height: f.heightPx,
            pixelformat: f.pixelFormat,
            field: V4L2_FIELD_NONE,
            bytesperline: f.strideBytes,
            sizeimage: f.sizeImageBytes,
          },
        },
      });
    }
    return 0;
  }

  private requestBuffers(arg: Buffer): number {
    const raw = koffi.decode(arg, V4l2RequestBuffers) as { count: number; type: number; memory: number };
    this.checkType(raw.type);
    if (raw.memory !== V4L2_MEMORY_MMAP) throw new FakeErrno('EINVAL');
    if (this.streaming) throw new FakeErrno('EBUSY');
    const count = Math.min(raw.count, this.options.maxBuffers ?? 8);
    const dataOffset = this.options.dataOffsetBytes ?? 0;
    const bufferBytes = Math.ceil((this.format.sizeImageBytes + dataOffset) / PAGE_BYTES) * PAGE_BYTES;
    this.queued.length = 0;
    this.done.length = 0;
    this.buffers = Array.from({ length: count }, (_, index) => ({
      index,
      state: 'dequeued' as BufferState,
      memory: Buffer.alloc(bufferBytes),
      offsetBytes: index * bufferBytes,
      bytesused: 0,
      flags: 0,
      sequence: 0,
      timestampUs: 0n,
    }));
    koffi.encode(arg, 0, V4l2RequestBuffers, { count, type: raw.type, memory: raw.memory });
    return 0;
  }

  /** The buffer an ioctl argument names, after the checks vb2 makes (type, index, planes array length). */
  private bufferFor(arg: Buffer): { buffer: FakeBuffer; planes: unknown } {
    const raw = koffi.decode(arg, V4l2Buffer) as { index: number; type: number; memory: number; length: number };
    this.checkType(raw.type);
    if (raw.memory !== V4L2_MEMORY_MMAP) throw new FakeErrno('EINVAL');
    const buffer = this.buffers[raw.index];
    if (buffer === undefined) throw new FakeErrno('EINVAL');
    let planes: unknown = null;
    if (this.options.captureApi === 'multi-planar') {
      if (raw.length < this.format.numPlanes || raw.length > 8) throw new FakeErrno('EINVAL');
      planes = this.planesPointer(arg);
      if (planes === null) throw new FakeErrno('EFAULT');
    }
    return { buffer, planes };
  }

  private describeBuffer(arg: Buffer, known?: { buffer: FakeBuffer; planes: unknown }): number {
    const { buffer, planes } = known ?? this.bufferFor(arg);
    const stateFlags = buffer.state === 'queued' ? V4L2_BUF_FLAG_QUEUED : buffer.state === 'done' ? V4L2_BUF_FLAG_DONE : 0;
    const flags = V4L2_BUF_FLAG_MAPPED | V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC | stateFlags | buffer.flags;
    const timestamp = { tv_sec: Number(buffer.timestampUs / 1_000_000n), tv_usec: Number(buffer.timestampUs % 1_000_000n) };
    const common = { index: buffer.index, type: this.bufferType, flags, field: V4L2_FIELD_NONE, timestamp, sequence: buffer.sequence, memory: V4L2_MEMORY_MMAP };
    if (planes === null) {
      koffi.encode(arg, 0, V4l2Buffer, { ...common, bytesused: buffer.bytesused, m: { offset: buffer.offsetBytes }, length: buffer.memory.length });
    } else {
      const dataOffset = this.options.dataOffsetBytes ?? 0;
      koffi.encode(planes, 0, V4l2Plane, {
        bytesused: buffer.bytesused === 0 ? 0 : buffer.bytesused + dataOffset,
        length: buffer.memory.length,
        m: { mem_offset: buffer.offsetBytes },
        data_offset: dataOffset,
      });
      // The kernel leaves the caller's m.planes pointer as it was; keep its 8 bytes rather than re-encode it
      // (koffi tags pointer externals with their type, and a decoded copy does not match the union member's).
      const m = koffi.offsetof(V4l2Buffer, 'm');
      const planesBytes = Buffer.from(arg.subarray(m, m + 8));
      koffi.encode(arg, 0, V4l2Buffer, { ...common, length: this.format.numPlanes });
      planesBytes.copy(arg, m);
    }
    return 0;
  }

  private queueBuffer(arg: Buffer): number {
    const { buffer } = this.bufferFor(arg);
    if (buffer.state !== 'dequeued') throw new FakeErrno('EINVAL');
    buffer.state = 'queued';
    this.queued.push(buffer.index);
    return 0;
  }

  private dequeueBuffer(arg: Buffer): number {
    const { planes } = this.bufferForDequeue(arg);
    if (!this.streaming) throw new FakeErrno('EINVAL');
    const index = this.done.shift();
    const buffer = index === undefined ? undefined : this.buffers[index];
    if (buffer === undefined) throw new FakeErrno('EAGAIN');
    buffer.state = 'dequeued';
    return this.describeBuffer(arg, { buffer, planes });
  }

  /** The `m.planes` pointer of a v4l2_buffer argument, typed as the binding declares it (null when NULL). */
  private planesPointer(arg: Buffer): unknown {
    return koffi.decode(arg, koffi.offsetof(V4l2Buffer, 'm'), koffi.pointer(V4l2Plane));
  }

  /** DQBUF names no index (the driver picks one), so only type and planes are checked. */
  private bufferForDequeue(arg: Buffer): { planes: unknown } {
    const raw = koffi.decode(arg, V4l2Buffer) as { type: number; memory: number; length: number };
    this.checkType(raw.type);
    if (raw.memory !== V4L2_MEMORY_MMAP) throw new FakeErrno('EINVAL');
    if (this.options.captureApi !== 'multi-planar') return { planes: null };
    if (raw.length < this.format.numPlanes || raw.length > 8) throw new FakeErrno('EINVAL');
    const planes = this.planesPointer(arg);
    if (planes === null) throw new FakeErrno('EFAULT');
    return { planes };
  }

  private streamOn(arg: Buffer): number {
    this.checkType(arg.readInt32LE(0));
    if (this.buffers.length === 0) throw new FakeErrno('EINVAL');
    this.streaming = true;
    return 0;
  }

  private streamOff(arg: Buffer): number {
    this.checkType(arg.readInt32LE(0));
    this.streaming = false;
    // vb2: STREAMOFF returns every buffer to user space and wakes pollers.
    for (const buffer of this.buffers) buffer.state = 'dequeued';
    this.queued.length = 0;
    this.done.length = 0;
    this.wake(POLLERR);
    return 0;
  }
}
