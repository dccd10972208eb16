// koffi declarations for the few C library functions the device wrappers need: open/close/ioctl for V4L2 and
// the GPIO character device, mmap/munmap/memcpy for capture buffers, poll for waiting on frames, read for GPIO
// line events, and errno.
// Declarations only: syscalls.ts checks return codes and turns them into SystemCallError.
import koffi from 'koffi';

/** `struct pollfd` (<poll.h>): `{ int fd; short events; short revents; }`, 8 bytes on every Linux ABI. */
export const LibcPollFd = koffi.struct('lintel_libc_pollfd', {
  fd: 'int',
  events: 'short',
  revents: 'short',
});

// open(2) flags: asm-generic values, identical on x86_64 and arm64 (reference §4.2 step 1; O_DIRECTORY is the
// one that differs between the two, and Lintel does not use it).
/** open(2): read only. */
export const O_RDONLY = 0;
/** open(2): read and write. */
export const O_RDWR = 0o2;
/** open(2): non-blocking; VIDIOC_DQBUF then fails with EAGAIN instead of sleeping (reference §4.2 step 9). */
export const O_NONBLOCK = 0o4000;
/** open(2): close on exec, so child processes (GStreamer, ffmpeg) do not inherit device handles. */
export const O_CLOEXEC = 0o2000000;

/** mmap(2) protection: readable. */
export const PROT_READ = 0x1;
/** mmap(2) protection: writable. */
export const PROT_WRITE = 0x2;
/** mmap(2): share the mapping with the driver (V4L2 MMAP buffers must be shared). */
export const MAP_SHARED = 0x01;

/** poll(2): data to read (a filled capture buffer for V4L2). */
export const POLLIN = 0x001;
/** poll(2): exceptional condition (V4L2 events). */
export const POLLPRI = 0x002;
/** poll(2): error (V4L2: not streaming, or the queue failed). */
export const POLLERR = 0x008;
/** poll(2): hung up (device unplugged). */
export const POLLHUP = 0x010;
/** poll(2): fd not open. */
export const POLLNVAL = 0x020;

/** The C library functions, as koffi functions. Calls are synchronous unless `.async` is used. */
export interface LibcBindings {
  /** Library file that was loaded, e.g. `libc.so.6`. */
  readonly libraryName: string;
  /** `int open(const char *pathname, int flags, ...)`, called without the optional mode. */
  readonly open: (pathname: string, flags: number) => number;
  /** `int close(int fd)`. */
  readonly close: (fd: number) => number;
  /** `ssize_t read(int fd, void *buf, size_t count)`: the kernel writes into `buf` in place. */
  readonly read: (fd: number, buf: Uint8Array, countBytes: number) => number;
  /** `int ioctl(int fd, unsigned long request, ...)` with one pointer argument; `arg` is read and written in place. */
  readonly ioctlPointer: (fd: number, request: number, arg: Uint8Array) => number;
  /** `void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)`; MAP_FAILED is all ones. */
  readonly mmap: (addr: null, lengthBytes: number, prot: number, flags: number, fd: number, offsetBytes: number) => unknown;
  /** `int munmap(void *addr, size_t length)`. */
  readonly munmap: (addr: unknown, lengthBytes: number) => number;
  /** `void *memcpy(void *dest, const void *src, size_t n)` with `src` given as an address, so offsets into a mapping work. */
  readonly memcpyFromAddress: (dest: Uint8Array, srcAddress: bigint, lengthBytes: number) => unknown;
  /** `int poll(struct pollfd *fds, nfds_t nfds, int timeout)`; use `.async` to wait off the JS thread. */
  readonly poll: koffi.KoffiFunc<(fds: unknown, nfds: number, timeoutMs: number) => number>;
  /** `int *__errno_location(void)`: this thread's errno (glibc and musl both export it). */
  readonly errnoLocation: () => unknown;
}

/** File names tried in order: glibc (Forlinx Buildroot/Debian), then musl, which answers to `libc.so`. */
export const LIBC_FILE_NAMES = ['libc.so.6', 'libc.so'] as const;

/**
 * Loads the C library and declares its functions. Throws whatever koffi throws when no file loads; the wrapper
 * (syscalls.ts) turns that into NativeLibraryUnavailableError.
 */
export function loadLibcBindings(): LibcBindings {
  const failures: unknown[] = [];
  for (const libraryName of LIBC_FILE_NAMES) {
    let lib: koffi.IKoffiLib;
    try {
      lib = koffi.load(libraryName);
    } catch (error) {
      failures.push(error);
      continue;
    }
    // ioctl and open are variadic in C. Declaring them variadic and passing the pointer as a typed extra argument
    // is correct on every ABI; a fixed `(int, unsigned long, void *)` prototype happens to work on glibc
    // aarch64/x86_64 but is technically wrong on x86_64 (reference §4.4). Variadic functions cannot be `.async`,
    // which is fine: with O_NONBLOCK no ioctl here blocks, and poll (not variadic) does the waiting.
    const ioctl = lib.func('int ioctl(int fd, unsigned long request, ...)');
    const open = lib.func('int open(const char *pathname, int flags, ...)');
    return {
      libraryName,
      open: (pathname, flags) => open(pathname, flags) as number,
      close: lib.func('int close(int fd)') as (fd: number) => number,
      // ssize_t is `long` on LP64 Linux (aarch64, x86_64).
      read: lib.func('long read(int fd, void *buf, unsigned long count)') as (fd: number, buf: Uint8Array, countBytes: number) => number,
      ioctlPointer: (fd, request, arg) => ioctl(fd, request, 'void *', arg) as number,
      // off_t is `long` on LP64 Linux (aarch64, x86_64): 64-bit offsets, as V4L2 buffer offsets need.
      mmap: lib.func('void *mmap(void *addr, size_t length, int prot, int flags, int fd, long offset)'),
      munmap: lib.func('int munmap(void *addr, size_t length)') as (addr: unknown, lengthBytes: number) => number,
      memcpyFromAddress: lib.func('void *memcpy(void *dest, uintptr_t src, size_t n)'),
      poll: lib.func('int poll(lintel_libc_pollfd *fds, unsigned long nfds, int timeout)'),
      errnoLocation: lib.func('int *__errno_location(void)'),
    };
  }
  throw new AggregateError(failures, `could not load ${LIBC_FILE_NAMES.join(' or ')}`);
}
