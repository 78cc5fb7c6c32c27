import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One table for the unfinished answers of every applicant page journey (passport, document
 * authentication, ABTC): encrypted per row, tagged by service, deleted once expired.
 */
export class ApplicantDrafts1764060150000 implements MigrationInterface {
  name = 'ApplicantDrafts1764060150000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE applicant_draft (
        id         uuid PRIMARY KEY,
        service    text NOT NULL,
        data       text NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX applicant_draft_expires_idx ON applicant_draft (expires_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE applicant_draft`);
  }
}
