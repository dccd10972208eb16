// Exports every event of the site matching the filters as a CSV download, paging through events:list.
import { allPages } from '../common/all-pages.js';
import { downloadCsv, fileStamp } from '../common/download.js';
import type { ContractErrorBody } from '../contract.js';
import type { HubClient, HubRequestOf } from './hub-client.js';
import { hubEventsToCsv } from './hub-events-csv.js';

/** Events per request while exporting (the contract's maximum). */
const EXPORT_PAGE_SIZE = 1000;

/**
 * Fetches all events `request` matches, newest first, and downloads them; `onProgress` hears the count so far.
 * Resolves to the number exported, or the error that stopped it (nothing is downloaded then).
 */
export async function exportHubEventsCsv(
  client: Pick<HubClient, 'events:list'>,
  request: HubRequestOf<'events:list'>,
  doorNameOf: (terminalId: string) => string | undefined,
  onProgress: (eventCount: number) => void,
): Promise<{ readonly count: number } | { readonly error: ContractErrorBody }> {
  const pages = await allPages(async (before: HubRequestOf<'events:list'>['before']) => {
    const result = await client['events:list']({ ...request, limit: EXPORT_PAGE_SIZE, ...(before ? { before } : {}) });
    return result.ok ? { ok: true, value: { items: result.value.events, next: result.value.next } } : result;
  }, onProgress);
  if ('error' in pages) return pages;
  const events = pages.items;
  downloadCsv(`lintel-site-events-${fileStamp(Date.now())}.csv`, hubEventsToCsv(events, doorNameOf));
  return { count: events.length };
}
