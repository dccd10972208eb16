// How long the stream waits before reconnecting: doubling from half a second, capped at five.

export const RECONNECT_FIRST_DELAY_MS = 500;
export const RECONNECT_MAX_DELAY_MS = 5_000;

/** The delay before reconnect attempt `attempt` (0 for the first after a loss), ms. */
export function reconnectDelayMs(attempt: number): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 16);
  return Math.min(RECONNECT_FIRST_DELAY_MS * 2 ** exponent, RECONNECT_MAX_DELAY_MS);
}
