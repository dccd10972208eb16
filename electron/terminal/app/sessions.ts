import { createHash, randomBytes } from 'node:crypto';

import type { Session } from '../../shared/contract/handler.js';

/** A session handed to a client: the bearer token, and the session it stands for. */
export interface IssuedSession {
  readonly token: string;
  readonly session: Session;
}

/** Options of `SessionRegistry.issue`. */
export interface IssueOptions {
  /**
   * Ends the session after this long without a call (`touch`), ms, read at every look-up so a changed setting
   * applies to sessions already open; undefined = no idle limit (device sessions).
   */
  readonly idleMs?: () => number;
}

interface Entry {
  readonly level: Session['level'];
  readonly subject: string;
  /** The absolute end, ms since epoch, whatever the activity. */
  readonly endsAtMs: number;
  lastUsedAtMs: number;
  readonly idleMs: (() => number) | undefined;
}

/**
 * Bearer sessions in memory: a restart logs everyone out, which is what a door terminal should do. Tokens are
 * 32 random bytes (base64url); only their SHA-256 is kept, so a heap dump holds no usable token. A session ends
 * at its absolute end or, where it has an idle limit, that long after its last call: the server logs an idle
 * admin out even when no page is open to do it.
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, Entry>();

  constructor(private readonly nowMs: () => number = Date.now) {}

  issue(level: Session['level'], subject: string, ttlMs: number, options: IssueOptions = {}): IssuedSession {
    this.prune();
    const token = randomBytes(32).toString('base64url');
    const nowMs = this.nowMs();
    const entry: Entry = { level, subject, endsAtMs: nowMs + ttlMs, lastUsedAtMs: nowMs, idleMs: options.idleMs };
    this.sessions.set(digest(token), entry);
    return { token, session: toSession(entry) };
  }

  /** The live session of a token; undefined for an unknown, revoked, expired or idle one. Does not count as use. */
  resolve(token: string | undefined): Session | undefined {
    if (!token) return undefined;
    const key = digest(token);
    const entry = this.sessions.get(key);
    if (!entry) return undefined;
    const session = toSession(entry);
    if (session.expiresAtMs <= this.nowMs()) {
      this.sessions.delete(key);
      return undefined;
    }
    return session;
  }

  /** Counts a call as the session's use: its idle time starts again. A no-op for a token that is not live. */
  touch(token: string | undefined): void {
    if (!token || !this.resolve(token)) return;
    const entry = this.sessions.get(digest(token));
    if (entry) entry.lastUsedAtMs = this.nowMs();
  }

  revoke(token: string | undefined): boolean {
    return token ? this.sessions.delete(digest(token)) : false;
  }

  private prune(): void {
    const nowMs = this.nowMs();
    for (const [key, entry] of this.sessions) if (toSession(entry).expiresAtMs <= nowMs) this.sessions.delete(key);
  }
}

/** The session as callers see it: it expires at the earlier of its absolute end and its idle end. */
function toSession(entry: Entry): Session {
  const idleEndMs = entry.idleMs ? entry.lastUsedAtMs + entry.idleMs() : Number.POSITIVE_INFINITY;
  return { level: entry.level, subject: entry.subject, expiresAtMs: Math.min(entry.endsAtMs, idleEndMs) };
}

const digest = (token: string): string => createHash('sha256').update(token).digest('base64url');
