// Renders a hub admin screen for a component test: a hub client whose channels answer from the test's handlers
// (every other channel answers 'unavailable', so an unexpected call shows on screen), and a record of every call.
import './register-dom.js';

import { configure, render, type RenderResult } from '@testing-library/react';
import type { ReactNode } from 'react';

import type { Result } from '../contract.js';
import { createHubClient, type HubRequestOf, type HubResponseOf } from '../hub/hub-client.js';
import { HubClientContext } from '../hub/hub-services.js';
import type { HubAdminChannel } from '../../../electron/shared/hub-admin/channels.js';
// render-screen.tsx cleans up after each test.
import './render-screen.js';

export type FakeHubHandlers = {
  readonly [C in HubAdminChannel]?: (request: HubRequestOf<C>) => HubResponseOf<C> | Result<HubResponseOf<C>> | Promise<HubResponseOf<C> | Result<HubResponseOf<C>>>;
};

export interface RenderedHubScreen extends RenderResult {
  /** The requests made on one channel, in order. */
  requestsOf<C extends HubAdminChannel>(channel: C): HubRequestOf<C>[];
}

// The screens debounce and poll; on a busy machine the default second of findBy/waitFor is too tight.
configure({ asyncUtilTimeout: 5_000 });

function isResult(value: unknown): value is Result<unknown> {
  return typeof value === 'object' && value !== null && 'ok' in value && (value.ok === true ? 'value' in value : 'error' in value);
}

export function renderHubScreen(ui: ReactNode, handlers: FakeHubHandlers = {}): RenderedHubScreen {
  const calls: { channel: HubAdminChannel; request: unknown }[] = [];
  const client = createHubClient(async (channel, request) => {
    calls.push({ channel, request });
    const handler = handlers[channel] as ((request: unknown) => unknown) | undefined;
    if (!handler) return { ok: false, error: { code: 'unavailable', message: `${channel} is not answered in this test` } };
    const answer = await handler(request);
    return isResult(answer) ? answer : { ok: true, value: answer };
  });
  const rendered = render(<HubClientContext.Provider value={client}>{ui}</HubClientContext.Provider>);
  return {
    ...rendered,
    requestsOf: <C extends HubAdminChannel>(channel: C) => calls.filter((call) => call.channel === channel).map((call) => call.request as HubRequestOf<C>),
  };
}
