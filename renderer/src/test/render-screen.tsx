// Renders an admin screen for a component test: the real store and components, a contract client whose
// channels answer from the test's handlers (every other channel answers 'unavailable', so an unexpected call
// shows on screen instead of passing silently), and a record of every call made.
import './register-dom.js';

import { cleanup, render, type RenderResult } from '@testing-library/react';
// Tests import these from here, never from @testing-library directly: loaded before register-dom, its `screen`
// would have no document.
export { act, fireEvent, renderHook, screen, waitFor, within } from '@testing-library/react';
import { afterEach } from 'node:test';
import type { ReactNode } from 'react';

import { ServicesContext, type Services } from '../app/services.js';
import { PhotoCache } from '../common/photo-cache.js';
import { CHANNELS, type Channel, type ContractClient, type RequestOf, type ResponseOf, type Result } from '../contract.js';
import { KeyboardController } from '../keyboard/keyboard-controller.js';
import { LiveFeed } from '../live/live-feed.js';
import { useLintel } from '../store/store.js';

/** What a test's fake channel answers: a value (wrapped as ok), or a Result as it is. */
export type FakeHandlers = { readonly [C in Channel]?: (request: RequestOf<C>) => ResponseOf<C> | Result<ResponseOf<C>> | Promise<ResponseOf<C> | Result<ResponseOf<C>>> };

export interface Call {
  readonly channel: Channel;
  readonly request: unknown;
}

export interface RenderedScreen extends RenderResult {
  /** Every contract call the screen made, in order. */
  readonly calls: Call[];
  /** The requests made on one channel, in order. */
  requestsOf<C extends Channel>(channel: C): RequestOf<C>[];
}

function isResult(value: unknown): value is Result<unknown> {
  return typeof value === 'object' && value !== null && 'ok' in value && (value.ok === true ? 'value' in value : 'error' in value);
}

/** A contract client answering from `handlers`; calls are appended to `calls`. */
export function fakeClient(handlers: FakeHandlers, calls: Call[] = []): ContractClient {
  const client: Record<string, (request: unknown) => Promise<Result<unknown>>> = {};
  for (const channel of CHANNELS) {
    client[channel] = async (request) => {
      calls.push({ channel, request });
      const handler = handlers[channel] as ((request: unknown) => unknown) | undefined;
      if (!handler) return { ok: false, error: { code: 'unavailable', message: `${channel} is not answered in this test` } };
      const answer = await handler(request);
      return isResult(answer) ? answer : { ok: true, value: answer };
    };
  }
  return client as ContractClient;
}

const silentChime: Services['chime'] = { play: () => undefined, buzz: () => undefined, unlockOnGesture: () => () => undefined };

/** Renders `ui` inside the services main.tsx provides, over a fake client; the store starts from its initial state. */
export function renderScreen(ui: ReactNode, handlers: FakeHandlers = {}): RenderedScreen {
  useLintel.setState(initialState, true);
  const calls: Call[] = [];
  const client = fakeClient(handlers, calls);
  const services: Services = { transportKind: 'browser', client, feed: new LiveFeed(), keyboard: new KeyboardController(document, useLintel), chime: silentChime, photos: new PhotoCache(client) };
  const rendered = render(<ServicesContext.Provider value={services}>{ui}</ServicesContext.Provider>);
  return {
    ...rendered,
    calls,
    requestsOf: <C extends Channel>(channel: C) => calls.filter((call) => call.channel === channel).map((call) => call.request as RequestOf<C>),
  };
}

const initialState = useLintel.getState();

// @testing-library cleans up by itself only where a global afterEach exists (Jest, Vitest); node:test has none.
afterEach(cleanup);
