// A fake GPIO chip for FakeSyscalls: answers chip info and line requests on the real struct bytes, like a 5.10+
// kernel (uAPI v2 and v1) or a 4.19 one (v1 only, unknown ioctls → EINVAL), hands out line fds, and records every
// request and value written so tests can check what reached the "kernel".
import koffi from 'koffi';

import { FakeErrno } from '../libc/fake-syscalls.js';
import type { FakeDevice, FakeIoctlContext, FakeSyscalls } from '../libc/fake-syscalls.js';
import type { KnownErrnoCode } from '../libc/system-call-error.js';
import {
  GPIO_GET_CHIPINFO_IOCTL,
  GPIO_GET_LINEHANDLE_IOCTL,
  GPIO_V2_GET_LINE_IOCTL,
  GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES,
  GPIO_V2_LINE_SET_VALUES_IOCTL,
  GPIOHANDLE_SET_LINE_VALUES_IOCTL,
  GpioChipInfo,
  GpioHandleData,
  GpioHandleRequest,
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
  /** Clock that stamps each write, ns (e.g. `process.hrtime.bigint`, to measure pulse timing). Default none. */
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
}

/** A logical value written to a line. */
export interface FakeGpioWrite {
  uapi: 'v2' | 'v1';
  offset: number;
  active: boolean;
  /** When the "kernel" took the write, on `clockNs`; absent without one. */
  atNs?: bigint;
}

/** A fake chip; `install(sys, '/dev/gpiochip0')` makes it openable. */
export class FakeGpioChip {
  /** Successful line requests, in order. */
  readonly requests: FakeGpioRequest[] = [];
  /** Successful value writes, in order. */
  readonly writes: FakeGpioWrite[] = [];
  /** Everything that happened, as short strings (`request v2 17`, `set 17 active`, `release 17`); tests may add their own. */
  readonly timeline: string[] = [];
  private readonly held = new Map<number, { active: boolean; consumer: string }>();
  private readonly setFailures: KnownErrnoCode[] = [];

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

  /** Logical level of a held line, or undefined when nobody holds it. */
  level(offset: number): boolean | undefined {
    return this.held.get(offset)?.active;
  }

  /** Whether a line is currently requested. */
  isHeld(offset: number): boolean {
    return this.held.has(offset);
  }

  private get lineCount(): number {
    return this.options.lines ?? 32;
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

  private claim(offsets: number[], consumer: string, defaultValues: number[]): void {
    if (offsets.length < 1 || offsets.length > 64) throw new FakeErrno('EINVAL');
    for (const offset of offsets) {
      if (offset >= this.lineCount) throw new FakeErrno('EINVAL');
      if (this.held.has(offset)) throw new FakeErrno('EBUSY');
    }
    offsets.forEach((offset, i) => this.held.set(offset, { active: (defaultValues[i] ?? 0) !== 0, consumer }));
  }

  private requestV2(arg: Buffer, context: FakeIoctlContext): number {
    const raw = koffi.decode(arg, GpioV2LineRequest) as {
      offsets: number[];
      consumer: string;
      num_lines: number;
      config: { flags: number | bigint; num_attrs: number; attrs: Array<{ attr: { id: number; u: { values: number | bigint } }; mask: number | bigint }> };
    };
    const offsets = Array.from(raw.offsets).slice(0, raw.num_lines);
    let values = 0n;
    for (const { attr, mask } of raw.config.attrs.slice(0, raw.config.num_attrs)) {
      if (attr.id === GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES) values = (values & ~BigInt(mask)) | (BigInt(attr.u.values) & BigInt(mask));
    }
    const defaultValues = offsets.map((_, i) => Number((values >> BigInt(i)) & 1n));
    this.claim(offsets, raw.consumer, defaultValues);
    const fd = context.openFd(this.lineDevice('v2', offsets), `${context.path}:line`);
    arg.writeInt32LE(fd, koffi.offsetof(GpioV2LineRequest, 'fd'));
    this.requests.push({ uapi: 'v2', offsets, flags: Number(raw.config.flags), defaultValues, consumer: raw.consumer, fd });
    this.timeline.push(`request v2 ${offsets.join(',')}`);
    return 0;
  }

  private requestV1(arg: Buffer, context: FakeIoctlContext): number {
    const raw = koffi.decode(arg, GpioHandleRequest) as { lineoffsets: number[]; flags: number; default_values: ArrayLike<number>; consumer_label: string; lines: number };
    const offsets = Array.from(raw.lineoffsets).slice(0, raw.lines);
    const defaultValues = Array.from(raw.default_values).slice(0, raw.lines);
    this.claim(offsets, raw.consumer_label, defaultValues);
    const fd = context.openFd(this.lineDevice('v1', offsets), `${context.path}:line`);
    arg.writeInt32LE(fd, koffi.offsetof(GpioHandleRequest, 'fd'));
    this.requests.push({ uapi: 'v1', offsets, flags: raw.flags, defaultValues, consumer: raw.consumer_label, fd });
    this.timeline.push(`request v1 ${offsets.join(',')}`);
    return 0;
  }

  private lineDevice(uapi: 'v2' | 'v1', offsets: number[]): FakeDevice {
    return {
      ioctl: (request, arg) => {
        let values: boolean[];
        if (uapi === 'v2' && request === GPIO_V2_LINE_SET_VALUES_IOCTL) {
          const raw = koffi.decode(arg, GpioV2LineValues) as { bits: number | bigint; mask: number | bigint };
          const bits = BigInt(raw.bits);
          const mask = BigInt(raw.mask);
          values = offsets.map((offset, i) => (((mask >> BigInt(i)) & 1n) === 1n ? ((bits >> BigInt(i)) & 1n) === 1n : (this.level(offset) ?? false)));
        } else if (uapi === 'v1' && request === GPIOHANDLE_SET_LINE_VALUES_IOCTL) {
          const raw = koffi.decode(arg, GpioHandleData) as { values: ArrayLike<number> };
          values = offsets.map((_, i) => (raw.values[i] ?? 0) !== 0);
        } else {
          throw new FakeErrno('ENOTTY');
        }
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
          this.writes.push({ uapi, offset, active, ...(atNs === undefined ? {} : { atNs }) });
          this.timeline.push(`set ${offset} ${active ? 'active' : 'inactive'}`);
        });
        return 0;
      },
      close: () => {
        for (const offset of offsets) this.held.delete(offset);
        this.timeline.push(`release ${offsets.join(',')}`);
      },
    };
  }
}
