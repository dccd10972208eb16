// Noticing a file that another process rewrites (an atomic write: a temporary file renamed over it).
import { watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * Calls `onChange` once `file` was written, renamed over or removed, after its folder's events have been quiet for
 * `settleMs` (one atomic write arrives as several events). Watches the folder, so a file that does not exist yet is
 * noticed when it appears. Returns the function that stops watching.
 */
export function watchFileSettled(file: string, settleMs: number, onChange: () => void, onError: (error: Error) => void): () => void {
  const name = basename(file);
  let settle: NodeJS.Timeout | undefined;
  const watcher = watch(dirname(file), (_event, changed) => {
    if (changed !== name) return;
    clearTimeout(settle);
    settle = setTimeout(onChange, settleMs);
    settle.unref();
  });
  watcher.on('error', onError);
  watcher.unref();
  return () => {
    clearTimeout(settle);
    watcher.close();
  };
}
