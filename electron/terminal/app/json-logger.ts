import type { AppLogger } from './terminal-app.js';

/** One JSON object per line (time, level, message, details), for journald or a log file. */
export function jsonLinesLogger(write: (line: string) => void = (line) => void process.stderr.write(line)): AppLogger {
  const log =
    (level: 'info' | 'warn' | 'error') =>
    (message: string, details: Readonly<Record<string, unknown>> = {}): void => {
      const fields = Object.fromEntries(Object.entries(details).map(([key, value]) => [key, value instanceof Error ? value.message : value]));
      write(`${JSON.stringify({ atMs: Date.now(), level, message, ...fields })}\n`);
    };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}
