// The envelope every contract call answers with. Imports nothing: the renderer, the preload and the main
// process all use it.

/** Why a call failed; stable codes the UI branches on. The message is for people, never parsed. */
export const ERROR_CODES = [
  /** The channel is unknown or the request failed its schema. */
  'invalid-request',
  /** No session, an expired one, or one below the channel's auth level. */
  'unauthorized',
  /** The sender is not a trusted frame or origin. */
  'forbidden',
  'not-found',
  /** The change clashes with what is stored (a taken external id, an import already running). */
  'conflict',
  /** Too many wrong secrets: the credential is locked for a while (`retryAtMs` says until when). */
  'locked',
  /** Too many attempts from this source, or the terminal is busy checking others: retry at `retryAtMs`. */
  'rate-limited',
  /** The service cannot do it now (camera offline, worker restarting); retrying later may work. */
  'unavailable',
  /** Anything else; details are in the main process's log only. */
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ContractErrorBody {
  readonly code: ErrorCode;
  readonly message: string;
  /** When trying again may succeed, ms since epoch ('locked', 'rate-limited'). */
  readonly retryAtMs?: number;
  /** Wrong secrets left before a lock ('unauthorized' from `admin:login`). */
  readonly triesLeft?: number;
}

/** What an error may add to its code and message. */
export type ContractErrorDetails = Pick<ContractErrorBody, 'retryAtMs' | 'triesLeft'>;

/** A call's outcome: never a thrown error across the process boundary. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ContractErrorBody };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function err<T = never>(code: ErrorCode, message: string): Result<T> {
  return { ok: false, error: { code, message } };
}

/** True when `code` is one of ERROR_CODES (e.g. the `code` of a thrown error). */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}

/**
 * An error an implementation throws on purpose: the handler answers with its code and message as they are.
 * Any error with a `code` from ERROR_CODES is treated the same way.
 */
export class ContractError extends Error {
  override readonly name = 'ContractError';
  readonly details: ContractErrorDetails;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown } & ContractErrorDetails,
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    const { retryAtMs, triesLeft } = options ?? {};
    this.details = { ...(retryAtMs !== undefined ? { retryAtMs } : {}), ...(triesLeft !== undefined ? { triesLeft } : {}) };
  }
}
