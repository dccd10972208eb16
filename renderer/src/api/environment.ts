// Which transport this page has: the Electron preload's bridge when present, else the browser host over HTTP.
import { BRIDGE_KEY, createClient, type ContractClient, type LintelBridge } from '../contract.js';
import { createHttpInvoke } from './http-invoke.js';
import { bridgeStream, webSocketStream, type StreamSource } from './stream-source.js';

export interface Transport {
  readonly kind: 'electron' | 'browser';
  readonly client: ContractClient;
  readonly stream: StreamSource;
}

function findBridge(win: Window): LintelBridge | undefined {
  const candidate: unknown = (win as unknown as Record<string, unknown>)[BRIDGE_KEY];
  if (typeof candidate !== 'object' || candidate === null) return undefined;
  const bridge = candidate as Partial<LintelBridge>;
  return bridge.kind === 'electron' && typeof bridge.invoke === 'function' && typeof bridge.subscribe === 'function' ? (bridge as LintelBridge) : undefined;
}

export function detectTransport(win: Window): Transport {
  const bridge = findBridge(win);
  if (bridge) return { kind: 'electron', client: createClient(bridge.invoke), stream: bridgeStream(bridge) };
  return { kind: 'browser', client: createClient(createHttpInvoke(win.fetch.bind(win))), stream: webSocketStream(win.location) };
}
