import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The APEC Business Travel Card: the application (one per case; identity, passport and business
 * details, personal ones encrypted), one pre-clearance per economy once the home check is done,
 * and the card number sequence.
 */
export class Abtc1764060400000 implements MigrationInterface {
  name = 'Abtc1764060400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE SEQUENCE abtc_card_seq`);
    await db.query(`
      CREATE TABLE abtc_application (
        case_id               uuid PRIMARY KEY REFERENCES "case" (id),
        given_names           text,
        surname               text,
        date_of_birth         text,
        sex                   text NOT NULL CHECK (sex IN ('F', 'M', 'X')),
        nationality           text NOT NULL CHECK (nationality ~ '^[A-Z]{3}$'),
        passport_number       text,
        passport_number_index text,
        passport_expiry       date NOT NULL,
        company_name          text,
        job_title             text,
        business_reason       text,
        card_number           text UNIQUE,
        valid_from            date,
        valid_until           date,
        idempotency_key       text UNIQUE,
        created_at            timestamptz NOT NULL DEFAULT now(),
        CHECK ((card_number IS NULL) = (valid_from IS NULL) AND (valid_from IS NULL) = (valid_until IS NULL)),
        CHECK (valid_until IS NULL OR valid_until > valid_from)
      )`);
    await db.query(`CREATE INDEX abtc_application_passport_idx ON abtc_application (passport_number_index)`);
    await db.query(`
      CREATE TABLE abtc_clearance (
        case_id    uuid NOT NULL REFERENCES abtc_application (case_id),
        economy    text NOT NULL CHECK (economy ~ '^[A-Z]{3}$'),
        status     text NOT NULL CHECK (status IN ('PENDING', 'APPROVED', 'REFUSED', 'NOT_APPLICABLE')),
        decided_at timestamptz,
        note       text,
        PRIMARY KEY (case_id, economy),
        CHECK ((status IN ('APPROVED', 'REFUSED')) = (decided_at IS NOT NULL))
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE abtc_clearance`);
    await db.query(`DROP TABLE abtc_application`);
    await db.query(`DROP SEQUENCE abtc_card_seq`);
  }
}
