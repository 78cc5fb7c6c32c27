import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DataSource } from 'typeorm';
import { ReviewQueueService } from '@app/review';
import { ManualClock } from '../harness/clock.js';
import { startTestStack, type TestStack } from '../harness/app.js';
import { officerAt } from '../harness/officers.js';
import { testCatalogue } from '../harness/catalogue.js';

export async function seedQueue(dataSource: DataSource, count: number, postCode: string, service = 'passport'): Promise<string[]> {
  const rows = (await dataSource.query(
    `INSERT INTO "case" (reference, service, status, post_code, priority, locale, sla_due_at, submitted_at)
     SELECT 'PP-T' || substr(md5(random()::text), 1, 12), $3, 'SUBMITTED', $2, 1 + (g % 4), 'en', now() + (g || ' minutes')::interval, now()
       FROM generate_series(1, $1) AS g
     RETURNING id`,
    [count, postCode, service],
  )) as { id: string }[];
  return rows.map((r) => r.id);
}

describe('claim next', () => {
  let stack: TestStack;
  let dataSource: DataSource;
  let app: NestFastifyApplication;
  let clock: ManualClock;
  let queue: ReviewQueueService;

  beforeAll(async () => {
    clock = new ManualClock(new Date());
    stack = await startTestStack({ clock, ownDataSource: true });
    ({ api: app, dataSource } = stack);
    queue = app.get(ReviewQueueService);
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('50 claimers in parallel over 1,000 queued cases: every case claimed exactly once, no claimer twice', async () => {
    await seedQueue(dataSource, 1000, 'US-LAX');
    const claimers = Array.from({ length: 50 }, () => officerAt('US-LAX'));
    const claimedBy = await Promise.all(
      claimers.map(async (officer) => {
        const mine: string[] = [];
        for (;;) {
          const claimed = await queue.claimNext(officer);
          if (!claimed) return mine;
          expect(claimed.assignedOfficerId).toBe(officer.id);
          expect(claimed.status).toBe('IN_REVIEW');
          mine.push(claimed.id);
        }
      }),
    );
    const all = claimedBy.flat();
    expect(all).toHaveLength(1000);
    expect(new Set(all).size).toBe(1000);
    for (const mine of claimedBy) expect(new Set(mine).size).toBe(mine.length);
    const [state] = await dataSource.query(
      `SELECT count(*) FILTER (WHERE status = 'IN_REVIEW')::int AS in_review, count(DISTINCT assigned_officer_id)::int AS officers FROM "case" WHERE reference LIKE 'PP-T%'`,
    );
    expect(state).toEqual({ in_review: 1000, officers: 50 });
    const [events] = await dataSource.query(`SELECT count(*)::int AS n FROM case_event WHERE type = 'review.started'`);
    expect(events.n).toBe(1000);
  }, 120_000);

  it('takes the most urgent case first and keeps other posts out of reach', async () => {
    await dataSource.query(`UPDATE "case" SET status = 'APPROVED' WHERE reference LIKE 'PP-T%'`);
    await seedQueue(dataSource, 3, 'JP-TYO');
    expect(await queue.claimNext(officerAt('US-LAX'))).toBeNull();
    const first = await queue.claimNext(officerAt('JP-TYO'));
    expect(first).toMatchObject({ postCode: 'JP-TYO', priority: 2 }); // seeded priorities are 2, 3 and 4
    const hq = await queue.claimNext(officerAt('HQ-TPE', ['officer'], true));
    expect(hq?.postCode).toBe('JP-TYO');
  });

  it('returns a case whose lease has expired to the queue', async () => {
    await dataSource.query(`UPDATE "case" SET status = 'APPROVED' WHERE status IN ('SUBMITTED', 'IN_REVIEW')`);
    await seedQueue(dataSource, 1, 'GB-LON');
    const first = officerAt('GB-LON');
    const second = officerAt('GB-LON');
    const claimed = await queue.claimNext(first);
    expect(claimed).not.toBeNull();
    expect(await queue.claimNext(second)).toBeNull();
    clock.minutes(15);
    clock.advance(1000);
    const reclaimed = await queue.claimNext(second);
    expect(reclaimed?.id).toBe(claimed!.id);
    expect(reclaimed?.assignedOfficerId).toBe(second.id);
  });

  it('takes a more urgent case whose lease ran out before a free one, and never one whose lease still runs', async () => {
    await dataSource.query(`UPDATE "case" SET status = 'APPROVED' WHERE status IN ('SUBMITTED', 'IN_REVIEW')`);
    const [urgent, held, free] = await seedQueue(dataSource, 3, 'TH-BKK');
    const lapsedHolder = officerAt('TH-BKK');
    const holder = officerAt('TH-BKK');
    await dataSource.query(`UPDATE "case" SET priority = 1 WHERE id = ANY($1)`, [[urgent, held]]);
    await dataSource.query(`UPDATE "case" SET priority = 4 WHERE id = $1`, [free]);
    await dataSource.query(`UPDATE "case" SET assigned_officer_id = $2, claim_expires_at = $3 WHERE id = $1`, [
      urgent,
      lapsedHolder.id,
      new Date(clock.now().getTime() - 1000),
    ]);
    await dataSource.query(`UPDATE "case" SET assigned_officer_id = $2, claim_expires_at = $3 WHERE id = $1`, [
      held,
      holder.id,
      new Date(clock.now().getTime() + 60_000),
    ]);
    const claimer = officerAt('TH-BKK');
    expect((await queue.claimNext(claimer))?.id).toBe(urgent);
    expect((await queue.claimNext(claimer))?.id).toBe(free);
    expect(await queue.claimNext(claimer)).toBeNull();
  });

  it('claims a case while another transaction writes a row that points at it (a notification, a file)', async () => {
    await dataSource.query(`UPDATE "case" SET status = 'APPROVED' WHERE status IN ('SUBMITTED', 'IN_REVIEW')`);
    const [waiting] = await seedQueue(dataSource, 1, 'VN-HAN');
    // Inserting a row whose foreign key names the case takes FOR KEY SHARE on the case until commit,
    // as the worker does for a notification just after the case was submitted.
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await runner.query(`SELECT id FROM "case" WHERE id = $1 FOR KEY SHARE`, [waiting]);
      expect((await queue.claimNext(officerAt('VN-HAN')))?.id).toBe(waiting);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });

  it('has every partial queue index over exactly the statuses in which cases wait for an officer', async () => {
    const indexes = (await dataSource.query(
      `SELECT indexname, pg_get_expr(i.indpred, i.indrelid) AS predicate
         FROM pg_indexes JOIN pg_class ic ON ic.relname = indexname JOIN pg_index i ON i.indexrelid = ic.oid
        WHERE tablename = 'case' AND indexname IN ('case_review_queue_idx', 'case_review_queue_all_posts_idx', 'case_overdue_idx',
              'case_claimable_idx', 'case_claimable_all_posts_idx', 'case_claim_expiry_idx')
        ORDER BY indexname`,
    )) as { indexname: string; predicate: string }[];
    expect(indexes).toHaveLength(6);
    for (const { indexname, predicate } of indexes) {
      const statuses = [...predicate.matchAll(/'([A-Z_]+)'::text/g)].map((m) => m[1]).sort();
      expect({ indexname, statuses }).toEqual({ indexname, statuses: testCatalogue().queueStatuses() });
    }
  });
});
