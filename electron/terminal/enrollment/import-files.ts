// Reading the files an import names: only regular files inside the import folders, at most so many bytes. A path
// is whatever an administrator (or a CSV) wrote, so it may name a FIFO that never ends, /dev/zero that never
// stops, /proc that holds secrets, or a link out of the folder; none of them is read, and no error repeats a
// byte of what a file holds.
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';

/** Why a file was not read; the message says it in words. */
export type ImportFileReason = 'not-found' | 'outside-roots' | 'not-regular' | 'empty' | 'too-large' | 'unreadable';

/** A file an import may not or cannot read. */
export class ImportFileError extends Error {
  override readonly name = 'ImportFileError';

  constructor(
    readonly filePath: string,
    readonly reason: ImportFileReason,
    /** What is wrong, without the path. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${filePath}: ${detail}`, options);
  }
}

/** Options of readImportFile. */
export interface ReadImportFileOptions {
  /** Largest file read, bytes; a larger one is refused before a byte is read. */
  readonly maxBytes: number;
  /**
   * Folders the file must be in once every link is followed; default anywhere (the command line, whose user
   * reads any file anyway). Folders that do not exist are skipped.
   */
  readonly roots?: readonly string[];
  /** Aborting stops the read between chunks with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Bytes read per call: a cancelled import stops within one chunk. */
const CHUNK_BYTES = 1024 * 1024;

// O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer (the type check then refuses it).
// O_NOFOLLOW: the path was resolved just before; a link put in its place since is not followed. Both are 0 on
// Windows, which has neither FIFOs nor this race.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);

/** Whether `path` is `root` or inside it (both resolved). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The roots that exist, resolved through their links. */
async function resolvedRoots(roots: readonly string[]): Promise<string[]> {
  const resolved = await Promise.all(roots.map((root) => realpath(root).catch(() => undefined)));
  return resolved.filter((root): root is string => root !== undefined);
}

/**
 * The real path of `path` (every link followed), checked to lie inside one of `roots` when given; an
 * ImportFileError 'not-found' or 'outside-roots' otherwise.
 */
export async function resolveInsideRoots(path: string, roots: readonly string[] | undefined): Promise<string> {
  let real: string;
  try {
    real = await realpath(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new ImportFileError(path, 'not-found', 'no such file', { cause: error });
    throw new ImportFileError(path, 'unreadable', describeErrno(code), { cause: error });
  }
  if (roots !== undefined && !(await resolvedRoots(roots)).some((root) => isInside(root, real))) {
    throw new ImportFileError(path, 'outside-roots', `outside the import folders (${roots.join(', ')})`);
  }
  return real;
}

/**
 * Reads a regular file whole: resolved through its links, checked against `roots`, opened without blocking,
 * its type and size checked on the open file, then read in chunks. Anything else (a folder, a FIFO, a socket,
 * a device, an empty file — which is also what /proc's files look like) is an ImportFileError naming the
 * path and what is wrong, never what the file holds.
 */
export async function readImportFile(path: string, options: ReadImportFileOptions): Promise<Buffer> {
  options.signal?.throwIfAborted();
  const real = await resolveInsideRoots(path, options.roots);
  let handle;
  try {
    handle = await open(real, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ImportFileError(path, 'not-found', 'no such file', { cause: error });
    if (code === 'ELOOP') throw new ImportFileError(path, 'unreadable', 'was replaced by a link while it was opened', { cause: error });
    if (code === 'EISDIR') throw new ImportFileError(path, 'not-regular', 'is a folder, not a file', { cause: error });
    throw new ImportFileError(path, 'unreadable', describeErrno(code), { cause: error });
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new ImportFileError(path, 'not-regular', `is ${kindOf(info)}, not a regular file`);
    if (info.size === 0) throw new ImportFileError(path, 'empty', 'is empty');
    if (info.size > options.maxBytes) {
      throw new ImportFileError(path, 'too-large', `is ${formatMegabytes(info.size)}: files of at most ${formatMegabytes(options.maxBytes)} are read`);
    }
    // The size on the open file bounds the read: a file that grows meanwhile is read as it was.
    const buffer = Buffer.alloc(info.size);
    let offset = 0;
    while (offset < buffer.length) {
      options.signal?.throwIfAborted();
      const { bytesRead } = await handle.read(buffer, offset, Math.min(CHUNK_BYTES, buffer.length - offset), offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    options.signal?.throwIfAborted();
    return offset === buffer.length ? buffer : buffer.subarray(0, offset);
  } catch (error) {
    if (error instanceof ImportFileError || options.signal?.aborted) throw error;
    throw new ImportFileError(path, 'unreadable', describeErrno((error as NodeJS.ErrnoException).code), { cause: error });
  } finally {
    await handle.close();
  }
}

function kindOf(info: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a file';
}

function describeErrno(code: string | undefined): string {
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return `cannot be read (${code ?? 'unknown error'})`;
}

/** Bytes as megabytes with one decimal, for messages. */
function formatMegabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
