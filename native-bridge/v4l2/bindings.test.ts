import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import koffi from 'koffi';

import {
  V4L2_BUF_TYPE_VIDEO_CAPTURE,
  V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE,
  V4L2_CAP_DEVICE_CAPS,
  V4L2_CAP_STREAMING,
  V4L2_CAP_VIDEO_CAPTURE,
  V4L2_CAP_VIDEO_CAPTURE_MPLANE,
  V4L2_FIELD_NONE,
  V4L2_MEMORY_MMAP,
  V4L2_PIX_FMT_MJPEG,
  V4L2_PIX_FMT_NV12,
  V4L2_PIX_FMT_NV12M,
  V4L2_PIX_FMT_YUYV,
  V4l2Buffer,
  V4l2Capability,
  V4l2ExportBuffer,
  V4l2FmtDesc,
  V4l2Format,
  V4l2FormatUnion,
  V4l2FrmSizeEnum,
  V4l2PixFormat,
  V4l2PixFormatMplane,
  V4l2Plane,
  V4l2PlanePixFormat,
  V4l2RequestBuffers,
  VIDIOC_DQBUF,
  VIDIOC_ENUM_FMT,
  VIDIOC_ENUM_FRAMESIZES,
  VIDIOC_EXPBUF,
  VIDIOC_G_FMT,
  VIDIOC_QBUF,
  VIDIOC_QUERYBUF,
  VIDIOC_QUERYCAP,
  VIDIOC_REQBUFS,
  VIDIOC_S_FMT,
  VIDIOC_STREAMOFF,
  VIDIOC_STREAMON,
  VIDIOC_TRY_FMT,
} from './bindings.js';
import { fourcc, fourccToString } from './fourcc.js';

// Expected values: reference/rk3568-platform.md §4.3 (gcc + aarch64 gcc, Debian 12 UAPI headers). Values the
// reference does not list (pix_format, plane offsets beyond its table, fmtdesc/frmsizeenum layout,
// VIDIOC_ENUM_FRAMESIZES) were checked here against <linux/videodev2.h> with gcc on x86_64.
describe('V4L2 struct layouts (koffi vs reference §4.3)', () => {
  const offsets = (type: Parameters<typeof koffi.offsetof>[0], members: Record<string, number>): void => {
    for (const [member, offset] of Object.entries(members)) assert.equal(koffi.offsetof(type, member), offset, member);
  };

  it('v4l2_capability: 104 B, capabilities@84, device_caps@88', () => {
    assert.equal(koffi.sizeof(V4l2Capability), 104);
    offsets(V4l2Capability, { driver: 0, card: 16, bus_info: 48, version: 80, capabilities: 84, device_caps: 88 });
  });

  it('v4l2_fmtdesc: 64 B', () => {
    assert.equal(koffi.sizeof(V4l2FmtDesc), 64);
    offsets(V4l2FmtDesc, { flags: 8, description: 12, pixelformat: 44, mbus_code: 48 });
  });

  it('v4l2_format: 208 B, type@0, fmt@8 (200 B union, 8-aligned)', () => {
    assert.equal(koffi.sizeof(V4l2Format), 208);
    assert.equal(koffi.sizeof(V4l2FormatUnion), 200);
    assert.equal(koffi.alignof(V4l2FormatUnion), 8);
    offsets(V4l2Format, { type: 0, fmt: 8 });
  });

  it('v4l2_pix_format (48 B) and v4l2_pix_format_mplane (packed, 192 B) share width/height/pixelformat at 0/4/8', () => {
    assert.equal(koffi.sizeof(V4l2PixFormat), 48);
    offsets(V4l2PixFormat, { width: 0, height: 4, pixelformat: 8, field: 12, bytesperline: 16, sizeimage: 20, flags: 32, xfer_func: 44 });
    assert.equal(koffi.sizeof(V4l2PixFormatMplane), 192);
    assert.equal(koffi.alignof(V4l2PixFormatMplane), 1);
    offsets(V4l2PixFormatMplane, { width: 0, height: 4, pixelformat: 8, field: 12, plane_fmt: 20, num_planes: 180, flags: 181, reserved: 185 });
    assert.equal(koffi.sizeof(V4l2PlanePixFormat), 20);
    offsets(V4l2PlanePixFormat, { sizeimage: 0, bytesperline: 4 });
  });

  it('v4l2_requestbuffers: 20 B', () => {
    assert.equal(koffi.sizeof(V4l2RequestBuffers), 20);
    offsets(V4l2RequestBuffers, { count: 0, type: 4, memory: 8, capabilities: 12, flags: 16 });
  });

  it('v4l2_buffer: 88 B, timestamp@24, sequence@56, memory@60, m@64, length@72, request_fd@80', () => {
    assert.equal(koffi.sizeof(V4l2Buffer), 88);
    offsets(V4l2Buffer, {
      index: 0,
      type: 4,
      bytesused: 8,
      flags: 12,
      field: 16,
      timestamp: 24,
      timecode: 40,
      sequence: 56,
      memory: 60,
      m: 64,
      length: 72,
      reserved2: 76,
      request_fd: 80,
    });
  });

  it('v4l2_plane: 64 B, bytesused@0, length@4, m@8, data_offset@16', () => {
    assert.equal(koffi.sizeof(V4l2Plane), 64);
    offsets(V4l2Plane, { bytesused: 0, length: 4, m: 8, data_offset: 16, reserved: 20 });
  });

  it('v4l2_exportbuffer: 64 B, fd@16; v4l2_frmsizeenum: 44 B', () => {
    assert.equal(koffi.sizeof(V4l2ExportBuffer), 64);
    offsets(V4l2ExportBuffer, { fd: 16 });
    assert.equal(koffi.sizeof(V4l2FrmSizeEnum), 44);
    offsets(V4l2FrmSizeEnum, { type: 8, size: 12, reserved: 36 });
  });
});

describe('V4L2 ioctl numbers and constants', () => {
  it('match reference §4.3', () => {
    assert.equal(VIDIOC_QUERYCAP, 0x80685600);
    assert.equal(VIDIOC_ENUM_FMT, 0xc0405602);
    assert.equal(VIDIOC_G_FMT, 0xc0d05604);
    assert.equal(VIDIOC_S_FMT, 0xc0d05605);
    assert.equal(VIDIOC_TRY_FMT, 0xc0d05640);
    assert.equal(VIDIOC_REQBUFS, 0xc0145608);
    assert.equal(VIDIOC_QUERYBUF, 0xc0585609);
    assert.equal(VIDIOC_QBUF, 0xc058560f);
    assert.equal(VIDIOC_DQBUF, 0xc0585611);
    assert.equal(VIDIOC_EXPBUF, 0xc0405610);
    assert.equal(VIDIOC_STREAMON, 0x40045612);
    assert.equal(VIDIOC_STREAMOFF, 0x40045613);
    // Not in the reference; from <linux/videodev2.h> compiled here.
    assert.equal(VIDIOC_ENUM_FRAMESIZES, 0xc02c564a);
  });

  it('match the uAPI constants of reference §4.1–4.2', () => {
    assert.equal(V4L2_BUF_TYPE_VIDEO_CAPTURE, 1);
    assert.equal(V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE, 9);
    assert.equal(V4L2_MEMORY_MMAP, 1);
    assert.equal(V4L2_FIELD_NONE, 1);
    assert.equal(V4L2_CAP_VIDEO_CAPTURE, 0x1);
    assert.equal(V4L2_CAP_VIDEO_CAPTURE_MPLANE, 0x1000);
    assert.equal(V4L2_CAP_STREAMING, 0x04000000);
    assert.equal(V4L2_CAP_DEVICE_CAPS, 0x80000000);
    // rkisp's caps 0x84201000 = Video Capture Multiplanar | Streaming | Ext Pix Format | Device Caps (§4.1).
    assert.equal(0x84201000 & V4L2_CAP_VIDEO_CAPTURE_MPLANE, V4L2_CAP_VIDEO_CAPTURE_MPLANE);
    assert.equal((0x84201000 & V4L2_CAP_DEVICE_CAPS) >>> 0, V4L2_CAP_DEVICE_CAPS);
  });

  it('packs fourccs like v4l2_fourcc', () => {
    assert.equal(V4L2_PIX_FMT_NV12, 0x3231564e);
    assert.equal(V4L2_PIX_FMT_YUYV, 0x56595559);
    assert.equal(V4L2_PIX_FMT_MJPEG, 0x47504a4d);
    assert.equal(V4L2_PIX_FMT_NV12M, 0x32314d4e);
    assert.equal(fourccToString(0x3231564e), 'NV12');
    assert.equal(fourccToString(fourcc('Y16 ')), 'Y16 ');
    assert.throws(() => fourcc('NV1'), RangeError);
    assert.throws(() => fourcc('NV1\u00e9'), RangeError);
  });
});
