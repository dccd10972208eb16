// What the door does when it cannot log: it denies. A grant is written before the door outputs move (the
// service's order), so an event that cannot be written opens nothing; this state makes that visible instead of
// a door that silently stays shut: health, the door's status line and the System screen say "storage full"
// until an event is written again.
import type { z } from 'zod';

import type { DeepReadonly } from '../../shared/contract/handler.js';
import type { storageHealthSchema } from '../../shared/contract/schemas.js';
import type { AppLogger } from './terminal-app.js';

/** Whether events can be written: `full` since the first event refused for lack of space (storageHealthSchema). */
export type StorageHealth = DeepReadonly<z.output<typeof storageHealthSchema>>;

/** True for an error that means the disk (or the database's size limit) is full: SQLite's SQLITE_FULL, or ENOSPC. */
export function isStorageFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === 'ENOSPC';
}

/** Follows event writes: full on a storage-full failure (logged once), ok again on the next event written. */
export class StorageState {
  private state: StorageHealth = { status: 'ok' };

  constructor(
    private readonly logger: Pick<AppLogger, 'error' | 'info'>,
    private readonly nowMs: () => number = Date.now,
  ) {}

  get health(): StorageHealth {
    return this.state;
  }

  /** An event write failed with `error`; returns whether it was for lack of space (then the state is full). */
  writeFailed(error: unknown): boolean {
    if (!isStorageFull(error)) return false;
    if (this.state.status === 'full') return true;
    const message = 'storage full: events cannot be written, so the door denies everyone until space is freed';
    this.state = { status: 'full', sinceMs: this.nowMs(), message };
    this.logger.error('storage.full', { error: (error as Error).message, policy: 'deny' });
    return true;
  }

  /** An event was written. */
  written(): void {
    if (this.state.status !== 'full') return;
    this.logger.info('storage.recovered', { fullForMs: this.nowMs() - this.state.sinceMs });
    this.state = { status: 'ok' };
  }
}
