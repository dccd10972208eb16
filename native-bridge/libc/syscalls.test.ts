// These tests make real system calls through koffi: they need Linux and a C library, nothing else.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import koffi from 'koffi';

import { LibcPollFd, O_CLOEXEC, O_NONBLOCK, O_RDONLY, O_RDWR, POLLIN, POLLNVAL, PROT_READ } from './bindings.js';
import { FakeErrno, FakeSyscalls } from './fake-syscalls.js';
import { _IOR } from './ioctl-number.js';
import { openLibc } from './syscalls.js';
import { SystemCallError } from './system-call-error.js';

/** FIONREAD (asm-generic 0x541B): bytes left to read; Linux answers it for regular files, which makes it a safe probe. */
const FIONREAD = 0x541b;

describe('libc syscalls (real, through koffi)', () => {
  const libc = openLibc();
  let dir = '';
  let file = '';
  const content = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 7) & 0xff));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lintel-libc-'));
    file = join(dir, 'data.bin');
    await writeFile(file, content);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('declares struct pollfd as 8 bytes', () => {
    assert.equal(koffi.sizeof(LibcPollFd), 8);
    assert.equal(koffi.offsetof(LibcPollFd, 'revents'), 6);
  });

  it('open of a missing file is a typed ENOENT', () => {
    const path = join(dir, 'missing');
    assert.throws(
      () => libc.open(path, O_RDWR | O_CLOEXEC),
      (error: unknown) => error instanceof SystemCallError && error.code === 'ENOENT' && error.syscall === 'open' && error.path === path,
    );
  });

  it('an ioctl a device does not know is a typed ENOTTY naming the request', () => {
    assert.ok(existsSync('/dev/null'));
    const fd = libc.open('/dev/null', O_RDWR | O_NONBLOCK | O_CLOEXEC);
    try {
      assert.throws(
        () => libc.ioctl(fd, _IOR('V', 0, 104), Buffer.alloc(104), 'VIDIOC_QUERYCAP', '/dev/null'),
        (error: unknown) =>
          error instanceof SystemCallError && error.code === 'ENOTTY' && error.errno === 25 && error.request === 'VIDIOC_QUERYCAP',
      );
    } finally {
      libc.close(fd);
    }
  });

  it('passes the ioctl argument by pointer: the kernel writes into the Buffer', () => {
    const fd = libc.open(file, O_RDONLY | O_CLOEXEC);
    try {
      const count = Buffer.alloc(4);
      assert.equal(libc.ioctl(fd, FIONREAD, count, 'FIONREAD', file), 0);
      assert.equal(count.readInt32LE(0), content.length);
    } finally {
      libc.close(fd);
    }
  });

  it('maps a file and copies bytes out at offsets into a JS Buffer', () => {
    const fd = libc.open(file, O_RDONLY | O_CLOEXEC);
    try {
      const region = libc.mmap({ fd, lengthBytes: content.length, offsetBytes: 0, prot: PROT_READ, path: file });
      const target = Buffer.alloc(100, 0xee);
      region.copyTo(target, 10, 4096, 50);
      assert.deepEqual(target.subarray(10, 60), content.subarray(4096, 4146));
      assert.equal(target[9], 0xee);
      assert.equal(target[60], 0xee);
      assert.throws(() => region.copyTo(target, 0, content.length - 10, 20), RangeError);
      assert.throws(() => region.copyTo(target, 90, 0, 20), RangeError);
      region.unmap();
      region.unmap();
      assert.throws(() => region.copyTo(target, 0, 0, 1), /unmapped/);
    } finally {
      libc.close(fd);
    }
  });

  it('reads into a Buffer (a subarray at its offset), 0 at the end, typed errors', () => {
    const fd = libc.open(file, O_RDONLY | O_CLOEXEC);
    try {
      const target = Buffer.alloc(64, 0xee);
      assert.equal(libc.read(fd, target.subarray(8, 40), file), 32);
      assert.deepEqual(target.subarray(8, 40), content.subarray(0, 32));
      assert.equal(target[7], 0xee);
      assert.equal(target[40], 0xee);
      const rest = Buffer.alloc(content.length);
      assert.equal(libc.read(fd, rest, file), content.length - 32);
      assert.equal(libc.read(fd, rest, file), 0);
    } finally {
      libc.close(fd);
    }
    assert.throws(() => libc.read(1_000_000, Buffer.alloc(4)), (error: unknown) => error instanceof SystemCallError && error.code === 'EBADF' && error.syscall === 'read');
    // A descriptor open for writing only: the kernel's errno reaches the error with the path.
    const writeOnly = libc.open('/dev/null', 0o1 | O_CLOEXEC);
    try {
      assert.throws(() => libc.read(writeOnly, Buffer.alloc(4), '/dev/null'), (error: unknown) => error instanceof SystemCallError && error.code === 'EBADF' && error.path === '/dev/null');
    } finally {
      libc.close(writeOnly);
    }
  });

  it('mmap and close of a bad descriptor are typed EBADF', () => {
    assert.throws(() => libc.mmap({ fd: 1_000_000, lengthBytes: 4096, offsetBytes: 0 }), (error: unknown) => error instanceof SystemCallError && error.code === 'EBADF' && error.syscall === 'mmap');
    assert.throws(() => libc.close(1_000_000), (error: unknown) => error instanceof SystemCallError && error.code === 'EBADF');
  });

  it('polls off the JS thread: a regular file is readable, a closed fd is POLLNVAL', async () => {
    const fd = libc.open(file, O_RDONLY | O_CLOEXEC);
    try {
      assert.equal((await libc.poll(fd, POLLIN, 1000)) & POLLIN, POLLIN);
      assert.equal(libc.pollNow(fd, POLLIN) & POLLIN, POLLIN);
    } finally {
      libc.close(fd);
    }
    assert.equal((await libc.poll(fd, POLLIN, 10)) & POLLNVAL, POLLNVAL);
  });
});

describe('FakeSyscalls', () => {
  it('fails like the kernel: ENOENT for unknown nodes, the device errno for ioctls, EBADF after close', () => {
    const sys = new FakeSyscalls().addNode('/dev/fake', () => ({
      ioctl: () => {
        throw new FakeErrno('ENOTTY');
      },
    }));
    assert.throws(() => sys.open('/dev/none', O_RDWR), (error: unknown) => error instanceof SystemCallError && error.code === 'ENOENT');
    const fd = sys.open('/dev/fake', O_RDWR);
    assert.throws(() => sys.ioctl(fd, 1, Buffer.alloc(4), 'TEST'), (error: unknown) => error instanceof SystemCallError && error.code === 'ENOTTY' && error.path === '/dev/fake');
    sys.close(fd);
    assert.deepEqual(sys.openFds(), []);
    assert.throws(() => sys.ioctl(fd, 1, Buffer.alloc(4), 'TEST'), (error: unknown) => error instanceof SystemCallError && error.code === 'EBADF');
  });

  it('reads through the device into the caller\'s Buffer, EINVAL for devices that cannot be read, the device errno otherwise', () => {
    let queued = [Buffer.from('abc')];
    const sys = new FakeSyscalls()
      .addNode('/dev/reader', () => ({
        ioctl: () => 0,
        read: (buffer) => {
          const next = queued.shift();
          if (next === undefined) throw new FakeErrno('EAGAIN');
          return next.copy(buffer);
        },
      }))
      .addNode('/dev/writer', () => ({ ioctl: () => 0 }));
    const fd = sys.open('/dev/reader', O_RDONLY);
    const target = Buffer.alloc(8);
    assert.equal(sys.read(fd, target.subarray(2)), 3);
    assert.equal(target.subarray(2, 5).toString(), 'abc');
    assert.throws(() => sys.read(fd, target), (error: unknown) => error instanceof SystemCallError && error.code === 'EAGAIN' && error.syscall === 'read');
    queued = [];
    const writer = sys.open('/dev/writer', O_RDWR);
    assert.throws(() => sys.read(writer, target), (error: unknown) => error instanceof SystemCallError && error.code === 'EINVAL');
    sys.close(fd);
    assert.throws(() => sys.read(fd, target), (error: unknown) => error instanceof SystemCallError && error.code === 'EBADF');
  });
});
