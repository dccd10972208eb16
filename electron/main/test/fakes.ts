// Fakes for the main process's tests: a logger that remembers, and the few Electron shapes the modules read.

/** One logged line. */
export interface LoggedLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** A logger (info / warn / error) that keeps every line in `lines`. */
export function memoryLogger() {
  const lines: LoggedLine[] = [];
  const log =
    (level: LoggedLine['level']) =>
    (message: string, fields: Readonly<Record<string, unknown>> = {}): void =>
      void lines.push({ level, message, fields });
  return { lines, info: log('info'), warn: log('warn'), error: log('error') };
}
