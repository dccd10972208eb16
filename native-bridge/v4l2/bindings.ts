// koffi declarations of the V4L2 uAPI (include/uapi/linux/videodev2.h) that single- and multi-planar MMAP
// capture needs: structs, constants and ioctl numbers. Sizes and offsets are asserted in bindings.test.ts against
// reference/rk3568-platform.md §4.3 (identical on arm64 and x86_64). V4L2 has no library: the calls are ioctls on
// /dev/videoN through the C library (../libc/).
import koffi from 'koffi';

import { _IOR, _IOW, _IOWR } from '../libc/ioctl-number.js';
import { fourcc } from './fourcc.js';

/** `struct v4l2_capability` (104 B): VIDIOC_QUERYCAP. */
export const V4l2Capability = koffi.struct('lintel_v4l2_capability', {
  driver: koffi.array('char', 16),
  card: koffi.array('char', 32),
  bus_info: koffi.array('char', 32),
  version: 'uint32_t',
  capabilities: 'uint32_t',
  device_caps: 'uint32_t',
  reserved: koffi.array('uint32_t', 3),
});

/** `struct v4l2_fmtdesc` (64 B): VIDIOC_ENUM_FMT. `mbus_code` was `reserved[0]` before Linux 5.10; same layout. */
export const V4l2FmtDesc = koffi.struct('lintel_v4l2_fmtdesc', {
  index: 'uint32_t',
  type: 'uint32_t',
  flags: 'uint32_t',
  description: koffi.array('char', 32),
  pixelformat: 'uint32_t',
  mbus_code: 'uint32_t',
  reserved: koffi.array('uint32_t', 3),
});

/** `struct v4l2_pix_format` (48 B): the single-planar member of v4l2_format's union. */
export const V4l2PixFormat = koffi.struct('lintel_v4l2_pix_format', {
  width: 'uint32_t',
  height: 'uint32_t',
  pixelformat: 'uint32_t',
  field: 'uint32_t',
  bytesperline: 'uint32_t',
  sizeimage: 'uint32_t',
  colorspace: 'uint32_t',
  priv: 'uint32_t',
  flags: 'uint32_t',
  ycbcr_enc: 'uint32_t', // union { ycbcr_enc; hsv_enc; }: same u32
  quantization: 'uint32_t',
  xfer_func: 'uint32_t',
});

/** `struct v4l2_plane_pix_format` (20 B, packed). Note: `sizeimage` comes before `bytesperline` here. */
export const V4l2PlanePixFormat = koffi.pack('lintel_v4l2_plane_pix_format', {
  sizeimage: 'uint32_t',
  bytesperline: 'uint32_t',
  reserved: koffi.array('uint16_t', 6),
});

/** Maximum planes per buffer (`VIDEO_MAX_PLANES`). */
export const VIDEO_MAX_PLANES = 8;

/** `struct v4l2_pix_format_mplane` (192 B, packed): the multi-planar member of v4l2_format's union. */
export const V4l2PixFormatMplane = koffi.pack('lintel_v4l2_pix_format_mplane', {
  width: 'uint32_t',
  height: 'uint32_t',
  pixelformat: 'uint32_t',
  field: 'uint32_t',
  colorspace: 'uint32_t',
  plane_fmt: koffi.array(V4l2PlanePixFormat, VIDEO_MAX_PLANES),
  num_planes: 'uint8_t',
  flags: 'uint8_t',
  ycbcr_enc: 'uint8_t', // union { ycbcr_enc; hsv_enc; }
  quantization: 'uint8_t',
  xfer_func: 'uint8_t',
  reserved: koffi.array('uint8_t', 7),
});

/**
 * The `fmt` union of `struct v4l2_format` (200 B). Only the capture members are declared; `window_alignment`
 * stands in for `struct v4l2_window`, whose pointers give the union pointer alignment and so put `fmt` at offset 8
 * (reference §4.3: "the v4l2_format union needs a uint64_t member (or explicit pad)").
 */
export const V4l2FormatUnion = koffi.union('lintel_v4l2_format_fmt', {
  pix: V4l2PixFormat,
  pix_mp: V4l2PixFormatMplane,
  raw_data: koffi.array('uint8_t', 200),
  window_alignment: 'void *',
});

/** `struct v4l2_format` (208 B): VIDIOC_G_FMT / S_FMT / TRY_FMT. */
export const V4l2Format = koffi.struct('lintel_v4l2_format', {
  type: 'uint32_t',
  fmt: V4l2FormatUnion,
});

/** `struct v4l2_requestbuffers` (20 B): VIDIOC_REQBUFS. `capabilities`/`flags` were reserved before 5.x; same layout. */
export const V4l2RequestBuffers = koffi.struct('lintel_v4l2_requestbuffers', {
  count: 'uint32_t',
  type: 'uint32_t',
  memory: 'uint32_t',
  capabilities: 'uint32_t',
  flags: 'uint8_t',
  reserved: koffi.array('uint8_t', 3),
});

/** `struct timeval` on LP64 Linux (16 B): `long tv_sec; long tv_usec`. */
export const V4l2Timeval = koffi.struct('lintel_v4l2_timeval', {
  tv_sec: 'long',
  tv_usec: 'long',
});

/** `struct v4l2_timecode` (16 B). */
export const V4l2Timecode = koffi.struct('lintel_v4l2_timecode', {
  type: 'uint32_t',
  flags: 'uint32_t',
  frames: 'uint8_t',
  seconds: 'uint8_t',
  minutes: 'uint8_t',
  hours: 'uint8_t',
  userbits: koffi.array('uint8_t', 4),
});

/** The `m` union of `struct v4l2_plane` (8 B): where a plane's memory is. */
export const V4l2PlaneMemory = koffi.union('lintel_v4l2_plane_m', {
  mem_offset: 'uint32_t',
  userptr: 'unsigned long',
  fd: 'int32_t',
});

/** `struct v4l2_plane` (64 B): one plane of a multi-planar buffer. */
export const V4l2Plane = koffi.struct('lintel_v4l2_plane', {
  bytesused: 'uint32_t',
  length: 'uint32_t',
  m: V4l2PlaneMemory,
  data_offset: 'uint32_t',
  reserved: koffi.array('uint32_t', 11),
});

/** The `m` union of `struct v4l2_buffer` (8 B): mmap offset (single-planar) or pointer to v4l2_plane[] (multi-planar). */
export const V4l2BufferMemory = koffi.union('lintel_v4l2_buffer_m', {
  offset: 'uint32_t',
  userptr: 'unsigned long',
  planes: koffi.pointer(V4l2Plane),
  fd: 'int32_t',
});

/**
 * `struct v4l2_buffer` (88 B): VIDIOC_QUERYBUF / QBUF / DQBUF. Linux 4.19 has `u32 reserved` where 5.x has
 * `union { s32 request_fd; u32 reserved; }`: same size and offsets (reference §4.3).
 */
export const V4l2Buffer = koffi.struct('lintel_v4l2_buffer', {
  index: 'uint32_t',
  type: 'uint32_t',
  bytesused: 'uint32_t',
  flags: 'uint32_t',
  field: 'uint32_t',
  timestamp: V4l2Timeval,
  timecode: V4l2Timecode,
  sequence: 'uint32_t',
  memory: 'uint32_t',
  m: V4l2BufferMemory,
  length: 'uint32_t',
  reserved2: 'uint32_t',
  request_fd: 'int32_t',
});

/** `struct v4l2_frmsize_discrete` (8 B). */
export const V4l2FrmSizeDiscrete = koffi.struct('lintel_v4l2_frmsize_discrete', {
  width: 'uint32_t',
  height: 'uint32_t',
});

/** `struct v4l2_frmsize_stepwise` (24 B). */
export const V4l2FrmSizeStepwise = koffi.struct('lintel_v4l2_frmsize_stepwise', {
  min_width: 'uint32_t',
  max_width: 'uint32_t',
  step_width: 'uint32_t',
  min_height: 'uint32_t',
  max_height: 'uint32_t',
  step_height: 'uint32_t',
});

/** `struct v4l2_frmsizeenum` (44 B): VIDIOC_ENUM_FRAMESIZES. */
export const V4l2FrmSizeEnum = koffi.struct('lintel_v4l2_frmsizeenum', {
  index: 'uint32_t',
  pixel_format: 'uint32_t',
  type: 'uint32_t',
  size: koffi.union('lintel_v4l2_frmsizeenum_u', { discrete: V4l2FrmSizeDiscrete, stepwise: V4l2FrmSizeStepwise }),
  reserved: koffi.array('uint32_t', 2),
});

/** `struct v4l2_exportbuffer` (64 B): VIDIOC_EXPBUF, for handing a capture buffer to RGA as a dmabuf (reference §4.2 step 6). */
export const V4l2ExportBuffer = koffi.struct('lintel_v4l2_exportbuffer', {
  type: 'uint32_t',
  index: 'uint32_t',
  plane: 'uint32_t',
  flags: 'uint32_t',
  fd: 'int32_t',
  reserved: koffi.array('uint32_t', 11),
});

// enum v4l2_buf_type
/** Single-planar capture (UVC webcams). */
export const V4L2_BUF_TYPE_VIDEO_CAPTURE = 1;
/** Multi-planar capture (rkisp_mainpath / rkisp_selfpath, reference §4.1). */
export const V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE = 9;

// enum v4l2_memory
/** Driver-allocated buffers mapped with mmap. */
export const V4L2_MEMORY_MMAP = 1;

// enum v4l2_field
/** Let the driver choose the field order. */
export const V4L2_FIELD_ANY = 0;
/** Progressive frames. */
export const V4L2_FIELD_NONE = 1;

// Capability flags (v4l2_capability.capabilities / device_caps)
/** Single-planar video capture. */
export const V4L2_CAP_VIDEO_CAPTURE = 0x00000001;
/** Multi-planar video capture. */
export const V4L2_CAP_VIDEO_CAPTURE_MPLANE = 0x00001000;
/** Metadata capture (UVC's second node per camera). */
export const V4L2_CAP_META_CAPTURE = 0x00800000;
/** read()/write() I/O. */
export const V4L2_CAP_READWRITE = 0x01000000;
/** Streaming I/O (mmap/userptr/dmabuf). */
export const V4L2_CAP_STREAMING = 0x04000000;
/** `device_caps` is filled in and describes this node (use it instead of `capabilities`). */
export const V4L2_CAP_DEVICE_CAPS = 0x80000000;

// Buffer flags (v4l2_buffer.flags)
/** The buffer is mapped. */
export const V4L2_BUF_FLAG_MAPPED = 0x00000001;
/** The buffer is in the driver's incoming queue. */
export const V4L2_BUF_FLAG_QUEUED = 0x00000002;
/** The buffer is in the outgoing queue. */
export const V4L2_BUF_FLAG_DONE = 0x00000004;
/** The data may be corrupted (the driver still returns the buffer). */
export const V4L2_BUF_FLAG_ERROR = 0x00000040;
/** Mask of the timestamp source bits. */
export const V4L2_BUF_FLAG_TIMESTAMP_MASK = 0x0000e000;
/** `timestamp` is CLOCK_MONOTONIC. */
export const V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC = 0x00002000;

// Format description flags (v4l2_fmtdesc.flags)
/** Compressed format (MJPG, H264…). */
export const V4L2_FMT_FLAG_COMPRESSED = 0x0001;
/** Emulated by libv4l, not native to the driver. */
export const V4L2_FMT_FLAG_EMULATED = 0x0002;

// enum v4l2_frmsizetypes
/** A list of fixed sizes. */
export const V4L2_FRMSIZE_TYPE_DISCRETE = 1;
/** Any size within a range (step 1). */
export const V4L2_FRMSIZE_TYPE_CONTINUOUS = 2;
/** Any size within a range, in steps. */
export const V4L2_FRMSIZE_TYPE_STEPWISE = 3;

// Pixel formats (v4l2_fourcc)
/** Y plane then interleaved CbCr, 4:2:0; rkisp's preferred output, one plane in the mplane API (reference §4.1). */
export const V4L2_PIX_FMT_NV12 = fourcc('NV12');
/** NV12 with CrCb order. */
export const V4L2_PIX_FMT_NV21 = fourcc('NV21');
/** Y plane then interleaved CbCr, 4:2:2. */
export const V4L2_PIX_FMT_NV16 = fourcc('NV16');
/** NV12 with Y and CbCr in two separate planes (num_planes = 2). */
export const V4L2_PIX_FMT_NV12M = fourcc('NM12');
/** Packed YUV 4:2:2 Y0 Cb Y1 Cr (UVC webcams). */
export const V4L2_PIX_FMT_YUYV = fourcc('YUYV');
/** Packed YUV 4:2:2 Cb Y0 Cr Y1. */
export const V4L2_PIX_FMT_UYVY = fourcc('UYVY');
/** Planar YUV 4:2:0 (I420). */
export const V4L2_PIX_FMT_YUV420 = fourcc('YU12');
/** Motion-JPEG (UVC webcams at high resolutions). */
export const V4L2_PIX_FMT_MJPEG = fourcc('MJPG');
/** JFIF JPEG. */
export const V4L2_PIX_FMT_JPEG = fourcc('JPEG');
/** 8-bit greyscale. */
export const V4L2_PIX_FMT_GREY = fourcc('GREY');
/** Packed RGB 8:8:8. */
export const V4L2_PIX_FMT_RGB24 = fourcc('RGB3');
/** Packed BGR 8:8:8. */
export const V4L2_PIX_FMT_BGR24 = fourcc('BGR3');

// ioctl request numbers, computed from the declared struct sizes like the kernel macros do; bindings.test.ts
// checks them against the literal values in reference §4.3.
/** Query device capabilities. */
export const VIDIOC_QUERYCAP = _IOR('V', 0, koffi.sizeof(V4l2Capability));
/** Enumerate pixel formats of a buffer type. */
export const VIDIOC_ENUM_FMT = _IOWR('V', 2, koffi.sizeof(V4l2FmtDesc));
/** Get the current format. */
export const VIDIOC_G_FMT = _IOWR('V', 4, koffi.sizeof(V4l2Format));
/** Set the format; the driver adjusts and writes back what it chose. */
export const VIDIOC_S_FMT = _IOWR('V', 5, koffi.sizeof(V4l2Format));
/** Request (or with count 0, free) buffers. */
export const VIDIOC_REQBUFS = _IOWR('V', 8, koffi.sizeof(V4l2RequestBuffers));
/** Query a buffer's mmap offset and length. */
export const VIDIOC_QUERYBUF = _IOWR('V', 9, koffi.sizeof(V4l2Buffer));
/** Hand a buffer to the driver to fill. */
export const VIDIOC_QBUF = _IOWR('V', 15, koffi.sizeof(V4l2Buffer));
/** Export a buffer as a dmabuf fd. */
export const VIDIOC_EXPBUF = _IOWR('V', 16, koffi.sizeof(V4l2ExportBuffer));
/** Take a filled buffer back (EAGAIN on an O_NONBLOCK fd when none is ready). */
export const VIDIOC_DQBUF = _IOWR('V', 17, koffi.sizeof(V4l2Buffer));
/** Start streaming; argument is a pointer to the buffer type (int). */
export const VIDIOC_STREAMON = _IOW('V', 18, 4);
/** Stop streaming and return all buffers to user space. */
export const VIDIOC_STREAMOFF = _IOW('V', 19, 4);
/** Try a format without applying it. */
export const VIDIOC_TRY_FMT = _IOWR('V', 64, koffi.sizeof(V4l2Format));
/** Enumerate frame sizes of a pixel format. */
export const VIDIOC_ENUM_FRAMESIZES = _IOWR('V', 74, koffi.sizeof(V4l2FrmSizeEnum));
