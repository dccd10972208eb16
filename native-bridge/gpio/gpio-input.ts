// Input lines of one GPIO chip with edge events, through the character device's uAPI v2 (Linux ≥ 5.10): the door
// contact and exit button, and the inputs `lintel doctor --wiegand-loopback` reads D0/D1 back on. The kernel
// timestamps each edge on CLOCK_MONOTONIC when its interrupt fires and buffers the events; waiting runs off the JS
// thread (poll through koffi's async call), reading is a read(2) of whole gpio_v2_line_event records.
import koffi from 'koffi';

import { O_CLOEXEC, O_RDWR, POLLERR, POLLHUP, POLLIN, POLLNVAL } from '../libc/bindings.js';
import { openLibc } from '../libc/syscalls.js';
import type { Syscalls } from '../libc/syscalls.js';
import {
  GPIO_MAX_NAME_SIZE,
  GPIO_V2_GET_LINE_IOCTL,
  GPIO_V2_LINE_ATTR_ID_FLAGS,
  GPIO_V2_LINE_EVENT_BUFFER_MAX,
  GPIO_V2_LINE_EVENT_RISING_EDGE,
  GPIO_V2_LINE_FLAG_ACTIVE_LOW,
  GPIO_V2_LINE_FLAG_BIAS_DISABLED,
  GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN,
  GPIO_V2_LINE_FLAG_BIAS_PULL_UP,
  GPIO_V2_LINE_FLAG_EDGE_FALLING,
  GPIO_V2_LINE_FLAG_EDGE_RISING,
  GPIO_V2_LINE_FLAG_INPUT,
  GPIO_V2_LINE_GET_VALUES_IOCTL,
  GPIO_V2_LINE_NUM_ATTRS_MAX,
  GPIO_V2_LINES_MAX,
  GpioV2LineEvent,
  GpioV2LineRequest,
  GpioV2LineValues,
} from './bindings.js';
import { assertLinesExist, GpioError } from './gpio-line.js';
import { withGpioChip, withGpioHint } from './list-chips.js';
import type { GpioChipInfo } from './list-chips.js';

/** The system calls input lines use. */
export type GpioInputSyscalls = Pick<Syscalls, 'open' | 'close' | 'ioctl' | 'read' | 'poll'>;

/** Bias the kernel sets on an input; `as-is` leaves the pin's configuration (device tree, bootloader) alone. */
export type GpioBias = 'pull-up' | 'pull-down' | 'disabled' | 'as-is';

/** One input line of the request. */
export interface GpioInputLineOptions {
  /** Line offset within the chip: group × 8 + pin (GPIO3_A7 → chip 3, line 7). */
  readonly line: number;
  /** Whether the line is asserted at low level; the kernel inverts, so events and values are logical. Default false. */
  readonly activeLow?: boolean;
  /** Default `as-is`. */
  readonly bias?: GpioBias;
}

/** Which lines to watch. */
export interface GpioInputLinesOptions {
  /** Chip device, e.g. `/dev/gpiochip3`. */
  readonly chipPath: string;
  /** One to 64 distinct lines of that chip. */
  readonly lines: readonly GpioInputLineOptions[];
  /** Consumer label shown by `gpioinfo`, at most 31 bytes. Default `lintel`. */
  readonly consumer?: string;
  /** Events the kernel buffers before it drops the oldest; default 16 per line, at most 1024. */
  readonly eventBufferSize?: number;
}

/** One edge as the kernel reported it. */
export interface GpioEdgeEvent {
  /** Line offset within the chip. */
  readonly line: number;
  /** The logical level after the edge: true for a rising (inactive → active) edge. */
  readonly active: boolean;
  /** When the kernel saw the edge, CLOCK_MONOTONIC ns (the clock of `process.hrtime.bigint`). */
  readonly timestampNs: bigint;
  /** The event's number within the request, from 1. */
  readonly seqno: number;
}

/** Dependencies, for tests. */
export interface GpioInputLinesDeps {
  /** System calls. Default: the real ones (`openLibc()`). */
  readonly sys?: GpioInputSyscalls;
  /** How long one poll waits before looking whether the lines were closed, ms; default 250 (close() waits for it). */
  readonly pollSliceMs?: number;
}

const EVENTS_PER_READ = 16;

/**
 * Input lines held by this process with edge detection on both edges. Open with `GpioInputLines.open()`; read the
 * levels with `values()`, wait for edges with `wait()` or `watch()`. Every failed call is a SystemCallError naming it.
 */
export class GpioInputLines {
  private isClosed = false;
  private lastSeqno = 0;
  private lost = 0;
  private watching: Promise<void> | undefined;
  private readonly eventBytes = Buffer.alloc(EVENTS_PER_READ * koffi.sizeof(GpioV2LineEvent));

  private constructor(
    private readonly sys: GpioInputSyscalls,
    private readonly lineFd: number,
    private readonly pollSliceMs: number,
    /** Chip device path. */
    readonly chipPath: string,
    /** Line offsets, in request order. */
    readonly lines: readonly number[],
    /** The chip's name, label and line count. */
    readonly chip: GpioChipInfo,
  ) {}

  /**
   * Requests the lines as inputs with both edges detected.
   * @throws GpioError INVALID_OPTIONS / LINE_OUT_OF_RANGE, SystemCallError (ENOENT: no such chip; EBUSY: a line is
   *   held elsewhere; ENOTTY or EINVAL from GPIO_V2_GET_LINE_IOCTL: a kernel without uAPI v2, or a bias the pin
   *   controller does not do), NativeLibraryUnavailableError when no `sys` is given and the C library cannot load.
   */
  static open(options: GpioInputLinesOptions, deps: GpioInputLinesDeps = {}): GpioInputLines {
    const { chipPath, lines, consumer = 'lintel' } = options;
    checkOptions(options);
    const sys = deps.sys ?? openLibc();
    return withGpioChip(sys, chipPath, O_RDWR | O_CLOEXEC, (chipFd, chip) => {
      assertLinesExist(chipPath, chip, lines.map(({ line }) => line));
      const bufferSize = Math.min(options.eventBufferSize ?? 16 * lines.length, GPIO_V2_LINE_EVENT_BUFFER_MAX);
      const fd = requestInputs(sys, chipFd, chipPath, lines, consumer, bufferSize);
      return new GpioInputLines(sys, fd, deps.pollSliceMs ?? 250, chipPath, lines.map(({ line }) => line), chip);
    });
  }

  /** Whether close() has run. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Events the kernel dropped because its buffer was full (gaps in the sequence numbers). */
  get eventsLost(): number {
    return this.lost;
  }

  /**
   * The logical level of every line now (true = active), by offset.
   * @throws GpioError CLOSED, SystemCallError from GPIO_V2_LINE_GET_VALUES_IOCTL.
   */
  values(): Map<number, boolean> {
    this.checkOpen();
    const arg = Buffer.alloc(koffi.sizeof(GpioV2LineValues));
    const mask = (1n << BigInt(this.lines.length)) - 1n;
    koffi.encode(arg, 0, GpioV2LineValues, { bits: 0, mask });
    this.sys.ioctl(this.lineFd, GPIO_V2_LINE_GET_VALUES_IOCTL, arg, 'GPIO_V2_LINE_GET_VALUES_IOCTL', this.chipPath);
    const bits = arg.readBigUInt64LE(koffi.offsetof(GpioV2LineValues, 'bits'));
    return new Map(this.lines.map((line, i) => [line, ((bits >> BigInt(i)) & 1n) === 1n]));
  }

  /**
   * Waits up to `timeoutMs` for edges and returns them, oldest first; [] when none came or the lines were closed.
   * @throws SystemCallError from poll or read, GpioError CLOSED.
   */
  async wait(timeoutMs: number): Promise<GpioEdgeEvent[]> {
    this.checkOpen();
    const revents = await this.sys.poll(this.lineFd, POLLIN, timeoutMs, this.chipPath);
    if (this.isClosed) return [];
    if (revents & (POLLERR | POLLHUP | POLLNVAL)) throw new GpioError('CLOSED', this.chipPath, `the line request of ${this.lines.join(', ')} reported ${describeRevents(revents)}`);
    return revents & POLLIN ? this.readReady() : [];
  }

  /**
   * Hands every batch of edges to `onEvents` until close(); a failure ends the watch and goes to `onError` (the
   * owner decides whether to open the lines again). One watch per instance.
   */
  watch(onEvents: (events: GpioEdgeEvent[]) => void, onError: (error: unknown) => void): void {
    if (this.watching !== undefined) throw new Error(`${this.chipPath}: lines ${this.lines.join(', ')} are already watched`);
    this.checkOpen();
    this.watching = (async () => {
      while (!this.isClosed) {
        let events: GpioEdgeEvent[];
        try {
          events = await this.wait(this.pollSliceMs);
        } catch (error) {
          if (!this.isClosed) onError(error);
          return;
        }
        if (events.length > 0 && !this.isClosed) onEvents(events);
      }
    })();
  }

  /**
   * Releases the lines. Waits for a poll in progress to return first: the kernel keeps the lines requested while a
   * poll holds the file, and a request made right after (a settings change) would find them busy. Idempotent.
   */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    await this.watching;
    this.sys.close(this.lineFd, this.chipPath);
  }

  /**
   * One read(2) after poll reported POLLIN: whole events, up to 16. Never a second read: the fd blocks when empty,
   * and the next poll returns at once while more events wait.
   */
  private readReady(): GpioEdgeEvent[] {
    const size = koffi.sizeof(GpioV2LineEvent);
    const bytes = this.sys.read(this.lineFd, this.eventBytes, this.chipPath);
    const events: GpioEdgeEvent[] = [];
    for (let at = 0; at + size <= bytes; at += size) {
      const raw = koffi.decode(this.eventBytes.subarray(at, at + size), GpioV2LineEvent) as { id: number; offset: number; seqno: number };
      // Read as a BigInt from the bytes: koffi decodes a u64 as a Number, which loses nanoseconds after 104 days up.
      const timestampNs = this.eventBytes.readBigUInt64LE(at + koffi.offsetof(GpioV2LineEvent, 'timestamp_ns'));
      if (this.lastSeqno > 0 && raw.seqno > this.lastSeqno + 1) this.lost += raw.seqno - this.lastSeqno - 1;
      this.lastSeqno = raw.seqno;
      events.push({ line: raw.offset, active: raw.id === GPIO_V2_LINE_EVENT_RISING_EDGE, timestampNs, seqno: raw.seqno });
    }
    return events;
  }

  private checkOpen(): void {
    if (this.isClosed) throw new GpioError('CLOSED', this.chipPath, `lines ${this.lines.join(', ')} are closed`);
  }
}

const BIAS_FLAG: Readonly<Record<GpioBias, number>> = {
  'pull-up': GPIO_V2_LINE_FLAG_BIAS_PULL_UP,
  'pull-down': GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN,
  disabled: GPIO_V2_LINE_FLAG_BIAS_DISABLED,
  'as-is': 0,
};

/** The v2 flags of one input line: input, both edges, its level and bias. */
export function inputLineFlags(line: GpioInputLineOptions): number {
  return GPIO_V2_LINE_FLAG_INPUT | GPIO_V2_LINE_FLAG_EDGE_RISING | GPIO_V2_LINE_FLAG_EDGE_FALLING | (line.activeLow === true ? GPIO_V2_LINE_FLAG_ACTIVE_LOW : 0) | BIAS_FLAG[line.bias ?? 'as-is'];
}

function checkOptions(options: GpioInputLinesOptions): void {
  const { chipPath, lines, consumer = 'lintel', eventBufferSize } = options;
  const problems: string[] = [];
  if (typeof chipPath !== 'string' || chipPath === '') problems.push('chipPath must be a device path such as /dev/gpiochip0');
  if (lines.length < 1 || lines.length > GPIO_V2_LINES_MAX) problems.push(`lines must hold 1 to ${GPIO_V2_LINES_MAX} lines, got ${lines.length}`);
  for (const { line, bias } of lines) {
    if (!Number.isInteger(line) || line < 0) problems.push(`line must be a non-negative integer offset within the chip, got ${line}`);
    if (bias !== undefined && !Object.hasOwn(BIAS_FLAG, bias)) problems.push(`bias must be one of ${Object.keys(BIAS_FLAG).join(', ')}, got '${String(bias)}'`);
  }
  if (new Set(lines.map(({ line }) => line)).size !== lines.length) problems.push('each line may be requested once');
  if (eventBufferSize !== undefined && (!Number.isInteger(eventBufferSize) || eventBufferSize < 1)) problems.push(`eventBufferSize must be a positive integer, got ${eventBufferSize}`);
  if (Buffer.byteLength(consumer, 'utf8') > GPIO_MAX_NAME_SIZE - 1 || consumer.includes('\0')) problems.push(`consumer must be at most ${GPIO_MAX_NAME_SIZE - 1} bytes without NUL, got '${consumer}'`);
  if (problems.length > 0) throw new GpioError('INVALID_OPTIONS', chipPath, problems.join('; '));
}

/**
 * GPIO_V2_GET_LINE_IOCTL for inputs. Lines whose flags differ from the first line's get a FLAGS attribute, one per
 * distinct set of flags (at most 8 sets: level × bias, within the 10 attributes a request may carry).
 */
function requestInputs(sys: GpioInputSyscalls, chipFd: number, chipPath: string, lines: readonly GpioInputLineOptions[], consumer: string, eventBufferSize: number): number {
  const flags = lines.map(inputLineFlags);
  const baseFlags = flags[0] ?? GPIO_V2_LINE_FLAG_INPUT;
  const masks = new Map<number, bigint>();
  flags.forEach((lineFlags, i) => {
    if (lineFlags !== baseFlags) masks.set(lineFlags, (masks.get(lineFlags) ?? 0n) | (1n << BigInt(i)));
  });
  const attrs = [...masks].map(([lineFlags, mask]) => ({ attr: { id: GPIO_V2_LINE_ATTR_ID_FLAGS, u: { flags: lineFlags } }, mask }));
  if (attrs.length > GPIO_V2_LINE_NUM_ATTRS_MAX) throw new GpioError('INVALID_OPTIONS', chipPath, 'too many different line settings for one request');
  const arg = Buffer.alloc(koffi.sizeof(GpioV2LineRequest));
  koffi.encode(arg, 0, GpioV2LineRequest, {
    offsets: lines.map(({ line }) => line),
    consumer,
    config: { flags: baseFlags, num_attrs: attrs.length, attrs },
    num_lines: lines.length,
    event_buffer_size: eventBufferSize,
  });
  try {
    sys.ioctl(chipFd, GPIO_V2_GET_LINE_IOCTL, arg, 'GPIO_V2_GET_LINE_IOCTL', chipPath);
  } catch (error) {
    throw withGpioHint(error, {
      EBUSY: `line ${lines.map(({ line }) => line).join(' or ')} is already requested by another consumer (see \`gpioinfo\`)`,
      ENOTTY: 'edge events need GPIO uAPI v2 (Linux 5.10 or later)',
      EINVAL: 'the kernel refused the input request: edge events need GPIO uAPI v2 (Linux 5.10 or later), and the pin controller may not do the bias asked for',
    });
  }
  return arg.readInt32LE(koffi.offsetof(GpioV2LineRequest, 'fd'));
}

function describeRevents(revents: number): string {
  return [
    [POLLERR, 'POLLERR'],
    [POLLHUP, 'POLLHUP'],
    [POLLNVAL, 'POLLNVAL'],
  ]
    .filter(([bit]) => revents & (bit as number))
    .map(([, name]) => name)
    .join('|');
}
