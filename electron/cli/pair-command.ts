import { parseArgs } from 'node:util';

import { servedOrigin } from '../host/served-origin.js';
import { resolveDataDir } from '../terminal/data-dir.js';
import { DEFAULT_PAIRING_TTL_MS } from '../terminal/store/pairing-repository.js';
import { TerminalStore } from '../terminal/store/store.js';
import { HTTP_PATHS } from '../shared/contract/transport.js';
import { DataCommandError } from './data-commands.js';

/**
 * `lintel pair [--minutes <n>]`: a fresh pairing address for the running terminal on this data folder. It works
 * once, within the minutes given (default 10), and gives the browser that opens it a device session of its own.
 * Printed here rather than by `lintel serve`, whose output goes to the journal: an address in a log is a key.
 */
export function commandPair(args: readonly string[]): number {
  const { values } = parseArgs({ args: [...args], options: { data: { type: 'string' }, minutes: { type: 'string' } } });
  const minutes = values.minutes === undefined ? DEFAULT_PAIRING_TTL_MS / 60_000 : Number(values.minutes);
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 60) throw new DataCommandError(`--minutes must be a whole number 1..60, not "${values.minutes}"`);
  const dataDir = resolveDataDir(values.data);
  const store = TerminalStore.open({ dataDir });
  try {
    const path = `${HTTP_PATHS.pair}?token=${store.pairing.mint(minutes * 60_000)}`;
    const origin = servedOrigin(dataDir);
    process.stdout.write(origin ? `${origin}${path}\n` : `${path}\n(no running terminal recorded its address in ${dataDir}: put its address in front)\n`);
    return 0;
  } finally {
    store.close();
  }
}
