/**
 * A dependency-free progress bar for long CLI runs, on stderr so stdout stays clean for results.
 * On a TTY it redraws one line (`label [#####-----] 42% 2907/6922 ETA 1m12s`) at most ~10 times a second;
 * elsewhere (CI logs, pipes) it prints a plain line every 10 % or 30 s, whichever comes first.
 */

/** Handle returned by {@link createProgressBar}. */
export interface ProgressBar {
  /** Adds `n` (default 1) to the items done. */
  tick(n?: number): void;
  /** Sets the items done. */
  update(done: number): void;
  /** Draws the final state and ends the line; later calls do nothing. */
  done(): void;
}

/** Output and clock, replaceable for tests; every field has a default. */
export interface ProgressBarOptions {
  /** Where to draw; default process.stderr. */
  stream?: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  /** Redraw in place (TTY) or print lines; default stream.isTTY. */
  interactive?: boolean;
  /** Clock in ms; default performance.now. */
  nowMs?: () => number;
  /** Bar width in characters; default 30, narrowed to fit the terminal. */
  barWidth?: number;
}

const REDRAW_INTERVAL_MS = 100;
const PLAIN_INTERVAL_MS = 30_000;
const PLAIN_STEP_PERCENT = 10;

/** `1h02m`, `1m12s` or `8s`; `--` when unknown. */
export function formatEta(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '--';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** A progress bar for `total` items labelled `label`, drawn on stderr. */
export function createProgressBar(label: string, total: number, options: ProgressBarOptions = {}): ProgressBar {
  const stream = options.stream ?? process.stderr;
  const interactive = options.interactive ?? stream.isTTY === true;
  const nowMs = options.nowMs ?? (() => performance.now());
  const startMs = nowMs();
  let done = 0;
  let finished = false;
  let lastDrawMs = Number.NEGATIVE_INFINITY;
  let lastPlainStep = -1;
  let lastPlainDone = -1;

  const describe = (): { text: string; fraction: number } => {
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const elapsedMs = nowMs() - startMs;
    // ETA from the average rate so far: steadier than the last interval when item times vary.
    const etaMs = done >= total ? 0 : done > 0 ? (elapsedMs / done) * (total - done) : Number.NaN;
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
    return { text: `${percent} ${done}/${total} ETA ${formatEta(etaMs)}`, fraction };
  };

  const draw = (force: boolean): void => {
    const now = nowMs();
    if (interactive) {
      if (!force && now - lastDrawMs < REDRAW_INTERVAL_MS) return;
      lastDrawMs = now;
      const { text, fraction } = describe();
      // A pty without a window size reports 0 columns.
      const columns = stream.columns || 80;
      // Keep the line shorter than the terminal: a wrapped line breaks the carriage-return redraw.
      const room = columns - label.length - text.length - 5;
      const width = Math.max(0, Math.min(options.barWidth ?? 30, room));
      const filled = Math.round(fraction * width);
      const bar = width > 0 ? ` [${'#'.repeat(filled)}${'-'.repeat(width - filled)}]` : '';
      stream.write(`\r${label}${bar} ${text}\x1b[K`);
      return;
    }
    const step = Math.floor((total > 0 ? done / total : 1) * (100 / PLAIN_STEP_PERCENT));
    if (!force && step === lastPlainStep && now - lastDrawMs < PLAIN_INTERVAL_MS) return;
    lastPlainStep = step;
    lastDrawMs = now;
    lastPlainDone = done;
    stream.write(`${label} ${describe().text.trimStart()}\n`);
  };

  return {
    tick(n = 1) {
      if (finished) return;
      done += n;
      draw(false);
    },
    update(value) {
      if (finished) return;
      done = value;
      draw(false);
    },
    done() {
      if (finished) return;
      finished = true;
      // Draw the final figures even if the last update fell inside the throttle window (but print a plain
      // line only once for the same figures).
      if (interactive || lastPlainDone !== done) draw(true);
      if (interactive) stream.write('\n');
    },
  };
}
