// GPIO chips from /dev/gpiochip*, with the name, label and line count the kernel reports (what `gpiodetect`
// prints). On the Forlinx OK3568: gpiochip0..4 = banks gpio0..gpio4 with 32 lines each, gpiochip5 = rk817-gpio
// (reference §5.1).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

import koffi from 'koffi';

import { O_CLOEXEC, O_RDONLY } from '../libc/bindings.js';
import { openLibc } from '../libc/syscalls.js';
import type { Syscalls } from '../libc/syscalls.js';
import { SystemCallError } from '../libc/system-call-error.js';
import type { ErrnoCode } from '../libc/system-call-error.js';
import { GPIO_GET_CHIPINFO_IOCTL, GpioChipInfo as GpioChipInfoStruct } from './bindings.js';

/** The system calls the GPIO code uses. */
export type GpioSyscalls = Pick<Syscalls, 'open' | 'close' | 'ioctl'>;

/** What GPIO_GET_CHIPINFO_IOCTL reports. */
export interface GpioChipInfo {
  /** Kernel name, e.g. `gpiochip3`. */
  name: string;
  /** Label of the controller, e.g. `gpio3` or `rk817-gpio`. */
  label: string;
  /** Number of lines; line offsets run from 0 to lines − 1. */
  lines: number;
}

/** One /dev/gpiochip* entry: its info, or why it could not be read (e.g. EACCES). */
export type GpioChipEntry = { path: string; ok: true; info: GpioChipInfo } | { path: string; ok: false; error: SystemCallError };

/** Hints for a failed open() of a chip. */
export const CHIP_OPEN_HINTS: Partial<Record<ErrnoCode, string>> = {
  ENOENT: 'no such GPIO chip; `lintel doctor` lists the chips present',
  EACCES: 'the service user needs access to /dev/gpiochip* (a udev rule or group)',
  EPERM: 'the service user needs access to /dev/gpiochip* (a udev rule or group)',
};

/** Adds a hint to a SystemCallError whose errno has one; other errors pass through. */
export function withGpioHint(error: unknown, hints: Partial<Record<ErrnoCode, string>>): unknown {
  if (!(error instanceof SystemCallError)) return error;
  const hint = hints[error.code];
  return hint === undefined ? error : error.withHint(hint);
}

/** GPIO_GET_CHIPINFO_IOCTL on an open chip. */
export function readGpioChipInfo(sys: GpioSyscalls, fd: number, chipPath: string): GpioChipInfo {
  const arg = Buffer.alloc(koffi.sizeof(GpioChipInfoStruct));
  try {
    sys.ioctl(fd, GPIO_GET_CHIPINFO_IOCTL, arg, 'GPIO_GET_CHIPINFO_IOCTL', chipPath);
  } catch (error) {
    // 4.19 answers unknown GPIO ioctls with EINVAL, other drivers with ENOTTY: either way not a GPIO chip.
    throw withGpioHint(error, { ENOTTY: 'not a GPIO character device', EINVAL: 'not a GPIO character device' });
  }
  const raw = koffi.decode(arg, GpioChipInfoStruct) as { name: string; label: string; lines: number };
  return { name: raw.name, label: raw.label, lines: raw.lines };
}

/**
 * Opens the chip at `chipPath` (`flags`: O_RDONLY to read its info, O_RDWR to request lines), hands `use` the
 * chip's fd and info, and closes the chip fd again: a line fd requested through it holds its lines on its own.
 * @throws SystemCallError from open (with a hint) or GPIO_GET_CHIPINFO_IOCTL, and whatever `use` throws.
 */
export function withGpioChip<T>(sys: GpioSyscalls, chipPath: string, flags: number, use: (chipFd: number, chip: GpioChipInfo) => T): T {
  let chipFd: number;
  try {
    chipFd = sys.open(chipPath, flags);
  } catch (error) {
    throw withGpioHint(error, CHIP_OPEN_HINTS);
  }
  try {
    return use(chipFd, readGpioChipInfo(sys, chipFd, chipPath));
  } finally {
    try {
      sys.close(chipFd, chipPath);
    } catch {
      // The kernel releases the fd even when close reports an error, and requested lines keep their own fds.
    }
  }
}

/** Where to look and how; the defaults are the live system's. */
export interface ListGpioChipsOptions {
  /** Directory holding the gpiochip nodes. Default `/dev`. */
  devRoot?: string;
  /** System calls. Default: the real ones, loaded only when there is a chip to query. */
  sys?: GpioSyscalls;
}

/**
 * Lists `gpiochipN` nodes in numeric order and reads each one's info. A chip that cannot be opened or queried is
 * listed with its error rather than failing the whole list; a missing `devRoot` gives an empty list.
 * @throws NativeLibraryUnavailableError when chips exist but the C library cannot be loaded.
 */
export async function listGpioChips(options: ListGpioChipsOptions = {}): Promise<GpioChipEntry[]> {
  const devRoot = options.devRoot ?? '/dev';
  let names: string[];
  try {
    names = await readdir(devRoot);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const chips = names
    .filter((name) => /^gpiochip\d+$/.test(name))
    .sort((a, b) => Number(a.slice('gpiochip'.length)) - Number(b.slice('gpiochip'.length)));
  if (chips.length === 0) return [];
  const sys = options.sys ?? openLibc();
  return chips.map((name): GpioChipEntry => {
    const path = join(devRoot, name);
    try {
      return { path, ok: true, info: withGpioChip(sys, path, O_RDONLY | O_CLOEXEC, (_fd, info) => info) };
    } catch (error) {
      return failed(path, error);
    }
  });
}

function failed(path: string, error: unknown): GpioChipEntry {
  if (error instanceof SystemCallError) return { path, ok: false, error };
  throw error;
}
