import type { HubMigration } from './migration.js';

/**
 * The card shown at the door on an event (a card's decisions: unknown card, card + face), and an index for "the
 * events of one card". Older events and face-only decisions have none.
 */
export const migration0003: HubMigration = {
  version: 3,
  name: 'event-card',
  async up(client) {
    await client.query(`
      -- bigint: the contract's card fields go up to 2^48 - 1 (a facility code too, for formats that put more in it).
      ALTER TABLE events
        ADD COLUMN card_facility_code bigint CHECK (card_facility_code IS NULL OR card_facility_code >= 0),
        ADD COLUMN card_number bigint CHECK (card_number IS NULL OR card_number >= 0),
        ADD CONSTRAINT events_card_facility_needs_number CHECK (card_facility_code IS NULL OR card_number IS NOT NULL);

      -- Partial: most events are a face alone, and the filter never asks for "no card".
      CREATE INDEX events_by_card ON events (card_number, at_ms, id) WHERE card_number IS NOT NULL;
    `);
  },
};
