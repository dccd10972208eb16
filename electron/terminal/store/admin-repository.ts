import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

import type Database from 'better-sqlite3';

import { isSqliteError, StoreError } from './errors.js';

/** A PIN (4–12 digits, for the touchscreen) or a password (8–256 characters, for the browser). */
export type CredentialKind = 'pin' | 'password';

/** scrypt cost parameters; stored with each hash, so they can be raised without invalidating old hashes. */
export interface ScryptParams {
  /** CPU/memory cost N, a power of two; memory is 128·N·blockSize bytes. */
  readonly cost: number;
  /** Block size r. */
  readonly blockSize: number;
  /** Parallelisation p. */
  readonly parallelization: number;
}

/** N = 2^15, r = 8, p = 1: 32 MiB and about 0.1–0.2 s per check on a Cortex-A55 (OWASP's scrypt minimum is 2^17 with r = 8 at 128 MiB). */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { cost: 2 ** 15, blockSize: 8, parallelization: 1 };

/** When wrong secrets lock a credential. */
export interface LockoutPolicy {
  /** Failures in a row that lock the credential; default 5. */
  readonly maxFailedAttempts: number;
  /** First lockout, ms; default 5 minutes. Each further run of failures doubles it. */
  readonly lockoutMs: number;
  /** Longest lockout, ms; default 1 hour. */
  readonly maxLockoutMs: number;
}

/** Default lockout: 5 failures, then 5 min, 10 min, 20 min… up to 1 h. */
export const DEFAULT_LOCKOUT_POLICY: LockoutPolicy = { maxFailedAttempts: 5, lockoutMs: 5 * 60_000, maxLockoutMs: 60 * 60_000 };

/** The outcome of `verify`. A wrong secret and an unknown username look the same. */
export type VerifyResult = { ok: true } | { ok: false; reason: 'invalid' } | { ok: false; reason: 'locked'; lockedUntilMs: number };

/** An admin credential without its hash. */
export interface AdminInfo {
  readonly username: string;
  readonly kind: CredentialKind;
  readonly failedAttempts: number;
  /** Locked until this time, ms since epoch; null when not locked. */
  readonly lockedUntilMs: number | null;
  readonly lastLoginAtMs: number | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

/** Options of AdminRepository. */
export interface AdminRepositoryOptions {
  /** Clock, ms since epoch; default Date.now. */
  readonly nowMs?: () => number;
  /** Parameters of new hashes; default DEFAULT_SCRYPT_PARAMS. A hash made with others is redone at its next login. */
  readonly scrypt?: ScryptParams;
  /** Default DEFAULT_LOCKOUT_POLICY. */
  readonly lockout?: LockoutPolicy;
}

interface AdminRow {
  username: string;
  kind: CredentialKind;
  scheme: string;
  salt: Buffer;
  hash: Buffer;
  scrypt_cost: number;
  scrypt_block_size: number;
  scrypt_parallelization: number;
  failed_attempts: number;
  locked_until_ms: number | null;
  last_login_at_ms: number | null;
  created_at_ms: number;
  updated_at_ms: number;
}

/** HMAC-SHA256 with the key-file pepper, then scrypt. */
const SCHEME = 'scrypt-hmac-sha256-v1';
const SALT_BYTES = 16;
const HASH_BYTES = 32;

/**
 * Admin credentials. Hash = scrypt(HMAC-SHA256(pepper, secret), salt), the pepper derived from the key
 * file: a 6-digit PIN has only a million values, so a copied database or backup must not be enough to try
 * them all offline. Online guessing is stopped by the lockout; attempts are counted before the hash is
 * computed, so parallel guesses cannot slip past the limit.
 */
export class AdminRepository {
  private readonly nowMs: () => number;
  private readonly scryptParams: ScryptParams;
  private readonly lockout: LockoutPolicy;
  private readonly selectOne;
  private readonly selectAll;
  private readonly insert;
  private readonly updateSecret;
  private readonly updateAttempt;
  private readonly updateSuccess;
  private readonly deleteOne;
  private readonly countAll;

  constructor(
    private readonly db: Database.Database,
    private readonly pepperKey: Buffer,
    options: AdminRepositoryOptions = {},
  ) {
    this.nowMs = options.nowMs ?? Date.now;
    this.scryptParams = options.scrypt ?? DEFAULT_SCRYPT_PARAMS;
    this.lockout = options.lockout ?? DEFAULT_LOCKOUT_POLICY;
    this.selectOne = db.prepare<[string], AdminRow>('SELECT * FROM admins WHERE username = ?');
    this.selectAll = db.prepare<[], AdminRow>('SELECT * FROM admins ORDER BY username');
    this.insert = db.prepare(
      `INSERT INTO admins (username, kind, scheme, salt, hash, scrypt_cost, scrypt_block_size, scrypt_parallelization, created_at_ms, updated_at_ms)
       VALUES (@username, @kind, @scheme, @salt, @hash, @cost, @blockSize, @parallelization, @nowMs, @nowMs)`,
    );
    this.updateSecret = db.prepare(
      `UPDATE admins SET kind = @kind, scheme = @scheme, salt = @salt, hash = @hash, scrypt_cost = @cost, scrypt_block_size = @blockSize,
         scrypt_parallelization = @parallelization, updated_at_ms = @nowMs
       WHERE username = @username`,
    );
    this.updateAttempt = db.prepare<[number, number | null, string]>('UPDATE admins SET failed_attempts = ?, locked_until_ms = ? WHERE username = ?');
    this.updateSuccess = db.prepare<[number, string]>('UPDATE admins SET failed_attempts = 0, locked_until_ms = NULL, last_login_at_ms = ? WHERE username = ?');
    this.deleteOne = db.prepare<[string]>('DELETE FROM admins WHERE username = ?');
    this.countAll = db.prepare<[], number>('SELECT count(*) FROM admins').pluck();
  }

  /** Adds an admin; a StoreError 'conflict' when the username exists, 'invalid' for a bad username or secret. */
  async create(username: string, kind: CredentialKind, secret: string): Promise<void> {
    const name = normaliseUsername(username);
    const hashed = await this.hashNew(kind, secret);
    try {
      this.db.transaction(() => this.insert.run({ username: name, kind, ...hashed, nowMs: this.nowMs() }))();
    } catch (error) {
      if (isSqliteError(error, 'SQLITE_CONSTRAINT_PRIMARYKEY')) throw new StoreError('conflict', `admin "${name}" exists`, { cause: error });
      throw error;
    }
  }

  /** Replaces an admin's secret (and kind); a StoreError 'not-found' or 'invalid'. Does not unlock. */
  async setSecret(username: string, kind: CredentialKind, secret: string): Promise<void> {
    const name = normaliseUsername(username);
    const hashed = await this.hashNew(kind, secret);
    const changes = this.db.transaction(() => this.updateSecret.run({ username: name, kind, ...hashed, nowMs: this.nowMs() }).changes)();
    if (changes === 0) throw new StoreError('not-found', `no admin "${name}"`);
  }

  /**
   * Checks a secret in constant time. While locked, the secret is not even hashed. The failure that
   * reaches the limit answers 'locked' at once.
   */
  async verify(username: string, secret: string): Promise<VerifyResult> {
    const name = username.trim().normalize('NFC');
    const attempt = this.db.transaction(() => {
      const row = this.selectOne.get(name);
      if (!row) return undefined;
      const nowMs = this.nowMs();
      if (row.locked_until_ms !== null && row.locked_until_ms > nowMs) return { row, lockedUntilMs: row.locked_until_ms, counted: false };
      const failed = row.failed_attempts + 1;
      const { maxFailedAttempts, lockoutMs, maxLockoutMs } = this.lockout;
      const lockedUntilMs = failed % maxFailedAttempts === 0 ? nowMs + Math.min(lockoutMs * 2 ** (failed / maxFailedAttempts - 1), maxLockoutMs) : null;
      this.updateAttempt.run(failed, lockedUntilMs, name);
      return { row, lockedUntilMs, counted: true };
    }).immediate();
    if (attempt && !attempt.counted && attempt.lockedUntilMs !== null) return { ok: false, reason: 'locked', lockedUntilMs: attempt.lockedUntilMs };
    if (!attempt) {
      // Same work for an unknown name, so the time taken does not tell which usernames exist.
      await this.hash(secret, DUMMY_SALT, this.scryptParams);
      return { ok: false, reason: 'invalid' };
    }
    const { row } = attempt;
    const params = { cost: row.scrypt_cost, blockSize: row.scrypt_block_size, parallelization: row.scrypt_parallelization };
    const actual = await this.hash(secret, row.salt, params);
    const match = row.scheme === SCHEME && actual.length === row.hash.length && timingSafeEqual(actual, row.hash);
    if (!match) {
      return attempt.lockedUntilMs !== null ? { ok: false, reason: 'locked', lockedUntilMs: attempt.lockedUntilMs } : { ok: false, reason: 'invalid' };
    }
    this.db.transaction(() => this.updateSuccess.run(this.nowMs(), name))();
    if (!sameParams(params, this.scryptParams)) await this.rehash(name, row.kind, secret);
    return { ok: true };
  }

  /** Clears failures and lockout (an operator's reset). Returns false when there is no such admin. */
  unlock(username: string): boolean {
    return this.db.transaction(() => this.updateAttempt.run(0, null, normaliseUsername(username)).changes > 0)();
  }

  /** One admin without the hash, or undefined. */
  get(username: string): AdminInfo | undefined {
    const row = this.selectOne.get(username.trim().normalize('NFC'));
    return row ? toInfo(row) : undefined;
  }

  /** Every admin without hashes. */
  list(): AdminInfo[] {
    return this.selectAll.all().map(toInfo);
  }

  /** Number of admins; 0 on first start (the kiosk then asks for one). */
  count(): number {
    return this.countAll.get() ?? 0;
  }

  /** Deletes an admin; returns false when there was none. */
  delete(username: string): boolean {
    return this.db.transaction(() => this.deleteOne.run(username.trim().normalize('NFC')).changes > 0)();
  }

  private async rehash(name: string, kind: CredentialKind, secret: string): Promise<void> {
    try {
      await this.setSecret(name, kind, secret);
    } catch (error) {
      // A secret from before a stricter rule cannot be re-stored; it stays on its old parameters.
      if (!(error instanceof StoreError && error.code === 'invalid')) throw error;
    }
  }

  private async hashNew(kind: CredentialKind, secret: string): Promise<Record<string, string | number | Buffer>> {
    assertSecret(kind, secret);
    const salt = randomBytes(SALT_BYTES);
    const hash = await this.hash(secret, salt, this.scryptParams);
    return { scheme: SCHEME, salt, hash, ...this.scryptParams };
  }

  private hash(secret: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
    const peppered = createHmac('sha256', this.pepperKey).update(secret.normalize('NFC'), 'utf8').digest();
    const options = { N: params.cost, r: params.blockSize, p: params.parallelization, maxmem: 256 * params.cost * params.blockSize };
    // The async scrypt runs on libuv's pool: the door keeps working while a PIN is checked.
    return new Promise((resolve, reject) => scrypt(peppered, salt, HASH_BYTES, options, (error, key) => (error ? reject(error) : resolve(key))));
  }
}

const DUMMY_SALT = Buffer.alloc(SALT_BYTES);

function sameParams(a: ScryptParams, b: ScryptParams): boolean {
  return a.cost === b.cost && a.blockSize === b.blockSize && a.parallelization === b.parallelization;
}

function normaliseUsername(username: string): string {
  const name = username.trim().normalize('NFC');
  if (name.length < 1 || name.length > 64) throw new StoreError('invalid', 'a username needs 1 to 64 characters');
  return name;
}

function assertSecret(kind: CredentialKind, secret: string): void {
  if (kind === 'pin') {
    if (!/^\d{4,12}$/.test(secret)) throw new StoreError('invalid', 'a PIN is 4 to 12 digits');
  } else if (kind === 'password') {
    const length = [...secret.normalize('NFC')].length;
    if (length < 8 || length > 256) throw new StoreError('invalid', 'a password needs 8 to 256 characters');
  } else {
    throw new StoreError('invalid', `unknown credential kind ${String(kind)}`);
  }
}

function toInfo(row: AdminRow): AdminInfo {
  return {
    username: row.username,
    kind: row.kind,
    failedAttempts: row.failed_attempts,
    lockedUntilMs: row.locked_until_ms,
    lastLoginAtMs: row.last_login_at_ms,
    createdAtMs: row.created_at_ms,
    updatedAtMs: row.updated_at_ms,
  };
}
