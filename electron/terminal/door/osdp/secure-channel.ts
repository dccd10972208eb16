// OSDP Secure Channel (SIA OSDP 2.2, Annex D) cryptography with node:crypto's AES-128: the session keys derived
// from the Secure Channel Base Key (SCBK) and the panel's random number, the two cryptograms of the handshake,
// the initial R-MAC, the message authentication code chained through every message, and the encryption of data
// blocks. Pure functions over Buffers; the peripheral's state machine holds the session.
import { createCipheriv, createDecipheriv, timingSafeEqual } from 'node:crypto';

/** Key and block size, bytes (AES-128). */
export const KEY_BYTES = 16;
const BLOCK_BYTES = 16;
/** End-of-message marker that pads MAC input and encrypted data to whole blocks. */
const PAD_MARKER = 0x80;

/**
 * SCBK-D, the default key every device knows (0x30…0x3F). Accepted only in install mode, so a panel can set
 * the real key over a channel that is at least encrypted.
 */
export const SCBK_DEFAULT: Buffer = Buffer.from('303132333435363738393a3b3c3d3e3f', 'hex');

// Security control block types.
/** CP → PD osdp_CHLNG; data byte: 0 = use SCBK-D, 1 = use SCBK. */
export const SCS_11 = 0x11;
/** PD → CP osdp_CCRYPT. */
export const SCS_12 = 0x12;
/** CP → PD osdp_SCRYPT. */
export const SCS_13 = 0x13;
/** PD → CP osdp_RMAC_I; data byte 1 = the panel's cryptogram was accepted. */
export const SCS_14 = 0x14;
/** CP → PD with MAC, no data to encrypt. */
export const SCS_15 = 0x15;
/** PD → CP with MAC, no data to encrypt. */
export const SCS_16 = 0x16;
/** CP → PD with MAC and encrypted data. */
export const SCS_17 = 0x17;
/** PD → CP with MAC and encrypted data. */
export const SCS_18 = 0x18;

/** The three session keys. */
export interface SessionKeys {
  /** S-ENC: cryptograms and data encryption. */
  readonly enc: Buffer;
  /** S-MAC1: all MAC blocks but the last. */
  readonly mac1: Buffer;
  /** S-MAC2: the last MAC block. */
  readonly mac2: Buffer;
}

/** AES-128 of one or more whole blocks in ECB mode. */
function aesEcb(key: Uint8Array, blocks: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-128-ecb', key, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(blocks), cipher.final()]);
}

/**
 * Session keys from the base key and the panel's random number: each is AES(SCBK, 0x01 ‖ type ‖ RND.A[0..5] ‖
 * 0…0) with type 0x82 for S-ENC, 0x01 for S-MAC1, 0x02 for S-MAC2.
 */
export function deriveSessionKeys(scbk: Uint8Array, cpRandom: Uint8Array): SessionKeys {
  checkLength('SCBK', scbk, KEY_BYTES);
  checkLength('the panel random number', cpRandom, 8);
  const derive = (type: number): Buffer => {
    const block = Buffer.alloc(BLOCK_BYTES);
    block[0] = 0x01;
    block[1] = type;
    Buffer.from(cpRandom.subarray(0, 6)).copy(block, 2);
    return aesEcb(scbk, block);
  };
  return { enc: derive(0x82), mac1: derive(0x01), mac2: derive(0x02) };
}

/** The PD's (client) cryptogram, sent in osdp_CCRYPT: AES(S-ENC, RND.A ‖ RND.B). */
export function pdCryptogram(keys: SessionKeys, cpRandom: Uint8Array, pdRandom: Uint8Array): Buffer {
  return aesEcb(keys.enc, Buffer.concat([cpRandom, pdRandom]));
}

/** The panel's (server) cryptogram, received in osdp_SCRYPT: AES(S-ENC, RND.B ‖ RND.A). */
export function cpCryptogram(keys: SessionKeys, cpRandom: Uint8Array, pdRandom: Uint8Array): Buffer {
  return aesEcb(keys.enc, Buffer.concat([pdRandom, cpRandom]));
}

/** Constant-time comparison of a received cryptogram or MAC with the expected one. */
export function sameBytes(received: Uint8Array, expected: Uint8Array): boolean {
  return received.length === expected.length && timingSafeEqual(received, expected);
}

/** R-MAC-I, the first R-MAC of a session: AES(S-MAC2, AES(S-MAC1, panel cryptogram)). */
export function initialRmac(keys: SessionKeys, serverCryptogram: Uint8Array): Buffer {
  return aesEcb(keys.mac2, aesEcb(keys.mac1, serverCryptogram));
}

/**
 * The 16-byte MAC of a message: CBC over its bytes (SOM up to the MAC) chained from `iv` — the last R-MAC for a
 * command, the last C-MAC for a reply — with S-MAC1 for every block but the last and S-MAC2 for the last, which
 * is padded with 0x80 and zeros when the message does not end on a block boundary. Messages send its first 4 bytes.
 */
export function computeMac(keys: SessionKeys, iv: Uint8Array, message: Uint8Array): Buffer {
  checkLength('MAC chaining value', iv, BLOCK_BYTES);
  const remainder = message.length % BLOCK_BYTES;
  const padded = remainder === 0 && message.length > 0 ? Buffer.from(message) : Buffer.concat([message, Buffer.of(PAD_MARKER), Buffer.alloc(BLOCK_BYTES - remainder - 1)]);
  const head = padded.subarray(0, padded.length - BLOCK_BYTES);
  let chain = Buffer.from(iv);
  if (head.length > 0) {
    const cipher = createCipheriv('aes-128-cbc', keys.mac1, chain);
    cipher.setAutoPadding(false);
    const encrypted = Buffer.concat([cipher.update(head), cipher.final()]);
    chain = encrypted.subarray(encrypted.length - BLOCK_BYTES);
  }
  const last = Buffer.from(padded.subarray(padded.length - BLOCK_BYTES));
  for (let i = 0; i < BLOCK_BYTES; i++) last[i] = (last[i] ?? 0) ^ (chain[i] ?? 0);
  return aesEcb(keys.mac2, last);
}

/** The bitwise complement of a MAC: the IV of data encryption (a command's uses the last R-MAC, a reply's the C-MAC). */
export function complement(mac: Uint8Array): Buffer {
  return Buffer.from(Uint8Array.from(mac, (byte) => ~byte & 0xff));
}

/** Encrypts a data block: 0x80 and zeros to a whole number of blocks, AES-CBC with S-ENC and `iv`. */
export function encryptData(keys: SessionKeys, iv: Uint8Array, plaintext: Uint8Array): Buffer {
  const padBytes = BLOCK_BYTES - (plaintext.length % BLOCK_BYTES);
  const padded = Buffer.concat([plaintext, Buffer.of(PAD_MARKER), Buffer.alloc(padBytes - 1)]);
  const cipher = createCipheriv('aes-128-cbc', keys.enc, iv);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]);
}

/**
 * Decrypts a data block and strips its padding; undefined when the length is not whole blocks or the padding
 * is not 0x80 followed by zeros (a wrong key or IV, or tampering).
 */
export function decryptData(keys: SessionKeys, iv: Uint8Array, ciphertext: Uint8Array): Buffer | undefined {
  if (ciphertext.length === 0 || ciphertext.length % BLOCK_BYTES !== 0) return undefined;
  const decipher = createDecipheriv('aes-128-cbc', keys.enc, iv);
  decipher.setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  let end = padded.length - 1;
  while (end > 0 && padded[end] === 0) end--;
  // Padding is at most one block; more zeros than that is not OSDP padding.
  if (padded[end] !== PAD_MARKER || padded.length - end > BLOCK_BYTES) return undefined;
  return padded.subarray(0, end);
}

/** Overwrites key material that is no longer needed. */
export function wipe(...buffers: (Uint8Array | undefined)[]): void {
  for (const buffer of buffers) buffer?.fill(0);
}

function checkLength(what: string, bytes: Uint8Array, expected: number): void {
  if (bytes.length !== expected) throw new RangeError(`${what} must be ${expected} bytes, got ${bytes.length}`);
}
