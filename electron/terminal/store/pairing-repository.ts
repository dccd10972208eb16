import { createHash, randomBytes } from 'node:crypto';

import type Database from 'better-sqlite3';

import { StoreError } from './errors.js';

/** How long a pairing code stays valid by default, ms: long enough to type or scan it, no more. */
export const DEFAULT_PAIRING_TTL_MS = 10 * 60_000;
/** Longest a pairing code may stay valid, ms. */
export const MAX_PAIRING_TTL_MS = 60 * 60_000;

/**
 * Pairing codes: what a pairing address carries to give one browser a device session of its own. Each code is
 * single-use and expires within minutes, so an address that reaches a log, a history or a screenshot is spent
 * or stale. Only the SHA-256 of a code is stored. Kept in the database so `lintel pair`, another process, can
 * mint one for the running terminal.
 */
export class PairingRepository {
  private readonly insert;
  private readonly take;
  private readonly deleteExpired;

  constructor(
    db: Database.Database,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.insert = db.prepare<[string, number, number]>('INSERT INTO pairing_codes (code_sha256, expires_at_ms, created_at_ms) VALUES (?, ?, ?)');
    this.take = db.prepare<[string, number]>('DELETE FROM pairing_codes WHERE code_sha256 = ? AND expires_at_ms > ?');
    this.deleteExpired = db.prepare<[number]>('DELETE FROM pairing_codes WHERE expires_at_ms <= ?');
  }

  /** A new code valid for `ttlMs` (default 10 minutes, at most an hour); a StoreError 'invalid' past that. */
  mint(ttlMs: number = DEFAULT_PAIRING_TTL_MS): string {
    if (!Number.isInteger(ttlMs) || ttlMs < 1000 || ttlMs > MAX_PAIRING_TTL_MS) throw new StoreError('invalid', `a pairing code lasts 1 s to ${MAX_PAIRING_TTL_MS / 60_000} minutes, not ${ttlMs} ms`);
    const code = randomBytes(24).toString('base64url');
    const nowMs = this.nowMs();
    this.deleteExpired.run(nowMs);
    this.insert.run(digest(code), nowMs + ttlMs, nowMs);
    return code;
  }

  /** Spends a code: true once for a live code, false for an unknown, spent or expired one. */
  redeem(code: string | null | undefined): boolean {
    if (!code || code.length > 256) return false;
    return this.take.run(digest(code), this.nowMs()).changes > 0;
  }
}

const digest = (code: string): string => createHash('sha256').update(code).digest('base64url');
