import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { createTestDatabase, eventually, openDataSource, testEnv } from '../harness/context.js';
import { integrityProblems } from '../harness/integrity.js';
import { type ApiProcess, backendsWaitingOnLock, startApiProcess, stopAllProcesses } from '../harness/processes.js';
import { applicantAnswers } from '../evisa/helpers.js';
import { count, HttpApplicant } from './support.js';

interface Draft {
  token: string;
  caseId: string;
  reference: string;
  key: string;
}

/**
 * kill -9 of the API while applicants submit. A submission is one transaction (the case row, its
 * hash-chained event, the notification outbox row, the application's submit key), so after the
 * crash each case is either submitted whole or still a whole draft, and the applicant's retry with
 * the same Idempotency-Key finishes it exactly once.
 *
 * To kill "in the middle" for certain, the test holds an EXCLUSIVE lock on evisa_application
 * (reads pass, writes wait): the submissions then stop at their last statement, after the case,
 * the event and the outbox row are written, and the test sees them waiting in pg_stat_activity
 * before it kills the process.
 */
describe('the API killed in the middle of submissions', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let env: Record<string, string>;
  let dataSource: DataSource;
  let api: ApiProcess;

  beforeAll(async () => {
    db = await createTestDatabase();
    env = testEnv(db.url);
    dataSource = await openDataSource(db.url);
    api = await startApiProcess(env);
  });

  afterAll(async () => {
    await stopAllProcesses();
    await dataSource.destroy();
    await db.drop();
  });

  /** Waits until no backend of this database, other than the one asking, is running or holding a transaction. */
  async function settled(): Promise<number> {
    return eventually(
      async () =>
        count(
          dataSource,
          `SELECT count(*) AS n FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND state <> 'idle'`,
          [],
        ),
      (n) => n === 0,
      30_000,
    );
  }

  const submittedEvents = (caseId: string) =>
    count(dataSource, `SELECT count(*) AS n FROM case_event WHERE case_id = $1 AND type = 'evisa.submitted'`, [caseId]);
  const statusOf = async (caseId: string) =>
    ((await dataSource.query(`SELECT status FROM "case" WHERE id = $1`, [caseId])) as { status: string }[])[0]?.status;

  it('leaves every case whole or untouched, and retries with the same key finish each submission exactly once', async () => {
    const applicant = new HttpApplicant(api.baseUrl);
    const drafts: Draft[] = [];
    for (let i = 0; i < 6; i++) drafts.push({ ...(await applicant.paidDraft()), key: `submit-${randomUUID()}` });
    const [early, late] = [drafts.slice(0, 2), drafts.slice(2)];
    for (const draft of early) expect((await applicant.submit(draft.token, draft.key)).status).toBe(200);
    const casesBefore = await count(dataSource, `SELECT count(*) AS n FROM "case"`, []);

    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE evisa_application IN EXCLUSIVE MODE');
    try {
      const inFlight = [
        ...late.map((draft) => applicant.submit(draft.token, draft.key)),
        applicant.call('POST', '/api/v1/evisa/drafts', { json: applicantAnswers().eligibility }),
        applicant.call('POST', '/api/v1/evisa/drafts', { json: applicantAnswers().eligibility }),
      ].map((request) => request.then((r) => r.status).catch(() => 'connection lost'));
      // Four submissions stopped at their UPDATE of the application, two new drafts at its INSERT.
      const waiting = await eventually(
        () => backendsWaitingOnLock(process.env.TEST_PG_ADMIN_URL!, db.name, 'evisa_application'),
        (n) => n === 6,
        30_000,
      );
      expect(waiting).toBe(6);
      await api.crash();
      expect(await Promise.all(inFlight)).toEqual(Array(6).fill('connection lost'));
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    expect(await settled()).toBe(0);

    expect(await integrityProblems(dataSource, env.STORAGE_DIR)).toEqual([]);
    expect(await count(dataSource, `SELECT count(*) AS n FROM "case"`, [])).toBe(casesBefore);
    for (const draft of early) expect([await statusOf(draft.caseId), await submittedEvents(draft.caseId)]).toEqual(['SUBMITTED', 1]);
    for (const draft of late) expect([await statusOf(draft.caseId), await submittedEvents(draft.caseId)]).toEqual(['DRAFT', 0]);

    // The applicants retry on a new process; this time it dies as soon as the first answer is out,
    // wherever the others are.
    api = await startApiProcess(env, api.port);
    const retried = late.map((draft) =>
      applicant
        .submit(draft.token, draft.key)
        .then((r) => r.status)
        .catch(() => 'connection lost'),
    );
    await Promise.race(retried);
    await api.crash();
    const outcomes = await Promise.all(retried);
    expect(outcomes).toContain(200);
    expect(outcomes.every((outcome) => outcome === 200 || outcome === 'connection lost')).toBe(true);
    expect(await settled()).toBe(0);
    expect(await integrityProblems(dataSource, env.STORAGE_DIR)).toEqual([]);

    // Every applicant retries until answered: each case ends submitted, with one submission event.
    api = await startApiProcess(env, api.port);
    for (const draft of drafts) {
      const response = await applicant.submit(draft.token, draft.key);
      expect([draft.reference, response.status, response.json().status]).toEqual([draft.reference, 200, 'SUBMITTED']);
      expect(await submittedEvents(draft.caseId)).toBe(1);
    }
    expect(await integrityProblems(dataSource, env.STORAGE_DIR)).toEqual([]);
  }, 180_000);
});
