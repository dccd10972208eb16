// Checks a model before it reaches rknn_init: what the runtime would do with a missing, empty, foreign or cut-off
// file is an opaque -6 at best. The container layout is not in Rockchip's documentation; it is read from Netron's
// RKNN reader (lutzroeder/netron `source/rknn.js`, `rknn.Container`) and a hexdump of a toolkit-2 model:
//   "RKNN" | 4 zero bytes | u64 format version (6 for toolkit 2.x) | u64 model data size | data | u64 JSON size | JSON
// Models exported with `export_encrypted_rknn_model` start with "CYPTRKNN" instead and are opaque past the magic.
import type { Stats } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';

import { RknnModelFileError } from './rknn-errors.js';

/** Bytes of the plain container header: magic, padding, format version, data size. */
export const RKNN_CONTAINER_HEADER_BYTES = 24;
/** Largest model accepted by default, bytes (512 MiB); a face model is 1–200 MB. */
export const DEFAULT_MAX_MODEL_BYTES = 512 * 1024 * 1024;
/** `rknn_init` takes the model size as `uint32_t`. */
const MAX_INIT_BYTES = 0xffff_ffff;

const PLAIN_MAGIC = Buffer.from('RKNN', 'latin1');
const ENCRYPTED_MAGIC = Buffer.from('CYPTRKNN', 'latin1');
const ENCRYPTED_MIN_BYTES = 16;

/** What the header of an accepted model says. */
export type RknnModelHeader =
  | { readonly kind: 'plain'; readonly formatVersion: number; readonly dataBytes: number; readonly fileBytes: number }
  | { readonly kind: 'encrypted'; readonly fileBytes: number };

/**
 * Checks the first bytes of a model (`head`, at least the first 24 when the file has them) against its total size
 * `fileBytes`. Throws `RknnModelFileError` naming `label`.
 */
export function checkModelHeader(head: Uint8Array, fileBytes: number, label: string, maxModelBytes = DEFAULT_MAX_MODEL_BYTES): RknnModelHeader {
  const bytes = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  checkSize(fileBytes, label, maxModelBytes);

  if (startsWith(bytes, ENCRYPTED_MAGIC)) {
    if (fileBytes < ENCRYPTED_MIN_BYTES) throw new RknnModelFileError(label, 'truncated', `is cut off: ${fileBytes} bytes of an encrypted model`);
    return { kind: 'encrypted', fileBytes };
  }
  if (startsWith(bytes, PLAIN_MAGIC)) {
    if (fileBytes < RKNN_CONTAINER_HEADER_BYTES || bytes.length < RKNN_CONTAINER_HEADER_BYTES) {
      throw new RknnModelFileError(label, 'truncated', `is cut off: ${fileBytes} bytes, shorter than the ${RKNN_CONTAINER_HEADER_BYTES}-byte RKNN header`);
    }
    const formatVersion = Number(bytes.readBigUInt64LE(8));
    const dataBytes = Number(bytes.readBigUInt64LE(16));
    if (dataBytes === 0 || RKNN_CONTAINER_HEADER_BYTES + dataBytes > fileBytes) {
      throw new RknnModelFileError(
        label,
        'truncated',
        `is cut off or damaged: its header announces ${dataBytes} bytes of model data, the file has ${fileBytes - RKNN_CONTAINER_HEADER_BYTES} after the header`,
      );
    }
    return { kind: 'plain', formatVersion, dataBytes, fileBytes };
  }
  // A few bytes that are the start of a magic: the file ends inside it.
  if (bytes.length < PLAIN_MAGIC.length && (PLAIN_MAGIC.subarray(0, bytes.length).equals(bytes) || ENCRYPTED_MAGIC.subarray(0, bytes.length).equals(bytes))) {
    throw new RknnModelFileError(label, 'truncated', `is cut off: ${fileBytes} bytes`);
  }
  const shown = bytes.subarray(0, Math.min(bytes.length, 8));
  const onnxHint = /\.onnx$/i.test(label) ? "; it looks like an ONNX model: convert it with RKNN-Toolkit2 (target_platform='rk3568')" : '';
  throw new RknnModelFileError(
    label,
    'bad-magic',
    `is not an RKNN model: it starts with ${hexAndText(shown)}, an RKNN model starts with "RKNN" (or "CYPTRKNN" when encrypted)${onnxHint}`,
  );
}

/** A model file that passed the checks; `bytes` is its content when it was read whole. */
export interface CheckedModelFile {
  readonly path: string;
  readonly header: RknnModelHeader;
  readonly bytes?: Uint8Array;
}

/**
 * Checks a model file (exists, regular, readable, non-empty, not larger than `maxModelBytes`, RKNN magic, data
 * size within the file) and, with `readWhole`, returns its bytes. Throws `RknnModelFileError` naming the file.
 */
export async function checkModelFile(
  path: string,
  options: { readWhole: boolean; maxModelBytes?: number },
): Promise<CheckedModelFile> {
  let stats: Stats;
  try {
    stats = await stat(path);
  } catch (error) {
    throw fileError(path, error);
  }
  if (!stats.isFile()) throw new RknnModelFileError(path, 'not-a-file', 'is not a regular file');
  const maxModelBytes = options.maxModelBytes ?? DEFAULT_MAX_MODEL_BYTES;
  // Size first, so an oversized file is refused without reading it.
  checkSize(stats.size, path, maxModelBytes);
  try {
    if (options.readWhole) {
      const content = await readFile(path);
      const bytes = new Uint8Array(content.buffer, content.byteOffset, content.byteLength);
      return { path, header: checkModelHeader(bytes, bytes.byteLength, path, maxModelBytes), bytes };
    }
    const head = Buffer.alloc(RKNN_CONTAINER_HEADER_BYTES);
    const handle = await open(path, 'r');
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(head, 0, head.length, 0));
    } finally {
      await handle.close();
    }
    return { path, header: checkModelHeader(head.subarray(0, bytesRead), stats.size, path, maxModelBytes) };
  } catch (error) {
    if (error instanceof RknnModelFileError) throw error;
    throw fileError(path, error);
  }
}

function checkSize(fileBytes: number, label: string, maxModelBytes: number): void {
  if (fileBytes === 0) throw new RknnModelFileError(label, 'empty', 'is empty (0 bytes)');
  const limit = Math.min(maxModelBytes, MAX_INIT_BYTES);
  if (fileBytes > limit) throw new RknnModelFileError(label, 'too-large', `is ${fileBytes} bytes, more than the ${limit} accepted`);
}

function fileError(path: string, error: unknown): RknnModelFileError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new RknnModelFileError(path, 'missing', `is missing (no ${basename(path)} at that path)`);
  }
  return new RknnModelFileError(path, 'unreadable', `cannot be read (${code ?? (error as Error).message})`);
}

function startsWith(bytes: Buffer, magic: Buffer): boolean {
  return bytes.length >= magic.length && bytes.subarray(0, magic.length).equals(magic);
}

function hexAndText(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(' ');
  const text = Array.from(bytes, (byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.')).join('');
  return `${hex} ("${text}")`;
}
