// Figures the benchmark and end-to-end tests read from the page, as `window.__lintelMetrics`:
//   firstOverlayAtMs  performance.now() when a frame with at least one face overlay was first painted
//                     (time from page load to the first overlay); null until then.
//   overlayLagMs      the last 300 overlay lags: Date.now() when an analysis with faces was first painted minus
//                     its frame's capture time (analysis.timestampMs), i.e. capture → on screen, ms.
//   framesPainted     camera frames painted since the page loaded.
//   droppedStale      stream messages dropped as stale or superseded before painting (NewestByKind.dropped).

/** How many overlay lags are kept. */
export const OVERLAY_LAG_SAMPLES = 300;

export interface LiveMetricsView {
  readonly firstOverlayAtMs: number | null;
  readonly overlayLagMs: readonly number[];
  readonly framesPainted: number;
  readonly droppedStale: number;
}

export class LiveMetrics {
  private firstOverlay: number | null = null;
  private readonly lags: number[] = [];
  private painted = 0;

  /** A new camera frame reached the screen. */
  framePainted(): void {
    this.painted++;
  }

  /**
   * An analysis was painted for the first time. `paintedAtMs` is Date.now() and `paintedAtPerfMs`
   * performance.now() at that paint; `captureMs` the analysed frame's capture time.
   */
  overlayPainted(faceCount: number, captureMs: number, paintedAtMs: number, paintedAtPerfMs: number): void {
    if (faceCount === 0) return;
    this.firstOverlay ??= paintedAtPerfMs;
    this.lags.push(paintedAtMs - captureMs);
    if (this.lags.length > OVERLAY_LAG_SAMPLES) this.lags.splice(0, this.lags.length - OVERLAY_LAG_SAMPLES);
  }

  /** A read-only view, with `droppedStale` read from the live feed when asked. */
  view(droppedStale: () => number): LiveMetricsView {
    const firstOverlayAtMs = (): number | null => this.firstOverlay;
    const overlayLagMs = (): readonly number[] => this.lags.slice();
    const framesPainted = (): number => this.painted;
    return Object.freeze({
      get firstOverlayAtMs() {
        return firstOverlayAtMs();
      },
      get overlayLagMs() {
        return overlayLagMs();
      },
      get framesPainted() {
        return framesPainted();
      },
      get droppedStale() {
        return droppedStale();
      },
    });
  }
}
