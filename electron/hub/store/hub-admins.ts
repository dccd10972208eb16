import { createHash, createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

import type pg from 'pg';

import { HubStoreError, isPgError } from './errors.js';

/** scrypt cost N of new hashes (r = 8, p = 1: 32 MiB per check); stored per hash, so it can be raised later. */
export const DEFAULT_SCRYPT_COST = 2 ** 15;
/** Wrong passwords in a row before the username must wait. */
const MAX_FAILED_ATTEMPTS = 5;
/** The first wait, ms; each further failure doubles it, up to MAX_LOCKOUT_MS. */
const LOCKOUT_MS = 30_000;
const MAX_LOCKOUT_MS = 15 * 60_000;
const SALT_BYTES = 16;
/** Advisory lock two first setups race for ('LNTA'): the loser inserts nothing even before the winner commits. */
const FIRST_ADMIN_LOCK_KEY = 0x4c4e5441;
const HASH_BYTES = 32;
/** Hub admin passwords: the hub serves a site, so no short PINs. */
export const MIN_PASSWORD_CHARS = 10;
const MAX_PASSWORD_CHARS = 256;

/** The outcome of `verify`: wrong password and unknown username look the same. */
export type HubLoginResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'invalid'; readonly triesLeft: number }
  | { readonly ok: false; readonly reason: 'locked'; readonly lockedUntilMs: number };

/** A session as `sessionOf` finds it. */
export interface HubAdminSession {
  readonly username: string;
  readonly expiresAtMs: number;
}

/**
 * The hub's administrators. Hash = scrypt(HMAC-SHA256(pepper, password), salt), the pepper derived from the hub's
 * key: a copied database alone cannot be brute-forced. Wrong passwords lock the username for a while, doubling.
 */
export class HubAdmins {
  /** A hash for unknown usernames, so they cost the same time as known ones. */
  private dummy: { salt: Buffer; hash: Buffer } | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly pepperKey: Buffer,
    private readonly options: { readonly nowMs?: () => number; readonly scryptCost?: number } = {},
  ) {}

  private now(): number {
    return (this.options.nowMs ?? Date.now)();
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>('SELECT count(*) AS n FROM admins');
    return rows[0]?.n ?? 0;
  }

  async list(): Promise<readonly { readonly username: string; readonly lastLoginAtMs: number | null }[]> {
    const { rows } = await this.pool.query<{ username: string; last_login_at_ms: number | null }>('SELECT username, last_login_at_ms FROM admins ORDER BY username');
    return rows.map((row) => ({ username: row.username, lastLoginAtMs: row.last_login_at_ms }));
  }

  /** Adds an admin; 'conflict' when the username exists, 'invalid' for a bad username or a short password. */
  async create(username: string, password: string): Promise<void> {
    const name = normaliseUsername(username);
    checkPassword(password);
    const salt = randomBytes(SALT_BYTES);
    const cost = this.options.scryptCost ?? DEFAULT_SCRYPT_COST;
    const hash = await this.hash(password, salt, cost);
    try {
      await this.pool.query('INSERT INTO admins (username, salt, hash, scrypt_cost, created_at_ms) VALUES ($1, $2, $3, $4, $5)', [name, salt, hash, cost, this.now()]);
    } catch (error) {
      if (isPgError(error, '23505')) throw new HubStoreError('conflict', `admin "${name}" exists`, { cause: error });
      throw error;
    }
  }

  /** Adds the first admin only while there is none (one transaction, so two first logins cannot both win). */
  async createFirst(username: string, password: string): Promise<boolean> {
    const name = normaliseUsername(username);
    checkPassword(password);
    const salt = randomBytes(SALT_BYTES);
    const cost = this.options.scryptCost ?? DEFAULT_SCRYPT_COST;
    const hash = await this.hash(password, salt, cost);
    const { rowCount } = await this.pool.query(
      `INSERT INTO admins (username, salt, hash, scrypt_cost, created_at_ms)
       SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM admins) AND pg_try_advisory_xact_lock($6)`,
      [name, salt, hash, cost, this.now(), FIRST_ADMIN_LOCK_KEY],
    );
    return rowCount === 1;
  }

  /** Checks a password; counts a failure (and locks) before answering. */
  async verify(username: string, password: string): Promise<HubLoginResult> {
    const name = username.trim().toLowerCase();
    const { rows } = await this.pool.query<{ salt: Buffer; hash: Buffer; scrypt_cost: number; failed_attempts: number; locked_until_ms: number | null }>(
      'SELECT salt, hash, scrypt_cost, failed_attempts, locked_until_ms FROM admins WHERE username = $1',
      [name],
    );
    const row = rows[0];
    const nowMs = this.now();
    if (row?.locked_until_ms && row.locked_until_ms > nowMs) return { ok: false, reason: 'locked', lockedUntilMs: row.locked_until_ms };
    const reference = row ?? (await this.dummyHash());
    const actual = await this.hash(String(password), reference.salt, row?.scrypt_cost ?? this.options.scryptCost ?? DEFAULT_SCRYPT_COST);
    const match = row !== undefined && actual.length === row.hash.length && timingSafeEqual(actual, row.hash);
    if (match) {
      await this.pool.query('UPDATE admins SET failed_attempts = 0, locked_until_ms = NULL, last_login_at_ms = $2 WHERE username = $1', [name, nowMs]);
      return { ok: true };
    }
    if (!row) return { ok: false, reason: 'invalid', triesLeft: MAX_FAILED_ATTEMPTS - 1 };
    const failed = row.failed_attempts + 1;
    const over = failed - MAX_FAILED_ATTEMPTS;
    const lockedUntilMs = over >= 0 ? nowMs + Math.min(LOCKOUT_MS * 2 ** over, MAX_LOCKOUT_MS) : null;
    await this.pool.query('UPDATE admins SET failed_attempts = $2, locked_until_ms = $3 WHERE username = $1', [name, failed, lockedUntilMs]);
    return lockedUntilMs !== null ? { ok: false, reason: 'locked', lockedUntilMs } : { ok: false, reason: 'invalid', triesLeft: MAX_FAILED_ATTEMPTS - failed };
  }

  /** A new session token for `username`, valid for `ttlMs`. */
  async createSession(username: string, ttlMs: number): Promise<{ readonly token: string; readonly expiresAtMs: number }> {
    const token = randomBytes(32).toString('base64url');
    const nowMs = this.now();
    const expiresAtMs = nowMs + ttlMs;
    await this.pool.query('DELETE FROM admin_sessions WHERE expires_at_ms <= $1', [nowMs]);
    await this.pool.query('INSERT INTO admin_sessions (token_hash, username, created_at_ms, expires_at_ms) VALUES ($1, $2, $3, $4)', [tokenHash(token), username.trim().toLowerCase(), nowMs, expiresAtMs]);
    return { token, expiresAtMs };
  }

  /** The unexpired session of a token, or undefined. */
  async sessionOf(token: string | undefined): Promise<HubAdminSession | undefined> {
    if (!token || token.length > 128) return undefined;
    const { rows } = await this.pool.query<{ username: string; expires_at_ms: number }>(
      'SELECT username, expires_at_ms FROM admin_sessions WHERE token_hash = $1 AND expires_at_ms > $2',
      [tokenHash(token), this.now()],
    );
    const row = rows[0];
    return row ? { username: row.username, expiresAtMs: row.expires_at_ms } : undefined;
  }

  async endSession(token: string): Promise<void> {
    await this.pool.query('DELETE FROM admin_sessions WHERE token_hash = $1', [tokenHash(token)]);
  }

  private async dummyHash(): Promise<{ salt: Buffer; hash: Buffer }> {
    if (!this.dummy) {
      const salt = randomBytes(SALT_BYTES);
      this.dummy = { salt, hash: await this.hash(randomBytes(16).toString('hex'), salt, this.options.scryptCost ?? DEFAULT_SCRYPT_COST) };
    }
    return this.dummy;
  }

  private hash(password: string, salt: Buffer, cost: number): Promise<Buffer> {
    const peppered = createHmac('sha256', this.pepperKey).update(password, 'utf8').digest();
    return new Promise((resolve, reject) =>
      scrypt(peppered, salt, HASH_BYTES, { N: cost, r: 8, p: 1, maxmem: 256 * cost * 8 + 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key))),
    );
  }
}

function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function normaliseUsername(username: string): string {
  const name = String(username).trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(name)) throw new HubStoreError('invalid', 'a username is 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit');
  return name;
}

function checkPassword(password: string): void {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_CHARS || password.length > MAX_PASSWORD_CHARS) {
    throw new HubStoreError('invalid', `a hub admin password is ${MIN_PASSWORD_CHARS} to ${MAX_PASSWORD_CHARS} characters`);
  }
}
