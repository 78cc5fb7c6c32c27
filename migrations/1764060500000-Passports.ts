import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Chip passports: the application (one per case; names, date and place of birth and identifiers
 * encrypted, identifiers searchable by blind index). The passport number assigned at printing is unique through
 * its blind index, which stays after anonymisation so that no number is ever given twice.
 */
export class Passports1764060500000 implements MigrationInterface {
  name = 'Passports1764060500000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE passport_application (
        case_id                   uuid PRIMARY KEY REFERENCES "case" (id),
        kind                      text NOT NULL CHECK (kind IN ('first_issue', 'renewal', 'replacement_lost', 'replacement_damaged')),
        surname                   text,
        given_names               text,
        chinese_name              text,
        sex                       text CHECK (sex IN ('M', 'F')),
        date_of_birth             text,
        place_of_birth            text,
        national_id               text,
        national_id_index         text,
        previous_passport_number  text,
        previous_passport_index   text,
        police_report_reference   text,
        photo_file_id             uuid REFERENCES file (id),
        age_band                  text NOT NULL CHECK (age_band IN ('adult', 'child')),
        validity_years            smallint NOT NULL CHECK (validity_years > 0),
        fee_amount                integer NOT NULL CHECK (fee_amount > 0),
        fee_currency              text NOT NULL CHECK (fee_currency IN ('TWD', 'USD')),
        passport_number           text,
        passport_number_index     text UNIQUE,
        printed_at                timestamptz,
        dispatch_tracking         text,
        dispatched_at             timestamptz,
        ready_at                  timestamptz,
        collected_at              timestamptz,
        idempotency_key           text UNIQUE,
        created_at                timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX passport_application_national_id_idx ON passport_application (national_id_index)`);
    await db.query(`CREATE INDEX passport_application_previous_idx ON passport_application (previous_passport_index)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE passport_application`);
  }
}
