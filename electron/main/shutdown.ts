// Quitting cleanly: the terminal closes its camera, worker, door outputs and store before the process ends,
// with a time limit so a stuck device cannot keep a kiosk from restarting.

/** What `quitGuard` needs. */
export interface QuitGuardOptions {
  /** Closes the terminal. */
  readonly close: () => Promise<void>;
  /** Ends the process with a code (Electron's `app.exit`). */
  readonly exit: (code: number) => void;
  readonly logger: { error(message: string, fields: Readonly<Record<string, unknown>>): void };
  /** Longest the close may take before the process ends anyway, ms; default 5000. */
  readonly timeLimitMs?: number;
}

/**
 * A `will-quit` listener: the first quit is held (preventDefault) until the terminal has closed, then the
 * process exits; later events while closing are held too, and exit happens once.
 */
export function quitGuard(options: QuitGuardOptions): (event: { preventDefault(): void }) => void {
  let closing = false;
  return (event) => {
    event.preventDefault();
    if (closing) return;
    closing = true;
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        options.logger.error('app.close-timeout', { timeLimitMs: options.timeLimitMs ?? 5000 });
        resolve(1);
      }, options.timeLimitMs ?? 5000);
    });
    const closed = options.close().then(
      () => 0,
      (error: unknown) => {
        options.logger.error('app.close-failed', { error: error instanceof Error ? error.message : String(error) });
        return 1;
      },
    );
    void Promise.race([closed, limit]).then((code) => {
      clearTimeout(timer);
      options.exit(code);
    });
  };
}
