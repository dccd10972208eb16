// Read-only V4L2 queries: capabilities, pixel formats and frame sizes (reference §4.2 steps 2–3). Used by the
// camera before it streams, and by probeVideoDevice() for a settings screen that lists what a camera offers.
import koffi from 'koffi';

import { O_CLOEXEC, O_NONBLOCK, O_RDWR } from '../libc/bindings.js';
import { openLibc } from '../libc/syscalls.js';
import type { Syscalls } from '../libc/syscalls.js';
import { isSystemCallError, SystemCallError } from '../libc/system-call-error.js';
import type { ErrnoCode } from '../libc/system-call-error.js';
import {
  V4L2_BUF_TYPE_VIDEO_CAPTURE,
  V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE,
  V4L2_CAP_DEVICE_CAPS,
  V4L2_CAP_STREAMING,
  V4L2_CAP_VIDEO_CAPTURE,
  V4L2_CAP_VIDEO_CAPTURE_MPLANE,
  V4L2_FMT_FLAG_COMPRESSED,
  V4L2_FMT_FLAG_EMULATED,
  V4L2_FRMSIZE_TYPE_DISCRETE,
  V4l2Capability,
  V4l2FmtDesc,
  V4l2FrmSizeEnum,
  VIDIOC_ENUM_FMT,
  VIDIOC_ENUM_FRAMESIZES,
  VIDIOC_QUERYCAP,
} from './bindings.js';
import { fourccToString } from './fourcc.js';

/** Which V4L2 capture API a node speaks: single-planar (UVC) or multi-planar (rkisp, reference §4.1). */
export type CaptureApi = 'single-planar' | 'multi-planar';

/** What VIDIOC_QUERYCAP says about a node. */
export interface V4l2Capabilities {
  /** Driver name, e.g. `uvcvideo`, `rkisp_v10`. */
  driver: string;
  /** Device name, e.g. `rkisp_mainpath`. */
  card: string;
  /** Bus location, e.g. `usb-fd880000.usb-1`. */
  busInfo: string;
  /** Driver version as `major.minor.patch` (usually the kernel's). */
  version: string;
  /** Capabilities of the whole physical device (V4L2_CAP_* bits). */
  capabilities: number;
  /** Capabilities of this node: `device_caps` when the driver fills it, otherwise `capabilities`. */
  deviceCaps: number;
  /** The capture API this node offers, or null when it does not capture video. Single-planar wins if both. */
  captureApi: CaptureApi | null;
  /** Whether the node supports streaming (mmap) I/O. */
  streaming: boolean;
}

/** A pixel format a node offers (VIDIOC_ENUM_FMT). */
export interface V4l2FormatDescription {
  /** Four-character code, e.g. `NV12`. */
  fourcc: string;
  /** The same as the packed u32 (`V4L2_PIX_FMT_*`). */
  pixelFormat: number;
  /** Driver's description, e.g. `Y/CbCr 4:2:0`. */
  description: string;
  /** True for MJPG/H264 and the like. */
  compressed: boolean;
  /** True when libv4l emulates it (not native to the driver). */
  emulated: boolean;
}

/** Frame sizes a pixel format supports (VIDIOC_ENUM_FRAMESIZES), in pixels. */
export type V4l2FrameSizes =
  | { kind: 'discrete'; sizes: Array<{ widthPx: number; heightPx: number }> }
  | { kind: 'stepwise'; minWidthPx: number; maxWidthPx: number; stepWidthPx: number; minHeightPx: number; maxHeightPx: number; stepHeightPx: number }
  | { kind: 'unknown' };

/** Rethrows a SystemCallError with a hint when its errno has one; other errors pass through. */
export function addHint(error: unknown, hints: Partial<Record<ErrnoCode, string>>): unknown {
  if (!(error instanceof SystemCallError)) return error;
  const hint = hints[error.code];
  return hint === undefined ? error : error.withHint(hint);
}

/** Hints for failures of open() on a video node. */
export const OPEN_HINTS: Partial<Record<ErrnoCode, string>> = {
  ENOENT: 'no such device node; listVideoDevices() shows the cameras that are present',
  EACCES: 'the service user needs access to video devices (the `video` group, or a udev rule)',
  EPERM: 'the service user needs access to video devices (the `video` group, or a udev rule)',
  EBUSY: 'another process holds the device',
  ENODEV: 'the device node exists but no driver is behind it (camera unplugged?)',
  ENXIO: 'the device node exists but no driver is behind it (camera unplugged?)',
};

/** Opens a video node non-blocking (DQBUF then returns EAGAIN instead of sleeping, reference §4.2 step 1). */
export function openVideoNode(sys: Syscalls, devicePath: string): number {
  try {
    return sys.open(devicePath, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  } catch (error) {
    throw addHint(error, OPEN_HINTS);
  }
}

/** VIDIOC_QUERYCAP on an open node. */
export function queryCapabilities(sys: Syscalls, fd: number, devicePath: string): V4l2Capabilities {
  const arg = Buffer.alloc(koffi.sizeof(V4l2Capability));
  try {
    sys.ioctl(fd, VIDIOC_QUERYCAP, arg, 'VIDIOC_QUERYCAP', devicePath);
  } catch (error) {
    throw addHint(error, { ENOTTY: 'not a V4L2 device', EINVAL: 'not a V4L2 device' });
  }
  const raw = koffi.decode(arg, V4l2Capability) as {
    driver: string;
    card: string;
    bus_info: string;
    version: number;
    capabilities: number;
    device_caps: number;
  };
  // capabilities describes the whole device (all its nodes); device_caps this node (reference §4.2 step 2).
  const capabilities = raw.capabilities >>> 0;
  const deviceCaps = (capabilities & V4L2_CAP_DEVICE_CAPS) !== 0 ? raw.device_caps >>> 0 : capabilities;
  let captureApi: CaptureApi | null = null;
  if ((deviceCaps & V4L2_CAP_VIDEO_CAPTURE) !== 0) captureApi = 'single-planar';
  else if ((deviceCaps & V4L2_CAP_VIDEO_CAPTURE_MPLANE) !== 0) captureApi = 'multi-planar';
  const version = raw.version >>> 0;
  return {
    driver: raw.driver,
    card: raw.card,
    busInfo: raw.bus_info,
    version: `${version >>> 16}.${(version >>> 8) & 0xff}.${version & 0xff}`,
    capabilities,
    deviceCaps,
    captureApi,
    streaming: (deviceCaps & V4L2_CAP_STREAMING) !== 0,
  };
}

/** The v4l2_buf_type for a capture API. */
export function bufferTypeOf(api: CaptureApi): number {
  return api === 'multi-planar' ? V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE : V4L2_BUF_TYPE_VIDEO_CAPTURE;
}

/** Upper bound on enumeration loops, in case a driver never answers EINVAL. */
const MAX_ENUM_ENTRIES = 256;

/** VIDIOC_ENUM_FMT until the driver answers EINVAL (the end of the list, not an error). */
export function enumerateFormats(sys: Syscalls, fd: number, devicePath: string, api: CaptureApi): V4l2FormatDescription[] {
  const formats: V4l2FormatDescription[] = [];
  for (let index = 0; index < MAX_ENUM_ENTRIES; index += 1) {
    const arg = Buffer.alloc(koffi.sizeof(V4l2FmtDesc));
    koffi.encode(arg, 0, V4l2FmtDesc, { index, type: bufferTypeOf(api) });
    try {
      sys.ioctl(fd, VIDIOC_ENUM_FMT, arg, 'VIDIOC_ENUM_FMT', devicePath);
    } catch (error) {
      if (isSystemCallError(error, 'EINVAL')) break;
      throw error;
    }
    const raw = koffi.decode(arg, V4l2FmtDesc) as { flags: number; description: string; pixelformat: number };
    formats.push({
      fourcc: fourccToString(raw.pixelformat),
      pixelFormat: raw.pixelformat >>> 0,
      description: raw.description,
      compressed: (raw.flags & V4L2_FMT_FLAG_COMPRESSED) !== 0,
      emulated: (raw.flags & V4L2_FMT_FLAG_EMULATED) !== 0,
    });
  }
  return formats;
}

/** VIDIOC_ENUM_FRAMESIZES for one pixel format; `unknown` when the driver does not implement it. */
export function enumerateFrameSizes(sys: Syscalls, fd: number, devicePath: string, pixelFormat: number): V4l2FrameSizes {
  const sizes: Array<{ widthPx: number; heightPx: number }> = [];
  for (let index = 0; index < MAX_ENUM_ENTRIES; index += 1) {
    const arg = Buffer.alloc(koffi.sizeof(V4l2FrmSizeEnum));
    koffi.encode(arg, 0, V4l2FrmSizeEnum, { index, pixel_format: pixelFormat });
    try {
      sys.ioctl(fd, VIDIOC_ENUM_FRAMESIZES, arg, 'VIDIOC_ENUM_FRAMESIZES', devicePath);
    } catch (error) {
      if (isSystemCallError(error, 'EINVAL') && index > 0) break;
      if (isSystemCallError(error, 'EINVAL', 'ENOTTY')) return { kind: 'unknown' };
      throw error;
    }
    const raw = koffi.decode(arg, V4l2FrmSizeEnum) as {
      type: number;
      size: {
        discrete: { width: number; height: number };
        stepwise: { min_width: number; max_width: number; step_width: number; min_height: number; max_height: number; step_height: number };
      };
    };
    if (raw.type !== V4L2_FRMSIZE_TYPE_DISCRETE) {
      // Stepwise and continuous sizes come as one entry (index 0) describing the whole range.
      const s = raw.size.stepwise;
      return {
        kind: 'stepwise',
        minWidthPx: s.min_width,
        maxWidthPx: s.max_width,
        stepWidthPx: s.step_width,
        minHeightPx: s.min_height,
        maxHeightPx: s.max_height,
        stepHeightPx: s.step_height,
      };
    }
    sizes.push({ widthPx: raw.size.discrete.width, heightPx: raw.size.discrete.height });
  }
  return { kind: 'discrete', sizes };
}

/** What a video node offers, as probeVideoDevice() reports it. */
export interface V4l2Probe {
  devicePath: string;
  capabilities: V4l2Capabilities;
  /** Capture formats with their frame sizes; empty when the node does not capture video. */
  formats: Array<V4l2FormatDescription & { frameSizes: V4l2FrameSizes }>;
}

/**
 * Opens a node, reads its capabilities, capture formats and frame sizes, and closes it again. Does not stream,
 * so it works while nothing else uses the camera and changes nothing.
 * @throws SystemCallError (e.g. ENOENT, EACCES, ENOTTY for a node that is not V4L2).
 */
export function probeVideoDevice(devicePath: string, deps: { sys?: Syscalls } = {}): V4l2Probe {
  const sys = deps.sys ?? openLibc();
  const fd = openVideoNode(sys, devicePath);
  let probe: V4l2Probe;
  try {
    const capabilities = queryCapabilities(sys, fd, devicePath);
    const api = capabilities.captureApi;
    const formats =
      api === null
        ? []
        : enumerateFormats(sys, fd, devicePath, api).map((format) => ({
            ...format,
            frameSizes: enumerateFrameSizes(sys, fd, devicePath, format.pixelFormat),
          }));
    probe = { devicePath, capabilities, formats };
  } catch (error) {
    closeQuietly(sys, fd, devicePath);
    throw error;
  }
  sys.close(fd, devicePath);
  return probe;
}

/** close() after another failure: the first error is the one worth reporting, so a second one is dropped. */
export function closeQuietly(sys: Syscalls, fd: number, devicePath: string): void {
  try {
    sys.close(fd, devicePath);
  } catch {
    // The descriptor is released by the kernel even when close reports an error.
  }
}
