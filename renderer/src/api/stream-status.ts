/** The stream's connection as the UI shows it. */
export type StreamStatus =
  | { readonly state: 'connecting' }
  | { readonly state: 'open' }
  /** Since when nothing arrives, and when the next attempt is, ms since epoch. */
  | { readonly state: 'lost'; readonly sinceMs: number; readonly retryAtMs: number };
