// One GPIO output line (the door relay), requested through the character device: uAPI v2 on Linux ≥ 5.10, v1 on
// the 4.19 BSP (reference §5.1). The line is requested inactive, driven with set()/pulse(), and driven inactive
// again before it is released.
import { setTimeout as delay } from 'node:timers/promises';

import koffi from 'koffi';

import { O_CLOEXEC, O_RDWR } from '../libc/bindings.js';
import { openLibc } from '../libc/syscalls.js';
import { isSystemCallError, SystemCallError } from '../libc/system-call-error.js';
import {
  GPIO_GET_LINEHANDLE_IOCTL,
  GPIO_MAX_NAME_SIZE,
  GPIO_V2_GET_LINE_IOCTL,
  GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES,
  GPIO_V2_LINE_FLAG_ACTIVE_LOW,
  GPIO_V2_LINE_FLAG_OUTPUT,
  GPIO_V2_LINE_SET_VALUES_IOCTL,
  GPIOHANDLE_REQUEST_ACTIVE_LOW,
  GPIOHANDLE_REQUEST_OUTPUT,
  GPIOHANDLE_SET_LINE_VALUES_IOCTL,
  GpioHandleData,
  GpioHandleRequest,
  GpioV2LineRequest,
  GpioV2LineValues,
} from './bindings.js';
import { withGpioChip, withGpioHint } from './list-chips.js';
import type { GpioChipInfo, GpioSyscalls } from './list-chips.js';

/** Why a GPIO line could not be used (failed system calls are SystemCallError instead). */
export type GpioErrorCode = 'INVALID_OPTIONS' | 'LINE_OUT_OF_RANGE' | 'CLOSED';

/** A GPIO failure that is not a single failed system call. */
export class GpioError extends Error {
  override readonly name = 'GpioError';

  constructor(
    readonly code: GpioErrorCode,
    /** Chip the line belongs to, e.g. `/dev/gpiochip3`. */
    readonly chipPath: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${chipPath}: ${message}`, options);
  }
}

/** Throws LINE_OUT_OF_RANGE naming the offsets `chip` does not have. */
export function assertLinesExist(chipPath: string, chip: GpioChipInfo, lines: readonly number[]): void {
  const missing = lines.filter((line) => line >= chip.lines);
  if (missing.length > 0) {
    throw new GpioError('LINE_OUT_OF_RANGE', chipPath, `line ${missing.join(', ')} does not exist: ${chip.name} (${chip.label}) has lines 0–${chip.lines - 1}`);
  }
}

/** Which uAPI the line was requested through. */
export type GpioUapi = 'v2' | 'v1';

/** Which line to drive. */
export interface GpioOutputLineOptions {
  /** Chip device, e.g. `/dev/gpiochip3` for bank gpio3. */
  chipPath: string;
  /** Line offset within the chip: group × 8 + pin, A=0…D=3 (GPIO3_A7 → chip 3, line 7; reference §5.1). */
  line: number;
  /** Whether the line is asserted at low level; the kernel inverts, `set(true)` still means "active". Default false. */
  activeLow?: boolean;
  /** Consumer label shown by `gpioinfo`, at most 31 bytes. Default `lintel`. */
  consumer?: string;
}

/** Waits `ms` milliseconds; rejects when `signal` aborts. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** Dependencies, for tests. */
export interface GpioOutputLineDeps {
  /** System calls. Default: the real ones (`openLibc()`). */
  sys?: GpioSyscalls;
  /** Timer used by pulse(). Default: node:timers/promises setTimeout. */
  sleep?: Sleep;
}

const defaultSleep: Sleep = (ms, signal) => delay(ms, undefined, { signal });

/** Longest pulse in milliseconds (Node's timer limit, about 24.8 days). */
const MAX_PULSE_MS = 2 ** 31 - 1;

/**
 * An output line held by this process. Open with `GpioOutputLine.open()`; the line starts inactive.
 * Every failed ioctl is a SystemCallError naming the ioctl (EBUSY: another consumer holds the line).
 */
export class GpioOutputLine {
  private isClosed = false;
  private lastActive = false;
  private pulsesInFlight = 0;
  private readonly closing = new AbortController();

  private constructor(
    private readonly sys: GpioSyscalls,
    private readonly sleep: Sleep,
    private readonly lineFd: number,
    /** Chip device path. */
    readonly chipPath: string,
    /** Line offset within the chip. */
    readonly line: number,
    /** Whether the line is active low. */
    readonly activeLow: boolean,
    /** Consumer label. */
    readonly consumer: string,
    /** uAPI the line was requested through: v2 (Linux ≥ 5.10) or the v1 fallback. */
    readonly uapi: GpioUapi,
    /** The chip's name, label and line count. */
    readonly chip: GpioChipInfo,
  ) {}

  /**
   * Requests the line as an output, initially inactive. Tries uAPI v2 and falls back to v1 when the kernel does not
   * know v2 (ENOTTY, or EINVAL from 4.19, which answers unknown GPIO ioctls that way).
   * @throws SystemCallError (ENOENT: no such chip; ENOTTY on GPIO_GET_CHIPINFO_IOCTL: not a GPIO chip; EBUSY: line
   *   held by another consumer), GpioError for bad options or a line the chip does not have,
   *   NativeLibraryUnavailableError when no `sys` is given and the C library cannot be loaded (door output unavailable).
   */
  static open(options: GpioOutputLineOptions, deps: GpioOutputLineDeps = {}): GpioOutputLine {
    const { chipPath, line, activeLow = false, consumer = 'lintel' } = options;
    checkOptions(chipPath, line, consumer);
    const sys = deps.sys ?? openLibc();
    return withGpioChip(sys, chipPath, O_RDWR | O_CLOEXEC, (chipFd, chip) => {
      assertLinesExist(chipPath, chip, [line]);
      const { fd, uapi } = requestLine(sys, chipFd, chipPath, line, activeLow, consumer);
      return new GpioOutputLine(sys, deps.sleep ?? defaultSleep, fd, chipPath, line, activeLow, consumer, uapi, chip);
    });
  }

  /** Whether close() has run. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** The logical value last written (true = active). */
  get active(): boolean {
    return this.lastActive;
  }

  /**
   * Drives the line active (true) or inactive (false); "active" is the asserted level, inverted by the kernel
   * for active-low lines.
   * @throws GpioError CLOSED, SystemCallError from the set-values ioctl.
   */
  set(active: boolean): void {
    if (this.isClosed) throw new GpioError('CLOSED', this.chipPath, `line ${this.line} is closed`);
    this.write(active);
  }

  /**
   * Drives the line active for `durationMs`, then inactive. The line is driven inactive even when driving it
   * active or waiting fails; if even that fails, the line is released (closed) so this process no longer holds it
   * active, and the error says so. Overlapping pulses extend the active time: the line goes inactive when the last
   * one ends.
   * @param durationMs time active, in milliseconds (0 to about 24.8 days).
   * @throws GpioError CLOSED (closed before or during the pulse; close() drives the line inactive), SystemCallError.
   */
  async pulse(durationMs: number): Promise<void> {
    if (!Number.isFinite(durationMs) || durationMs < 0 || durationMs > MAX_PULSE_MS) {
      throw new RangeError(`durationMs must be from 0 to ${MAX_PULSE_MS}, got ${durationMs}`);
    }
    if (this.isClosed) throw new GpioError('CLOSED', this.chipPath, `line ${this.line} is closed`);
    this.pulsesInFlight += 1;
    let failure: { error: unknown } | undefined;
    try {
      this.write(true);
      await this.sleep(durationMs, this.closing.signal);
    } catch (error) {
      failure = { error };
    } finally {
      this.pulsesInFlight -= 1;
    }
    if (this.isClosed) {
      throw new GpioError('CLOSED', this.chipPath, `line ${this.line} was closed during a pulse (and driven inactive)`, {
        cause: failure?.error,
      });
    }
    if (this.pulsesInFlight === 0) {
      try {
        this.write(false);
      } catch (error) {
        throw this.releaseAfterFailedReset(error);
      }
    }
    if (failure !== undefined) throw failure.error;
  }

  /**
   * Drives the line inactive and releases it. Idempotent. A running pulse() rejects with CLOSED. After release the
   * level is up to the hardware (reference §5.1), which is why the line is driven inactive first.
   * @throws the first SystemCallError, after both steps have run.
   */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.closing.abort();
    let first: unknown;
    try {
      this.write(false);
    } catch (error) {
      first = error;
    }
    try {
      this.sys.close(this.lineFd, this.chipPath);
    } catch (error) {
      first ??= error;
    }
    if (first !== undefined) throw first;
  }

  /** Writes the logical value through the uAPI the line was requested with. */
  private write(active: boolean): void {
    if (this.uapi === 'v2') {
      const arg = Buffer.alloc(koffi.sizeof(GpioV2LineValues));
      // Bit 0 is the first (only) line of the request, whatever its offset on the chip.
      koffi.encode(arg, 0, GpioV2LineValues, { bits: active ? 1 : 0, mask: 1 });
      this.sys.ioctl(this.lineFd, GPIO_V2_LINE_SET_VALUES_IOCTL, arg, 'GPIO_V2_LINE_SET_VALUES_IOCTL', this.chipPath);
    } else {
      const arg = Buffer.alloc(koffi.sizeof(GpioHandleData));
      koffi.encode(arg, 0, GpioHandleData, { values: [active ? 1 : 0] });
      this.sys.ioctl(this.lineFd, GPIOHANDLE_SET_LINE_VALUES_IOCTL, arg, 'GPIOHANDLE_SET_LINE_VALUES_IOCTL', this.chipPath);
    }
    this.lastActive = active;
  }

  /** After a failed reset to inactive: release the line and explain. */
  private releaseAfterFailedReset(error: unknown): unknown {
    try {
      this.close();
    } catch {
      // close() retried the reset; its failure is the one already being reported.
    }
    const note = `could not drive line ${this.line} inactive after a pulse; the line was released and its level is now up to the hardware`;
    return error instanceof SystemCallError ? error.withHint(note) : error;
  }
}

function checkOptions(chipPath: string, line: number, consumer: string): void {
  const problems: string[] = [];
  if (typeof chipPath !== 'string' || chipPath === '') problems.push('chipPath must be a device path such as /dev/gpiochip0');
  if (!Number.isInteger(line) || line < 0) problems.push(`line must be a non-negative integer offset within the chip, got ${line}`);
  if (Buffer.byteLength(consumer, 'utf8') > GPIO_MAX_NAME_SIZE - 1 || consumer.includes('\0')) {
    problems.push(`consumer must be at most ${GPIO_MAX_NAME_SIZE - 1} bytes without NUL, got '${consumer}'`);
  }
  if (problems.length > 0) throw new GpioError('INVALID_OPTIONS', chipPath, problems.join('; '));
}

/** GPIO_V2_GET_LINE_IOCTL, or GPIO_GET_LINEHANDLE_IOCTL when the kernel has no uAPI v2. */
function requestLine(
  sys: GpioSyscalls,
  chipFd: number,
  chipPath: string,
  line: number,
  activeLow: boolean,
  consumer: string,
): { fd: number; uapi: GpioUapi } {
  const busyHint = { EBUSY: `line ${line} is already requested by another consumer (see \`gpioinfo\`)` };
  let v2Error: SystemCallError;
  try {
    return { fd: requestLineV2(sys, chipFd, chipPath, line, activeLow, consumer), uapi: 'v2' };
  } catch (error) {
    if (!isSystemCallError(error, 'ENOTTY', 'EINVAL')) throw withGpioHint(error, busyHint);
    v2Error = error;
  }
  try {
    return { fd: requestLineV1(sys, chipFd, chipPath, line, activeLow, consumer), uapi: 'v1' };
  } catch (error) {
    // v1 unknown as well: v2's answer was the real one.
    if (isSystemCallError(error, 'ENOTTY')) throw v2Error.withHint('the kernel accepts neither GPIO uAPI v2 nor v1 line requests');
    if (!(error instanceof SystemCallError)) throw error;
    const busy = error.code === 'EBUSY' ? `${busyHint.EBUSY}; ` : '';
    throw error.withHint(`${busy}uAPI v1 fallback, after GPIO_V2_GET_LINE_IOCTL failed with ${v2Error.code}`);
  }
}

function requestLineV2(sys: GpioSyscalls, chipFd: number, chipPath: string, line: number, activeLow: boolean, consumer: string): number {
  const arg = Buffer.alloc(koffi.sizeof(GpioV2LineRequest));
  koffi.encode(arg, 0, GpioV2LineRequest, {
    offsets: [line],
    consumer,
    config: {
      flags: GPIO_V2_LINE_FLAG_OUTPUT | (activeLow ? GPIO_V2_LINE_FLAG_ACTIVE_LOW : 0),
      // The initial level is explicit: the door must not open because a request defaulted to active.
      num_attrs: 1,
      attrs: [{ attr: { id: GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES, u: { values: 0 } }, mask: 1 }],
    },
    num_lines: 1,
  });
  sys.ioctl(chipFd, GPIO_V2_GET_LINE_IOCTL, arg, 'GPIO_V2_GET_LINE_IOCTL', chipPath);
  return arg.readInt32LE(koffi.offsetof(GpioV2LineRequest, 'fd'));
}

function requestLineV1(sys: GpioSyscalls, chipFd: number, chipPath: string, line: number, activeLow: boolean, consumer: string): number {
  const arg = Buffer.alloc(koffi.sizeof(GpioHandleRequest));
  koffi.encode(arg, 0, GpioHandleRequest, {
    lineoffsets: [line],
    flags: GPIOHANDLE_REQUEST_OUTPUT | (activeLow ? GPIOHANDLE_REQUEST_ACTIVE_LOW : 0),
    default_values: [0],
    consumer_label: consumer,
    lines: 1,
  });
  sys.ioctl(chipFd, GPIO_GET_LINEHANDLE_IOCTL, arg, 'GPIO_GET_LINEHANDLE_IOCTL', chipPath);
  return arg.readInt32LE(koffi.offsetof(GpioHandleRequest, 'fd'));
}
