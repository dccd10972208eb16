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

/**
 * When wrong secrets from one source lock a username there. Counted per source and username, so a stranger
 * elsewhere cannot lock the admin out of the kiosk, and the same for unknown usernames as for known ones.
 */
export interface LockoutPolicy {
  /** Wrong secrets in a row from one source before it must wait; default 5. */
  readonly maxFailedAttempts: number;
  /** The first wait, ms; default 30 s. Each further failure doubles it. */
  readonly lockoutMs: number;
  /** Longest wait, ms; default 15 minutes. */
  readonly maxLockoutMs: number;
  /** Failures older than this are forgotten, ms; default 24 hours. */
  readonly forgetAfterMs: number;
}

/** Default lockout: 5 tries, then 30 s, 1 min, 2 min… up to 15 min between tries; forgotten after a day. */
export const DEFAULT_LOCKOUT_POLICY: LockoutPolicy = { maxFailedAttempts: 5, lockoutMs: 30_000, maxLockoutMs: 15 * 60_000, forgetAfterMs: 24 * 60 * 60_000 };

/** Password checks waiting behind the one running before further logins are turned away; default 4. */
export const DEFAULT_MAX_WAITING_HASHES = 4;

/**
 * The outcome of `verify`. A wrong secret and an unknown username look the same: `triesLeft` before the source
 * must wait, then `locked` until `lockedUntilMs`. `busy`: other checks fill the queue; nothing was counted.
 */
export type VerifyResult =
  | { ok: true }
  | { ok: false; reason: 'invalid'; triesLeft: number }
  | { ok: false; reason: 'locked'; lockedUntilMs: number }
  | { ok: false; reason: 'busy' };

/** Where a login attempt comes from (`kiosk`, a peer address); one source's failures never lock another. */
export const DEFAULT_SOURCE = 'local';

/** An admin credential without its hash. */
export interface AdminInfo {
  readonly username: string;
  readonly kind: CredentialKind;
  /** Most wrong secrets in a row from any one source. */
  readonly failedAttempts: number;
  /** Some source must wait until this time, ms since epoch; null when none must. */
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
  /** Default DEFAULT_MAX_WAITING_HASHES. */
  readonly maxWaitingHashes?: number;
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

interface AttemptRow {
  failed_attempts: number;
  locked_until_ms: number | null;
  updated_at_ms: number;
}

/** HMAC-SHA256 with the key-file pepper, then scrypt. */
const SCHEME = 'scrypt-hmac-sha256-v1';
const SALT_BYTES = 16;
const HASH_BYTES = 32;

/**
 * Admin credentials. Hash = scrypt(HMAC-SHA256(pepper, secret), salt), the pepper derived from the key
 * file: a 6-digit PIN has only a million values, so a copied database or backup must not be enough to try
 * them all offline. Online guessing is stopped by the lockout, per source and username; attempts are counted
 * before the hash is computed, so parallel guesses cannot slip past the limit. One hash runs at a time (scrypt
 * holds a thread of libuv's pool of four, which the door's JPEG work shares) with a short queue behind it.
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
  private readonly selectAttempt;
  private readonly upsertAttempt;
  private readonly deleteAttempt;
  private readonly deleteAttemptsOf;
  private readonly deleteStaleAttempts;
  private readonly selectAttemptsOf;
  private readonly hashes: SerialQueue;
  private lastPruneMs = Number.NEGATIVE_INFINITY;

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
    this.selectAttempt = db.prepare<[string, string], AttemptRow>('SELECT failed_attempts, locked_until_ms, updated_at_ms FROM login_attempts WHERE source = ? AND username = ?');
    this.upsertAttempt = db.prepare<[string, string, number, number | null, number]>(
      `INSERT INTO login_attempts (source, username, failed_attempts, locked_until_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (source, username) DO UPDATE SET failed_attempts = excluded.failed_attempts, locked_until_ms = excluded.locked_until_ms, updated_at_ms = excluded.updated_at_ms`,
    );
    this.deleteAttempt = db.prepare<[string, string]>('DELETE FROM login_attempts WHERE source = ? AND username = ?');
    this.deleteAttemptsOf = db.prepare<[string]>('DELETE FROM login_attempts WHERE username = ?');
    this.deleteStaleAttempts = db.prepare<[number]>('DELETE FROM login_attempts WHERE updated_at_ms < ?');
    this.selectAttemptsOf = db.prepare<[string], { failed: number | null; locked: number | null }>(
      'SELECT max(failed_attempts) AS failed, max(locked_until_ms) AS locked FROM login_attempts WHERE username = ?',
    );
    this.hashes = new SerialQueue(options.maxWaitingHashes ?? DEFAULT_MAX_WAITING_HASHES);
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
   * Checks a secret in constant time, counting a failure against `source` and the username (known or not: an
   * unknown one costs the same dummy hash and locks the same). While the source must wait the secret is not
   * even hashed; the failure that uses the last try answers 'locked' at once. 'busy' when the hash queue is
   * full, before anything is counted, so a flood costs the terminal one hash at a time and nothing more.
   */
  async verify(username: string, secret: string, source: string = DEFAULT_SOURCE): Promise<VerifyResult> {
    const name = username.trim().normalize('NFC').slice(0, 64);
    const from = source.slice(0, 128) || DEFAULT_SOURCE;
    if (this.hashes.full) return { ok: false, reason: 'busy' };
    const attempt = this.db.transaction(() => {
      const nowMs = this.nowMs();
      this.pruneAttempts(nowMs);
      const previous = this.selectAttempt.get(from, name);
      const fresh = previous !== undefined && previous.updated_at_ms >= nowMs - this.lockout.forgetAfterMs;
      if (fresh && previous.locked_until_ms !== null && previous.locked_until_ms > nowMs) return { locked: true as const, lockedUntilMs: previous.locked_until_ms };
      const failed = (fresh ? previous.failed_attempts : 0) + 1;
      const { maxFailedAttempts, lockoutMs, maxLockoutMs } = this.lockout;
      const lockedUntilMs = failed >= maxFailedAttempts ? nowMs + Math.min(lockoutMs * 2 ** Math.min(failed - maxFailedAttempts, 30), maxLockoutMs) : null;
      this.upsertAttempt.run(from, name, failed, lockedUntilMs, nowMs);
      return { locked: false as const, row: this.selectOne.get(name), lockedUntilMs, triesLeft: Math.max(0, maxFailedAttempts - failed) };
    }).immediate();
    if (attempt.locked) return { ok: false, reason: 'locked', lockedUntilMs: attempt.lockedUntilMs };
    const failure: VerifyResult =
      attempt.lockedUntilMs !== null ? { ok: false, reason: 'locked', lockedUntilMs: attempt.lockedUntilMs } : { ok: false, reason: 'invalid', triesLeft: attempt.triesLeft };
    const { row } = attempt;
    if (!row) {
      // Same work for an unknown name, so the time taken does not tell which usernames exist.
      await this.hashes.run(() => this.hash(secret, DUMMY_SALT, this.scryptParams));
      return failure;
    }
    const params = { cost: row.scrypt_cost, blockSize: row.scrypt_block_size, parallelization: row.scrypt_parallelization };
    const actual = await this.hashes.run(() => this.hash(secret, row.salt, params));
    const match = row.scheme === SCHEME && actual.length === row.hash.length && timingSafeEqual(actual, row.hash);
    if (!match) return failure;
    this.db.transaction(() => {
      this.deleteAttempt.run(from, name);
      this.updateSuccess.run(this.nowMs(), name);
    })();
    if (!sameParams(params, this.scryptParams)) await this.rehash(name, row.kind, secret);
    return { ok: true };
  }

  /**
   * Clears every source's failures and waits for a username (an operator's reset: `lintel admin unlock`).
   * Returns false when there is no such admin.
   */
  unlock(username: string): boolean {
    const name = normaliseUsername(username);
    return this.db.transaction(() => {
      this.deleteAttemptsOf.run(name);
      return this.updateAttempt.run(0, null, name).changes > 0;
    })();
  }

  /** One admin without the hash, or undefined. */
  get(username: string): AdminInfo | undefined {
    const row = this.selectOne.get(username.trim().normalize('NFC'));
    return row ? this.toInfo(row) : undefined;
  }

  /** Every admin without hashes. */
  list(): AdminInfo[] {
    return this.selectAll.all().map((row) => this.toInfo(row));
  }

  /** Number of admins; 0 on first start (the kiosk then asks for one). */
  count(): number {
    return this.countAll.get() ?? 0;
  }

  /** Deletes an admin; returns false when there was none. */
  delete(username: string): boolean {
    return this.db.transaction(() => this.deleteOne.run(username.trim().normalize('NFC')).changes > 0)();
  }

  /** Forgets failures past `forgetAfterMs`, at most once a minute: the table stays as small as recent attempts. */
  private pruneAttempts(nowMs: number): void {
    if (nowMs - this.lastPruneMs < 60_000) return;
    this.lastPruneMs = nowMs;
    this.deleteStaleAttempts.run(nowMs - this.lockout.forgetAfterMs);
  }

  private toInfo(row: AdminRow): AdminInfo {
    const attempts = this.selectAttemptsOf.get(row.username);
    const nowMs = this.nowMs();
    const lockedUntilMs = attempts?.locked !== null && attempts?.locked !== undefined && attempts.locked > nowMs ? attempts.locked : null;
    return {
      username: row.username,
      kind: row.kind,
      failedAttempts: attempts?.failed ?? 0,
      lockedUntilMs,
      lastLoginAtMs: row.last_login_at_ms,
      createdAtMs: row.created_at_ms,
      updatedAtMs: row.updated_at_ms,
    };
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
    const hash = await this.hashes.run(() => this.hash(secret, salt, this.scryptParams));
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

/**
 * Runs one task at a time, the others waiting in order. Bounded callers see `full` once `maxWaiting` wait, and
 * are expected to turn work away then rather than queue it.
 */
class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  constructor(private readonly maxWaiting: number) {}

  /** True when a bounded caller should not add more: one running and `maxWaiting` waiting. */
  get full(): boolean {
    return this.pending > this.maxWaiting;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = this.tail.then(task, task).finally(() => this.pending--);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
