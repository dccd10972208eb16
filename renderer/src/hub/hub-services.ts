// What the hub's screens are given by hub-main.tsx (tests give a fake client).
import { createContext, useContext } from 'react';

import type { HubClient } from './hub-client.js';

export const HubClientContext = createContext<HubClient | null>(null);

export function useHubClient(): HubClient {
  const client = useContext(HubClientContext);
  if (!client) throw new Error('useHubClient outside HubClientContext');
  return client;
}
