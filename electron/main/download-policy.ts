// Downloads in the kiosk. Electron's default is a native Save dialog, which would let anyone at the door
// browse the board's file system. The one download the renderer makes (the access log as CSV, a blob: URL of
// our own page) is saved without a dialog into a fixed folder; anything else is cancelled.
import { basename, join } from 'node:path';

import { isAppUrl } from './app-origin.js';

/** Longest file name kept, characters (most file systems allow 255 bytes). */
const MAX_NAME_LENGTH = 120;

/**
 * Where a download goes, or null to cancel it: only blob: and app: URLs of our own origin, saved under
 * `folder` with a name reduced to letters, digits, `.`, `-` and `_` (no path, no hidden file).
 */
export function downloadTarget(folder: string, url: string, suggestedName: string): string | null {
  const source = url.startsWith('blob:') ? url.slice('blob:'.length) : url;
  if (!isAppUrl(source)) return null;
  const cleaned = basename(suggestedName.replace(/\\/g, '/'))
    .replace(/[^\w.-]+/g, '_')
    .replace(/^[.]+/, '')
    .slice(0, MAX_NAME_LENGTH);
  return join(folder, cleaned === '' ? 'download' : cleaned);
}
