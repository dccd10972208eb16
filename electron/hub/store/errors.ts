/** Why a hub store operation failed; stable codes for the admin API and the link, the message carries the detail. */
export type HubStoreErrorCode = 'not-found' | 'conflict' | 'invalid' | 'revoked' | 'schema-too-new' | 'migration-failed' | 'decrypt';

/** A hub store failure the caller can act on (answer, retry or refuse); programming errors stay plain Errors. */
export class HubStoreError extends Error {
  override readonly name = 'HubStoreError';

  constructor(
    readonly code: HubStoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True for a pg DatabaseError with this SQLSTATE (e.g. '23505' unique violation). */
export function isPgError(error: unknown, sqlState: string): boolean {
  return error instanceof Error && (error as Error & { code?: unknown }).code === sqlState;
}
