import assert from 'node:assert/strict';
import { constants } from 'node:os';
import { describe, it } from 'node:test';

import koffi from 'koffi';

import { describeErrno, ERRNO, errnoCode, isSystemCallError, NativeLibraryUnavailableError, SystemCallError } from './system-call-error.js';
import type { KnownErrnoCode } from './system-call-error.js';

describe('errno names', () => {
  it('match the numbers Node and koffi report for this platform', () => {
    const nodeErrno = constants.errno as Record<string, number | undefined>;
    const koffiErrno = koffi.os.errno;
    for (const [name, errno] of Object.entries(ERRNO) as Array<[KnownErrnoCode, number]>) {
      assert.equal(nodeErrno[name], errno, `os.constants.errno.${name}`);
      if (koffiErrno[name] !== undefined) assert.equal(koffiErrno[name], errno, `koffi.os.errno.${name}`);
    }
  });

  it('name the common device errors, and fall back for others', () => {
    assert.equal(errnoCode(25), 'ENOTTY');
    assert.equal(errnoCode(22), 'EINVAL');
    assert.equal(errnoCode(16), 'EBUSY');
    assert.equal(errnoCode(19), 'ENODEV');
    assert.equal(errnoCode(2), 'ENOENT');
    assert.equal(errnoCode(13), 'EACCES');
    assert.equal(errnoCode(11), 'EAGAIN');
    assert.equal(errnoCode(5), 'EIO');
    assert.equal(errnoCode(1), 'EPERM');
    assert.equal(errnoCode(12), 'ENOMEM');
    assert.equal(errnoCode(4095), 'EUNKNOWN');
    assert.equal(describeErrno(4095), 'errno 4095');
  });
});

describe('SystemCallError', () => {
  it('names the call, the ioctl, the device and the errno in its message', () => {
    const error = new SystemCallError({ syscall: 'ioctl', errno: 25, request: 'VIDIOC_QUERYCAP', path: '/dev/null' });
    assert.equal(error.name, 'SystemCallError');
    assert.equal(error.code, 'ENOTTY');
    assert.equal(error.errno, 25);
    assert.equal(error.request, 'VIDIOC_QUERYCAP');
    assert.equal(error.message, 'ioctl(VIDIOC_QUERYCAP) on /dev/null failed: ENOTTY (errno 25, inappropriate ioctl for device)');
    assert.ok(error instanceof Error);
  });

  it('adds a hint without losing the original', () => {
    const error = new SystemCallError({ syscall: 'open', errno: 13, path: '/dev/video0' });
    const hinted = error.withHint('add the service user to the video group');
    assert.equal(hinted.code, 'EACCES');
    assert.equal(hinted.cause, error);
    assert.match(hinted.message, /^open on \/dev\/video0 failed: EACCES .*: add the service user to the video group$/);
  });

  it('is recognised by code', () => {
    const error = new SystemCallError({ syscall: 'ioctl', errno: 11, request: 'VIDIOC_DQBUF' });
    assert.ok(isSystemCallError(error));
    assert.ok(isSystemCallError(error, 'EAGAIN', 'EINTR'));
    assert.ok(!isSystemCallError(error, 'EINVAL'));
    assert.ok(!isSystemCallError(new Error('EAGAIN'), 'EAGAIN'));
  });

  it('unavailable libraries say what was tried and why', () => {
    const error = new NativeLibraryUnavailableError('libc', ['libc.so.6'], { cause: new Error('not found') });
    assert.equal(error.message, 'libc is unavailable (tried libc.so.6): not found');
  });
});
