import type { Migration } from './migration.js';

/**
 * Which liveness check failed, beside a `liveness-failed` event's reason: `passive` (the passive model's score)
 * or the active challenge's cue (`timeout`, `planar`, `wrong-direction`…). A code, like the reason.
 */
export const migration0004: Migration = {
  version: 4,
  name: 'event-liveness-cue',
  up(db) {
    db.exec(`ALTER TABLE events ADD COLUMN liveness_cue TEXT CHECK (liveness_cue IS NULL OR liveness_cue GLOB '[a-z]*' AND length(liveness_cue) <= 32);`);
  },
};
