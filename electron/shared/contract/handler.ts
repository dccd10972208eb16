// The one wrapper every main-side handler goes through: sender check, auth, zod parse, the implementation,
// and a Result — never a thrown error — back to the caller. Used by the Electron main process (ipcMain.handle)
// and the headless browser host (HTTP) alike.
import type { z } from 'zod';

import type { AuthLevel, ChannelSpec } from './channels.js';
import { ContractError, isErrorCode, type ContractErrorDetails, type ErrorCode, type Result } from './result.js';

/** A caller's session, as the transport established it (per webContents, or from the request's cookie). */
export interface Session {
  /** `token`: any authenticated client (the kiosk's device session, a browser); `admin`: from `admin:login`. */
  readonly level: 'token' | 'admin';
  /** Who: the admin's username, or the device. */
  readonly subject: string;
  readonly expiresAtMs: number;
}

/** What the transport knows of one call. */
export interface HandlerContext {
  /** The transport's own check: the main frame of our window (Electron), an allowed origin (browser host). */
  readonly senderOk: boolean;
  readonly session?: Session | undefined;
  /** The bearer token the session came from, so `admin:logout` can end that one session. */
  readonly sessionToken?: string | undefined;
  /**
   * Who is calling, for per-source limits (login attempts): `kiosk` for the Electron window, the peer address
   * for the browser host. Absent: one shared unnamed source.
   */
  readonly source?: string | undefined;
  /**
   * The caller is at the terminal itself: the Electron kiosk window, or a browser on the loopback interface not
   * relayed by a proxy. Channels of level `kiosk` need this or an admin session.
   */
  readonly local?: boolean | undefined;
}

/** Values an implementation may return: the response's input type, readonly arrays and fields allowed. */
export type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

type Specs = Readonly<Record<string, ChannelSpec>>;

/** The implementation of each channel of a contract; it receives the parsed request. */
export type ImplementationsOf<K extends Specs> = {
  readonly [C in keyof K]: (
    request: z.output<K[C]['request']>,
    context: HandlerContext,
  ) => Promise<DeepReadonly<z.input<K[C]['response']>>> | DeepReadonly<z.input<K[C]['response']>>;
};

export interface HandlerLogger {
  error(message: string, details: Readonly<Record<string, unknown>>): void;
}

export interface HandlerOptions {
  /** A further sender check after `context.senderOk` (e.g. channels only the kiosk, not a browser, may call). */
  readonly checkSender?: (channel: string, context: HandlerContext) => boolean;
  /** Whether the caller may call a channel of this level; default `authorizeByLevel()`. */
  readonly authorize?: (required: AuthLevel, session: Session | undefined, channel: string, context?: HandlerContext) => boolean;
  /** Where failures' details go; they never reach the caller. */
  readonly logger: HandlerLogger;
  /**
   * Check each implementation's response against the channel's response schema (development and tests); a
   * mismatch answers 'internal' and is logged. Off in production: the renderer trusts the main process.
   */
  readonly validateResponses?: boolean;
  /**
   * Codes of thrown errors, other than ErrorCodes, that mean an ErrorCode; default `{ invalid:
   * 'invalid-request' }` (the store's StoreError 'invalid': a request that parsed but broke a rule).
   */
  readonly codeAliases?: Readonly<Record<string, ErrorCode>>;
}

/** Handles one call: the channel name and request as they arrived, and what the transport knows. */
export type Handle = (channel: string, rawRequest: unknown, context: HandlerContext) => Promise<Result<unknown>>;

const RANK: Readonly<Record<Session['level'], number>> = { token: 1, admin: 2 };

/**
 * The default authorization: an unexpired session at or above the channel's level (`admin` ⊇ `token`); a
 * `kiosk` channel takes a session at the terminal itself (`context.local`) or an admin session.
 */
export function authorizeByLevel(nowMs: () => number = Date.now): NonNullable<HandlerOptions['authorize']> {
  return (required, session, _channel, context) => {
    if (required === 'none') return true;
    if (!session || session.expiresAtMs <= nowMs()) return false;
    if (required === 'kiosk') return session.level === 'admin' || context?.local === true;
    return RANK[session.level] >= RANK[required];
  };
}

/** zod issues as `path: message; …`, paths dotted (`patch.groups.0`), `(root)` for the request itself. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)'}: ${issue.message}`).join('; ');
}

const DEFAULT_ALIASES: Readonly<Record<string, ErrorCode>> = { invalid: 'invalid-request' };

/**
 * The single handler of a contract. Checks, in order: the sender ('forbidden'; before anything else, so an
 * untrusted sender learns nothing, not even which channels exist), the channel ('invalid-request'), the
 * session ('unauthorized'), the request's schema ('invalid-request', with the issue paths). Then runs the
 * implementation: an error it throws with a known `code` (an ErrorCode, or one of `codeAliases`) answers
 * with that code and its message; anything else answers 'internal' with a generic message, the error logged.
 */
export function createHandler<K extends Specs>(contract: K, implementations: ImplementationsOf<K>, options: HandlerOptions): Handle {
  const authorize = options.authorize ?? authorizeByLevel();
  const aliases = options.codeAliases ?? DEFAULT_ALIASES;
  const fail = (code: ErrorCode, message: string, details: ContractErrorDetails = {}): Result<unknown> => ({ ok: false, error: { code, message, ...details } });

  return async (channel, rawRequest, context) => {
    try {
      if (!context.senderOk || (options.checkSender && !options.checkSender(channel, context))) {
        return fail('forbidden', 'the sender is not allowed to call the terminal');
      }
      if (!Object.hasOwn(contract, channel)) return fail('invalid-request', `unknown channel "${channel.slice(0, 64)}"`);
      const spec = contract[channel] as ChannelSpec;
      if (!authorize(spec.auth, context.session, channel, context)) {
        const needs = { none: 'nothing', token: 'a session', kiosk: 'the kiosk or an admin session', admin: 'an admin session' } as const;
        return fail('unauthorized', `${channel} needs ${needs[spec.auth]}`);
      }
      const parsed = spec.request.safeParse(rawRequest);
      if (!parsed.success) return fail('invalid-request', `${channel}: ${describeIssues(parsed.error.issues)}`);

      const implementation = implementations[channel] as (request: unknown, context: HandlerContext) => unknown;
      const value: unknown = await implementation(parsed.data, context);

      if (options.validateResponses) {
        const checked = spec.response.safeParse(value);
        if (!checked.success) {
          options.logger.error(`${channel}: the response does not match the contract`, { channel, issues: describeIssues(checked.error.issues) });
          return fail('internal', `${channel} failed`);
        }
      }
      return { ok: true, value };
    } catch (error) {
      const code = knownCode(error, aliases);
      if (code !== undefined && code !== 'internal') return fail(code, (error as Error).message, error instanceof ContractError ? error.details : {});
      options.logger.error(`${channel} failed`, { channel, error });
      return fail('internal', `${channel} failed`);
    }
  };
}

function knownCode(error: unknown, aliases: Readonly<Record<string, ErrorCode>>): ErrorCode | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as Error & { code?: unknown }).code;
  if (isErrorCode(code)) return code;
  return typeof code === 'string' && Object.hasOwn(aliases, code) ? aliases[code] : undefined;
}
