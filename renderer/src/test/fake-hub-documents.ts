// The hub's documents for a component test: documents:list, documents:put and documents:delete over a map, with
// versions and a change-log seq as the hub keeps them, refusing a write whose expectedVersion is not the
// document's as the hub does; `refuse` answers a put the way the hub refuses a body.
import type { Result } from '../contract.js';
import type { HubRequestOf, HubResponseOf } from '../hub/hub-client.js';
import type { DocumentEntity } from '../hub/hub-documents.js';
import type { FakeHubHandlers } from './render-hub-screen.js';

export interface FakeDocuments {
  readonly handlers: Pick<FakeHubHandlers, 'documents:list' | 'documents:put' | 'documents:delete'>;
  /** The body stored under an id, or undefined. */
  body(entity: DocumentEntity, id: string): Record<string, unknown> | undefined;
  /** Answers the next puts with this error instead of storing them, until set to null. */
  refuse(error: { readonly code: 'invalid-request' | 'conflict'; readonly message: string } | null): void;
  /** Writes a document as another admin would, behind the screen's back. */
  putBehind(entity: DocumentEntity, id: string, body: Record<string, unknown>): void;
}

export function fakeDocuments(initial: Partial<Record<DocumentEntity, readonly { readonly id: string; readonly body: Record<string, unknown> }[]>> = {}): FakeDocuments {
  const stored = new Map<string, { id: string; version: number; body: Record<string, unknown> }>();
  let seq = 10;
  let refusal: { readonly code: 'invalid-request' | 'conflict'; readonly message: string } | null = null;
  const key = (entity: string, id: string): string => `${entity}\u0000${id}`;
  /** The hub's answer to a write with an expected version the document is not at, or null. */
  const stale = (entity: string, id: string, expectedVersion: number | null | undefined): Result<never> | null => {
    if (expectedVersion === undefined) return null;
    const current = stored.get(key(entity, id))?.version ?? null;
    if (current === expectedVersion) return null;
    const why = current === null ? `it was deleted since version ${String(expectedVersion)} was read` : expectedVersion === null ? `it already exists (version ${current})` : `it was changed since version ${expectedVersion} was read (now version ${current})`;
    return { ok: false, error: { code: 'conflict', message: `${entity} ${id}: ${why}` } };
  };
  const put = (entity: string, id: string, body: Record<string, unknown>): HubResponseOf<'documents:put'> => {
    const version = (stored.get(key(entity, id))?.version ?? 0) + 1;
    stored.set(key(entity, id), { id, version, body });
    return { version, seq: ++seq };
  };
  for (const [entity, documents] of Object.entries(initial)) for (const document of documents ?? []) put(entity, document.id, document.body);
  return {
    handlers: {
      'documents:list': ({ entity }) =>
        [...stored.entries()]
          .filter(([name]) => name.startsWith(`${entity}\u0000`))
          .map(([, document]) => document)
          .sort((a, b) => a.id.localeCompare(b.id)),
      'documents:put': ({ entity, id, body, expectedVersion }: HubRequestOf<'documents:put'>): HubResponseOf<'documents:put'> | Result<never> =>
        refusal ? { ok: false, error: refusal } : (stale(entity, id, expectedVersion) ?? put(entity, id, body)),
      'documents:delete': ({ entity, id, expectedVersion }) => {
        const refused = stale(entity, id, expectedVersion);
        if (refused) return refused;
        if (!stored.delete(key(entity, id))) return { ok: false, error: { code: 'not-found', message: `${entity} ${id} does not exist` } };
        return { seq: ++seq };
      },
    },
    body: (entity, id) => stored.get(key(entity, id))?.body,
    refuse: (error) => {
      refusal = error;
    },
    putBehind: (entity, id, body) => void put(entity, id, body),
  };
}
