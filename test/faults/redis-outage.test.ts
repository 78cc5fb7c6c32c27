import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { QueueName } from '@app/cases';
import { freePort, type RunningService, startRedis } from '../../scripts/lib/services.mjs';
import { createTestDatabase, eventually, openDataSource, testEnv } from '../harness/context.js';
import { type SmtpTestServer, startSmtpTestServer } from '../harness/smtp-test-server.js';
import { integrityProblems } from '../harness/integrity.js';
import { type ApiProcess, type AppProcess, startApiProcess, startWorkerProcess, stopAllProcesses } from '../harness/processes.js';
import { count, HttpApplicant } from './support.js';

/**
 * Redis stopped while applicants submit. PostgreSQL is the only source of truth and every job is
 * an outbox row first, so submitting needs no Redis: the rows wait, /health/ready says 503 (Redis
 * is a dependency of readiness), and once Redis is back the relay forwards every row and the
 * worker runs every job.
 */
describe('Redis stopped while applicants submit', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let env: Record<string, string>;
  let dataSource: DataSource;
  let redis: RunningService;
  let redisDir: string;
  let api: ApiProcess;
  let worker: AppProcess;
  let queue: Queue | undefined;
  let smtp: SmtpTestServer;

  beforeAll(async () => {
    db = await createTestDatabase();
    redisDir = fs.mkdtempSync(path.join(process.env.TEST_WORK_DIR!, 'redis-outage-'));
    redis = await startRedis({ dataDir: redisDir, port: await freePort(), appendOnly: true });
    // The applicants' notifications are delivered for real, to a mail server of the test's own.
    smtp = await startSmtpTestServer();
    env = testEnv(db.url, { REDIS_URL: redis.url, SMTP_URL: smtp.url });
    dataSource = await openDataSource(db.url);
    [api, worker] = await Promise.all([startApiProcess(env), startWorkerProcess(env)]);
  });

  afterAll(async () => {
    await queue?.close();
    await stopAllProcesses();
    await redis.stop();
    await smtp.stop();
    await dataSource.destroy();
    await db.drop();
  });

  const ready = async () => (await fetch(`${api.baseUrl}/health/ready`)).status;
  const pendingFor = (caseIds: string[]) =>
    count(dataSource, `SELECT count(*) AS n FROM outbox WHERE dispatched_at IS NULL AND case_id = ANY($1)`, [caseIds]);
  const writtenSince = async (since: Date) =>
    (await dataSource.query(`SELECT dispatched_at FROM outbox WHERE created_at > $1`, [since])) as { dispatched_at: Date | null }[];

  it('accepts every submission while Redis is down, and everything flows once it is back', async () => {
    const applicant = new HttpApplicant(api.baseUrl);
    const before = [await applicant.paidDraft(), await applicant.paidDraft()];
    const during = [await applicant.paidDraft(), await applicant.paidDraft(), await applicant.paidDraft(), await applicant.paidDraft()];
    expect(await ready()).toBe(200);
    expect((await applicant.submit(before[0]!.token, randomUUID())).status).toBe(200);

    const stopping = redis.stop();
    const submissions = [...during, before[1]!].map((draft) => applicant.submit(draft.token, randomUUID()));
    await stopping;
    const [{ now: redisStopped }] = (await dataSource.query(`SELECT now()`)) as { now: Date }[];
    expect(await eventually(ready, (status) => status === 503)).toBe(503);
    // A whole new application, from eligibility to submission, with Redis away.
    const newcomer = await applicant.paidDraft();
    submissions.push(applicant.submit(newcomer.token, randomUUID()));
    const answers = await Promise.all(submissions);
    expect(answers.map((answer) => [answer.status, answer.json().status])).toEqual(Array(6).fill([200, 'SUBMITTED']));

    await new Promise((r) => setTimeout(r, 1500)); // a relay poll or two: nothing can leave
    const heldBack = await writtenSince(redisStopped!);
    // At least the newcomer's resume-link and submission notification rows, none of them forwarded.
    expect(heldBack.length).toBeGreaterThanOrEqual(2);
    expect(heldBack.filter((row) => row.dispatched_at !== null)).toEqual([]);
    expect(worker.alive() && api.alive()).toBe(true);

    redis = await startRedis({ dataDir: redisDir, port: redis.port, appendOnly: true });
    expect(await eventually(ready, (status) => status === 200, 30_000)).toBe(200);
    const allCases = [...before, ...during, newcomer].map((draft) => draft.caseId);
    expect(
      await eventually(
        () => pendingFor(allCases),
        (n) => n === 0,
        30_000,
      ),
    ).toBe(0);

    // Every job the outbox held ran to completion (a job's id is its outbox row's id). A job that
    // was running when Redis went could not record its end: it stays "active" until BullMQ's
    // stalled-job check finds its lock gone and runs it again, which takes up to a minute.
    queue = new Queue(QueueName.Notifications, { connection: { url: redis.url }, prefix: env.QUEUE_PREFIX });
    const rows = (await dataSource.query(`SELECT id, job_name FROM outbox WHERE case_id = ANY($1)`, [allCases])) as {
      id: string;
      job_name: string;
    }[];
    expect(rows.filter((row) => row.job_name === 'notify-case-event').length).toBeGreaterThanOrEqual(allCases.length);
    const states = async () => Promise.all(rows.map(async (row) => `${row.job_name}:${await queue!.getJobState(row.id)}`));
    const finished = await eventually(states, (list) => list.every((state) => state.endsWith(':completed')), 90_000);
    expect(finished.filter((state) => !state.endsWith(':completed'))).toEqual([]);
    expect(await integrityProblems(dataSource, env.STORAGE_DIR)).toEqual([]);
  }, 180_000);
});
