// A serial port (the board's RS-485 UART) as a byte stream: the device is opened through node's fs, configured
// raw (8N1, no flow control, no translation, the chosen baud rate) with termios through koffi, locked against a
// second owner with flock, and then read and written through node's tty stream, so bytes arrive as libuv events
// on the main thread with no polling thread and no native addon to build.
import { constants as fsConstants, closeSync, openSync } from 'node:fs';
import { isatty, ReadStream } from 'node:tty';

import koffi from 'koffi';

import { LIBC_FILE_NAMES } from '../libc/bindings.js';
import { ERRNO, NativeLibraryUnavailableError, SystemCallError } from '../libc/system-call-error.js';
import {
  BAUD_CONSTANTS,
  CBAUD,
  CLOCAL,
  CREAD,
  CRTSCTS,
  CS8,
  CSIZE,
  CSTOPB,
  LintelTermios,
  loadSerialBindings,
  LOCK_EX,
  LOCK_NB,
  PARENB,
  TCIFLUSH,
  TCIOFLUSH,
  TCSADRAIN,
  TCSANOW,
  VMIN,
  VTIME,
} from './bindings.js';
import type { SerialBindings, TermiosValue } from './bindings.js';

/** Baud rates a port can be set to. */
export const SERIAL_BAUD_RATES: readonly number[] = [...BAUD_CONSTANTS.keys()];

/** Why a port cannot be used (failed system calls are SystemCallError instead). */
export type SerialPortErrorCode = 'INVALID_OPTIONS' | 'NOT_A_TTY' | 'BUSY' | 'BAUD_REFUSED' | 'CLOSED';

/** A serial-port failure that is not a single failed system call. */
export class SerialPortError extends Error {
  override readonly name = 'SerialPortError';

  constructor(
    readonly code: SerialPortErrorCode,
    /** The device, e.g. `/dev/ttyS3`. */
    readonly path: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${path}: ${message}`, options);
  }
}

/** A byte stream over a serial line. Implemented by TtySerialPort (real) and FakeSerialPort (tests). */
export interface SerialPort {
  /** The device, e.g. `/dev/ttyS3`. */
  readonly path: string;
  /** Current baud rate. */
  readonly baudRate: number;
  /** True once closed, by close() or because the device went away. */
  readonly closed: boolean;
  /** Hands `bytes` to the driver; resolves once queued for transmission, rejects when the port is closed. */
  write(bytes: Uint8Array): Promise<void>;
  /** Calls `listener` with every chunk received, in order; returns the unsubscribe. */
  onData(listener: (chunk: Buffer) => void): () => void;
  /** Calls `listener` once when the port closes: `error` when the device failed or went away, undefined after close(). */
  onClose(listener: (error: Error | undefined) => void): () => void;
  /** Switches the line to another baud rate once the bytes already written are sent; SerialPortError for an unknown rate. */
  setBaudRate(baudRate: number): void;
  /** Discards bytes received but not yet read (noise before a frame). */
  discardInput(): void;
  /** Releases the device; idempotent. */
  close(): Promise<void>;
}

/** Which device to open and how. */
export interface SerialPortOptions {
  /** Absolute device path, e.g. `/dev/ttyS3`. */
  path: string;
  /** One of SERIAL_BAUD_RATES. */
  baudRate: number;
  /**
   * Take an exclusive flock on the device so a second Lintel output or another program cannot open it as well
   * (two owners would both answer on the bus); default true. flock is advisory: programs that do not ask for it,
   * like `cat`, are not stopped.
   */
  exclusive?: boolean;
}

/**
 * The termios and lock calls, checked: each throws SystemCallError with errno on failure. Create with `openSerialSystem()`.
 */
export class SerialSystem {
  constructor(private readonly c: SerialBindings) {}

  /** Library file in use, e.g. `libc.so.6`. */
  get libraryName(): string {
    return this.c.libraryName;
  }

  /** This thread's errno, read straight after the failing call. */
  errno(): number {
    return koffi.decode(this.c.errnoLocation(), 'int') as number;
  }

  /** The port's current termios. */
  getAttributes(fd: number, path?: string): TermiosValue {
    const buffer = Buffer.alloc(koffi.sizeof(LintelTermios));
    if (this.c.tcgetattr(fd, buffer) !== 0) throw new SystemCallError({ syscall: 'tcgetattr', errno: this.errno(), path, hint: 'not a terminal device' });
    return koffi.decode(buffer, LintelTermios) as TermiosValue;
  }

  /**
   * Puts the line in raw mode (cfmakeraw: no echo, no line editing, no CR/LF translation, 8 data bits), one stop
   * bit, no parity, no flow control, the receiver on and modem lines ignored, reads returning as soon as a byte
   * is there, at `baudRate`. Reads the settings back and throws SerialPortError 'BAUD_REFUSED' when the driver
   * kept another speed. `afterOutput`: apply once the bytes already written are on the wire (TCSADRAIN), so a
   * reply sent at the old speed is not cut off; this blocks the thread for that long.
   */
  configureRaw(fd: number, baudRate: number, path: string, afterOutput = false): void {
    const speed = BAUD_CONSTANTS.get(baudRate);
    if (speed === undefined) throw new SerialPortError('INVALID_OPTIONS', path, `baud rate ${baudRate} is not one of ${SERIAL_BAUD_RATES.join(', ')}`);
    const buffer = Buffer.alloc(koffi.sizeof(LintelTermios));
    if (this.c.tcgetattr(fd, buffer) !== 0) throw new SystemCallError({ syscall: 'tcgetattr', errno: this.errno(), path, hint: 'not a terminal device' });
    this.c.cfmakeraw(buffer);
    const termios = koffi.decode(buffer, LintelTermios) as TermiosValue;
    termios.c_cflag = (termios.c_cflag & ~(CSIZE | CSTOPB | PARENB | CRTSCTS)) | CS8 | CLOCAL | CREAD;
    termios.c_cc[VMIN] = 1;
    termios.c_cc[VTIME] = 0;
    koffi.encode(buffer, LintelTermios, termios);
    if (this.c.cfsetispeed(buffer, speed) !== 0) throw new SystemCallError({ syscall: 'cfsetispeed', errno: this.errno(), path });
    if (this.c.cfsetospeed(buffer, speed) !== 0) throw new SystemCallError({ syscall: 'cfsetospeed', errno: this.errno(), path });
    if (this.c.tcsetattr(fd, afterOutput ? TCSADRAIN : TCSANOW, buffer) !== 0) throw new SystemCallError({ syscall: 'tcsetattr', errno: this.errno(), path });
    // tcsetattr succeeds when any one of the changes was applied: check the speed actually in force.
    const readBack = Buffer.alloc(koffi.sizeof(LintelTermios));
    if (this.c.tcgetattr(fd, readBack) !== 0) throw new SystemCallError({ syscall: 'tcgetattr', errno: this.errno(), path });
    const inForce = this.c.cfgetospeed(readBack) & CBAUD;
    if (inForce !== speed) throw new SerialPortError('BAUD_REFUSED', path, `the driver did not accept ${baudRate} baud`);
  }

  /** Discards unread input (TCIFLUSH) or both directions (TCIOFLUSH). */
  flush(fd: number, queue: typeof TCIFLUSH | typeof TCIOFLUSH, path?: string): void {
    if (this.c.tcflush(fd, queue) !== 0) throw new SystemCallError({ syscall: 'tcflush', errno: this.errno(), path });
  }

  /** An exclusive, non-blocking flock; SerialPortError 'BUSY' when another open file holds it. */
  lockExclusive(fd: number, path: string): void {
    if (this.c.flock(fd, LOCK_EX | LOCK_NB) === 0) return;
    const errno = this.errno();
    if (errno === ERRNO.EAGAIN) throw new SerialPortError('BUSY', path, 'the port is in use by another output or program (it holds the lock)');
    throw new SystemCallError({ syscall: 'flock', errno, path });
  }

  /** A new pseudo-terminal pair: the controller fd and the device path of the other side. */
  openPseudoTerminal(): { controllerFd: number; devicePath: string } {
    const fd = this.c.posixOpenpt(fsConstants.O_RDWR | fsConstants.O_NOCTTY);
    if (fd < 0) throw new SystemCallError({ syscall: 'posix_openpt', errno: this.errno(), path: '/dev/ptmx' });
    try {
      if (this.c.grantpt(fd) !== 0) throw new SystemCallError({ syscall: 'grantpt', errno: this.errno(), path: '/dev/ptmx' });
      if (this.c.unlockpt(fd) !== 0) throw new SystemCallError({ syscall: 'unlockpt', errno: this.errno(), path: '/dev/ptmx' });
      const name = Buffer.alloc(128);
      const failed = this.c.ptsnameR(fd, name, name.length);
      if (failed !== 0) throw new SystemCallError({ syscall: 'ptsname_r', errno: failed, path: '/dev/ptmx' });
      return { controllerFd: fd, devicePath: name.subarray(0, name.indexOf(0)).toString('utf8') };
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }
}

/**
 * Loads the C library for the termios calls. Nothing is loaded until this is called.
 * @throws NativeLibraryUnavailableError when no C library can be loaded: treat as "unavailable".
 */
export function openSerialSystem(): SerialSystem {
  try {
    return new SerialSystem(loadSerialBindings());
  } catch (error) {
    throw new NativeLibraryUnavailableError('libc', LIBC_FILE_NAMES, { cause: error });
  }
}

/** What `open` says for the usual reasons a device cannot be opened. */
const OPEN_HINTS: Readonly<Record<string, string>> = {
  ENOENT: 'no such device: check the port name (e.g. /dev/ttyS3) and that the UART is enabled in the device tree',
  EACCES: 'permission denied: add the service user to the dialout group',
  EBUSY: 'the device is busy (a console or another driver owns it)',
  ENXIO: 'no such device or address: the UART is not present',
};

/** A Node fs error from open(2) as a SystemCallError with a hint. */
function openError(error: unknown, path: string): Error {
  const nodeError = error as NodeJS.ErrnoException;
  if (typeof nodeError.errno !== 'number') return error instanceof Error ? error : new Error(String(error));
  const hint = OPEN_HINTS[nodeError.code ?? ''];
  return new SystemCallError({ syscall: 'open', errno: Math.abs(nodeError.errno), path, ...(hint === undefined ? {} : { hint }) }, { cause: error });
}

/** The real port: a tty device under node's tty stream. Open with `openSerialPort()`. */
export class TtySerialPort implements SerialPort {
  private readonly dataListeners = new Set<(chunk: Buffer) => void>();
  private readonly closeListeners = new Set<(error: Error | undefined) => void>();
  private isClosed = false;
  private fdReleased = false;
  private closing: Promise<void> | undefined;
  private currentBaudRate: number;

  private constructor(
    readonly path: string,
    baudRate: number,
    /** The open device's file descriptor (for termios reads in diagnostics and tests); owned by the port. */
    readonly fd: number,
    /** Whether `fd` is a descriptor of its own beside the stream's, to close after the stream. */
    private readonly ownsFd: boolean,
    private readonly stream: ReadStream,
    private readonly system: SerialSystem,
  ) {
    this.currentBaudRate = baudRate;
    stream.on('data', (chunk: Buffer) => {
      for (const listener of [...this.dataListeners]) listener(chunk);
    });
    // A read error (EIO: the USB adapter was pulled, or a pseudo-terminal's other side closed) ends the port.
    stream.on('error', (error: Error) => this.ended(error));
    stream.on('close', () => this.ended(undefined));
  }

  /** Opens, configures and locks the device; throws SystemCallError or SerialPortError naming what is wrong. */
  static open(options: SerialPortOptions, system: SerialSystem = openSerialSystem()): TtySerialPort {
    const { path, baudRate, exclusive = true } = options;
    if (!path.startsWith('/')) throw new SerialPortError('INVALID_OPTIONS', path, 'the port must be an absolute device path such as /dev/ttyS3');
    if (!BAUD_CONSTANTS.has(baudRate)) throw new SerialPortError('INVALID_OPTIONS', path, `baud rate ${baudRate} is not one of ${SERIAL_BAUD_RATES.join(', ')}`);
    let fd: number;
    try {
      // O_NONBLOCK: open() must not wait for carrier detect on UARTs whose CLOCAL is still clear.
      fd = openSync(path, fsConstants.O_RDWR | fsConstants.O_NOCTTY | fsConstants.O_NONBLOCK);
    } catch (error) {
      throw openError(error, path);
    }
    let stream: ReadStream | undefined;
    let ownsFd = true;
    try {
      if (!isatty(fd)) throw new SerialPortError('NOT_A_TTY', path, 'not a serial port (not a terminal device)');
      system.configureRaw(fd, baudRate, path);
      system.flush(fd, TCIOFLUSH, path);
      // libuv reopens a tty device (to make it non-blocking without touching other owners), dup2s the new file
      // over `fd` and reads from the new descriptor: a lock taken before would be dropped, so it is taken after,
      // on the file both descriptors now share; and `fd` stays ours to close unless libuv kept it as its own.
      stream = new ReadStream(fd);
      const handleFd = streamFd(stream);
      ownsFd = handleFd !== undefined && handleFd !== fd;
      if (exclusive) system.lockExclusive(fd, path);
    } catch (error) {
      stream?.destroy();
      if (ownsFd) closeSync(fd);
      throw error;
    }
    return new TtySerialPort(path, baudRate, fd, ownsFd, stream, system);
  }

  get baudRate(): number {
    return this.currentBaudRate;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.isClosed) return Promise.reject(new SerialPortError('CLOSED', this.path, 'the port is closed'));
    return new Promise((resolve, reject) => {
      this.stream.write(bytes, (error) => (error === null || error === undefined ? resolve() : reject(error)));
    });
  }

  onData(listener: (chunk: Buffer) => void): () => void {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  onClose(listener: (error: Error | undefined) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  setBaudRate(baudRate: number): void {
    if (this.isClosed) throw new SerialPortError('CLOSED', this.path, 'the port is closed');
    this.system.configureRaw(this.fd, baudRate, this.path, true);
    this.currentBaudRate = baudRate;
  }

  discardInput(): void {
    if (this.isClosed) return;
    this.system.flush(this.fd, TCIFLUSH, this.path);
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      // Already ended by a device error: its stream may have closed before anyone asked.
      if (this.stream.closed) {
        resolve();
        return;
      }
      this.stream.once('close', () => resolve());
      // Marked first, so the stream's 'close' reports an orderly close (no error) to the listeners.
      this.isClosed = true;
      this.stream.destroy();
    }).then(() => {
      this.ended(undefined);
      this.releaseFd();
    });
    return this.closing;
  }

  private ended(error: Error | undefined): void {
    const listeners = [...this.closeListeners];
    this.closeListeners.clear();
    this.dataListeners.clear();
    let reason = error;
    if (!this.isClosed) {
      this.isClosed = true;
      this.stream.destroy();
      // A tty read that hits a hang-up (EIO) is reported by node as the end of the stream, not as an error.
      reason ??= new SerialPortError('CLOSED', this.path, 'the line hung up (the device went away or its other side closed)');
    }
    if (this.stream.closed) this.releaseFd();
    for (const listener of listeners) listener(reason);
  }

  private releaseFd(): void {
    if (!this.ownsFd || this.fdReleased) return;
    this.fdReleased = true;
    closeSync(this.fd);
  }
}

/** The descriptor node's tty stream reads from (libuv's own after a reopen); undefined where node does not say. */
function streamFd(stream: ReadStream): number | undefined {
  return (stream as unknown as { _handle?: { fd?: number } })._handle?.fd;
}

/**
 * Opens a serial port (see TtySerialPort.open).
 * @throws SystemCallError (open, termios, flock), SerialPortError, or NativeLibraryUnavailableError.
 */
export function openSerialPort(options: SerialPortOptions, system?: SerialSystem): SerialPort {
  return TtySerialPort.open(options, system);
}
