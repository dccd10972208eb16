import type { Migration } from './migration.js';

/**
 * A person's card credential for access-control panels: card number, and facility code where the site's bit
 * format has one. One credential opens one person's door, so a (facility, card) pair belongs to one person;
 * the range each number may take depends on the configured format and is checked on the way in.
 */
export const migration0005: Migration = {
  version: 5,
  name: 'person-credentials',
  up(db) {
    db.exec(`
      ALTER TABLE persons ADD COLUMN credential_facility_code INTEGER CHECK (credential_facility_code IS NULL OR credential_facility_code >= 0);
      ALTER TABLE persons ADD COLUMN credential_card_number INTEGER CHECK (credential_card_number IS NULL OR credential_card_number >= 0);
      -- A facility code alone is no credential (the columns are added, so this cannot be a table constraint).
      CREATE TRIGGER persons_credential_needs_card_insert BEFORE INSERT ON persons
        WHEN NEW.credential_facility_code IS NOT NULL AND NEW.credential_card_number IS NULL
        BEGIN SELECT RAISE(ABORT, 'a credential facility code needs a card number'); END;
      CREATE TRIGGER persons_credential_needs_card_update BEFORE UPDATE ON persons
        WHEN NEW.credential_facility_code IS NOT NULL AND NEW.credential_card_number IS NULL
        BEGIN SELECT RAISE(ABORT, 'a credential facility code needs a card number'); END;
      -- NULLs are distinct in a unique index: -1 stands for "no facility code" so two such cards still clash.
      CREATE UNIQUE INDEX persons_by_credential ON persons (credential_card_number, coalesce(credential_facility_code, -1))
        WHERE credential_card_number IS NOT NULL;
    `);
  },
};
