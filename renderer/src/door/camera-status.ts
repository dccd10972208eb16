// The camera's state in words, for the door's status line and the system screen.
import { formatClockTime } from '../common/dates.js';
import type { TerminalHealth } from '../store/types.js';

export function cameraStatusText(camera: TerminalHealth['camera']): string {
  switch (camera.status) {
    case 'starting':
      return 'Camera starting…';
    case 'live':
      return `Camera live · ${camera.fps.toFixed(0)} fps`;
    case 'offline':
      return `Camera offline — retrying at ${formatClockTime(camera.retryAtMs)}`;
    case 'stopped':
      return 'Camera stopped';
  }
}

/** Total processing time of one frame: detect + fit + quality + extract, ms. */
export function totalLatencyMs(timings: NonNullable<TerminalHealth['lastTimingsMs']>): number {
  return timings.detectMs + timings.fitMs + timings.qualityMs + timings.extractMs;
}
