// Checks the RKNN runtime library file before dlopen, so a missing, foreign or wrong-architecture file gets a
// reason a person can act on. glibc's own message for an ELF of another machine is "cannot open shared object
// file: No such file or directory" (verified here with koffi 2.16.3 on x86_64), which sends people looking for a
// file that is right there.
import type { Stats } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';

import { NpuUnavailableError } from './rknn-errors.js';

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

/** ELF `e_machine` values, and which Node `process.arch` each one runs on. */
const MACHINES: Readonly<Record<number, { name: string; arch: string; bits: 32 | 64 }>> = {
  3: { name: 'x86 (i386)', arch: 'ia32', bits: 32 },
  40: { name: 'ARM (32-bit)', arch: 'arm', bits: 32 },
  62: { name: 'x86-64', arch: 'x64', bits: 64 },
  183: { name: 'AArch64', arch: 'arm64', bits: 64 },
  243: { name: 'RISC-V', arch: 'riscv64', bits: 64 },
  258: { name: 'LoongArch', arch: 'loong64', bits: 64 },
};

/** The text the runtime embeds after `librknnrt version: ` (reference §8, e.g. `2.3.2 (429f97ae6b@2025-04-09T09:09:27)`). */
const VERSION_MARKER = Buffer.from('librknnrt version: ');

/**
 * Checks that `libraryPath` is an absolute path to a readable ELF shared library for this process's
 * architecture. Throws `NpuUnavailableError` naming the path and the reason.
 */
export async function checkLibraryFile(libraryPath: string): Promise<void> {
  const arch = process.arch;
  if (!libraryPath.startsWith('/')) {
    throw new NpuUnavailableError(libraryPath, 'not-absolute', 'the runtime library must be configured as an absolute path');
  }
  let stats: Stats;
  try {
    stats = await stat(libraryPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new NpuUnavailableError(libraryPath, 'missing', 'no such file (install librknnrt.so there, or fix the configured path)', {
        cause: error,
      });
    }
    throw new NpuUnavailableError(libraryPath, 'unreadable', `cannot stat the file (${code ?? (error as Error).message})`, { cause: error });
  }
  if (!stats.isFile()) throw new NpuUnavailableError(libraryPath, 'not-a-file', 'the path is not a regular file');

  const header = Buffer.alloc(20);
  let bytesRead: number;
  try {
    const handle = await open(libraryPath, 'r');
    try {
      ({ bytesRead } = await handle.read(header, 0, header.length, 0));
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new NpuUnavailableError(libraryPath, 'unreadable', `cannot read the file (${code ?? (error as Error).message})`, { cause: error });
  }
  if (bytesRead < header.length || !header.subarray(0, 4).equals(ELF_MAGIC)) {
    throw new NpuUnavailableError(
      libraryPath,
      'not-a-library',
      `not an ELF shared library (${bytesRead} bytes read, starts with ${hex(header.subarray(0, Math.min(bytesRead, 4)))})`,
    );
  }
  const bits = header[4] === 2 ? 64 : 32;
  const machineCode = header[5] === 2 ? header.readUInt16BE(18) : header.readUInt16LE(18);
  const machine = MACHINES[machineCode];
  const expected = Object.values(MACHINES).find((entry) => entry.arch === arch);
  if (expected !== undefined && (machine?.arch !== arch || bits !== expected.bits)) {
    const built = machine === undefined ? `ELF machine ${machineCode}` : machine.name;
    throw new NpuUnavailableError(
      libraryPath,
      'wrong-architecture',
      `built for ${built} (${bits}-bit), this process is ${arch} (needs ${expected.name}, ${expected.bits}-bit)`,
    );
  }
}

/**
 * The runtime version the library file embeds (`librknnrt version: …`), or null when it has none. Readable
 * without a model, unlike `RKNN_QUERY_SDK_VERSION`, which needs a context.
 */
export async function readEmbeddedRuntimeVersion(libraryPath: string): Promise<string | null> {
  const bytes = await readFile(libraryPath);
  const at = bytes.indexOf(VERSION_MARKER);
  if (at < 0) return null;
  const start = at + VERSION_MARKER.length;
  let end = start;
  // Printable ASCII up to the NUL that ends the C string; capped so a stray match cannot run away.
  while (end < bytes.length && end - start < 128 && (bytes[end] ?? 0) >= 0x20 && (bytes[end] ?? 0) < 0x7f) end++;
  const version = bytes.toString('latin1', start, end).trim();
  return version.length > 0 ? version : null;
}

function hex(bytes: Uint8Array): string {
  return bytes.length === 0 ? 'nothing' : Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(' ');
}
