import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { _IO, _IOR, _IOW, _IOWR, decodeIoc, ioc, IOC_READ, IOC_WRITE } from './ioctl-number.js';

// Request numbers and argument sizes exactly as listed in reference/rk3568-platform.md §4.3 and §5.1 (the same on
// arm64 and x86_64). The structs' own sizes are asserted against koffi in v4l2/ and gpio/.
describe('ioc encoder', () => {
  it('reproduces the V4L2 request numbers of reference §4.3', () => {
    assert.equal(_IOR('V', 0, 104), 0x80685600); // VIDIOC_QUERYCAP
    assert.equal(_IOWR('V', 2, 64), 0xc0405602); // VIDIOC_ENUM_FMT
    assert.equal(_IOWR('V', 4, 208), 0xc0d05604); // VIDIOC_G_FMT
    assert.equal(_IOWR('V', 5, 208), 0xc0d05605); // VIDIOC_S_FMT
    assert.equal(_IOWR('V', 64, 208), 0xc0d05640); // VIDIOC_TRY_FMT
    assert.equal(_IOWR('V', 8, 20), 0xc0145608); // VIDIOC_REQBUFS
    assert.equal(_IOWR('V', 9, 88), 0xc0585609); // VIDIOC_QUERYBUF
    assert.equal(_IOWR('V', 15, 88), 0xc058560f); // VIDIOC_QBUF
    assert.equal(_IOWR('V', 17, 88), 0xc0585611); // VIDIOC_DQBUF
    assert.equal(_IOWR('V', 16, 64), 0xc0405610); // VIDIOC_EXPBUF
    assert.equal(_IOW('V', 18, 4), 0x40045612); // VIDIOC_STREAMON
    assert.equal(_IOW('V', 19, 4), 0x40045613); // VIDIOC_STREAMOFF
    assert.equal(_IOWR('V', 21, 204), 0xc0cc5615); // VIDIOC_G_PARM
    assert.equal(_IOWR('V', 22, 204), 0xc0cc5616); // VIDIOC_S_PARM
  });

  it('reproduces the GPIO request numbers of reference §5.1', () => {
    assert.equal(_IOR(0xb4, 0x01, 68), 0x8044b401); // GPIO_GET_CHIPINFO_IOCTL
    assert.equal(_IOWR(0xb4, 0x02, 72), 0xc048b402); // GPIO_GET_LINEINFO_IOCTL
    assert.equal(_IOWR(0xb4, 0x03, 364), 0xc16cb403); // GPIO_GET_LINEHANDLE_IOCTL
    assert.equal(_IOWR(0xb4, 0x08, 64), 0xc040b408); // GPIOHANDLE_GET_LINE_VALUES_IOCTL
    assert.equal(_IOWR(0xb4, 0x09, 64), 0xc040b409); // GPIOHANDLE_SET_LINE_VALUES_IOCTL
    assert.equal(_IOWR(0xb4, 0x05, 256), 0xc100b405); // GPIO_V2_GET_LINEINFO_IOCTL
    assert.equal(_IOWR(0xb4, 0x07, 592), 0xc250b407); // GPIO_V2_GET_LINE_IOCTL
    assert.equal(_IOWR(0xb4, 0x0d, 272), 0xc110b40d); // GPIO_V2_LINE_SET_CONFIG_IOCTL
    assert.equal(_IOWR(0xb4, 0x0e, 16), 0xc010b40e); // GPIO_V2_LINE_GET_VALUES_IOCTL
    assert.equal(_IOWR(0xb4, 0x0f, 16), 0xc010b40f); // GPIO_V2_LINE_SET_VALUES_IOCTL
  });

  it('gives unsigned numbers, also with both direction bits set', () => {
    const request = ioc(IOC_READ | IOC_WRITE, 0xff, 0xff, 0x3fff);
    assert.equal(request, 0xffffffff);
    assert.ok(request > 0);
    assert.equal(_IO('V', 1), 0x5601);
  });

  it('decodes a request back into its fields', () => {
    assert.deepEqual(decodeIoc(0xc250b407), { dir: IOC_READ | IOC_WRITE, type: 0xb4, nr: 7, sizeBytes: 592 });
    assert.deepEqual(decodeIoc(0x40045612), { dir: IOC_WRITE, type: 0x56, nr: 18, sizeBytes: 4 });
  });

  it('refuses fields that do not fit', () => {
    assert.throws(() => _IOWR('V', 5, 16384), RangeError);
    assert.throws(() => _IOWR('V', 256, 4), RangeError);
    assert.throws(() => _IOWR('VV', 1, 4), RangeError);
    assert.throws(() => ioc(4, 'V', 1, 4), RangeError);
    assert.throws(() => _IOR('V', 1.5, 4), RangeError);
  });
});
