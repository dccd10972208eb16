// A zip of photos uploaded from the browser, unpacked into a folder for the folder import (one sub-folder per
// person). The archive is untrusted: entry count, each entry's size and the total are capped before anything is
// inflated, and names that would leave the folder (`..`, absolute paths, drive letters) are refused.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { unzipSync, type UnzipFileInfo } from 'fflate';

/** Limits of an uploaded zip; the defaults bound what one import may put on the terminal's disk. */
export interface ZipLimits {
  /** Most entries (files and folders); default MAX_ZIP_ENTRIES. */
  readonly maxEntries: number;
  /** Largest file once inflated, bytes; default MAX_ZIP_ENTRY_BYTES. */
  readonly maxEntryBytes: number;
  /** All files together once inflated, bytes; default MAX_ZIP_TOTAL_BYTES. */
  readonly maxTotalBytes: number;
}

/** Most entries in an uploaded zip: 2,000 photos is a large site's whole staff. */
export const MAX_ZIP_ENTRIES = 2_000;
/** Largest file in an uploaded zip once inflated, bytes: a photo's limit (MAX_PHOTO_BYTES). */
export const MAX_ZIP_ENTRY_BYTES = 12 * 1024 * 1024;
/** All files of an uploaded zip once inflated, bytes. */
export const MAX_ZIP_TOTAL_BYTES = 512 * 1024 * 1024;

const DEFAULT_LIMITS: ZipLimits = { maxEntries: MAX_ZIP_ENTRIES, maxEntryBytes: MAX_ZIP_ENTRY_BYTES, maxTotalBytes: MAX_ZIP_TOTAL_BYTES };

/** Why a zip was refused; the message names the entry or the limit. */
export class ZipUploadError extends Error {
  override readonly name = 'ZipUploadError';
}

/** What operating systems add to archives; never a person's photo. */
const isJunk = (segments: readonly string[]): boolean => segments.some((segment) => segment.startsWith('.') || segment === '__MACOSX' || /^(thumbs\.db|desktop\.ini)$/i.test(segment));

/** An entry's path as folder segments, or a ZipUploadError for one that would leave the folder. */
function entrySegments(name: string): string[] {
  if (name.includes('\0')) throw new ZipUploadError(`entry "${name.replace(/\0/g, '?')}" has a NUL in its name`);
  if (/^([/\\]|[A-Za-z]:)/.test(name)) throw new ZipUploadError(`entry "${name}" has an absolute path`);
  const segments = name.split(/[/\\]/).filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) throw new ZipUploadError(`entry "${name}" points outside the archive (..)`);
  return segments;
}

/**
 * Unpacks `zip` into `destination` (which must not exist yet) and returns how many files were written. When every
 * file sits under one top folder (a zipped `staff/` folder), that folder is the import's root, not a person. A
 * ZipUploadError for a damaged archive, a name that leaves the folder, or a limit passed; nothing is written then.
 */
export async function unpackZipUpload(zip: Uint8Array, destination: string, limits: Partial<ZipLimits> = {}): Promise<{ files: number }> {
  const { maxEntries, maxEntryBytes, maxTotalBytes } = { ...DEFAULT_LIMITS, ...limits };
  let entries = 0;
  let totalBytes = 0;
  /** Whether an entry is unpacked; a ZipUploadError past a limit or for a name leaving the folder. */
  const filter = (file: UnzipFileInfo): boolean => {
    entries++;
    if (entries > maxEntries) throw new ZipUploadError(`more than ${maxEntries} entries in the zip`);
    const segments = entrySegments(file.name);
    if (file.name.endsWith('/') || segments.length === 0 || isJunk(segments)) return false;
    // The sizes are the archive's own claims; fflate inflates into a buffer of the claimed size, never more.
    if (file.originalSize > maxEntryBytes) throw new ZipUploadError(`${file.name} is larger than ${Math.round(maxEntryBytes / 1_048_576)} MB unpacked`);
    totalBytes += file.originalSize;
    if (totalBytes > maxTotalBytes) throw new ZipUploadError(`the zip unpacks to more than ${Math.round(maxTotalBytes / 1_048_576)} MB`);
    return true;
  };
  // First the central directory alone (nothing inflated): every name and claimed size is checked before any
  // byte is unpacked.
  const names: string[] = [];
  try {
    unzipSync(zip, {
      filter: (file) => {
        if (filter(file)) names.push(file.name);
        return false;
      },
    });
  } catch (error) {
    if (error instanceof ZipUploadError) throw error;
    throw new ZipUploadError(`not a readable zip archive (${error instanceof Error ? error.message : String(error)})`);
  }
  const files = names.map((name) => ({ name, segments: entrySegments(name) }));
  const [first] = files;
  const top = first?.segments[0];
  const underOneFolder = top !== undefined && files.every((file) => file.segments.length > 2 && file.segments[0] === top);
  await mkdir(destination, { recursive: false, mode: 0o700 });
  try {
    for (const { name, segments } of files) {
      // One entry at a time, yielding between them: this runs on the process that also serves the door.
      await new Promise((resolve) => setImmediate(resolve));
      let bytes: Uint8Array | undefined;
      try {
        bytes = unzipSync(zip, { filter: (file) => file.name === name })[name];
      } catch (error) {
        throw new ZipUploadError(`${name} cannot be unpacked (${error instanceof Error ? error.message : String(error)})`);
      }
      if (!bytes) continue;
      const relative = underOneFolder ? segments.slice(1) : segments;
      const path = join(destination, ...relative);
      try {
        await mkdir(dirname(path), { recursive: true, mode: 0o700 });
        // `wx`: two entries that name one file (a/b.jpg and a\b.jpg) do not overwrite each other silently.
        await writeFile(path, bytes, { flag: 'wx', mode: 0o600 });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR') throw new ZipUploadError(`${relative.join('/')} is in the zip twice, or as a file and a folder`);
        throw error;
      }
    }
  } catch (error) {
    await rm(destination, { recursive: true, force: true });
    throw error;
  }
  return { files: files.length };
}
