import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Emergency assistance: what a report adds to its case, and the officers' contact log. */
export class Emergency1764060200000 implements MigrationInterface {
  name = 'Emergency1764060200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE emergency_case (
        case_id                 uuid PRIMARY KEY REFERENCES "case"(id),
        category                text NOT NULL CHECK (category IN ('lost_or_stolen_passport','arrest_or_detention','hospitalisation_or_accident',
                                  'natural_disaster_or_unrest','death_abroad','crime_victim','missing_person','financial_distress')),
        country                 text NOT NULL,
        city                    text NOT NULL,
        description             text,
        person_name             text,
        relationship            text NOT NULL CHECK (relationship IN ('self','family','friend','other')),
        family_updates_consent  boolean NOT NULL DEFAULT false,
        triage_priority         smallint CHECK (triage_priority BETWEEN 1 AND 4),
        first_contact_due_at    timestamptz NOT NULL,
        first_contacted_at      timestamptz,
        resolution_note         text,
        idempotency_key         text UNIQUE,
        created_at              timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE emergency_contact_log (
        id                    uuid PRIMARY KEY,
        case_id               uuid NOT NULL REFERENCES "case"(id),
        officer_id            uuid NOT NULL,
        channel               text NOT NULL CHECK (channel IN ('phone','email','in_person','other')),
        note                  text,
        shared_with_reporter  boolean NOT NULL,
        created_at            timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX emergency_contact_log_case_idx ON emergency_contact_log (case_id, created_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE emergency_contact_log`);
    await db.query(`DROP TABLE emergency_case`);
  }
}
