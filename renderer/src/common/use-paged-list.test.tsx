import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Result } from '../contract.js';
import { act, renderHook, waitFor } from '../test/render-screen.js';
import { usePagedList, type PagedListSource } from './use-paged-list.js';

interface Query {
  readonly search: string;
}
/** Names, and how many more there are after them. */
interface Page {
  readonly names: readonly string[];
  readonly more: number;
}

/** An answer the test gives when it chooses. */
interface Pending {
  readonly kind: 'first' | 'next';
  readonly query: Query;
  readonly shown: Page | null;
  answer(result: Result<Page>): void;
}

function pageOf(...names: string[]): Result<Page> {
  return { ok: true, value: { names, more: 1 } };
}

/** A source whose every request waits for the test to answer it. */
function heldSource(): { pending: Pending[]; source: (query: Query | null, delayMs?: number) => PagedListSource<Query, Page> } {
  const pending: Pending[] = [];
  const hold = (kind: Pending['kind'], query: Query, shown: Page | null): Promise<Result<Page>> =>
    new Promise((resolve) => pending.push({ kind, query, shown, answer: resolve }));
  return {
    pending,
    source: (query, delayMs = 0) => ({
      query,
      delayMs,
      first: (asked, shown) => hold('first', asked, shown),
      next: (asked, shown) => (shown.more > 0 ? hold('next', asked, shown) : null),
      append: (shown, further) => ({ names: [...shown.names, ...further.names], more: further.more }),
    }),
  };
}

async function settled(): Promise<void> {
  await act(() => new Promise((resolve) => setTimeout(resolve, 20)));
}

test('an answer to a query changed meanwhile is dropped, whatever order the answers come in', async () => {
  const { pending, source } = heldSource();
  const view = renderHook(({ search }: Query) => usePagedList(source({ search })), { initialProps: { search: 'a' } });
  await waitFor(() => assert.equal(pending.length, 1));
  view.rerender({ search: 'b' });
  await waitFor(() => assert.equal(pending.length, 2));
  assert.deepEqual(pending.map((p) => p.query.search), ['a', 'b']);
  act(() => pending[1]!.answer(pageOf('Bea')));
  await waitFor(() => assert.deepEqual(view.result.current.page?.names, ['Bea']));
  act(() => pending[0]!.answer(pageOf('Ann')));
  await settled();
  assert.deepEqual(view.result.current.page?.names, ['Bea']);
  assert.equal(view.result.current.loading, false);
});

test('a further page asked under an older query is dropped; one under the same query is appended', async () => {
  const { pending, source } = heldSource();
  const view = renderHook(({ search }: Query) => usePagedList(source({ search })), { initialProps: { search: 'a' } });
  await waitFor(() => assert.equal(pending.length, 1));
  act(() => pending[0]!.answer(pageOf('Ann')));
  await waitFor(() => assert.equal(view.result.current.loading, false));
  act(() => view.result.current.loadMore());
  assert.equal(pending[1]?.kind, 'next');
  assert.deepEqual(pending[1]?.shown?.names, ['Ann']);
  act(() => pending[1]!.answer({ ok: true, value: { names: ['Amy'], more: 1 } }));
  await waitFor(() => assert.deepEqual(view.result.current.page?.names, ['Ann', 'Amy']));

  act(() => view.result.current.loadMore());
  view.rerender({ search: 'b' });
  await waitFor(() => assert.equal(pending.length, 4));
  act(() => pending[3]!.answer(pageOf('Bea')));
  await waitFor(() => assert.deepEqual(view.result.current.page?.names, ['Bea']));
  act(() => pending[2]!.answer(pageOf('Abe')));
  await settled();
  assert.deepEqual(view.result.current.page?.names, ['Bea'], 'the old query\'s page is not appended to the new list');
});

test('asked again, the same query gets the pages shown, and overtakes a further page already asked for', async () => {
  const { pending, source } = heldSource();
  const view = renderHook(() => usePagedList(source({ search: '' })));
  await waitFor(() => assert.equal(pending.length, 1));
  assert.equal(pending[0]!.shown, null, 'a new query starts from nothing');
  act(() => pending[0]!.answer(pageOf('Ann')));
  await waitFor(() => assert.equal(view.result.current.loading, false));
  act(() => view.result.current.loadMore());
  act(() => view.result.current.reload());
  await waitFor(() => assert.equal(pending.length, 3));
  assert.equal(pending[2]!.kind, 'first');
  assert.deepEqual(pending[2]!.shown?.names, ['Ann']);
  act(() => pending[2]!.answer(pageOf('Ann', 'Amy')));
  await waitFor(() => assert.deepEqual(view.result.current.page?.names, ['Ann', 'Amy']));
  act(() => pending[1]!.answer(pageOf('Abe')));
  await settled();
  assert.deepEqual(view.result.current.page?.names, ['Ann', 'Amy']);
});

test('a further page waits for the first page of a new query; none is asked after the last', async () => {
  const { pending, source } = heldSource();
  const view = renderHook(({ search }: Query) => usePagedList(source({ search })), { initialProps: { search: 'a' } });
  await waitFor(() => assert.equal(pending.length, 1));
  act(() => pending[0]!.answer({ ok: true, value: { names: ['Ann'], more: 0 } }));
  await waitFor(() => assert.equal(view.result.current.loading, false));
  act(() => view.result.current.loadMore());
  assert.equal(pending.length, 1, 'nothing after the last page');
  view.rerender({ search: 'b' });
  await waitFor(() => assert.equal(pending.length, 2));
  act(() => view.result.current.loadMore());
  assert.equal(pending.length, 2, 'no further page while the first is out');
});

test('an error keeps what is shown; asking again clears it', async () => {
  const { pending, source } = heldSource();
  const view = renderHook(() => usePagedList(source({ search: '' })));
  await waitFor(() => assert.equal(pending.length, 1));
  act(() => pending[0]!.answer(pageOf('Ann')));
  await waitFor(() => assert.equal(view.result.current.loading, false));
  act(() => view.result.current.reload());
  await waitFor(() => assert.equal(pending.length, 2));
  act(() => pending[1]!.answer({ ok: false, error: { code: 'unavailable', message: 'the hub is not reachable' } }));
  await waitFor(() => assert.equal(view.result.current.error?.code, 'unavailable'));
  assert.deepEqual(view.result.current.page?.names, ['Ann']);
  act(() => view.result.current.reload());
  await waitFor(() => assert.equal(pending.length, 3));
  act(() => pending[2]!.answer(pageOf('Ann')));
  await waitFor(() => assert.equal(view.result.current.error, null));
});

test('typing pauses: only the query standing after the delay is asked; no query, nothing asked', async () => {
  const { pending, source } = heldSource();
  const view = renderHook(({ search }: { search: string | null }) => usePagedList(source(search === null ? null : { search }, 30)), { initialProps: { search: null as string | null } });
  await settled();
  assert.equal(pending.length, 0);
  assert.equal(view.result.current.loading, false);
  for (const search of ['g', 'gr', 'gra']) view.rerender({ search });
  assert.equal(view.result.current.loading, true, 'the list says it is loading from the first key');
  await act(() => new Promise((resolve) => setTimeout(resolve, 80)));
  assert.deepEqual(pending.map((p) => p.query.search), ['gra']);
});

test('a request that throws is the list\'s error, and the list can be asked again', async () => {
  let throws = true;
  const view = renderHook(() =>
    usePagedList<Query, Page>({
      query: { search: '' },
      first: () => (throws ? Promise.reject(new Error('socket hang up')) : Promise.resolve(pageOf('Ann'))),
      next: () => null,
      append: (shown) => shown,
    }),
  );
  await waitFor(() => assert.equal(view.result.current.error?.code, 'unavailable'));
  assert.match(view.result.current.error?.message ?? '', /socket hang up/);
  assert.equal(view.result.current.loading, false);
  throws = false;
  act(() => view.result.current.reload());
  await waitFor(() => assert.deepEqual(view.result.current.page?.names, ['Ann']));
  assert.equal(view.result.current.error, null);
});

test('an edit changes what is shown at once; a reload\'s answer still replaces it', async () => {
  const { pending, source } = heldSource();
  const view = renderHook(() => usePagedList(source({ search: '' })));
  await waitFor(() => assert.equal(pending.length, 1));
  act(() => pending[0]!.answer(pageOf('Ann', 'Amy')));
  await waitFor(() => assert.equal(view.result.current.loading, false));
  act(() => view.result.current.edit((shown) => ({ ...shown, names: shown.names.map((name) => (name === 'Amy' ? 'Amy (disabled)' : name)) })));
  assert.deepEqual(view.result.current.page?.names, ['Ann', 'Amy (disabled)']);
  act(() => view.result.current.reload());
  await waitFor(() => assert.equal(pending.length, 2));
  act(() => pending[1]!.answer(pageOf('Ann', 'Amy (disabled)', 'Abe')));
  await waitFor(() => assert.deepEqual(view.result.current.page?.names, ['Ann', 'Amy (disabled)', 'Abe']));
});
