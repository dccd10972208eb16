import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, linkSync, lstatSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import { StoreError } from './errors.js';

/** Name of the key file inside the data folder. */
export const KEY_FILE_NAME = 'lintel.key';
/** Length of the master key, bytes (AES-256). */
export const KEY_BYTES = 32;

/** First byte of every sealed blob; a new format gets a new number and old blobs stay readable. */
const FORMAT_V1 = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Smallest sealed blob: version byte, IV and tag around an empty plaintext. */
const MIN_SEALED_BYTES = 1 + IV_BYTES + TAG_BYTES;

/** Keys derived from the master key, one per purpose, so no key is used for two things. */
export interface StoreKeys {
  /** AES-256-GCM key for templates, aligned crops and snapshots. */
  readonly blobKey: Buffer;
  /** HMAC key mixed into admin secrets before scrypt: a stolen database or backup alone cannot be brute-forced. */
  readonly pepperKey: Buffer;
  /** Public fingerprint of the master key (16 hex digits), kept in the database to detect a wrong key file. */
  readonly keyId: string;
}

/** Splits the 32-byte master key into purpose keys with HKDF-SHA256. */
export function deriveKeys(masterKey: Uint8Array): StoreKeys {
  if (masterKey.length !== KEY_BYTES) throw new RangeError(`master key must be ${KEY_BYTES} bytes, got ${masterKey.length}`);
  const derive = (info: string): Buffer => Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), info, KEY_BYTES));
  const keyId = createHmac('sha256', derive('lintel key id v1')).update('lintel').digest('hex').slice(0, 16);
  return { blobKey: derive('lintel blob encryption v1'), pepperKey: derive('lintel admin pepper v1'), keyId };
}

/**
 * Reads `<dataDir>/lintel.key`, or creates it (32 random bytes, mode 0600) when absent. Refuses, with a
 * StoreError 'key-file', a key that is not a regular file, is group/other accessible, belongs to another
 * user, or is not exactly 32 bytes: a loose key is as good as no encryption, and a short one is corrupt.
 */
export function loadOrCreateKey(dataDir: string): Buffer {
  const path = join(dataDir, KEY_FILE_NAME);
  const existing = readKeyFile(path);
  if (existing) return existing;
  const key = randomBytes(KEY_BYTES);
  const tempPath = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const fd = openSync(tempPath, 'wx', 0o600);
  try {
    writeSync(fd, key);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    // link() rather than rename(): it fails when another process created the key meanwhile, so a key that may
    // already encrypt data is never overwritten. Losing the key loses every template.
    linkSync(tempPath, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(tempPath);
  }
  fsyncDirectory(dataDir);
  const loaded = readKeyFile(path);
  if (!loaded) throw new StoreError('key-file', `key file ${path} vanished right after it was created`);
  return loaded;
}

function readKeyFile(path: string): Buffer | undefined {
  let stat;
  try {
    stat = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StoreError('key-file', `cannot read key file ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (!stat.isFile()) throw new StoreError('key-file', `key file ${path} is not a regular file (a symlink or folder is refused)`);
  if (process.platform !== 'win32') {
    if ((stat.mode & 0o077) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
      throw new StoreError('key-file', `key file ${path} is accessible by group or others (mode ${mode}): run chmod 600 on it`);
    }
    const uid = process.getuid?.();
    if (uid !== undefined && uid !== 0 && stat.uid !== uid) {
      throw new StoreError('key-file', `key file ${path} belongs to uid ${stat.uid}, not to the service user (uid ${uid})`);
    }
  }
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size !== KEY_BYTES) {
      throw new StoreError('key-file', `key file ${path} is ${size} bytes, expected ${KEY_BYTES}: it is damaged or not a Lintel key`);
    }
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fsync a folder so a rename or link in it survives a power cut; a no-op where folders cannot be opened. */
export function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') throw error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function aadBytes(version: number, aad: string): Buffer {
  // The version byte is authenticated too, so a blob cannot be relabelled as another format.
  return Buffer.concat([Buffer.of(version), Buffer.from(aad, 'utf8')]);
}

/**
 * AES-256-GCM: `[version 1][IV 12][ciphertext][tag 16]`, with a random IV. `aad` names the blob's place
 * (e.g. `sample:<id>:crop`), so a blob copied into another row or column fails to open.
 */
export function seal(key: Uint8Array, plaintext: Uint8Array, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aadBytes(FORMAT_V1, aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(FORMAT_V1), iv, body, cipher.getAuthTag()]);
}

/** Opens a blob made by `seal` with the same key and aad; a StoreError 'decrypt' when anything differs. */
export function unseal(key: Uint8Array, sealed: Uint8Array, aad: string): Buffer {
  if (sealed.length < MIN_SEALED_BYTES) throw new StoreError('decrypt', `cannot decrypt ${aad}: ${sealed.length} bytes is too short to be sealed`);
  const version = sealed[0];
  if (version !== FORMAT_V1) throw new StoreError('decrypt', `cannot decrypt ${aad}: unknown format version ${String(version)}`);
  const iv = sealed.subarray(1, 1 + IV_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const body = sealed.subarray(1 + IV_BYTES, sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aadBytes(version, aad));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch (error) {
    throw new StoreError('decrypt', `cannot decrypt ${aad}: wrong key, altered data, or a blob moved from another row`, { cause: error });
  }
}
