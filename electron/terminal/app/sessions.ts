import { createHash, randomBytes } from 'node:crypto';

import type { Session } from '../../shared/contract/handler.js';

/** A session handed to a client: the bearer token, and the session it stands for. */
export interface IssuedSession {
  readonly token: string;
  readonly session: Session;
}

/**
 * Bearer sessions in memory: a restart logs everyone out, which is what a door terminal should do. Tokens are
 * 32 random bytes (base64url); only their SHA-256 is kept, so a heap dump holds no usable token.
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly nowMs: () => number = Date.now) {}

  issue(level: Session['level'], subject: string, ttlMs: number): IssuedSession {
    this.prune();
    const token = randomBytes(32).toString('base64url');
    const session: Session = { level, subject, expiresAtMs: this.nowMs() + ttlMs };
    this.sessions.set(digest(token), session);
    return { token, session };
  }

  /** The live session of a token; undefined for an unknown, revoked or expired one. */
  resolve(token: string | undefined): Session | undefined {
    if (!token) return undefined;
    const key = digest(token);
    const session = this.sessions.get(key);
    if (session && session.expiresAtMs <= this.nowMs()) {
      this.sessions.delete(key);
      return undefined;
    }
    return session;
  }

  revoke(token: string | undefined): boolean {
    return token ? this.sessions.delete(digest(token)) : false;
  }

  private prune(): void {
    const nowMs = this.nowMs();
    for (const [key, session] of this.sessions) if (session.expiresAtMs <= nowMs) this.sessions.delete(key);
  }
}

const digest = (token: string): string => createHash('sha256').update(token).digest('base64url');
