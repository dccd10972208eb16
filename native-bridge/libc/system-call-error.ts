// Typed errors for failed system calls and for native libraries that cannot be loaded.
// errno values are Linux's asm-generic numbers (include/uapi/asm-generic/errno-base.h, errno.h), shared by
// x86_64 and arm64; system-call-error.test.ts checks them against Node's and koffi's tables for this platform.

/** Linux errno numbers the native bridge names, with the text `strerror` gives for them. */
const ERRNO_TABLE = {
  EPERM: [1, 'operation not permitted'],
  ENOENT: [2, 'no such file or directory'],
  EINTR: [4, 'interrupted system call'],
  EIO: [5, 'input/output error'],
  ENXIO: [6, 'no such device or address'],
  EBADF: [9, 'bad file descriptor'],
  EAGAIN: [11, 'resource temporarily unavailable'],
  ENOMEM: [12, 'cannot allocate memory'],
  EACCES: [13, 'permission denied'],
  EFAULT: [14, 'bad address'],
  EBUSY: [16, 'device or resource busy'],
  EEXIST: [17, 'file exists'],
  ENODEV: [19, 'no such device'],
  ENOTDIR: [20, 'not a directory'],
  EISDIR: [21, 'is a directory'],
  EINVAL: [22, 'invalid argument'],
  ENFILE: [23, 'too many open files in system'],
  EMFILE: [24, 'too many open files'],
  ENOTTY: [25, 'inappropriate ioctl for device'],
  ENOSPC: [28, 'no space left on device'],
  ESPIPE: [29, 'illegal seek'],
  EROFS: [30, 'read-only file system'],
  EPIPE: [32, 'broken pipe'],
  ERANGE: [34, 'numerical result out of range'],
  ENAMETOOLONG: [36, 'file name too long'],
  ENOSYS: [38, 'function not implemented'],
  ELOOP: [40, 'too many levels of symbolic links'],
  ENODATA: [61, 'no data available'],
  ETIME: [62, 'timer expired'],
  EPROTO: [71, 'protocol error'],
  EOVERFLOW: [75, 'value too large for defined data type'],
  EOPNOTSUPP: [95, 'operation not supported'],
  ETIMEDOUT: [110, 'connection timed out'],
  ECANCELED: [125, 'operation canceled'],
} as const satisfies Record<string, readonly [number, string]>;

/** An errno name the bridge knows. */
export type KnownErrnoCode = keyof typeof ERRNO_TABLE;
/** `code` of a SystemCallError: a known errno name, or `EUNKNOWN` (the number is still in `errno`). */
export type ErrnoCode = KnownErrnoCode | 'EUNKNOWN';

/** errno number for each known name, e.g. `ERRNO.ENOTTY === 25`. */
export const ERRNO: Readonly<Record<KnownErrnoCode, number>> = Object.fromEntries(
  Object.entries(ERRNO_TABLE).map(([name, [errno]]) => [name, errno]),
) as Record<KnownErrnoCode, number>;

const NAME_BY_ERRNO = new Map<number, KnownErrnoCode>(
  (Object.entries(ERRNO_TABLE) as Array<[KnownErrnoCode, readonly [number, string]]>).map(([name, [errno]]) => [errno, name]),
);

/** The errno name for a number (`25` → `'ENOTTY'`), or `'EUNKNOWN'`. */
export function errnoCode(errno: number): ErrnoCode {
  return NAME_BY_ERRNO.get(errno) ?? 'EUNKNOWN';
}

/** The `strerror`-style description of an errno number. */
export function describeErrno(errno: number): string {
  const code = NAME_BY_ERRNO.get(errno);
  return code === undefined ? `errno ${errno}` : ERRNO_TABLE[code][1];
}

/** What went wrong in a system call, as given to SystemCallError. */
export interface SystemCallFailure {
  /** The C function that failed: `open`, `ioctl`, `mmap`, `munmap`, `poll`, `close`. */
  syscall: string;
  /** Positive errno number as the kernel reports it (Node's own errors use the negated value). */
  errno: number;
  /** For ioctl: the request's C name, e.g. `VIDIOC_QUERYCAP`. */
  request?: string;
  /** The device or file the call was about. */
  path?: string;
  /** What the failure probably means here, for people reading logs (e.g. "not a V4L2 device"). */
  hint?: string;
}

/** A failed system call: errno, its name, and which call on which device. */
export class SystemCallError extends Error {
  override readonly name = 'SystemCallError';
  /** The C function that failed (`ioctl`, `open`, …). */
  readonly syscall: string;
  /** Positive errno number. */
  readonly errno: number;
  /** errno name, e.g. `ENOTTY`. */
  readonly code: ErrnoCode;
  /** ioctl request name, e.g. `VIDIOC_QUERYCAP`. */
  readonly request: string | undefined;
  /** Device or file path. */
  readonly path: string | undefined;
  /** Likely meaning in context, if the caller knew one. */
  readonly hint: string | undefined;

  constructor(failure: SystemCallFailure, options?: ErrorOptions) {
    super(formatFailure(failure), options);
    this.syscall = failure.syscall;
    this.errno = failure.errno;
    this.code = errnoCode(failure.errno);
    this.request = failure.request;
    this.path = failure.path;
    this.hint = failure.hint;
  }

  /** A copy of this error whose message carries `hint`, keeping this one as `cause`. */
  withHint(hint: string): SystemCallError {
    return new SystemCallError(
      { syscall: this.syscall, errno: this.errno, request: this.request, path: this.path, hint },
      { cause: this },
    );
  }
}

function formatFailure(failure: SystemCallFailure): string {
  const call = failure.request === undefined ? failure.syscall : `${failure.syscall}(${failure.request})`;
  const where = failure.path === undefined ? '' : ` on ${failure.path}`;
  const what = `${errnoCode(failure.errno)} (errno ${failure.errno}, ${describeErrno(failure.errno)})`;
  const hint = failure.hint === undefined ? '' : `: ${failure.hint}`;
  return `${call}${where} failed: ${what}${hint}`;
}

/** True when `error` is a SystemCallError with one of the given errno names. */
export function isSystemCallError(error: unknown, ...codes: ErrnoCode[]): error is SystemCallError {
  return error instanceof SystemCallError && (codes.length === 0 || codes.includes(error.code));
}

/** A native library (or koffi itself) could not be loaded: the feature is unavailable, the process carries on. */
export class NativeLibraryUnavailableError extends Error {
  override readonly name = 'NativeLibraryUnavailableError';

  constructor(
    /** Library as the bridge names it, e.g. `libc`. */
    readonly library: string,
    /** File names that were tried, in order. */
    readonly tried: readonly string[],
    options?: ErrorOptions,
  ) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`${library} is unavailable (tried ${tried.join(', ')})${reason}`, options);
  }
}
