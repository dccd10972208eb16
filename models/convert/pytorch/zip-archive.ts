/**
 * Reads the entries of a PyTorch checkpoint archive (`torch.save` since 1.6: a zip of `data.pkl`, `version`
 * and one file per tensor storage). PyTorch's writer (caffe2 `PyTorchStreamWriter`, miniz) always stores
 * entries uncompressed, aligned to 64 bytes, so the entries are views into the file: no inflate, no zip
 * dependency. A compressed entry (a checkpoint repacked by another zip tool) is refused with its name.
 */

/** Thrown for anything in the archive this reader does not accept, naming what and where. */
export class CheckpointArchiveError extends Error {
  override readonly name = 'CheckpointArchiveError';
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_END_LOCATOR = 0x07064b50;
const ZIP64_END_OF_CENTRAL_DIRECTORY = 0x06064b50;
const CENTRAL_DIRECTORY_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const METHOD_STORED = 0;
/** The end record's comment can be up to 65,535 bytes; PyTorch writes none. */
const MAX_END_SEARCH_BYTES = 22 + 0xffff;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (the zip polynomial) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = (CRC_TABLE[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function findEndRecord(view: DataView): number {
  const lowest = Math.max(0, view.byteLength - MAX_END_SEARCH_BYTES);
  for (let offset = view.byteLength - 22; offset >= lowest; offset--) {
    if (view.getUint32(offset, true) === END_OF_CENTRAL_DIRECTORY) return offset;
  }
  throw new CheckpointArchiveError('not a zip archive (no end of central directory record): not a PyTorch checkpoint saved by torch.save ≥ 1.6');
}

function safeNumber(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new CheckpointArchiveError(`${what} ${value} is too large`);
  return Number(value);
}

/** Where the central directory starts and how many entries it holds (zip64 records where the classic ones overflow). */
function centralDirectory(view: DataView): { offset: number; count: number } {
  const end = findEndRecord(view);
  let count = view.getUint16(end + 10, true);
  let offset = view.getUint32(end + 16, true);
  if (count === 0xffff || offset === 0xffffffff) {
    const locator = end - 20;
    if (locator < 0 || view.getUint32(locator, true) !== ZIP64_END_LOCATOR) throw new CheckpointArchiveError('zip64 archive without its end locator');
    const zip64End = safeNumber(view.getBigUint64(locator + 8, true), 'zip64 end record offset');
    if (zip64End + 56 > view.byteLength || view.getUint32(zip64End, true) !== ZIP64_END_OF_CENTRAL_DIRECTORY) {
      throw new CheckpointArchiveError('zip64 end of central directory record missing');
    }
    count = safeNumber(view.getBigUint64(zip64End + 32, true), 'entry count');
    offset = safeNumber(view.getBigUint64(zip64End + 48, true), 'central directory offset');
  }
  return { offset, count };
}

/**
 * The entries of a PyTorch zip checkpoint, by name, as views into `bytes` (not copies). Checks every entry's
 * CRC-32, so a damaged file fails here rather than as odd weights.
 */
export function readCheckpointArchive(bytes: Uint8Array): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const { offset: directoryOffset, count } = centralDirectory(view);
  const entries = new Map<string, Uint8Array>();
  let cursor = directoryOffset;
  for (let i = 0; i < count; i++) {
    if (cursor + 46 > view.byteLength || view.getUint32(cursor, true) !== CENTRAL_DIRECTORY_HEADER) {
      throw new CheckpointArchiveError(`central directory entry ${i} is damaged`);
    }
    const method = view.getUint16(cursor + 10, true);
    const crc = view.getUint32(cursor + 16, true);
    const compressedSize = view.getUint32(cursor + 20, true);
    const size = view.getUint32(cursor + 24, true);
    const nameLength = view.getUint16(cursor + 28, true);
    const extraLength = view.getUint16(cursor + 30, true);
    const commentLength = view.getUint16(cursor + 32, true);
    const localOffset = view.getUint32(cursor + 42, true);
    const name = decoder.decode(bytes.subarray(cursor + 46, cursor + 46 + nameLength));
    cursor += 46 + nameLength + extraLength + commentLength;

    if (method !== METHOD_STORED) {
      throw new CheckpointArchiveError(`entry ${name} is compressed (method ${method}); torch.save stores entries uncompressed — was the file repacked?`);
    }
    if (size === 0xffffffff || localOffset === 0xffffffff) throw new CheckpointArchiveError(`entry ${name} needs zip64 sizes, which this reader does not take`);
    if (compressedSize !== size) throw new CheckpointArchiveError(`entry ${name}: stored size ${compressedSize} differs from its size ${size}`);
    if (localOffset + 30 > view.byteLength || view.getUint32(localOffset, true) !== LOCAL_FILE_HEADER) {
      throw new CheckpointArchiveError(`entry ${name}: local header missing at offset ${localOffset}`);
    }
    // The local header's own name and extra lengths decide where the data starts (PyTorch pads there to 64 bytes).
    const dataStart = localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true);
    if (dataStart + size > view.byteLength) throw new CheckpointArchiveError(`entry ${name} runs past the end of the file (truncated?)`);
    const data = bytes.subarray(dataStart, dataStart + size);
    if (crc32(data) !== crc) throw new CheckpointArchiveError(`entry ${name} fails its CRC-32 check (damaged file)`);
    if (entries.has(name)) throw new CheckpointArchiveError(`entry ${name} appears twice`);
    entries.set(name, data);
  }
  return entries;
}
