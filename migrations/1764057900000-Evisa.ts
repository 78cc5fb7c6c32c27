import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The eVisa: the application (one row per case, personal columns hold FieldCipher ciphertext),
 * its payments, the sandbox acquirer's charges, requests for information, and the visa number
 * sequence.
 */
export class Evisa1764057900000 implements MigrationInterface {
  name = 'Evisa1764057900000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE SEQUENCE evisa_visa_number_seq START 1 MAXVALUE 9999999 NO CYCLE`);
    await db.query(`
      CREATE TABLE evisa_application (
        case_id                 uuid PRIMARY KEY REFERENCES "case"(id),
        purpose                 text NOT NULL,
        passport_type           text NOT NULL,
        nationality             text NOT NULL,
        surname                 text,
        given_names             text,
        native_name             text,
        sex                     text,
        date_of_birth           text,
        place_of_birth          text,
        passport_number         text,
        passport_number_index   text,
        issuing_authority       text,
        passport_issue_date     text,
        passport_expiry_date    text,
        email                   text,
        phone                   text,
        arrival_date            text,
        port_of_entry           text,
        stay_address            text,
        occupation              text,
        mrz_line1               text,
        mrz_line2               text,
        photo_file_id           uuid REFERENCES file(id),
        passport_page_file_id   uuid REFERENCES file(id),
        payment_key             text,
        submit_key              text,
        visa_number             text UNIQUE CHECK (visa_number ~ '^EV[0-9]{7}$'),
        valid_from              date,
        valid_until             date,
        entries                 text,
        stay_days               integer,
        decision_reason_code    text,
        decision_text           text,
        created_at              timestamptz NOT NULL DEFAULT now(),
        updated_at              timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX evisa_application_passport_idx ON evisa_application (passport_number_index)`);

    await db.query(`
      CREATE TABLE evisa_payment (
        id                  uuid PRIMARY KEY,
        case_id             uuid NOT NULL REFERENCES "case"(id),
        amount              integer NOT NULL CHECK (amount > 0),
        currency            char(3) NOT NULL,
        provider            text NOT NULL,
        provider_reference  text NOT NULL UNIQUE,
        status              text NOT NULL CHECK (status IN ('pending','succeeded','declined')),
        idempotency_key     text NOT NULL UNIQUE,
        created_at          timestamptz NOT NULL DEFAULT now(),
        updated_at          timestamptz NOT NULL DEFAULT now()
      )`);
    // One live payment per case: never two attempts that could both take money.
    await db.query(`CREATE UNIQUE INDEX evisa_payment_live_idx ON evisa_payment (case_id) WHERE status IN ('pending','succeeded')`);

    await db.query(`
      CREATE TABLE evisa_sandbox_charge (
        provider_reference  text PRIMARY KEY,
        amount              integer NOT NULL,
        currency            char(3) NOT NULL,
        status              text NOT NULL CHECK (status IN ('pending','succeeded','declined')),
        card_last4          text,
        created_at          timestamptz NOT NULL DEFAULT now(),
        charged_at          timestamptz
      )`);

    await db.query(`
      CREATE TABLE evisa_information_request (
        id             uuid PRIMARY KEY,
        case_id        uuid NOT NULL REFERENCES "case"(id),
        message        text NOT NULL,
        deadline       timestamptz NOT NULL,
        requested_by   text NOT NULL,
        requested_at   timestamptz NOT NULL DEFAULT now(),
        answer_text    text,
        answer_file_ids uuid[] NOT NULL DEFAULT '{}',
        answered_at    timestamptz,
        expired_at     timestamptz
      )`);
    await db.query(
      `CREATE INDEX evisa_information_request_open_idx ON evisa_information_request (deadline) WHERE answered_at IS NULL AND expired_at IS NULL`,
    );
    await db.query(`CREATE UNIQUE INDEX evisa_information_request_one_open ON evisa_information_request (case_id)
                    WHERE answered_at IS NULL AND expired_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE evisa_information_request`);
    await db.query(`DROP TABLE evisa_sandbox_charge`);
    await db.query(`DROP TABLE evisa_payment`);
    await db.query(`DROP TABLE evisa_application`);
    await db.query(`DROP SEQUENCE evisa_visa_number_seq`);
  }
}
