// A fake GPIO chip for FakeSyscalls: answers chip info and line requests on the real struct bytes, like a 5.10+
// kernel (uAPI v2 and v1) or a 4.19 one (v1 only, unknown ioctls → EINVAL), hands out line fds, and records every
// request and value written so tests can check what reached the "kernel". Input lines follow a physical level that
// tests drive (a switch, a button) or that a looped-back output drives (a wire); lines requested with edge detection
// queue gpio_v2_line_event records that read() and poll() deliver as gpiolib-cdev does: logical edges (ACTIVE_LOW
// applied), CLOCK_MONOTONIC stamps, a per-request buffer that drops its oldest event when full.
import koffi from 'koffi';

import { POLLIN } from '../libc/bindings.js';
import { FakeErrno } from '../libc/fake-syscalls.js';
import type { FakeDevice, FakeIoctlContext, FakeSyscalls } from '../libc/fake-syscalls.js';
import type { KnownErrnoCode } from '../libc/system-call-error.js';
import {
  GPIO_GET_CHIPINFO_IOCTL,
  GPIO_GET_LINEHANDLE_IOCTL,
  GPIO_V2_GET_LINE_IOCTL,
  GPIO_V2_LINE_ATTR_ID_DEBOUNCE,
  GPIO_V2_LINE_ATTR_ID_FLAGS,
  GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES,
  GPIO_V2_LINE_EVENT_BUFFER_MAX,
  GPIO_V2_LINE_EVENT_FALLING_EDGE,
  GPIO_V2_LINE_EVENT_RISING_EDGE,
  GPIO_V2_LINE_FLAG_ACTIVE_LOW,
  GPIO_V2_LINE_FLAG_BIAS_DISABLED,
  GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN,
  GPIO_V2_LINE_FLAG_BIAS_PULL_UP,
  GPIO_V2_LINE_FLAG_EDGE_FALLING,
  GPIO_V2_LINE_FLAG_EDGE_RISING,
  GPIO_V2_LINE_FLAG_INPUT,
  GPIO_V2_LINE_FLAG_OUTPUT,
  GPIO_V2_LINE_GET_VALUES_IOCTL,
  GPIO_V2_LINE_SET_VALUES_IOCTL,
  GPIOHANDLE_GET_LINE_VALUES_IOCTL,
  GPIOHANDLE_REQUEST_ACTIVE_LOW,
  GPIOHANDLE_REQUEST_INPUT,
  GPIOHANDLE_SET_LINE_VALUES_IOCTL,
  GpioChipInfo,
  GpioHandleData,
  GpioHandleRequest,
  GpioV2LineEvent,
  GpioV2LineRequest,
  GpioV2LineValues,
} from './bindings.js';

/** How the fake chip behaves. */
export interface FakeGpioChipOptions {
  /** Chip name. Default `gpiochip0`. */
  name?: string;
  /** Chip label. Default `fake-gpio`. */
  label?: string;
  /** Line count. Default 32 (one RK3568 bank). */
  lines?: number;
  /** `v2`: a 5.10+ kernel (v2 and v1). `v1`: the 4.19 BSP (v1 only). Default `v2`. */
  uapi?: 'v2' | 'v1';
  /** errno for ioctls the chip does not know. Default EINVAL for `v1` (as 4.19 answers), ENOTTY for `v2`. */
  unknownIoctl?: 'ENOTTY' | 'EINVAL';
  /**
   * Clock that stamps each write, ns (e.g. `process.hrtime.bigint`, to measure pulse timing). Default none: writes
   * carry no stamp. Edge events are always stamped, on this clock or else `process.hrtime.bigint` (CLOCK_MONOTONIC).
   */
  clockNs?: () => bigint;
}

/** A line request as the fake kernel decoded it. */
export interface FakeGpioRequest {
  uapi: 'v2' | 'v1';
  /** Line offsets requested. */
  offsets: number[];
  /** Request flags (v2 `config.flags`, or v1 `flags`). */
  flags: number;
  /** Initial values per requested line (v2: from the OUTPUT_VALUES attribute). */
  defaultValues: number[];
  /** Consumer label. */
  consumer: string;
  /** The fd handed out. */
  fd: number;
  /** v2 flags per line, where a FLAGS attribute made one differ from `flags`. */
  lineFlags?: number[];
  /** v2 with edge detection: events the request's buffer holds. */
  eventBufferSize?: number;
  /** v2: the DEBOUNCE attribute per line, µs (0 where none); recorded, not applied. */
  debounceUs?: number[];
}

/** A logical value written to a line. */
export interface FakeGpioWrite {
  uapi: 'v2' | 'v1';
  offset: number;
  active: boolean;
  /** The electrical level that results (`active` inverted on an active-low line). */
  high: boolean;
  /** When the "kernel" took the write, on `clockNs`; absent without one. */
  atNs?: bigint;
}

/** An edge event as queued for a reader. */
export interface FakeGpioEvent {
  offset: number;
  /** GPIO_V2_LINE_EVENT_RISING_EDGE (1) or GPIO_V2_LINE_EVENT_FALLING_EDGE (2). */
  id: number;
  timestampNs: bigint;
  seqno: number;
  lineSeqno: number;
}

/** What a requested line is configured as. */
interface LineConfig {
  readonly flags: number;
  readonly debounceUs: number;
}

/** One line request: its lines and, for edge detection, its event buffer. */
class FakeLineRequest {
  readonly events: FakeGpioEvent[] = [];
  /** Events dropped because the buffer was full. */
  dropped = 0;
  private seqno = 0;
  private readonly lineSeqno = new Map<number, number>();
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly uapi: 'v2' | 'v1',
    readonly offsets: readonly number[],
    readonly configs: ReadonlyMap<number, LineConfig>,
    readonly eventBufferSize: number,
  ) {}

  /** Queues an edge of `offset` if the line detects it; the oldest event goes when the buffer is full. */
  edge(offset: number, active: boolean, timestampNs: bigint): void {
    const flags = this.configs.get(offset)?.flags ?? 0;
    if (!(flags & (active ? GPIO_V2_LINE_FLAG_EDGE_RISING : GPIO_V2_LINE_FLAG_EDGE_FALLING))) return;
    this.seqno += 1;
    const lineSeqno = (this.lineSeqno.get(offset) ?? 0) + 1;
    this.lineSeqno.set(offset, lineSeqno);
    if (this.events.length >= this.eventBufferSize) {
      this.events.shift();
      this.dropped += 1;
    }
    this.events.push({ offset, id: active ? GPIO_V2_LINE_EVENT_RISING_EDGE : GPIO_V2_LINE_EVENT_FALLING_EDGE, timestampNs, seqno: this.seqno, lineSeqno });
    for (const wake of this.waiters) wake();
  }

  /** read(2): whole events only; EINVAL for a buffer smaller than one, EAGAIN when there is none (a fake cannot block). */
  read(buffer: Buffer): number {
    const size = koffi.sizeof(GpioV2LineEvent);
    if (buffer.length < size) throw new FakeErrno('EINVAL');
    if (this.events.length === 0) throw new FakeErrno('EAGAIN');
    const count = Math.min(Math.floor(buffer.length / size), this.events.length);
    this.events.splice(0, count).forEach((event, i) => {
      buffer.fill(0, i * size, (i + 1) * size);
      koffi.encode(buffer, i * size, GpioV2LineEvent, {
        timestamp_ns: event.timestampNs,
        id: event.id,
        offset: event.offset,
        seqno: event.seqno,
        line_seqno: event.lineSeqno,
      });
    });
    return count * size;
  }

  /** poll(2): POLLIN once an event is queued, 0 at the timeout (or when the request is released meanwhile). */
  poll(events: number, timeoutMs: number): Promise<number> {
    if (this.events.length > 0) return Promise.resolve(events & POLLIN);
    return new Promise((resolve) => {
      const done = (revents: number): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(revents);
      };
      const wake = (): void => done(this.events.length > 0 ? events & POLLIN : 0);
      const timer = setTimeout(() => done(0), Math.max(0, timeoutMs));
      this.waiters.add(wake);
    });
  }

  release(): void {
    for (const wake of this.waiters) wake();
  }
}

/** A fake chip; `install(sys, '/dev/gpiochip0')` makes it openable. */
export class FakeGpioChip {
  /** Successful line requests, in order. */
  readonly requests: FakeGpioRequest[] = [];
  /** Successful value writes, in order. */
  readonly writes: FakeGpioWrite[] = [];
  /** Everything that happened, as short strings (`request v2 17`, `set 17 active`, `release 17`); tests may add their own. */
  readonly timeline: string[] = [];
  private readonly held = new Map<number, { active: boolean; consumer: string; request?: FakeLineRequest }>();
  private readonly setFailures: KnownErrnoCode[] = [];
  /** Levels set from outside (a switch, a wire); lines not in it float to their bias, else low. */
  private readonly driven = new Map<number, boolean>();
  private readonly wires = new Map<number, { chip: FakeGpioChip; offset: number }[]>();

  constructor(readonly options: FakeGpioChipOptions = {}) {}

  /** Registers the chip as `path` in `sys`. */
  install(sys: FakeSyscalls, path: string): this {
    sys.addNode(path, () => this.chipDevice());
    return this;
  }

  /** Makes the next set-values ioctls fail, one errno per call, in order. */
  failNextSets(...codes: KnownErrnoCode[]): void {
    this.setFailures.push(...codes);
  }

  /** Marks a line as held by another consumer (requests get EBUSY). */
  holdElsewhere(offset: number, consumer: string): void {
    this.held.set(offset, { active: false, consumer });
  }

  /** The other consumer of holdElsewhere() gives the line back. */
  releaseElsewhere(offset: number): void {
    if (this.held.get(offset)?.request === undefined) this.held.delete(offset);
  }

  /** Logical level of a held line, or undefined when nobody holds it. */
  level(offset: number): boolean | undefined {
    const state = this.held.get(offset);
    if (state?.request === undefined) return state?.active;
    const config = state.request.configs.get(offset);
    if (config !== undefined && config.flags & GPIO_V2_LINE_FLAG_INPUT) return this.high(offset) !== Boolean(config.flags & GPIO_V2_LINE_FLAG_ACTIVE_LOW);
    return state.active;
  }

  /** Whether a line is currently requested. */
  isHeld(offset: number): boolean {
    return this.held.has(offset);
  }

  /** Electrical level of a line: what an output drives, else what is driven from outside, else its bias (low without one). */
  high(offset: number): boolean {
    const state = this.held.get(offset);
    const config = state?.request?.configs.get(offset);
    if (state !== undefined && config !== undefined && config.flags & GPIO_V2_LINE_FLAG_OUTPUT) return state.active !== Boolean(config.flags & GPIO_V2_LINE_FLAG_ACTIVE_LOW);
    const outside = this.driven.get(offset);
    if (outside !== undefined) return outside;
    return config !== undefined && Boolean(config.flags & GPIO_V2_LINE_FLAG_BIAS_PULL_UP);
  }

  /**
   * Sets a line's electrical level from outside, as a switch or a wire would, at `atNs` (default now on the chip's
   * clock). A held input whose logical value changes queues an edge event when its request detects that edge.
   */
  drive(offset: number, high: boolean, atNs?: bigint): void {
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.lineCount) throw new RangeError(`line ${offset} does not exist on the fake chip`);
    const before = this.level(offset);
    this.driven.set(offset, high);
    const after = this.level(offset);
    this.timeline.push(`drive ${offset} ${high ? 'high' : 'low'}`);
    const request = this.held.get(offset)?.request;
    if (request !== undefined && before !== undefined && after !== undefined && before !== after) request.edge(offset, after, atNs ?? this.now());
  }

  /** Stops driving a line from outside: it floats to its bias again. */
  float(offset: number): void {
    this.driven.delete(offset);
  }

  /**
   * A wire from output line `offset` to `to` (a line of this chip or another): each write to the output drives the
   * other end to the written level, stamped with the write's time. The other end takes the output's level now.
   */
  loop(offset: number, to: { readonly chip?: FakeGpioChip; readonly offset: number }): void {
    const target = { chip: to.chip ?? this, offset: to.offset };
    this.wires.set(offset, [...(this.wires.get(offset) ?? []), target]);
    target.chip.drive(target.offset, this.high(offset));
  }

  /** Events waiting to be read on the request holding `offset`, and how many it dropped when full. */
  pendingEvents(offset: number): { events: readonly FakeGpioEvent[]; dropped: number } {
    const request = this.held.get(offset)?.request;
    return { events: request?.events ?? [], dropped: request?.dropped ?? 0 };
  }

  private get lineCount(): number {
    return this.options.lines ?? 32;
  }

  private now(): bigint {
    return (this.options.clockNs ?? process.hrtime.bigint)();
  }

  private unknown(): never {
    throw new FakeErrno(this.options.unknownIoctl ?? (this.options.uapi === 'v1' ? 'EINVAL' : 'ENOTTY'));
  }

  private chipDevice(): FakeDevice {
    return {
      ioctl: (request, arg, context) => {
        switch (request) {
          case GPIO_GET_CHIPINFO_IOCTL:
            koffi.encode(arg, 0, GpioChipInfo, { name: this.options.name ?? 'gpiochip0', label: this.options.label ?? 'fake-gpio', lines: this.lineCount });
            return 0;
          case GPIO_V2_GET_LINE_IOCTL:
            if (this.options.uapi === 'v1') return this.unknown();
            return this.requestV2(arg, context);
          case GPIO_GET_LINEHANDLE_IOCTL:
            return this.requestV1(arg, context);
          default:
            return this.unknown();
        }
      },
    };
  }

  private claim(offsets: number[], consumer: string, defaultValues: number[], request: FakeLineRequest): void {
    if (offsets.length < 1 || offsets.length > 64) throw new FakeErrno('EINVAL');
    for (const offset of offsets) {
      if (offset >= this.lineCount) throw new FakeErrno('EINVAL');
      if (this.held.has(offset)) throw new FakeErrno('EBUSY');
    }
    offsets.forEach((offset, i) => this.held.set(offset, { active: (defaultValues[i] ?? 0) !== 0, consumer, request }));
  }

  private requestV2(arg: Buffer, context: FakeIoctlContext): number {
    const raw = koffi.decode(arg, GpioV2LineRequest) as {
      offsets: number[];
      consumer: string;
      num_lines: number;
      event_buffer_size: number;
      padding: ArrayLike<number>;
      config: {
        flags: number | bigint;
        num_attrs: number;
        attrs: Array<{ attr: { id: number; u: { values: number | bigint; flags: number | bigint; debounce_period_us: number } }; mask: number | bigint }>;
      };
    };
    if (raw.num_lines < 1 || raw.num_lines > 64 || Array.from(raw.padding).some((word) => word !== 0) || raw.config.num_attrs > 10) throw new FakeErrno('EINVAL');
    const offsets = Array.from(raw.offsets).slice(0, raw.num_lines);
    const baseFlags = Number(raw.config.flags);
    let values = 0n;
    const lineFlags = offsets.map(() => baseFlags);
    const debounceUs = offsets.map(() => 0);
    for (const { attr, mask } of raw.config.attrs.slice(0, raw.config.num_attrs)) {
      const bits = BigInt(mask);
      const applies = (i: number): boolean => ((bits >> BigInt(i)) & 1n) === 1n;
      if (attr.id === GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES) values = (values & ~bits) | (BigInt(attr.u.values) & bits);
      else if (attr.id === GPIO_V2_LINE_ATTR_ID_FLAGS) offsets.forEach((_, i) => applies(i) && (lineFlags[i] = Number(attr.u.flags)));
      else if (attr.id === GPIO_V2_LINE_ATTR_ID_DEBOUNCE) offsets.forEach((_, i) => applies(i) && (debounceUs[i] = attr.u.debounce_period_us));
      else throw new FakeErrno('EINVAL');
    }
    lineFlags.forEach((flags, i) => checkV2Flags(flags, debounceUs[i] ?? 0));
    const defaultValues = offsets.map((_, i) => Number((values >> BigInt(i)) & 1n));
    const detectsEdges = lineFlags.some((flags) => flags & (GPIO_V2_LINE_FLAG_EDGE_RISING | GPIO_V2_LINE_FLAG_EDGE_FALLING));
    // gpiolib-cdev: 0 means 16 per line; larger sizes are capped.
    const eventBufferSize = Math.min(raw.event_buffer_size === 0 ? 16 * offsets.length : raw.event_buffer_size, GPIO_V2_LINE_EVENT_BUFFER_MAX);
    const configs = new Map(offsets.map((offset, i) => [offset, { flags: lineFlags[i] ?? baseFlags, debounceUs: debounceUs[i] ?? 0 }]));
    const request = new FakeLineRequest('v2', offsets, configs, eventBufferSize);
    this.claim(offsets, raw.consumer, defaultValues, request);
    const fd = context.openFd(this.lineDevice(request), `${context.path}:line`);
    arg.writeInt32LE(fd, koffi.offsetof(GpioV2LineRequest, 'fd'));
    this.requests.push({
      uapi: 'v2',
      offsets,
      flags: baseFlags,
      defaultValues,
      consumer: raw.consumer,
      fd,
      ...(lineFlags.some((flags) => flags !== baseFlags) ? { lineFlags } : {}),
      ...(detectsEdges ? { eventBufferSize } : {}),
      ...(debounceUs.some((us) => us > 0) ? { debounceUs } : {}),
    });
    this.timeline.push(`request v2 ${offsets.join(',')}`);
    // A new output drives its wires at once, as the pin does.
    for (const offset of offsets) if ((configs.get(offset)?.flags ?? 0) & GPIO_V2_LINE_FLAG_OUTPUT) this.propagate(offset, undefined);
    return 0;
  }

  private requestV1(arg: Buffer, context: FakeIoctlContext): number {
    const raw = koffi.decode(arg, GpioHandleRequest) as { lineoffsets: number[]; flags: number; default_values: ArrayLike<number>; consumer_label: string; lines: number };
    const offsets = Array.from(raw.lineoffsets).slice(0, raw.lines);
    const defaultValues = Array.from(raw.default_values).slice(0, raw.lines);
    // The v1 handle flags in v2 terms, so both kinds of request answer the same questions.
    const flags =
      (raw.flags & GPIOHANDLE_REQUEST_INPUT ? GPIO_V2_LINE_FLAG_INPUT : GPIO_V2_LINE_FLAG_OUTPUT) | (raw.flags & GPIOHANDLE_REQUEST_ACTIVE_LOW ? GPIO_V2_LINE_FLAG_ACTIVE_LOW : 0);
    const request = new FakeLineRequest('v1', offsets, new Map(offsets.map((offset) => [offset, { flags, debounceUs: 0 }])), 0);
    this.claim(offsets, raw.consumer_label, defaultValues, request);
    const fd = context.openFd(this.lineDevice(request), `${context.path}:line`);
    arg.writeInt32LE(fd, koffi.offsetof(GpioHandleRequest, 'fd'));
    this.requests.push({ uapi: 'v1', offsets, flags: raw.flags, defaultValues, consumer: raw.consumer_label, fd });
    this.timeline.push(`request v1 ${offsets.join(',')}`);
    if (flags & GPIO_V2_LINE_FLAG_OUTPUT) for (const offset of offsets) this.propagate(offset, undefined);
    return 0;
  }

  private lineDevice(request: FakeLineRequest): FakeDevice {
    const { uapi, offsets } = request;
    return {
      ioctl: (code, arg) => {
        if (uapi === 'v2' && code === GPIO_V2_LINE_GET_VALUES_IOCTL) {
          const mask = BigInt((koffi.decode(arg, GpioV2LineValues) as { mask: number | bigint }).mask);
          let bits = 0n;
          offsets.forEach((offset, i) => {
            if (((mask >> BigInt(i)) & 1n) === 1n && this.level(offset)) bits |= 1n << BigInt(i);
          });
          koffi.encode(arg, 0, GpioV2LineValues, { bits, mask });
          return 0;
        }
        if (uapi === 'v1' && code === GPIOHANDLE_GET_LINE_VALUES_IOCTL) {
          koffi.encode(arg, 0, GpioHandleData, { values: offsets.map((offset) => (this.level(offset) ? 1 : 0)) });
          return 0;
        }
        let values: boolean[];
        if (uapi === 'v2' && code === GPIO_V2_LINE_SET_VALUES_IOCTL) {
          const raw = koffi.decode(arg, GpioV2LineValues) as { bits: number | bigint; mask: number | bigint };
          const bits = BigInt(raw.bits);
          const mask = BigInt(raw.mask);
          values = offsets.map((offset, i) => (((mask >> BigInt(i)) & 1n) === 1n ? ((bits >> BigInt(i)) & 1n) === 1n : (this.level(offset) ?? false)));
        } else if (uapi === 'v1' && code === GPIOHANDLE_SET_LINE_VALUES_IOCTL) {
          const raw = koffi.decode(arg, GpioHandleData) as { values: ArrayLike<number> };
          values = offsets.map((_, i) => (raw.values[i] ?? 0) !== 0);
        } else {
          throw new FakeErrno('ENOTTY');
        }
        // The kernel refuses to set an input line.
        if (offsets.some((offset) => !((request.configs.get(offset)?.flags ?? 0) & GPIO_V2_LINE_FLAG_OUTPUT))) throw new FakeErrno('EPERM');
        const failure = this.setFailures.shift();
        if (failure !== undefined) {
          this.timeline.push(`set failed ${failure}`);
          throw new FakeErrno(failure);
        }
        const atNs = this.options.clockNs?.();
        offsets.forEach((offset, i) => {
          const active = values[i] ?? false;
          const state = this.held.get(offset);
          if (state !== undefined) state.active = active;
          const high = this.high(offset);
          this.writes.push({ uapi, offset, active, high, ...(atNs === undefined ? {} : { atNs }) });
          this.timeline.push(`set ${offset} ${active ? 'active' : 'inactive'}`);
          this.propagate(offset, atNs);
        });
        return 0;
      },
      read: uapi === 'v2' ? (buffer) => request.read(buffer) : undefined,
      poll: uapi === 'v2' ? (events, timeoutMs) => request.poll(events, timeoutMs) : undefined,
      close: () => {
        for (const offset of offsets) this.held.delete(offset);
        request.release();
        this.timeline.push(`release ${offsets.join(',')}`);
      },
    };
  }

  /** Drives the far ends of an output's wires to its level. */
  private propagate(offset: number, atNs: bigint | undefined): void {
    const high = this.high(offset);
    for (const wire of this.wires.get(offset) ?? []) wire.chip.drive(wire.offset, high, atNs);
  }
}

/** gpiolib-cdev's gpio_v2_line_flags_validate, in short: one direction, edges and debounce on inputs only, one bias. */
function checkV2Flags(flags: number, debounceUs: number): void {
  const input = Boolean(flags & GPIO_V2_LINE_FLAG_INPUT);
  const output = Boolean(flags & GPIO_V2_LINE_FLAG_OUTPUT);
  const edges = Boolean(flags & (GPIO_V2_LINE_FLAG_EDGE_RISING | GPIO_V2_LINE_FLAG_EDGE_FALLING));
  const biases = [GPIO_V2_LINE_FLAG_BIAS_PULL_UP, GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN, GPIO_V2_LINE_FLAG_BIAS_DISABLED].filter((bias) => flags & bias).length;
  if ((input && output) || (edges && !input) || (biases > 0 && !input && !output) || biases > 1 || (debounceUs > 0 && !input)) throw new FakeErrno('EINVAL');
}
