// Exports every event matching the filters as a CSV download, paging through events:query.
import { allPages } from '../../common/all-pages.js';
import { downloadCsv, fileStamp } from '../../common/download.js';
import type { ContractClient, ContractErrorBody } from '../../contract.js';
import { eventsToCsv } from './events-csv.js';
import type { EventQuery } from './event-filters.js';

/** Events per request while exporting (the contract's maximum). */
const EXPORT_PAGE_SIZE = 500;
/** External-id look-ups in flight at once. */
const LOOKUP_CONCURRENCY = 4;

/**
 * Fetches all matching events and downloads them; `onProgress` hears the count so far. Events carry no external
 * id, so each person's is looked up once. Resolves to the number exported, or the error that stopped it.
 */
export async function exportEventsCsv(client: ContractClient, query: EventQuery, onProgress: (eventCount: number) => void): Promise<{ readonly count: number } | { readonly error: ContractErrorBody }> {
  const pages = await allPages(async (after: EventQuery['after']) => {
    const result = await client['events:query']({ ...query, limit: EXPORT_PAGE_SIZE, ...(after ? { after } : {}) });
    return result.ok ? { ok: true, value: { items: result.value.events, next: result.value.nextCursor } } : result;
  }, onProgress);
  if ('error' in pages) return pages;
  const events = pages.items;

  const personIds = [...new Set(events.filter((event) => event.personId !== null && event.personErasedAtMs === null).map((event) => event.personId as string))];
  const externalIds = new Map<string, string | null>();
  const queue = [...personIds];
  const lookUp = async (): Promise<void> => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const result = await client['persons:get']({ id });
      externalIds.set(id, result.ok ? result.value.externalId : null);
    }
  };
  await Promise.all(Array.from({ length: LOOKUP_CONCURRENCY }, lookUp));

  downloadCsv(`lintel-events-${fileStamp(Date.now())}.csv`, eventsToCsv(events, (id) => externalIds.get(id) ?? null));
  return { count: events.length };
}
