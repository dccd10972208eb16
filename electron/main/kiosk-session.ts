// The sessions of the kiosk window, kept in the main process: the renderer never holds a bearer token. The
// window always has a device session (level `token`, like a paired browser); a successful `admin:login` or
// `admin:setup` adds an admin session on top, until `admin:logout`, a navigation or reload, or a renderer
// crash ends it — a fresh page starts logged out, whatever the page before it did.
import type { HandlerContext } from '../shared/contract/handler.js';
import type { Result } from '../shared/contract/result.js';
import type { SessionRegistry } from '../terminal/app/sessions.js';

/** The subject of the kiosk window's device session. */
export const DEVICE_SUBJECT = 'kiosk';

/** How long one device session lasts before it is renewed on the next call, ms. */
export const DEVICE_SESSION_MS = 12 * 60 * 60_000;

/** The login source of the kiosk window, for per-source login limits: its own, whatever arrives over HTTP. */
export const KIOSK_SOURCE = 'kiosk';

/** The part of the terminal's SessionRegistry the kiosk session uses. */
export type SessionStore = Pick<SessionRegistry, 'issue' | 'resolve' | 'revoke'>;

/** One call in flight: the context it runs with, and the page generation it started in. */
export interface CallTicket {
  readonly context: HandlerContext;
  readonly generation: number;
}

/** The session record of one webContents (the kiosk window). */
export class KioskSession {
  private deviceToken: string | undefined;
  private adminToken: string | undefined;
  /** Increases whenever the page changes: a login that finishes on an older page must not log in the new one. */
  private generation = 0;

  constructor(private readonly sessions: SessionStore) {}

  /** Whether an admin session is in force (tests, logs). */
  get hasAdmin(): boolean {
    return this.sessions.resolve(this.adminToken) !== undefined;
  }

  /**
   * Starts a call from our trusted window: the admin session when one is live, else the device session
   * (issued anew when it expired or was revoked). `sessionToken` is set only for the admin session, so an
   * `admin:logout` without one cannot end the device session the kiosk depends on.
   */
  begin(): CallTicket {
    const admin = this.sessions.resolve(this.adminToken);
    const at = { senderOk: true, source: KIOSK_SOURCE, local: true } as const;
    if (admin) return { generation: this.generation, context: { ...at, session: admin, sessionToken: this.adminToken } };
    this.adminToken = undefined;
    let device = this.sessions.resolve(this.deviceToken);
    if (!device) {
      const issued = this.sessions.issue('token', DEVICE_SUBJECT, DEVICE_SESSION_MS);
      this.deviceToken = issued.token;
      device = issued.session;
    }
    return { generation: this.generation, context: { ...at, session: device } };
  }

  /**
   * Ends a call: keeps the admin token of a successful login or setup, forgets it after a logout (whatever
   * the answer), and returns the Result for the renderer, without the token: this record attaches the session
   * to every call, so a page compromised by a bug in the renderer holds nothing it could replay elsewhere.
   */
  settle(ticket: CallTicket, channel: string, result: Result<unknown>): Result<unknown> {
    if (channel === 'admin:logout') {
      this.clearAdmin();
      return result;
    }
    if ((channel !== 'admin:login' && channel !== 'admin:setup') || !result.ok) return result;
    const { token, ...value } = result.value as { readonly token: string };
    if (ticket.generation !== this.generation) {
      // The page changed while the login ran: the new page starts logged out, and nobody holds this token.
      this.sessions.revoke(token);
    } else {
      if (this.adminToken !== undefined && this.adminToken !== token) this.sessions.revoke(this.adminToken);
      this.adminToken = token;
    }
    return { ok: true, value };
  }

  /** Ends the admin session (the page changed or went away); the device session stays. */
  clearAdmin(): void {
    this.generation++;
    if (this.adminToken !== undefined) this.sessions.revoke(this.adminToken);
    this.adminToken = undefined;
  }

  /** Ends both sessions: the window is gone. */
  dispose(): void {
    this.clearAdmin();
    if (this.deviceToken !== undefined) this.sessions.revoke(this.deviceToken);
    this.deviceToken = undefined;
  }
}
