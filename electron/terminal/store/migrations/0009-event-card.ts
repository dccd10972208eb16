import type { Migration } from './migration.js';

/**
 * The card shown at the door, beside a card's decisions (`unknown-card`, and the card + face check of its
 * holder): an administrator follows up a lost or foreign card by its number. Cleared with the holder's other
 * data when they are erased.
 */
export const migration0009: Migration = {
  version: 9,
  name: 'event-card',
  up(db) {
    db.exec(`
      ALTER TABLE events ADD COLUMN card_facility_code INTEGER CHECK (card_facility_code IS NULL OR card_facility_code >= 0);
      ALTER TABLE events ADD COLUMN card_number INTEGER CHECK (card_number IS NULL OR card_number >= 0);
      -- A facility code alone names no card (the columns are added, so this cannot be a table constraint).
      CREATE TRIGGER events_card_needs_number BEFORE INSERT ON events
        WHEN NEW.card_facility_code IS NOT NULL AND NEW.card_number IS NULL
        BEGIN SELECT RAISE(ABORT, 'an event card facility code needs a card number'); END;
      CREATE INDEX events_by_card ON events (card_number, at_ms, id) WHERE card_number IS NOT NULL;
    `);
  },
};
