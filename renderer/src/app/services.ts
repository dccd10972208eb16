// What the composition root hands to components: the contract client, the live feed, the keyboard, sounds and
// the photo cache. Built once in main.tsx; components reach them through useServices().
import { createContext, useContext } from 'react';

import type { ContractClient } from '../contract.js';
import type { PhotoCache } from '../common/photo-cache.js';
import type { KeyboardController } from '../keyboard/keyboard-controller.js';
import type { LiveFeed } from '../live/live-feed.js';
import type { Chime } from '../sound/chime.js';

export interface Services {
  /** Electron's preload, or a browser served by the headless terminal. */
  readonly transportKind: 'electron' | 'browser';
  readonly client: ContractClient;
  readonly feed: LiveFeed;
  readonly keyboard: KeyboardController;
  readonly chime: Chime;
  readonly photos: PhotoCache;
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices needs a ServicesContext provider (main.tsx)');
  return services;
}

export function useClient(): ContractClient {
  return useServices().client;
}
