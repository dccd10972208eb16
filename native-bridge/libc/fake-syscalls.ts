// An in-memory stand-in for the system calls: device nodes are JS objects that answer ioctls on the same byte
// buffers the real kernel would see, so the wrappers' struct encoding is exercised without hardware. Every call
// is logged with a copy of the argument bytes as they were passed in.
import { POLLIN, POLLNVAL } from './bindings.js';
import { checkCopyRange } from './syscalls.js';
import type { MappedRegion, MmapRequest, Syscalls } from './syscalls.js';
import { ERRNO, SystemCallError } from './system-call-error.js';
import type { KnownErrnoCode } from './system-call-error.js';

/** Thrown by a fake device to fail the current call with an errno, like a kernel handler returning `-EINVAL`. */
export class FakeErrno extends Error {
  override readonly name = 'FakeErrno';
  /** Positive errno number. */
  readonly errno: number;

  constructor(readonly code: KnownErrnoCode) {
    super(code);
    this.errno = ERRNO[code];
  }
}

/** What a fake device can do besides answering: open further descriptors (a GPIO line handle, for instance). */
export interface FakeIoctlContext {
  /** Path of the node the fd was opened from. */
  readonly path: string;
  /** Registers `device` under a new fd and returns the fd. */
  openFd(device: FakeDevice, path?: string): number;
}

/** A fake kernel object behind an fd. Methods throw FakeErrno to fail. */
export interface FakeDevice {
  /** Handles one ioctl; reads and writes `arg` in place; returns the ioctl result (normally 0). */
  ioctl(request: number, arg: Buffer, context: FakeIoctlContext): number;
  /** Returns the bytes backing `mmap(length, offset)`. Without it mmap fails with ENODEV. */
  mmap?(lengthBytes: number, offsetBytes: number): Buffer;
  /**
   * Fills `buffer` from the front and returns the bytes written, like a kernel read handler. Without it read fails
   * with EINVAL (as for a file not open for reading). A device with nothing to read throws FakeErrno EAGAIN: a
   * fake cannot block, so callers poll first, as they must with the real one.
   */
  read?(buffer: Buffer): number;
  /** Resolves revents. Without it, poll reports the fd readable at once. */
  poll?(events: number, timeoutMs: number): Promise<number>;
  /** Called when the last fd to the device is closed. */
  close?(): void;
}

/** One logged call. `arg` is a copy of the ioctl argument as the caller passed it (before the device wrote to it). */
export interface FakeSyscallRecord {
  syscall: 'open' | 'close' | 'read' | 'ioctl' | 'mmap' | 'munmap' | 'poll';
  fd?: number;
  path?: string;
  /** open flags. */
  flags?: number;
  /** ioctl request number and C name. */
  request?: number;
  requestName?: string;
  arg?: Buffer;
  /** errno when the call failed. */
  errno?: number;
}

/** Fake system calls over registered device nodes. Descriptors are never reused, so stale-fd bugs show up. */
export class FakeSyscalls implements Syscalls {
  /** Every call, in order. */
  readonly log: FakeSyscallRecord[] = [];
  private readonly nodes = new Map<string, (flags: number) => FakeDevice>();
  private readonly fds = new Map<number, { device: FakeDevice; path: string }>();
  private nextFd = 3;

  /** Makes `path` openable; `openDevice` runs on each open() and may throw FakeErrno (e.g. EACCES, EBUSY). */
  addNode(path: string, openDevice: (flags: number) => FakeDevice): this {
    this.nodes.set(path, openDevice);
    return this;
  }

  /** Descriptors currently open, ascending. */
  openFds(): number[] {
    return [...this.fds.keys()].sort((a, b) => a - b);
  }

  /** Path an open fd refers to. */
  pathOf(fd: number): string | undefined {
    return this.fds.get(fd)?.path;
  }

  /** Logged ioctls with the given C name. */
  ioctls(requestName: string): FakeSyscallRecord[] {
    return this.log.filter((record) => record.syscall === 'ioctl' && record.requestName === requestName);
  }

  open(path: string, flags: number): number {
    const openDevice = this.nodes.get(path);
    if (openDevice === undefined) {
      this.log.push({ syscall: 'open', path, flags, errno: ERRNO.ENOENT });
      throw new SystemCallError({ syscall: 'open', errno: ERRNO.ENOENT, path });
    }
    let device: FakeDevice;
    try {
      device = openDevice(flags);
    } catch (error) {
      if (!(error instanceof FakeErrno)) throw error;
      this.log.push({ syscall: 'open', path, flags, errno: error.errno });
      throw new SystemCallError({ syscall: 'open', errno: error.errno, path });
    }
    const fd = this.register(device, path);
    this.log.push({ syscall: 'open', path, flags, fd });
    return fd;
  }

  close(fd: number, path?: string): void {
    const entry = this.fds.get(fd);
    this.log.push({ syscall: 'close', fd, path: entry?.path ?? path });
    if (entry === undefined) throw new SystemCallError({ syscall: 'close', errno: ERRNO.EBADF, path });
    this.fds.delete(fd);
    entry.device.close?.();
  }

  read(fd: number, buffer: Uint8Array, path?: string): number {
    const entry = this.fds.get(fd);
    const record: FakeSyscallRecord = { syscall: 'read', fd, path: entry?.path ?? path };
    this.log.push(record);
    const fail = (errno: number): never => {
      record.errno = errno;
      throw new SystemCallError({ syscall: 'read', errno, path: path ?? entry?.path });
    };
    if (entry === undefined) return fail(ERRNO.EBADF);
    if (entry.device.read === undefined) return fail(ERRNO.EINVAL);
    try {
      return entry.device.read(Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength));
    } catch (error) {
      if (!(error instanceof FakeErrno)) throw error;
      return fail(error.errno);
    }
  }

  ioctl(fd: number, request: number, arg: Uint8Array, requestName: string, path?: string): number {
    const entry = this.fds.get(fd);
    const record: FakeSyscallRecord = { syscall: 'ioctl', fd, path: entry?.path ?? path, request, requestName, arg: Buffer.from(arg) };
    this.log.push(record);
    if (entry === undefined) {
      record.errno = ERRNO.EBADF;
      throw new SystemCallError({ syscall: 'ioctl', errno: ERRNO.EBADF, request: requestName, path });
    }
    const view = Buffer.from(arg.buffer, arg.byteOffset, arg.byteLength);
    const context: FakeIoctlContext = { path: entry.path, openFd: (device, devicePath) => this.register(device, devicePath ?? entry.path) };
    try {
      return entry.device.ioctl(request, view, context);
    } catch (error) {
      if (!(error instanceof FakeErrno)) throw error;
      record.errno = error.errno;
      throw new SystemCallError({ syscall: 'ioctl', errno: error.errno, request: requestName, path: path ?? entry.path });
    }
  }

  mmap(request: MmapRequest): MappedRegion {
    const entry = this.fds.get(request.fd);
    const record: FakeSyscallRecord = { syscall: 'mmap', fd: request.fd, path: entry?.path ?? request.path };
    this.log.push(record);
    const fail = (code: KnownErrnoCode): never => {
      record.errno = ERRNO[code];
      throw new SystemCallError({ syscall: 'mmap', errno: ERRNO[code], path: request.path });
    };
    if (entry === undefined) return fail('EBADF');
    if (entry.device.mmap === undefined) return fail('ENODEV');
    let backing: Buffer;
    try {
      backing = entry.device.mmap(request.lengthBytes, request.offsetBytes);
    } catch (error) {
      if (!(error instanceof FakeErrno)) throw error;
      return fail(error.code);
    }
    return new FakeMappedRegion(backing, request.lengthBytes, () => this.log.push({ syscall: 'munmap', path: entry.path }));
  }

  poll(fd: number, events: number, timeoutMs: number, path?: string): Promise<number> {
    const entry = this.fds.get(fd);
    this.log.push({ syscall: 'poll', fd, path: entry?.path ?? path });
    // Like the kernel: polling a closed descriptor reports POLLNVAL rather than failing.
    if (entry === undefined) return Promise.resolve(POLLNVAL);
    return entry.device.poll?.(events, timeoutMs) ?? Promise.resolve(events & POLLIN);
  }

  private register(device: FakeDevice, path: string): number {
    const fd = this.nextFd;
    this.nextFd += 1;
    this.fds.set(fd, { device, path });
    return fd;
  }
}

class FakeMappedRegion implements MappedRegion {
  private mapped = true;

  constructor(
    private readonly backing: Buffer,
    readonly lengthBytes: number,
    private readonly onUnmap: () => void,
  ) {}

  copyTo(target: Uint8Array, targetOffsetBytes: number, sourceOffsetBytes: number, lengthBytes: number): void {
    if (!this.mapped) throw new Error('mapping was already unmapped');
    checkCopyRange(Math.min(this.lengthBytes, this.backing.byteLength), target.byteLength, targetOffsetBytes, sourceOffsetBytes, lengthBytes);
    target.set(this.backing.subarray(sourceOffsetBytes, sourceOffsetBytes + lengthBytes), targetOffsetBytes);
  }

  unmap(): void {
    if (!this.mapped) return;
    this.mapped = false;
    this.onUnmap();
  }
}
