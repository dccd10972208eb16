// The hub admin UI's one door to its contract (electron/shared/hub-admin): a typed client of every channel over
// the same HTTP transport as the kiosk UI's browser host (`POST /api/call/<channel>`, the session in an
// HttpOnly cookie the page never sees).
import type { z } from 'zod';

import { createHttpInvoke } from '../api/http-invoke.js';
import type { Channel, Result } from '../contract.js';
import { hubAdminContract, type HubAdminChannel, type HubAdminContract } from '../../../electron/shared/hub-admin/channels.js';

export type HubRequestOf<C extends HubAdminChannel> = z.input<HubAdminContract[C]['request']>;
export type HubResponseOf<C extends HubAdminChannel> = z.output<HubAdminContract[C]['response']>;
export type HubClient = { readonly [C in HubAdminChannel]: (request: HubRequestOf<C>) => Promise<Result<HubResponseOf<C>>> };

export type HubDoor = HubResponseOf<'doors:list'>['doors'][number];
export type HubPerson = HubResponseOf<'persons:list'>['persons'][number];
export type HubErasure = HubResponseOf<'persons:delete'>;
export type HubEvent = HubResponseOf<'events:list'>['events'][number];

export const HUB_CHANNELS = Object.keys(hubAdminContract) as HubAdminChannel[];

/** A HubClient over `invoke`; a transport failure answers 'unavailable' (as the kiosk's createClient does). */
export function createHubClient(invoke: (channel: HubAdminChannel, request: unknown) => Promise<unknown>): HubClient {
  const client: Record<string, (request: unknown) => Promise<Result<unknown>>> = {};
  for (const channel of HUB_CHANNELS) {
    client[channel] = async (request) => {
      try {
        return (await invoke(channel, request)) as Result<unknown>;
      } catch (error) {
        return { ok: false, error: { code: 'unavailable', message: `${channel}: ${error instanceof Error ? error.message : String(error)}` } };
      }
    };
  }
  return client as HubClient;
}

/** The browser's client: the kiosk's HTTP transport, which only joins the call prefix and the channel's name. */
export function createBrowserHubClient(fetchImpl: typeof fetch): HubClient {
  const invoke = createHttpInvoke(fetchImpl);
  return createHubClient((channel, request) => invoke(channel as string as Channel, request));
}
