// Forwards the terminal's stream to the kiosk window. IPC sends are asynchronous and never block, so a
// renderer that falls behind (a long layout, a GC pause on the board's A55 cores) would otherwise pile camera
// frames up in its IPC queue. Frames therefore go one at a time: the preload acknowledges each frame it has
// handed to the page, and until it has (or the acknowledgement is overdue) newer frames are dropped here, at
// the source. Other kinds are small and rare and always go: a decision is never dropped.
import type { StreamMessage } from '../shared/contract/streams.js';
import { IPC_CHANNELS } from '../preload/ipc-channels.js';
import { isAppUrl } from './app-origin.js';

/** What the forwarder needs of the window's webContents. */
export interface StreamTarget {
  isDestroyed(): boolean;
  getURL(): string;
  send(channel: string, message: StreamMessage): void;
}

/** How long an unacknowledged frame holds back the next one, ms: past this the page is presumed to have lost it. */
export const FRAME_ACK_TIMEOUT_MS = 1000;

/** One frame in flight at a time: `admit` before sending, `ack` when the page has taken it. */
export class FrameGate {
  private pending: { readonly seq: number; readonly sentAtMs: number } | undefined;

  constructor(private readonly ackTimeoutMs: number = FRAME_ACK_TIMEOUT_MS) {}

  /** True when a frame may be sent now (and records it as in flight); false to drop it. */
  admit(seq: number, nowMs: number): boolean {
    if (this.pending && nowMs - this.pending.sentAtMs < this.ackTimeoutMs) return false;
    this.pending = { seq, sentAtMs: nowMs };
    return true;
  }

  /** The page took frame `seq`; an acknowledgement of any other frame (stale, forged) changes nothing. */
  ack(seq: unknown): void {
    if (this.pending && seq === this.pending.seq) this.pending = undefined;
  }

  /** A new page (navigation, reload, crash): nothing of the old one is in flight. */
  reset(): void {
    this.pending = undefined;
  }
}

/** Counts of what the forwarder did, for the log. */
export interface ForwarderStats {
  sent: number;
  framesDropped: number;
}

/**
 * Sends every stream message to `target` while it is alive and showing our app; frames through `gate`.
 * Returns the unsubscribe.
 */
export function forwardStream(
  subscribe: (listener: (message: StreamMessage) => void) => () => void,
  target: StreamTarget,
  gate: FrameGate,
  stats: ForwarderStats = { sent: 0, framesDropped: 0 },
  nowMs: () => number = Date.now,
): () => void {
  return subscribe((message) => {
    // A destroyed contents throws on send; a page off our origin (it cannot get there, but) gets nothing.
    if (target.isDestroyed() || !isAppUrl(target.getURL())) return;
    if (message.kind === 'frame' && !gate.admit(message.seq, nowMs())) {
      stats.framesDropped++;
      return;
    }
    target.send(IPC_CHANNELS.stream, message);
    stats.sent++;
  });
}
