import type { HubMigration } from './migration.js';

/**
 * Each sample keeps the age its face was estimated at, sealed like the crop (float64 years; AAD `sample:<id>:age`),
 * where the enrollment estimated it (the hub's photo enrollment does): the persons list marks a young child, whom
 * the doors ask for card and face. Samples from before, or from a terminal, have none.
 */
export const migration0004: HubMigration = {
  version: 4,
  name: 'sample-age',
  async up(client) {
    await client.query('ALTER TABLE samples ADD COLUMN age_estimate bytea');
  },
};
