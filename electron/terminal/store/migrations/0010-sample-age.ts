import type { Migration } from './migration.js';

/**
 * Each sample keeps the age its face was estimated at (`age_estimate`: the years as a float64, sealed with the
 * store's key like the crop: an estimate says as much about a person as their birth year). A person whose samples
 * look like a young child's is not let in by face alone (`access.policy.credential.youngChildren`). Existing and
 * synced samples start NULL; the terminal estimates them from their stored crop in the background.
 */
export const migration0010: Migration = {
  version: 10,
  name: 'sample-age',
  up(db) {
    db.exec('ALTER TABLE samples ADD COLUMN age_estimate BLOB');
  },
};
