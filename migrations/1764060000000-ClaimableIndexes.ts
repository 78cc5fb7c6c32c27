import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Claim-next reads only cases nobody holds. With one partial index over every waiting case, each held
 * claim stayed in the index ahead of the free cases and every later claim walked past it (after 9,500
 * claims, EXPLAIN showed 8,789 rows removed by the filter). These indexes hold the free cases alone,
 * in queue order, and the held ones by lease expiry, so a claim costs the same however many are held.
 * The status list must equal QUEUE_STATUSES (test/review/claim.test.ts checks).
 */
export class ClaimableIndexes1764060000000 implements MigrationInterface {
  name = 'ClaimableIndexes1764060000000';

  async up(db: QueryRunner): Promise<void> {
    const queued = `status IN ('DOMESTIC_REVIEW','IN_PROGRESS','IN_REVIEW','REPORTED','SUBMITTED','TRIAGED')`;
    const queueOrder = `priority, (COALESCE(sla_due_at, 'infinity'::timestamptz)), id`;
    await db.query(`CREATE INDEX case_claimable_idx ON "case" (post_code, ${queueOrder}) WHERE ${queued} AND assigned_officer_id IS NULL`);
    await db.query(`CREATE INDEX case_claimable_all_posts_idx ON "case" (${queueOrder}) WHERE ${queued} AND assigned_officer_id IS NULL`);
    await db.query(`CREATE INDEX case_claim_expiry_idx ON "case" (claim_expires_at) WHERE ${queued} AND assigned_officer_id IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX case_claim_expiry_idx`);
    await db.query(`DROP INDEX case_claimable_all_posts_idx`);
    await db.query(`DROP INDEX case_claimable_idx`);
  }
}
