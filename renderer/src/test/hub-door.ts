// A door as the hub's doors:list answers it, for the component tests: online, up to date, unless `values` say otherwise.
import type { HubDoor } from '../hub/hub-client.js';

export function hubDoor(id: string, name: string, values: Partial<HubDoor> = {}): HubDoor {
  return { id, name, revoked: false, online: true, modelId: 'mobilefacenet-192', appVersion: '0.1.0', appliedSeq: 12, behindBy: 0, doorOpen: null, lastSeenMs: 1_700_000_000_000, ...values };
}
