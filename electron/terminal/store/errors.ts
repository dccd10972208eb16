/** Why a store operation failed; stable codes for the IPC layer, the message carries the detail. */
export type StoreErrorCode =
  | 'not-found'
  | 'conflict'
  | 'invalid'
  | 'schema-too-new'
  | 'not-lintel'
  | 'key-file'
  | 'key-mismatch'
  | 'decrypt'
  | 'migration-failed'
  | 'backup-invalid';

/** A store failure the caller can act on (show, retry, or refuse); programming errors stay plain Errors. */
export class StoreError extends Error {
  override readonly name = 'StoreError';

  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True for better-sqlite3's SqliteError with this extended result code (e.g. 'SQLITE_CONSTRAINT_UNIQUE'). */
export function isSqliteError(error: unknown, code: string): boolean {
  return error instanceof Error && error.name === 'SqliteError' && (error as Error & { code?: unknown }).code === code;
}
