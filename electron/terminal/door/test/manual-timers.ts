// Timers driven by the test: nothing fires until advance(), so pulse lengths are checked to the millisecond
// without waiting for them.
import type { RelayTimers } from '../gpio-relay-output.js';

/** RelayTimers on a manual clock. */
export class ManualTimers implements RelayTimers {
  /** The manual clock, ms. */
  nowMs = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { atMs: number; callback: () => void }>();

  setTimeout(callback: () => void, ms: number): number {
    const id = this.nextId++;
    this.pending.set(id, { atMs: this.nowMs + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Timers armed and not yet fired or cleared. */
  get armed(): number {
    return this.pending.size;
  }

  /** Moves the clock forward by `ms`, firing due timers in time order. */
  advance(ms: number): void {
    const targetMs = this.nowMs + ms;
    for (;;) {
      let due: [number, { atMs: number; callback: () => void }] | undefined;
      for (const entry of this.pending) if (entry[1].atMs <= targetMs && (due === undefined || entry[1].atMs < due[1].atMs)) due = entry;
      if (due === undefined) break;
      this.pending.delete(due[0]);
      this.nowMs = due[1].atMs;
      due[1].callback();
    }
    this.nowMs = targetMs;
  }
}
