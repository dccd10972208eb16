// A list asked for a page at a time: the first page whenever its query changes, further pages on demand. Every
// request belongs to the query and first page it was made under; an answer that arrives after either changed
// (new filters, a new search, a retry, a reload after an edit) is dropped, so what is shown is always the answer
// to what the screen now asks.
import { useCallback, useEffect, useRef, useState } from 'react';

import type { ContractErrorBody, Result } from '../contract.js';

export interface PagedListSource<Query, Page> {
  /** What is asked, compared by its JSON; null: nothing to ask (the filters have a problem). */
  readonly query: Query | null;
  /** The first page. `shown`: the pages loaded so far when the same query is asked again, else null. */
  readonly first: (query: Query, shown: Page | null) => Promise<Result<Page>>;
  /** The page after `shown`, or null when there is no further page. */
  readonly next: (query: Query, shown: Page) => Promise<Result<Page>> | null;
  /** `shown` with the further page after it. */
  readonly append: (shown: Page, further: Page) => Page;
  /** Typing pauses this long before a changed query is asked, ms; default 0. */
  readonly delayMs?: number;
}

export interface PagedList<Page> {
  /** Every page loaded so far, merged; the last query's until the new one answers. */
  readonly page: Page | null;
  readonly loading: boolean;
  readonly error: ContractErrorBody | null;
  /** Asks for the page after those shown; ignored while a request is out. */
  readonly loadMore: () => void;
  /** Asks for the first page again (a retry, a refresh, a change made elsewhere). */
  readonly reload: () => void;
  /** Changes what is shown without asking: a change this screen made, as the server answered it. */
  readonly edit: (change: (shown: Page) => Page) => void;
}

/** A request that threw (the clients answer Results; this is a bug or a lost transport) as the list's error. */
function failed(thrown: unknown): Result<never> {
  return { ok: false, error: { code: 'unavailable', message: `the list could not be asked for: ${thrown instanceof Error ? thrown.message : String(thrown)}` } };
}

export function usePagedList<Query, Page>(source: PagedListSource<Query, Page>): PagedList<Page> {
  const [page, setPage] = useState<Page | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ContractErrorBody | null>(null);
  const [reloads, setReloads] = useState(0);
  // The callbacks are new on every render; the requests use the latest ones.
  const sourceRef = useRef(source);
  sourceRef.current = source;
  const pageRef = useRef(page);
  pageRef.current = page;
  /** Bumped by each first-page request and each change of query: an answer under an older value is stale. */
  const generation = useRef(0);
  const lastKey = useRef<string | null>(null);
  /** A request is out (the first page's from the moment its query changed): a further page waits for it. */
  const out = useRef(false);

  /** Applies `request`'s answer (or what it threw, as the error) unless a newer generation has begun since `asked`. */
  const follow = useCallback((request: Promise<Result<Page>>, asked: number, apply: (value: Page) => void): void => {
    const settle = (result: Result<Page>): void => {
      if (asked !== generation.current) return;
      out.current = false;
      setLoading(false);
      if (result.ok) {
        apply(result.value);
        setError(null);
      } else {
        setError(result.error);
      }
    };
    request.then(settle, (thrown: unknown) => settle(failed(thrown)));
  }, []);

  const { delayMs = 0 } = source;
  const queryKey = source.query === null ? null : JSON.stringify(source.query);
  useEffect(() => {
    const asked = ++generation.current;
    out.current = queryKey !== null;
    setLoading(queryKey !== null);
    const query = sourceRef.current.query;
    if (query === null) return;
    const sameQuery = lastKey.current === queryKey;
    lastKey.current = queryKey;
    const ask = (): void => follow(sourceRef.current.first(query, sameQuery ? pageRef.current : null), asked, setPage);
    if (delayMs <= 0 || sameQuery) {
      ask();
      return;
    }
    const timer = window.setTimeout(ask, delayMs);
    return () => window.clearTimeout(timer);
  }, [queryKey, delayMs, reloads, follow]);

  // Answers after the screen has gone are dropped too.
  useEffect(
    () => () => {
      generation.current++;
    },
    [],
  );

  const loadMore = useCallback((): void => {
    const shown = pageRef.current;
    const { query } = sourceRef.current;
    if (!shown || query === null || out.current) return;
    const request = sourceRef.current.next(query, shown);
    if (!request) return;
    out.current = true;
    setLoading(true);
    follow(request, generation.current, (further) => setPage((current) => (current ? sourceRef.current.append(current, further) : further)));
  }, [follow]);

  const reload = useCallback((): void => setReloads((count) => count + 1), []);
  const edit = useCallback((change: (shown: Page) => Page): void => setPage((current) => (current ? change(current) : current)), []);

  return { page, loading, error, loadMore, reload, edit };
}
