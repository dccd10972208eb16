// Every page of a paged listing, one after another, for an export.
import type { ContractErrorBody, Result } from '../contract.js';

/**
 * Calls `fetchPage` with no cursor, then with each page's `next` until there is none; `onProgress` hears the count
 * so far. Every item, or the error that stopped it.
 */
export async function allPages<T, Cursor>(
  fetchPage: (cursor: Cursor | undefined) => Promise<Result<{ readonly items: readonly T[]; readonly next: Cursor | null }>>,
  onProgress: (count: number) => void,
): Promise<{ readonly items: T[] } | { readonly error: ContractErrorBody }> {
  const items: T[] = [];
  let cursor: Cursor | undefined;
  do {
    const result = await fetchPage(cursor);
    if (!result.ok) return { error: result.error };
    items.push(...result.value.items);
    cursor = result.value.next ?? undefined;
    onProgress(items.length);
  } while (cursor !== undefined);
  return { items };
}
