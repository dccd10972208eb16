// koffi declarations of the C library's terminal interface (<termios.h>), the advisory lock that keeps a port to
// one owner (<sys/file.h>), and the pseudo-terminal calls tests use as a stand-in serial line (<stdlib.h>).
// Declarations only: serial-port.ts checks return codes and turns them into SystemCallError.
import koffi from 'koffi';

import { LIBC_FILE_NAMES } from '../libc/bindings.js';

/** `NCCS` of glibc and musl (both define `c_cc[32]`; the kernel's own `struct termios` has 19 and is not used). */
export const NCCS = 32;

/**
 * `struct termios` as glibc and musl declare it on Linux (x86_64, aarch64): four `tcflag_t` (uint32), `c_line`,
 * `c_cc[32]`, then `c_ispeed` and `c_ospeed` after 3 bytes of padding — 60 bytes.
 */
export const LintelTermios = koffi.struct('lintel_serial_termios', {
  c_iflag: 'uint32_t',
  c_oflag: 'uint32_t',
  c_cflag: 'uint32_t',
  c_lflag: 'uint32_t',
  c_line: 'uint8_t',
  c_cc: koffi.array('uint8_t', NCCS),
  c_ispeed: 'uint32_t',
  c_ospeed: 'uint32_t',
});

/** The decoded `struct termios`. */
export interface TermiosValue {
  c_iflag: number;
  c_oflag: number;
  c_cflag: number;
  c_lflag: number;
  c_line: number;
  c_cc: number[];
  c_ispeed: number;
  c_ospeed: number;
}

// Values from include/uapi/asm-generic/termbits.h, the same on x86_64 and arm64.
/** c_cflag: character size mask. */
export const CSIZE = 0o60;
/** c_cflag: 8 data bits. */
export const CS8 = 0o60;
/** c_cflag: two stop bits (cleared: one). */
export const CSTOPB = 0o100;
/** c_cflag: enable the receiver. */
export const CREAD = 0o200;
/** c_cflag: parity (cleared: none). */
export const PARENB = 0o400;
/** c_cflag: ignore modem control lines; without it open() and read() wait for carrier on some UARTs. */
export const CLOCAL = 0o4000;
/** c_cflag: RTS/CTS flow control, never used on RS-485 (the bus has no such lines). */
export const CRTSCTS = 0o20000000000;
/** c_cflag: the baud-rate bits (`CBAUD | CBAUDEX`). */
export const CBAUD = 0o10017;
/** c_lflag: canonical (line) input, echo, signals: all cleared by cfmakeraw. */
export const ICANON = 0o2;
export const ECHO = 0o10;
export const ISIG = 0o1;
/** c_iflag: software flow control; XON/XOFF bytes (0x11/0x13) are ordinary data in a binary protocol. */
export const IXON = 0o2000;
/** c_oflag: output post-processing (LF → CRLF). */
export const OPOST = 0o1;
/** c_cc index: inter-byte timeout, tenths of a second. */
export const VTIME = 5;
/** c_cc index: bytes a read waits for. */
export const VMIN = 6;

/** tcsetattr: change now. */
export const TCSANOW = 0;
/** tcsetattr: change once the bytes already written have been transmitted. */
export const TCSADRAIN = 1;
/** tcflush: discard received, unread bytes. */
export const TCIFLUSH = 0;
/** tcflush: discard both directions. */
export const TCIOFLUSH = 2;

/** flock: exclusive lock. */
export const LOCK_EX = 2;
/** flock: fail with EWOULDBLOCK instead of waiting. */
export const LOCK_NB = 4;

/** `speed_t` constants by baud rate (asm-generic termbits.h; `B57600` and up carry CBAUDEX). */
export const BAUD_CONSTANTS: ReadonlyMap<number, number> = new Map([
  [1200, 0o11],
  [2400, 0o13],
  [4800, 0o14],
  [9600, 0o15],
  [19200, 0o16],
  [38400, 0o17],
  [57600, 0o10001],
  [115200, 0o10002],
  [230400, 0o10003],
]);

/** The C functions, as koffi functions; every one returns -1 and sets errno on failure unless noted. */
export interface SerialBindings {
  /** Library file that was loaded, e.g. `libc.so.6`. */
  readonly libraryName: string;
  /** `int tcgetattr(int fd, struct termios *t)`. */
  readonly tcgetattr: (fd: number, termios: Buffer) => number;
  /** `int tcsetattr(int fd, int when, const struct termios *t)`. */
  readonly tcsetattr: (fd: number, when: number, termios: Buffer) => number;
  /** `void cfmakeraw(struct termios *t)`: no line editing, echo, signals or translation; 8 data bits. */
  readonly cfmakeraw: (termios: Buffer) => void;
  /** `int cfsetispeed(struct termios *t, speed_t speed)`. */
  readonly cfsetispeed: (termios: Buffer, speed: number) => number;
  /** `int cfsetospeed(struct termios *t, speed_t speed)`. */
  readonly cfsetospeed: (termios: Buffer, speed: number) => number;
  /** `speed_t cfgetospeed(const struct termios *t)`: never fails. */
  readonly cfgetospeed: (termios: Buffer) => number;
  /** `int tcflush(int fd, int queue)`. */
  readonly tcflush: (fd: number, queue: number) => number;
  /** `int flock(int fd, int operation)`. */
  readonly flock: (fd: number, operation: number) => number;
  /** `int posix_openpt(int flags)`: a new pseudo-terminal's controller side. */
  readonly posixOpenpt: (flags: number) => number;
  /** `int grantpt(int fd)`. */
  readonly grantpt: (fd: number) => number;
  /** `int unlockpt(int fd)`. */
  readonly unlockpt: (fd: number) => number;
  /** `int ptsname_r(int fd, char *buf, size_t len)`: returns an error number (not -1) on failure. */
  readonly ptsnameR: (fd: number, buffer: Buffer, lengthBytes: number) => number;
  /** `int *__errno_location(void)`. */
  readonly errnoLocation: () => unknown;
}

/**
 * Loads the C library and declares the functions. Throws whatever koffi throws when no file loads; the wrapper
 * turns that into NativeLibraryUnavailableError.
 */
export function loadSerialBindings(): SerialBindings {
  const failures: unknown[] = [];
  for (const libraryName of LIBC_FILE_NAMES) {
    let lib: koffi.IKoffiLib;
    try {
      lib = koffi.load(libraryName);
    } catch (error) {
      failures.push(error);
      continue;
    }
    // termios travels as a Buffer of sizeof(lintel_serial_termios) bytes, encoded and decoded by the wrapper: the
    // same bytes go through cfmakeraw, cfset*speed and tcsetattr without a copy in and out of JS objects.
    return {
      libraryName,
      tcgetattr: lib.func('int tcgetattr(int fd, void *t)') as SerialBindings['tcgetattr'],
      tcsetattr: lib.func('int tcsetattr(int fd, int when, const void *t)') as SerialBindings['tcsetattr'],
      cfmakeraw: lib.func('void cfmakeraw(void *t)') as SerialBindings['cfmakeraw'],
      cfsetispeed: lib.func('int cfsetispeed(void *t, unsigned int speed)') as SerialBindings['cfsetispeed'],
      cfsetospeed: lib.func('int cfsetospeed(void *t, unsigned int speed)') as SerialBindings['cfsetospeed'],
      cfgetospeed: lib.func('unsigned int cfgetospeed(const void *t)') as SerialBindings['cfgetospeed'],
      tcflush: lib.func('int tcflush(int fd, int queue)') as SerialBindings['tcflush'],
      flock: lib.func('int flock(int fd, int operation)') as SerialBindings['flock'],
      posixOpenpt: lib.func('int posix_openpt(int flags)') as SerialBindings['posixOpenpt'],
      grantpt: lib.func('int grantpt(int fd)') as SerialBindings['grantpt'],
      unlockpt: lib.func('int unlockpt(int fd)') as SerialBindings['unlockpt'],
      ptsnameR: lib.func('int ptsname_r(int fd, void *buf, size_t len)') as SerialBindings['ptsnameR'],
      errnoLocation: lib.func('int *__errno_location(void)'),
    };
  }
  throw new AggregateError(failures, `could not load ${LIBC_FILE_NAMES.join(' or ')}`);
}
