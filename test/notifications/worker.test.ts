import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CaseSpine, QueueName, QueueRegistry } from '@app/cases';
import { createWorker } from '../../apps/worker/src/bootstrap.js';
import { createTestDatabase, eventually, testConfig } from '../harness/context.js';
import { type SmtpTestServer, startSmtpTestServer } from '../harness/smtp-test-server.js';
import { openCase } from './support.js';

describe('notifications through the real worker (outbox relay → BullMQ → handler → SMTP)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let smtp: SmtpTestServer;
  let worker: INestApplicationContext;
  let dataSource: DataSource;
  let spine: CaseSpine;
  let queues: QueueRegistry;

  beforeAll(async () => {
    db = await createTestDatabase();
    smtp = await startSmtpTestServer();
    worker = await createWorker(testConfig(db.url, { SMTP_URL: smtp.url }));
    dataSource = worker.get(DataSource);
    spine = worker.get(CaseSpine);
    queues = worker.get(QueueRegistry);
  });

  afterAll(async () => {
    await worker?.close();
    await smtp?.stop();
    await db?.drop();
  });

  const delivery = async (caseId: string) =>
    (
      (await dataSource.query(`SELECT status, attempts, last_error FROM notification WHERE case_id = $1 AND channel = 'email'`, [
        caseId,
      ])) as {
        status: string;
        attempts: number;
        last_error: string | null;
      }[]
    )[0];
  const jobOf = async (caseId: string) => {
    const [row] = (await dataSource.query(`SELECT id FROM outbox WHERE case_id = $1`, [caseId])) as { id: string }[];
    return queues.get(QueueName.Notifications).getJob(row!.id);
  };

  it('retries with backoff while SMTP is failing, and delivers exactly one message once it is back', async () => {
    smtp.setMode('temporary');
    const opened = await dataSource.transaction((m) => openCase(m, spine, 'passport', { email: 'retry@example.test' }));
    const failing = await eventually(
      () => delivery(opened.id),
      (row) => (row?.attempts ?? 0) >= 2 && row?.status === 'queued',
      30_000,
    );
    expect(failing).toMatchObject({ status: 'queued' });
    expect(failing!.last_error).toMatch(/451/);
    expect(smtp.to('retry@example.test')).toHaveLength(0);

    smtp.setMode('accept');
    const sent = await eventually(
      () => delivery(opened.id),
      (row) => row?.status === 'sent',
      30_000,
    );
    expect(sent).toMatchObject({ status: 'sent', last_error: null });
    expect(sent!.attempts).toBeGreaterThanOrEqual(3);
    const job = await jobOf(opened.id);
    expect(await job!.getState()).toBe('completed');
    expect(job!.attemptsMade).toBe(sent!.attempts); // one BullMQ attempt, one SMTP attempt
    expect(smtp.to('retry@example.test')).toHaveLength(1);
  }, 90_000);

  it('marks a permanent refusal failed after one attempt, with no retry scheduled', async () => {
    smtp.setMode('permanent');
    const opened = await dataSource.transaction((m) => openCase(m, spine, 'evisa', { email: 'nobody@example.test' }));
    const failed = await eventually(
      () => delivery(opened.id),
      (row) => row?.status === 'failed',
      30_000,
    );
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    const job = await eventually(
      () => jobOf(opened.id),
      (found) => found?.finishedOn !== undefined,
    );
    expect(await job!.getState()).toBe('failed');
    expect(job!.attemptsMade).toBe(1);
    expect(smtp.refusals).toBeGreaterThanOrEqual(1);
    expect(smtp.to('nobody@example.test')).toHaveLength(0);
  }, 60_000);
});
