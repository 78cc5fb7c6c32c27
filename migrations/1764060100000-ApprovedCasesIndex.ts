import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Approved cases, by last change. An approved eVisa stays APPROVED only for the seconds its PDF
 * takes, so this index is small; it lets the worker's lost-render check (every 5 minutes) and the
 * API's `evisa_approved_without_document` gauge (every scrape) read them without scanning "case".
 */
export class ApprovedCasesIndex1764060100000 implements MigrationInterface {
  name = 'ApprovedCasesIndex1764060100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX case_approved_idx ON "case" (updated_at) WHERE status = 'APPROVED'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX case_approved_idx`);
  }
}
