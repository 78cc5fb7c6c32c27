import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Document authentication: the request (one per case) with its items, the appointment slots of each
 * post (booked ≤ capacity is enforced by the database as well as by the conditional UPDATE that
 * books), and the public register's look-ups (without what was looked up).
 */
export class Legalisation1764060300000 implements MigrationInterface {
  name = 'Legalisation1764060300000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE appointment_slot (
        id         bigserial PRIMARY KEY,
        post_code  text NOT NULL REFERENCES post (code),
        starts_at  timestamptz NOT NULL,
        capacity   integer NOT NULL CHECK (capacity >= 0),
        booked     integer NOT NULL DEFAULT 0 CHECK (booked >= 0),
        CONSTRAINT appointment_slot_not_overbooked CHECK (booked <= capacity),
        CONSTRAINT appointment_slot_post_time_key UNIQUE (post_code, starts_at)
      )`);
    await db.query(`CREATE SEQUENCE legalisation_certificate_seq`);
    await db.query(`
      CREATE TABLE legalisation_request (
        case_id            uuid PRIMARY KEY REFERENCES "case" (id),
        direction          text NOT NULL CHECK (direction IN ('foreign_document_for_use_at_home', 'home_document_for_use_abroad')),
        service_level      text NOT NULL CHECK (service_level IN ('regular', 'express')),
        delivery           text NOT NULL CHECK (delivery IN ('pickup_at_post', 'mail')),
        mailing_address    text CHECK (delivery = 'mail' OR mailing_address IS NULL),
        fee_twd            integer NOT NULL CHECK (fee_twd > 0),
        slot_id            bigint NOT NULL REFERENCES appointment_slot (id),
        certificate_number text UNIQUE,
        authenticated_on   date,
        idempotency_key    text UNIQUE,
        created_at         timestamptz NOT NULL DEFAULT now(),
        CHECK ((certificate_number IS NULL) = (authenticated_on IS NULL))
      )`);
    await db.query(`CREATE INDEX legalisation_request_slot_idx ON legalisation_request (slot_id)`);
    await db.query(`
      CREATE TABLE legalisation_item (
        case_id         uuid NOT NULL REFERENCES legalisation_request (case_id),
        position        smallint NOT NULL CHECK (position >= 1),
        document_type   text NOT NULL,
        issuing_country text,
        originals       integer NOT NULL CHECK (originals >= 1),
        extra_copies    integer NOT NULL CHECK (extra_copies >= 0),
        description     text,
        PRIMARY KEY (case_id, position)
      )`);
    await db.query(`
      CREATE TABLE legalisation_verification_lookup (
        id         bigserial PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        result     text NOT NULL CHECK (result IN ('valid', 'not_found')),
        ip_hash    text NOT NULL
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE legalisation_verification_lookup`);
    await db.query(`DROP TABLE legalisation_item`);
    await db.query(`DROP TABLE legalisation_request`);
    await db.query(`DROP SEQUENCE legalisation_certificate_seq`);
    await db.query(`DROP TABLE appointment_slot`);
  }
}
