// A site person as the hub lists them, for the hub screens' component tests.
import type { HubPerson } from '../hub/hub-client.js';

/** Ada, in group staff with three samples and no card; tests change what they need. */
export const ADA: HubPerson = {
  id: '0b5e1c2a-7f6d-4c3b-9a8e-1d2c3b4a5f60',
  name: 'Ada Lovelace',
  externalId: 'E-17',
  enabled: true,
  validFromMs: null,
  validUntilMs: null,
  groups: ['staff'],
  credentials: [],
  version: 1,
  createdAtMs: 1_700_000_000_000,
  updatedAtMs: 1_700_000_000_000,
  sampleCount: 3,
};
