import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { CaseSpine, QueueName, QueueRegistry } from '@app/cases';
import { loadConfig } from '@app/platform';
import { createApi } from '../../apps/api/src/bootstrap.js';
import { adminUrl, createTestDatabase, eventually, openDataSource, testEnv } from '../harness/context.js';
import { createAccessToken, signInOfficer } from '../harness/identity.js';
import { type AppProcess, backendsWaitingOnLock, startWorkerProcess, stopAllProcesses } from '../harness/processes.js';
import { type HeldMessage, type SmtpTestServer, startSmtpTestServer } from '../harness/smtp-test-server.js';
import { openCase } from '../notifications/support.js';

interface DeliveryRow {
  id: string;
  status: string;
  attempts: number;
  resends: number;
  message_id: string;
  provider_message_id: string | null;
  last_error: string | null;
}

/** What the recovery path writes when it finds an email left in `sending` by a dead attempt. */
const INTERRUPTED = /^An earlier attempt stopped after handing the message to the mail server and before recording its answer/;

/**
 * kill -9 of the worker in the middle of a notification. The test mail server takes each message
 * in full and holds its answer (`hold-reply`), so the worker is pinned inside the SMTP
 * transaction, its row `sending`; for the second case a row lock then holds the worker's
 * `sending → sent` after the server has accepted. No hook in the code: the test reads the mail
 * server and the database, and kills the process there.
 *
 * The worker runs with QUEUE_JOB_LOCK_SECONDS=2, so BullMQ hands the dead worker's job to the next
 * worker within seconds (instead of about a minute), and NOTIFICATION_LEASE_SECONDS=3, so the
 * retried job does not wait three minutes for the dead attempt's lease before recovering.
 */
describe('the worker killed in the middle of a notification', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let env: Record<string, string>;
  let smtp: SmtpTestServer;
  let api: NestFastifyApplication;
  let dataSource: DataSource;
  let worker: AppProcess | undefined;
  let bearer: { authorization: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    // A killed process's connections close, but a backend waiting on a lock does not read its
    // socket: without this check it would carry out the dead worker's UPDATE once the lock is
    // released. With it, PostgreSQL notices the client is gone and drops the backend and its
    // statement, as it would for any statement the process had not sent yet.
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`ALTER DATABASE ${db.name} SET client_connection_check_interval = '200ms'`);
    await admin.end();
    smtp = await startSmtpTestServer();
    env = testEnv(db.url, { SMTP_URL: smtp.url, QUEUE_JOB_LOCK_SECONDS: '2', NOTIFICATION_LEASE_SECONDS: '3' });
    api = await createApi(loadConfig(env));
    await api.init();
    await api.getHttpAdapter().getInstance().ready();
    dataSource = await openDataSource(db.url);
    const supervisor = await signInOfficer(api, { roles: ['supervisor'], postCode: 'HQ-TPE' });
    bearer = { authorization: `Bearer ${await createAccessToken(api, supervisor.authenticated)}` };
  });

  // A case that failed half-way must not leave its worker or a held message to the next one.
  afterEach(async () => {
    await stopAllProcesses();
    for (const held of [...smtp.held]) held.drop();
  });

  afterAll(async () => {
    await stopAllProcesses();
    await api?.close();
    await dataSource?.destroy();
    await smtp?.stop();
    await db?.drop();
  });

  const delivery = async (caseId: string): Promise<DeliveryRow | undefined> =>
    (
      (await dataSource.query(
        `SELECT id, status, attempts, resends, message_id, provider_message_id, last_error
           FROM notification WHERE case_id = $1 AND channel = 'email'`,
        [caseId],
      )) as DeliveryRow[]
    )[0];

  const notifyJob = async (caseId: string) => {
    const [outbox] = (await dataSource.query(
      `SELECT id FROM outbox WHERE case_id = $1 AND job_name = 'notify-case-event' ORDER BY created_at LIMIT 1`,
      [caseId],
    )) as { id: string }[];
    return (await api.get(QueueRegistry).get(QueueName.Notifications).getJob(outbox!.id))!;
  };

  const supervisorCall = async (method: 'GET' | 'POST', url: string) =>
    api.getHttpAdapter().getInstance().inject({ method, url, headers: bearer });

  const failedDelivery = async (id: string) => {
    const response = await supervisorCall('GET', '/api/v1/notifications/failed?limit=200');
    expect(response.statusCode).toBe(200);
    return (JSON.parse(response.body) as { items: { id: string; status: string; lastError: string | null }[] }).items.find(
      (item) => item.id === id,
    );
  };

  const workerUpdatesWaiting = () => backendsWaitingOnLock(adminUrl(), db.name, `SET status = 'sent'`);

  /** Opens a case whose first event emails `email`, with a fresh worker, and waits until the mail server holds that message. */
  async function heldNotification(email: string): Promise<{ caseId: string; held: HeldMessage }> {
    smtp.setMode('hold-reply');
    worker = await startWorkerProcess(env);
    const opened = await dataSource.transaction((m) => openCase(m, api.get(CaseSpine), 'passport', { email }));
    const held = await eventually(
      async () => smtp.held.find((h) => h.message.to.includes(email)),
      (found) => found !== undefined,
      60_000,
    );
    if (!held) throw new Error(`the mail server never received the message to ${email}:\n${worker.output()}`);
    expect(await delivery(opened.id)).toMatchObject({ status: 'sending', attempts: 1 });
    return { caseId: opened.id, held };
  }

  /** Starts a new worker and waits until it has taken over the dead worker's job and finished it. */
  async function restartUntilRecovered(caseId: string): Promise<DeliveryRow> {
    worker = await startWorkerProcess(env);
    const job = await eventually(
      () => notifyJob(caseId),
      (found) => found.finishedOn !== undefined,
      60_000,
    );
    expect(await job.getState()).toBe('completed');
    const row = (await delivery(caseId))!;
    expect(job.returnvalue).toMatchObject({ caseId, deliveries: [{ channel: 'email', state: row.status, notificationId: row.id }] });
    return row;
  }

  it('before the server accepted it: the retried job marks the email unknown and does not resend it on its own; the supervisor resends exactly one', async () => {
    const email = 'held-then-dropped@example.test';
    const { caseId, held } = await heldNotification(email);

    await worker!.crash();
    expect(await worker!.exited).toBe('SIGKILL');
    held.drop();
    smtp.setMode('accept');
    expect(smtp.to(email)).toHaveLength(0);
    expect(await delivery(caseId)).toMatchObject({ status: 'sending', attempts: 1, provider_message_id: null });

    // The worker had handed over the whole message and was waiting for the answer: from the
    // database, the same point as an accepted message not yet recorded (the next test), so the
    // retried job cannot tell that this one was never accepted and must not send it again.
    const recovered = await restartUntilRecovered(caseId);
    expect(smtp.to(email)).toHaveLength(0);
    expect(recovered).toMatchObject({ status: 'unknown', attempts: 1, resends: 0, provider_message_id: null });
    expect(recovered.last_error).toMatch(INTERRUPTED);
    expect(await failedDelivery(recovered.id)).toMatchObject({ status: 'unknown', lastError: recovered.last_error });

    // A supervisor who found out that nothing arrived resends it: exactly one message is accepted.
    expect((await supervisorCall('POST', `/api/v1/notifications/${recovered.id}/resend`)).statusCode).toBe(201);
    const sent = await eventually(
      () => delivery(caseId),
      (row) => row?.status === 'sent',
      60_000,
    );
    await worker!.stop();
    const received = smtp.to(email);
    expect(received).toHaveLength(1);
    expect(sent).toMatchObject({ status: 'sent', attempts: 2, resends: 1, provider_message_id: received[0]!.queueId, last_error: null });
    // The resend carries the Message-ID of the copy the server dropped: the same message.
    expect([received[0]!.messageId, held.message.messageId]).toEqual([sent!.message_id, sent!.message_id]);
    expect(await failedDelivery(recovered.id)).toBeUndefined();
  }, 120_000);

  it('after the server accepted it, before the worker recorded it: the email is never sent a second time, and is unknown for a supervisor', async () => {
    const email = 'accepted-unrecorded@example.test';
    const { caseId, held } = await heldNotification(email);
    const row = (await delivery(caseId))!;

    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query(`SELECT id FROM notification WHERE id = $1 FOR UPDATE`, [row.id]);
    try {
      smtp.setMode('accept');
      held.accept();
      // The server has answered 250; the worker's `sending → sent` waits for the row lock.
      expect(await eventually(workerUpdatesWaiting, (n) => n === 1, 60_000)).toBe(1);
      expect(smtp.to(email)).toHaveLength(1);
      await worker!.crash();
      expect(await worker!.exited).toBe('SIGKILL');
      // PostgreSQL drops the dead worker's backend, and its UPDATE with it.
      expect(await eventually(workerUpdatesWaiting, (n) => n === 0, 30_000)).toBe(0);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    expect(await delivery(caseId)).toMatchObject({ status: 'sending', attempts: 1, provider_message_id: null });

    const recovered = await restartUntilRecovered(caseId);
    await worker!.stop();
    expect(smtp.to(email)).toHaveLength(1);
    expect(smtp.to(email)[0]!.messageId).toBe(recovered.message_id);
    expect(recovered).toMatchObject({ id: row.id, status: 'unknown', attempts: 1, resends: 0, provider_message_id: null });
    expect(recovered.last_error).toMatch(INTERRUPTED);
    expect(recovered.last_error).toMatch(/may have been delivered.*Not resent automatically/);
    expect(await failedDelivery(recovered.id)).toMatchObject({ status: 'unknown', lastError: recovered.last_error });
  }, 120_000);
});
