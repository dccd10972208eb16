// Bytes to base64 (RFC 4648, padded) for uploads: photos travel to the terminal inside the JSON request.

/** Chunk size for String.fromCharCode: large enough to be quick, small enough for the argument limit. */
const CHUNK_BYTES = 0x8000;

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + CHUNK_BYTES));
  }
  return btoa(binary);
}
