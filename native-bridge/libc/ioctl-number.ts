// ioctl request numbers, encoded like the kernel's `_IOC` macros in include/uapi/asm-generic/ioctl.h.
// The asm-generic layout (dir:2 | size:14 | type:8 | nr:8) is the one x86_64 and arm64 use, which is why the
// reference can list one value per ioctl for both (reference §4.3, §5.1). PowerPC, MIPS, SPARC and Alpha use a
// different split; Lintel does not run there.

/** Direction bits: no data. */
export const IOC_NONE = 0;
/** Direction bits: user space writes, the kernel reads (`_IOW`). */
export const IOC_WRITE = 1;
/** Direction bits: the kernel writes, user space reads (`_IOR`). */
export const IOC_READ = 2;

const NR_BITS = 8;
const TYPE_BITS = 8;
const SIZE_BITS = 14;
const DIR_BITS = 2;

const NR_SHIFT = 0;
const TYPE_SHIFT = NR_SHIFT + NR_BITS;
const SIZE_SHIFT = TYPE_SHIFT + TYPE_BITS;
const DIR_SHIFT = SIZE_SHIFT + SIZE_BITS;

function checkField(label: string, value: number, bits: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** bits) {
    throw new RangeError(`ioctl ${label} ${value} does not fit in ${bits} bits`);
  }
}

/**
 * Encodes an ioctl request number like the kernel's `_IOC(dir, type, nr, size)`.
 * @param dir IOC_NONE, IOC_READ, IOC_WRITE or IOC_READ | IOC_WRITE.
 * @param type the ioctl "magic": a one-character string (`'V'` for V4L2) or its code (0xB4 for GPIO).
 * @param nr the command number within that type.
 * @param sizeBytes size of the argument struct in bytes (`sizeof`), below 16 KiB.
 * @returns the request as an unsigned 32-bit number, ready for `ioctl(fd, request, arg)`.
 */
export function ioc(dir: number, type: string | number, nr: number, sizeBytes: number): number {
  const typeCode = typeof type === 'string' ? type.charCodeAt(0) : type;
  if (typeof type === 'string' && type.length !== 1) throw new RangeError(`ioctl type must be one character, got '${type}'`);
  checkField('direction', dir, DIR_BITS);
  checkField('type', typeCode, TYPE_BITS);
  checkField('number', nr, NR_BITS);
  checkField('argument size', sizeBytes, SIZE_BITS);
  // Multiplication rather than `<<`: dir << 30 overflows into the sign bit of a 32-bit JS int.
  return dir * 2 ** DIR_SHIFT + sizeBytes * 2 ** SIZE_SHIFT + typeCode * 2 ** TYPE_SHIFT + nr * 2 ** NR_SHIFT;
}

/** `_IO(type, nr)`: an ioctl without an argument. */
export function _IO(type: string | number, nr: number): number {
  return ioc(IOC_NONE, type, nr, 0);
}

/** `_IOR(type, nr, size)`: the kernel fills a struct of `sizeBytes` bytes. */
export function _IOR(type: string | number, nr: number, sizeBytes: number): number {
  return ioc(IOC_READ, type, nr, sizeBytes);
}

/** `_IOW(type, nr, size)`: the kernel reads a struct of `sizeBytes` bytes. */
export function _IOW(type: string | number, nr: number, sizeBytes: number): number {
  return ioc(IOC_WRITE, type, nr, sizeBytes);
}

/** `_IOWR(type, nr, size)`: the kernel reads and rewrites a struct of `sizeBytes` bytes. */
export function _IOWR(type: string | number, nr: number, sizeBytes: number): number {
  return ioc(IOC_READ | IOC_WRITE, type, nr, sizeBytes);
}

/** Splits a request number back into its fields (for messages and fakes). */
export function decodeIoc(request: number): { dir: number; type: number; nr: number; sizeBytes: number } {
  return {
    dir: Math.floor(request / 2 ** DIR_SHIFT) & (2 ** DIR_BITS - 1),
    sizeBytes: Math.floor(request / 2 ** SIZE_SHIFT) & (2 ** SIZE_BITS - 1),
    type: Math.floor(request / 2 ** TYPE_SHIFT) & (2 ** TYPE_BITS - 1),
    nr: request & (2 ** NR_BITS - 1),
  };
}
