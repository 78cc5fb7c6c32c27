import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Data lifecycle: when a closed case's personal data was anonymised (the retention job), and the two
 * encrypted eVisa columns that were NOT NULL — the nationality answer and an officer's request for
 * information — made nullable, so that anonymising can clear them while the rows stay.
 */
export class DataLifecycle1764058300000 implements MigrationInterface {
  name = 'DataLifecycle1764058300000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "case" ADD COLUMN anonymised_at timestamptz`);
    // The retention job's scan: cases not yet anonymised, oldest change first.
    await db.query(`CREATE INDEX case_retention_idx ON "case" (updated_at) WHERE anonymised_at IS NULL`);
    await db.query(`ALTER TABLE evisa_application ALTER COLUMN nationality DROP NOT NULL`);
    await db.query(`ALTER TABLE evisa_information_request ALTER COLUMN message DROP NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE evisa_information_request ALTER COLUMN message SET NOT NULL`);
    await db.query(`ALTER TABLE evisa_application ALTER COLUMN nationality SET NOT NULL`);
    await db.query(`DROP INDEX case_retention_idx`);
    await db.query(`ALTER TABLE "case" DROP COLUMN anonymised_at`);
  }
}
