// Exports every event of the site matching the filters as a CSV download, paging through events:list.
import { downloadCsv, fileStamp } from '../common/download.js';
import type { ContractErrorBody } from '../contract.js';
import type { HubClient, HubEvent, HubRequestOf } from './hub-client.js';
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
  const events: HubEvent[] = [];
  let before: HubRequestOf<'events:list'>['before'];
  do {
    const result = await client['events:list']({ ...request, limit: EXPORT_PAGE_SIZE, ...(before ? { before } : {}) });
    if (!result.ok) return { error: result.error };
    events.push(...result.value.events);
    before = result.value.next ?? undefined;
    onProgress(events.length);
  } while (before);
  downloadCsv(`lintel-site-events-${fileStamp(Date.now())}.csv`, hubEventsToCsv(events, doorNameOf));
  return { count: events.length };
}
