// The hub admin API's implementations over the HubStore, behind the contract's one handler.
import { authorizeByLevel, createHandler, type Handle, type HandlerContext, type HandlerLogger, type ImplementationsOf } from '../../shared/contract/handler.js';
import { ContractError } from '../../shared/contract/result.js';
import { hubAdminContract, type HubAdminContract } from '../../shared/hub-admin/channels.js';
import { HubFolderError } from '../pki/hub-folder.js';
import { sampleFromWire } from '../store/validate.js';
import type { PostgresHubStore } from '../store/postgres-hub-store.js';
import type { PhotoEnroller } from './photo-enrollment.js';

/** Longest an admin session lasts, ms (8 hours). */
export const HUB_SESSION_MS = 8 * 60 * 60_000;

/** Session tokens issued by the call in progress, for the transport to put in a cookie (never in the answer). */
export type IssuedTokens = WeakMap<HandlerContext, { readonly token: string; readonly expiresAtMs: number } | null>;

/**
 * The hub admin API's handler. `issued` receives the token of a login or setup (and null for a logout) keyed by
 * the call's context, so the HTTP layer can set or clear the cookie.
 */
export function createHubAdminHandler(
  store: PostgresHubStore,
  options: {
    readonly logger: HandlerLogger;
    readonly issued: IssuedTokens;
    readonly photos?: PhotoEnroller | undefined;
    /** Revokes a door (HubService.revokeDoor); without it `doors:revoke` answers 'unavailable'. */
    readonly revokeDoor?: ((terminalId: string) => Promise<readonly string[]>) | undefined;
    readonly validateResponses?: boolean;
  },
): Handle {
  const { admins } = store;
  const signIn = async (username: string, context: HandlerContext) => {
    const session = await admins.createSession(username, HUB_SESSION_MS);
    options.issued.set(context, session);
    return { username: username.trim().toLowerCase(), expiresAtMs: session.expiresAtMs };
  };

  const implementations: ImplementationsOf<HubAdminContract> = {
    'admin:setup': async ({ username, password }, context) => {
      if (!(await admins.createFirst(username, password))) throw new ContractError('conflict', 'the hub has an admin already: sign in instead');
      return signIn(username, context);
    },
    'admin:login': async ({ username, password }, context) => {
      const result = await admins.verify(username, password);
      if (result.ok) return signIn(username, context);
      if (result.reason === 'locked') throw new ContractError('locked', 'too many wrong passwords: wait before trying again', { retryAtMs: result.lockedUntilMs });
      throw new ContractError('unauthorized', 'wrong username or password', { triesLeft: result.triesLeft });
    },
    'admin:logout': async (_request, context) => {
      if (context.sessionToken) await admins.endSession(context.sessionToken);
      options.issued.set(context, null);
      return {};
    },
    'admin:whoami': (_request, context) => ({ username: context.session?.subject ?? '', expiresAtMs: context.session?.expiresAtMs ?? 0 }),

    'doors:list': async () => {
      const [headSeq, terminals] = await Promise.all([store.headSeq(), store.listTerminals()]);
      const doors = terminals.map((terminal) => {
        const state = terminal.state;
        return {
          id: terminal.id,
          name: terminal.name,
          revoked: terminal.revoked,
          online: state?.online === true,
          modelId: state?.online ? state.modelId : null,
          appVersion: state?.online ? state.appVersion : null,
          appliedSeq: terminal.appliedSeq,
          behindBy: Math.max(0, headSeq - terminal.appliedSeq),
          doorOpen: state?.online ? (state.door.open ?? null) : null,
          lastSeenMs: terminal.lastSeenMs,
        };
      });
      return { headSeq, doors };
    },

    'doors:revoke': async ({ id }) => {
      if (!options.revokeDoor) throw new ContractError('unavailable', 'this hub revokes doors from its command line: lintel hub revoke-terminal');
      try {
        return { revokedSerials: [...(await options.revokeDoor(id))] };
      } catch (error) {
        if (error instanceof HubFolderError) throw new ContractError('not-found', error.message);
        throw error;
      }
    },

    'persons:list': (request) => store.listPersons(request),
    'persons:get': ({ id }) => store.getPerson(id),
    'persons:create': ({ samples, ...person }) => store.createPerson({ ...person, samples: samples.map(sampleFromWire) }),
    'persons:create-from-photos': async ({ photos, ...person }) => {
      if (!options.photos) throw new ContractError('unavailable', 'this hub enrolls from photos only where its face models are installed');
      const { samples, verdicts, youngChild } = await options.photos.samplesFromPhotos(photos.map((photo) => ({ name: photo.name, bytes: Buffer.from(photo.base64, 'base64') })));
      if (samples.length === 0) {
        throw new ContractError('invalid-request', `no usable photo: ${verdicts.map((verdict) => `${verdict.name}: ${verdict.detail}`).join('; ')}`);
      }
      return { person: await store.createPerson({ ...person, samples }), photos: verdicts, ...(youngChild ? { youngChild } : {}) };
    },
    'persons:update': ({ id, patch }) => store.updatePerson(id, patch),
    'persons:delete': ({ id }) => store.deletePerson(id),

    'erasures:list': ({ limit }) => store.listErasures(limit),
    'erasures:get': ({ personId }) => store.erasureProgress(personId),

    'documents:list': ({ entity }) => store.listDocuments(entity),
    'documents:put': ({ entity, id, body, expectedVersion }) => store.putDocument(entity, id, body, expectedVersion),
    'documents:delete': ({ entity, id, expectedVersion }) => store.deleteDocument(entity, id, expectedVersion),
    'groups:rename': ({ from, to, expectedVersion }) => store.renameGroup(from, to, expectedVersion),

    'events:list': (request) => store.queryEvents(request),
    'events:snapshot': async ({ id }) => ({ jpegBase64: (await store.eventSnapshot(id))?.toString('base64') ?? null }),
  };

  const byLevel = authorizeByLevel();
  return createHandler(hubAdminContract, implementations, {
    logger: options.logger,
    // 'kiosk' (the first setup) means at the hub machine itself; it has no session yet.
    authorize: (required, session, channel, context) => (required === 'kiosk' ? context?.local === true || byLevel('admin', session, channel, context) : byLevel(required, session, channel, context)),
    // The store's codes: 'invalid' is a request that parsed but broke a rule; a revoked terminal is a conflict.
    codeAliases: { invalid: 'invalid-request', revoked: 'conflict' },
    ...(options.validateResponses ? { validateResponses: true } : {}),
  });
}
