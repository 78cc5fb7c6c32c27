import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The review queue: partial indexes over the statuses in which cases wait for an officer (the
 * list must equal QUEUE_STATUSES; test/review/claim.test.ts checks), SLA escalations and officers' in-app alerts.
 */
export class ReviewQueue1764058100000 implements MigrationInterface {
  name = 'ReviewQueue1764058100000';

  async up(db: QueryRunner): Promise<void> {
    const queued = `status IN ('DOMESTIC_REVIEW','IN_PROGRESS','IN_REVIEW','REPORTED','SUBMITTED','TRIAGED')`;
    await db.query(
      `CREATE INDEX case_review_queue_idx ON "case" (post_code, priority, (COALESCE(sla_due_at, 'infinity'::timestamptz)), id) WHERE ${queued}`,
    );
    await db.query(
      `CREATE INDEX case_review_queue_all_posts_idx ON "case" (priority, (COALESCE(sla_due_at, 'infinity'::timestamptz)), id) WHERE ${queued}`,
    );
    await db.query(`CREATE INDEX case_overdue_idx ON "case" (sla_due_at) WHERE ${queued}`);
    await db.query(`CREATE INDEX case_decided_idx ON "case" (decided_at) WHERE decided_at IS NOT NULL`);

    await db.query(`
      CREATE TABLE sla_escalation (
        case_id       uuid NOT NULL REFERENCES "case"(id),
        due_at        timestamptz NOT NULL,
        escalated_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (case_id, due_at)
      )`);

    await db.query(`
      CREATE TABLE officer_alert (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        officer_id  uuid NOT NULL,
        kind        text NOT NULL,
        case_id     uuid REFERENCES "case"(id),
        params      jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at  timestamptz NOT NULL DEFAULT now(),
        read_at     timestamptz
      )`);
    await db.query(`CREATE INDEX officer_alert_unread_idx ON officer_alert (officer_id, created_at DESC) WHERE read_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE officer_alert`);
    await db.query(`DROP TABLE sla_escalation`);
    await db.query(`DROP INDEX case_decided_idx`);
    await db.query(`DROP INDEX case_overdue_idx`);
    await db.query(`DROP INDEX case_review_queue_all_posts_idx`);
    await db.query(`DROP INDEX case_review_queue_idx`);
  }
}
