// The system calls the V4L2 and GPIO wrappers make, behind one small interface: the real implementation checks
// every return code and reads errno into a SystemCallError; fake-syscalls.ts implements the same interface for
// tests and for machines without the hardware.
import koffi from 'koffi';

import { LIBC_FILE_NAMES, LibcPollFd, loadLibcBindings, MAP_SHARED, PROT_READ, PROT_WRITE } from './bindings.js';
import type { LibcBindings } from './bindings.js';
import { ERRNO, NativeLibraryUnavailableError, SystemCallError } from './system-call-error.js';

/** Arguments of `mmap(NULL, lengthBytes, prot, flags, fd, offsetBytes)`. */
export interface MmapRequest {
  fd: number;
  /** Bytes to map (a V4L2 buffer's `length`). */
  lengthBytes: number;
  /** Offset into the device, as the driver gave it (V4L2 `m.offset` / `m.mem_offset`). */
  offsetBytes: number;
  /** PROT_* bits. Default PROT_READ | PROT_WRITE, as V4L2 capture code does (reference §4.2 step 6). */
  prot?: number;
  /** MAP_* bits. Default MAP_SHARED. */
  flags?: number;
  /** Device path, for error messages. */
  path?: string;
}

/**
 * A region mapped with mmap. Bytes are only ever copied out into JS-owned Buffers: wrapping native memory in an
 * external ArrayBuffer (`koffi.view`) throws inside Electron's V8 memory cage (reference §0.7, §4.4).
 */
export interface MappedRegion {
  /** Mapped length in bytes. */
  readonly lengthBytes: number;
  /** Copies `lengthBytes` bytes starting `sourceOffsetBytes` into the mapping into `target` at `targetOffsetBytes`. */
  copyTo(target: Uint8Array, targetOffsetBytes: number, sourceOffsetBytes: number, lengthBytes: number): void;
  /** munmap; idempotent. */
  unmap(): void;
}

/**
 * The system calls the device wrappers use. Every method throws SystemCallError on failure (never returns -1).
 * Implemented by LibcSyscalls (real, via koffi) and FakeSyscalls (tests).
 */
export interface Syscalls {
  /** open(2); returns the file descriptor. */
  open(path: string, flags: number): number;
  /** close(2). */
  close(fd: number, path?: string): void;
  /**
   * read(2) into `buffer` (up to its length). Retries on EINTR. Blocks when the fd has nothing to read and is not
   * O_NONBLOCK: poll first. EAGAIN (O_NONBLOCK, nothing to read) is a SystemCallError like any other.
   * @returns the bytes read (0 at end of file).
   */
  read(fd: number, buffer: Uint8Array, path?: string): number;
  /**
   * ioctl(2) with a pointer argument: the kernel reads and writes `arg` in place. Retries on EINTR.
   * @param requestName C name of the request (e.g. `VIDIOC_QUERYCAP`), for the error message.
   * @returns the ioctl's non-negative result.
   */
  ioctl(fd: number, request: number, arg: Uint8Array, requestName: string, path?: string): number;
  /** mmap(2) of a device region. */
  mmap(request: MmapRequest): MappedRegion;
  /**
   * poll(2) on one fd without blocking the JS thread.
   * @param events POLL* bits to wait for.
   * @param timeoutMs how long to wait, in milliseconds (0 = just check).
   * @returns `revents`, or 0 when the wait ended without an event (timeout, or a signal interrupted it).
   */
  poll(fd: number, events: number, timeoutMs: number, path?: string): Promise<number>;
}

const MAP_FAILED = 0xffff_ffff_ffff_ffffn;

/** The real system calls, through koffi and the C library. Create with `openLibc()`. */
export class LibcSyscalls implements Syscalls {
  constructor(private readonly libc: LibcBindings) {}

  /** Library file in use, e.g. `libc.so.6`. */
  get libraryName(): string {
    return this.libc.libraryName;
  }

  /** This thread's errno. Read it straight after the failing call, before anything else can overwrite it. */
  errno(): number {
    return koffi.decode(this.libc.errnoLocation(), 'int') as number;
  }

  open(path: string, flags: number): number {
    for (;;) {
      const fd = this.libc.open(path, flags);
      if (fd >= 0) return fd;
      const errno = this.errno();
      if (errno !== ERRNO.EINTR) throw new SystemCallError({ syscall: 'open', errno, path });
    }
  }

  close(fd: number, path?: string): void {
    // No EINTR retry: on Linux the fd is released even when close reports EINTR, and retrying could close a
    // descriptor another open() has just been given.
    if (this.libc.close(fd) !== 0) throw new SystemCallError({ syscall: 'close', errno: this.errno(), path });
  }

  read(fd: number, buffer: Uint8Array, path?: string): number {
    for (;;) {
      const result = this.libc.read(fd, buffer, buffer.byteLength);
      if (result >= 0) return result;
      const errno = this.errno();
      if (errno !== ERRNO.EINTR) throw new SystemCallError({ syscall: 'read', errno, path });
    }
  }

  ioctl(fd: number, request: number, arg: Uint8Array, requestName: string, path?: string): number {
    // EINTR retry as in the V4L2 spec's capture example (`xioctl`).
    for (;;) {
      const result = this.libc.ioctlPointer(fd, request, arg);
      if (result >= 0) return result;
      const errno = this.errno();
      if (errno !== ERRNO.EINTR) throw new SystemCallError({ syscall: 'ioctl', errno, request: requestName, path });
    }
  }

  mmap(request: MmapRequest): MappedRegion {
    const { fd, lengthBytes, offsetBytes, prot = PROT_READ | PROT_WRITE, flags = MAP_SHARED, path } = request;
    const pointer = this.libc.mmap(null, lengthBytes, prot, flags, fd, offsetBytes);
    const address = koffi.address(pointer);
    if (address === MAP_FAILED) throw new SystemCallError({ syscall: 'mmap', errno: this.errno(), path });
    return new LibcMappedRegion(this, this.libc, pointer, address, lengthBytes, path);
  }

  poll(fd: number, events: number, timeoutMs: number, path?: string): Promise<number> {
    const timeout = Math.max(0, Math.min(Math.ceil(timeoutMs), 2 ** 31 - 1));
    // The pollfd lives in koffi-owned native memory, freed only when the call returns: the wait runs on a worker
    // thread and may outlive the caller's interest (a camera closed mid-wait), so it cannot borrow JS memory.
    const pollFd = koffi.alloc(LibcPollFd, 1);
    koffi.encode(pollFd, LibcPollFd, { fd, events, revents: 0 });
    return new Promise<number>((resolve, reject) => {
      const onDone = (error: unknown, result: number): void => {
        try {
          if (error !== null && error !== undefined) {
            reject(error instanceof Error ? error : new Error(String(error)));
          } else if (result > 0) {
            resolve((koffi.decode(pollFd, LibcPollFd) as { revents: number }).revents);
          } else if (result === 0) {
            resolve(0);
          } else {
            // errno belongs to the worker thread that ran poll, so it is not readable here. Ask again without
            // waiting on this thread: a persistent failure (EBADF, EFAULT…) shows up with its errno, a one-off
            // EINTR does not and reads as "no event yet", which callers already loop on.
            resolve(this.pollNow(fd, events, path));
          }
        } catch (caught) {
          reject(caught instanceof Error ? caught : new Error(String(caught)));
        } finally {
          koffi.free(pollFd);
        }
      };
      try {
        this.libc.poll.async(pollFd, 1, timeout, onDone);
      } catch (error) {
        // Not started (e.g. koffi's async call limit): nothing else will free the pollfd.
        koffi.free(pollFd);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** poll(2) with a zero timeout on the JS thread: returns revents (0 = nothing pending). */
  pollNow(fd: number, events: number, path?: string): number {
    const pollFd = Buffer.alloc(koffi.sizeof(LibcPollFd));
    koffi.encode(pollFd, 0, LibcPollFd, { fd, events, revents: 0 });
    const result = this.libc.poll(pollFd, 1, 0) as number;
    if (result < 0) {
      const errno = this.errno();
      if (errno === ERRNO.EINTR) return 0;
      throw new SystemCallError({ syscall: 'poll', errno, path });
    }
    return result === 0 ? 0 : (koffi.decode(pollFd, LibcPollFd) as { revents: number }).revents;
  }
}

class LibcMappedRegion implements MappedRegion {
  private mapped = true;

  constructor(
    private readonly owner: LibcSyscalls,
    private readonly libc: LibcBindings,
    private readonly pointer: unknown,
    private readonly address: bigint,
    readonly lengthBytes: number,
    private readonly path: string | undefined,
  ) {}

  copyTo(target: Uint8Array, targetOffsetBytes: number, sourceOffsetBytes: number, lengthBytes: number): void {
    if (!this.mapped) throw new Error(`mapping of ${this.path ?? 'device'} was already unmapped`);
    checkCopyRange(this.lengthBytes, target.byteLength, targetOffsetBytes, sourceOffsetBytes, lengthBytes);
    if (lengthBytes === 0) return;
    // A subarray is passed as a pointer to its first byte, so the target offset costs nothing.
    this.libc.memcpyFromAddress(target.subarray(targetOffsetBytes), this.address + BigInt(sourceOffsetBytes), lengthBytes);
  }

  unmap(): void {
    if (!this.mapped) return;
    this.mapped = false;
    if (this.libc.munmap(this.pointer, this.lengthBytes) !== 0) {
      throw new SystemCallError({ syscall: 'munmap', errno: this.owner.errno(), path: this.path });
    }
  }
}

/** Throws a RangeError unless both the source and the target hold the bytes to copy. */
export function checkCopyRange(
  sourceLengthBytes: number,
  targetLengthBytes: number,
  targetOffsetBytes: number,
  sourceOffsetBytes: number,
  lengthBytes: number,
): void {
  const ok = [targetOffsetBytes, sourceOffsetBytes, lengthBytes].every((value) => Number.isInteger(value) && value >= 0);
  if (!ok || sourceOffsetBytes + lengthBytes > sourceLengthBytes || targetOffsetBytes + lengthBytes > targetLengthBytes) {
    throw new RangeError(
      `copy of ${lengthBytes} B from offset ${sourceOffsetBytes} of a ${sourceLengthBytes} B mapping ` +
        `to offset ${targetOffsetBytes} of a ${targetLengthBytes} B buffer is out of range`,
    );
  }
}

/**
 * Loads the C library and returns the real system calls. Nothing is loaded until this is called.
 * @throws NativeLibraryUnavailableError when no C library can be loaded (e.g. not Linux): treat as "unavailable".
 */
export function openLibc(): LibcSyscalls {
  try {
    return new LibcSyscalls(loadLibcBindings());
  } catch (error) {
    throw new NativeLibraryUnavailableError('libc', LIBC_FILE_NAMES, { cause: error });
  }
}
