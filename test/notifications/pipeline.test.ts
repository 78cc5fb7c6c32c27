import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { UnrecoverableError } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { CaseSpine } from '@app/cases';
import { CaseEventNotifier, NotificationDelivery, NotificationPreferences, NotificationQueries } from '@app/notifications';
import { createApi } from '../../apps/api/src/bootstrap.js';
import type { InjectOptions } from 'fastify';
import { createTestDatabase, testConfig } from '../harness/context.js';
import { createAccessToken, signInOfficer } from '../harness/identity.js';
import { type SmtpTestServer, startSmtpTestServer } from '../harness/smtp-test-server.js';
import { contextParts, moveCase, notifierContext, openCase } from './support.js';

describe('notification pipeline: outbox job → template → SMTP / SMS → notification record', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let smtp: SmtpTestServer;
  let app: INestApplicationContext;
  let api: NestFastifyApplication;
  let dataSource: DataSource;
  let spine: CaseSpine;
  let notifier: CaseEventNotifier;
  let seq = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    smtp = await startSmtpTestServer();
    const config = testConfig(db.url, { SMTP_URL: smtp.url, PUBLIC_BASE_URL: 'https://consular.example.test' });
    app = await notifierContext(config);
    ({ dataSource, spine } = contextParts(app));
    notifier = app.get(CaseEventNotifier);
    api = await createApi(config);
    await api.init();
    await api.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await api?.close();
    await app?.close();
    await smtp?.stop();
    await db?.drop();
  });

  beforeEach(() => smtp.setMode('accept'));

  const address = () => `applicant-${++seq}@example.test`;
  const rows = async (caseId: string) =>
    (await dataSource.query(
      `SELECT event_seq, channel, status, attempts, template, locale, event_seqs, covered_by, provider_message_id, last_error, message_id
         FROM notification WHERE case_id = $1 ORDER BY event_seq, channel`,
      [caseId],
    )) as {
      event_seq: number;
      channel: string;
      status: string;
      attempts: number;
      template: string;
      locale: string;
      event_seqs: number[];
      covered_by: string | null;
      provider_message_id: string | null;
      last_error: string | null;
      message_id: string;
    }[];
  const texts = async (caseId: string) =>
    (await dataSource.query(
      `SELECT m.body FROM sms_dev_message m JOIN notification n ON n.id::text = m.idempotency_key WHERE n.case_id = $1 ORDER BY m.created_at`,
      [caseId],
    )) as { body: string }[];

  it('a status change produces exactly one email in the case language, with the reference and status and no passport number', async () => {
    const email = address();
    const opened = await dataSource.transaction((m) =>
      openCase(m, spine, 'passport', { email, phone: '+886912345678', locale: 'zh-Hant' }),
    );
    await notifier.handle({ caseId: opened.id, eventSeq: 1 });
    const eventSeq = await moveCase(dataSource, spine, opened.id, ['IN_REVIEW'], {
      passportNumber: 'X98765432',
      dateOfBirth: '1990-04-01',
    });
    await notifier.handle({ caseId: opened.id, eventSeq });

    const received = smtp.to(email);
    expect(received).toHaveLength(2);
    const update = received[1]!;
    expect(update.subject).toBe(`${opened.reference}：審核中`);
    for (const body of [update.text, update.html]) {
      expect(body).toContain(opened.reference);
      expect(body).toContain('審核中');
      expect(body).toContain('承辦人員正在審核您的申請');
      expect(body).toMatch(/https:\/\/consular\.example\.test\/status\/link\/[\w-]+\.[\w-]+/);
      expect(body).not.toContain('X98765432');
      expect(body).not.toContain('1990');
    }
    expect(update.html).toContain('<html lang="zh-Hant">');
    expect(update.headers['list-unsubscribe']).toMatch(/\/status\/unsubscribe\//); // IN_REVIEW is a progress update
    expect(received[0]!.headers['list-unsubscribe']).toBeUndefined(); // the receipt is essential

    const recorded = await rows(opened.id);
    expect(recorded.map((r) => [r.event_seq, r.channel, r.status, r.attempts, r.locale])).toEqual([
      [1, 'email', 'sent', 1, 'zh-Hant'],
      [1, 'sms', 'sent', 1, 'zh-Hant'],
      [2, 'email', 'sent', 1, 'zh-Hant'],
    ]);
    expect(update.messageId).toBe(recorded[2]!.message_id);
    expect(recorded[2]!.provider_message_id).toBeTruthy();
    // Texts carry essential messages only: the receipt, not "being checked".
    const sms = await texts(opened.id);
    expect(sms).toHaveLength(1);
    expect(sms[0]!.body).toContain(opened.reference);
    expect(sms[0]!.body).toContain('已收到申請');
  });

  it('shows officers every delivery of a case with the recipient masked', async () => {
    const email = address();
    const opened = await dataSource.transaction((m) => openCase(m, spine, 'evisa', { email }));
    await notifier.handle({ caseId: opened.id, eventSeq: 1 });
    const deliveries = await app.get(NotificationQueries).notificationsForCase(opened.id);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ channel: 'email', status: 'sent', reference: opened.reference, attempts: 1 });
    expect(deliveries[0]!.recipient).toBe(`a•••@example.test`);
    expect(JSON.stringify(deliveries)).not.toContain(email);
  });

  it('running the job again after the message was accepted sends nothing more', async () => {
    const email = address();
    const opened = await dataSource.transaction((m) => openCase(m, spine, 'legalisation', { email }));
    await notifier.handle({ caseId: opened.id, eventSeq: 1 });
    await notifier.handle({ caseId: opened.id, eventSeq: 1 });
    await Promise.all([notifier.handle({ caseId: opened.id, eventSeq: 1 }), notifier.handle({ caseId: opened.id, eventSeq: 1 })]);
    expect(smtp.to(email)).toHaveLength(1);
    expect((await rows(opened.id)).map((r) => [r.status, r.attempts])).toEqual([['sent', 1]]);
  });

  it('two jobs of one event racing send one message', async () => {
    const email = address();
    const opened = await dataSource.transaction((m) => openCase(m, spine, 'passport', { email }));
    const results = await Promise.allSettled([
      notifier.handle({ caseId: opened.id, eventSeq: 1 }),
      notifier.handle({ caseId: opened.id, eventSeq: 1 }),
    ]);
    // The loser finds the row `sending` and backs off for a retry; it never sends.
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
    expect(smtp.to(email)).toHaveLength(1);
    await notifier.handle({ caseId: opened.id, eventSeq: 1 });
    expect(smtp.to(email)).toHaveLength(1);
  });

  it('a crash after SMTP accepted but before the record was updated never leads to a second message', async () => {
    const email = address();
    const opened = await dataSource.transaction((m) => openCase(m, spine, 'passport', { email, phone: '+886912345678' }));
    const delivery = app.get(NotificationDelivery) as unknown as { recordAccepted: (...args: unknown[]) => Promise<void> };
    const original = delivery.recordAccepted;
    delivery.recordAccepted = async () => {
      throw new Error('worker killed');
    };
    try {
      await expect(notifier.handle({ caseId: opened.id, eventSeq: 1 })).rejects.toThrow('worker killed');
    } finally {
      delivery.recordAccepted = original;
    }
    expect(smtp.to(email)).toHaveLength(1);
    expect((await rows(opened.id)).map((r) => [r.channel, r.status])).toEqual([['email', 'sending']]);

    // Re-run at once (a stalled-job re-delivery): the earlier attempt may still be running, so it backs off.
    await expect(notifier.handle({ caseId: opened.id, eventSeq: 1 })).rejects.toThrow(/still sending/);
    expect(smtp.to(email)).toHaveLength(1);

    // Re-run once the earlier attempt's lease has run out: SMTP cannot say whether it was
    // delivered, so the email becomes `unknown` for a supervisor, and is not resent.
    await dataSource.query(`UPDATE notification SET sending_started_at = now() - interval '1 hour' WHERE case_id = $1`, [opened.id]);
    await notifier.handle({ caseId: opened.id, eventSeq: 1 });
    await notifier.handle({ caseId: opened.id, eventSeq: 1 });
    expect(smtp.to(email)).toHaveLength(1);
    const after = await rows(opened.id);
    expect(after.map((r) => [r.channel, r.status])).toEqual([
      ['email', 'unknown'],
      ['sms', 'sent'],
    ]);
    expect(after[0]!.last_error).toMatch(/may have been delivered/);
    expect(await texts(opened.id)).toHaveLength(1);
  });

  it('a connection lost after the server took the message marks it unknown and never resends it', async () => {
    const email = address();
    const opened = await dataSource.transaction((m) => openCase(m, spine, 'passport', { email }));
    smtp.setMode('lose-reply');
    await notifier.handle({ caseId: opened.id, eventSeq: 1 }, { attemptsMade: 0, opts: { attempts: 8 } });
    smtp.setMode('accept');
    await notifier.handle({ caseId: opened.id, eventSeq: 1 }, { attemptsMade: 1, opts: { attempts: 8 } });
    expect(smtp.to(email)).toHaveLength(1);
    const [row] = await rows(opened.id);
    expect(row).toMatchObject({ status: 'unknown', attempts: 1 });
    expect(row!.last_error).toMatch(/^The connection broke while the message was being handed over/);
  });

  it('an interrupted text is confirmed with the provider instead of being sent twice', async () => {
    const opened = await dataSource.transaction((m) => openCase(m, spine, 'emergency', { phone: '+886912345678' }));
    const delivery = app.get(NotificationDelivery) as unknown as { recordAccepted: (...args: unknown[]) => Promise<void> };
    const original = delivery.recordAccepted;
    delivery.recordAccepted = async () => {
      throw new Error('worker killed');
    };
    try {
      await expect(notifier.handle({ caseId: opened.id, eventSeq: 1 })).rejects.toThrow('worker killed');
    } finally {
      delivery.recordAccepted = original;
    }
    await dataSource.query(`UPDATE notification SET sending_started_at = now() - interval '1 hour' WHERE case_id = $1`, [opened.id]);
    await notifier.handle({ caseId: opened.id, eventSeq: 1 });
    expect((await rows(opened.id)).map((r) => [r.channel, r.status, r.attempts])).toEqual([['sms', 'sent', 1]]);
    expect(await texts(opened.id)).toHaveLength(1);
  });

  it('a permanent refusal is marked failed at once, with no retry', async () => {
    const email = address();
    const opened = await dataSource.transaction((m) => openCase(m, spine, 'abtc', { email }));
    smtp.setMode('permanent');
    const refusalsBefore = smtp.refusals;
    await expect(notifier.handle({ caseId: opened.id, eventSeq: 1 }, { attemptsMade: 0, opts: { attempts: 8 } })).rejects.toBeInstanceOf(
      UnrecoverableError,
    );
    expect(smtp.refusals - refusalsBefore).toBe(1);
    const [row] = await rows(opened.id);
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row!.last_error).toMatch(/550/);
    // A later run of the same job (say, a duplicate) leaves it alone.
    await notifier.handle({ caseId: opened.id, eventSeq: 1 });
    expect(smtp.refusals - refusalsBefore).toBe(1);
  });

  it('a temporary failure is retried, and on the last attempt the delivery is marked failed', async () => {
    const email = address();
    const opened = await dataSource.transaction((m) => openCase(m, spine, 'legalisation', { email }));
    smtp.setMode('temporary');
    const first = notifier.handle({ caseId: opened.id, eventSeq: 1 }, { attemptsMade: 0, opts: { attempts: 2 } });
    await expect(first).rejects.toThrow(/451/);
    await expect(first).rejects.not.toBeInstanceOf(UnrecoverableError);
    expect(await rows(opened.id)).toMatchObject([{ status: 'queued', attempts: 1 }]);
    await expect(notifier.handle({ caseId: opened.id, eventSeq: 1 }, { attemptsMade: 1, opts: { attempts: 2 } })).rejects.toBeInstanceOf(
      UnrecoverableError,
    );
    const [row] = await rows(opened.id);
    expect(row).toMatchObject({ status: 'failed', attempts: 2 });
    expect(row!.last_error).toMatch(/^Gave up after 2 attempts: SMTP 451/);
    expect(smtp.to(email)).toHaveLength(0);
  });

  it('an invalid address fails permanently without contacting the server', async () => {
    const opened = await dataSource.transaction((m) => openCase(m, spine, 'passport', { email: 'not-an-address' }));
    await expect(notifier.handle({ caseId: opened.id, eventSeq: 1 })).rejects.toBeInstanceOf(UnrecoverableError);
    expect(await rows(opened.id)).toMatchObject([{ status: 'failed', attempts: 1, last_error: 'invalid email address' }]);
  });

  it('groups events that fire together into one message listing each of them, and loses none', async () => {
    const email = address();
    const opened = await dataSource.transaction((m) => openCase(m, spine, 'abtc', { email }));
    await notifier.handle({ caseId: opened.id, eventSeq: 1 });
    await moveCase(dataSource, spine, opened.id, ['DOMESTIC_REVIEW', 'PRE_CLEARANCE']);
    const clearances = await dataSource.transaction(async (m) => {
      const seqs: number[] = [];
      for (const economy of ['JPN', 'KOR', 'SGP']) {
        const { event } = await spine.recordEvent(m, {
          caseId: opened.id,
          actor: { type: 'system' },
          type: 'abtc.clearance',
          visibility: 'applicant',
          payload: { economy, result: 'APPROVED' },
        });
        seqs.push(event.seq);
      }
      return seqs;
    });
    // Every event's job runs (in any order); the first covers the others.
    for (const eventSeq of [clearances[1]!, 2, 3, clearances[0]!, clearances[2]!]) await notifier.handle({ caseId: opened.id, eventSeq });

    const received = smtp.to(email);
    expect(received).toHaveLength(2);
    expect(received[1]!.subject).toBe(`${opened.reference}: 5 updates on your case`);
    expect(received[1]!.text.match(/^- /gm)).toHaveLength(5);
    expect(received[1]!.text).toContain('Waiting for pre-clearance');
    const recorded = await rows(opened.id);
    expect(recorded.map((r) => r.event_seq)).toEqual([1, 2, 3, ...clearances]);
    const primary = recorded.find((r) => r.status === 'sent' && r.event_seq !== 1)!;
    expect(primary.event_seqs).toEqual([2, 3, ...clearances]);
    expect(primary.template).toBe('case-update-digest');
    expect(recorded.filter((r) => r.status === 'covered')).toHaveLength(4);
  });

  it('skips progress emails once the applicant unsubscribes, but still sends essential ones', async () => {
    const email = address();
    const opened = await dataSource.transaction((m) => openCase(m, spine, 'passport', { email }));
    await notifier.handle({ caseId: opened.id, eventSeq: 1 });
    await app.get(NotificationPreferences).setProgressUpdates(opened.id, false);
    const inReview = await moveCase(dataSource, spine, opened.id, ['IN_REVIEW']);
    await notifier.handle({ caseId: opened.id, eventSeq: inReview });
    const refused = await moveCase(dataSource, spine, opened.id, ['REFUSED']);
    await notifier.handle({ caseId: opened.id, eventSeq: refused });
    const received = smtp.to(email);
    expect(received.map((m) => m.subject)).toEqual([`${opened.reference}: Application received`, `${opened.reference}: Refused`]);
    expect((await rows(opened.id)).map((r) => [r.event_seq, r.status])).toEqual([
      [1, 'sent'],
      [2, 'skipped'],
      [3, 'sent'],
    ]);
  });

  it('lists failed deliveries for supervisors (JSON and page) and resends one as a new outbox job', async () => {
    const email = address();
    const opened = await dataSource.transaction((m) => openCase(m, spine, 'passport', { email }));
    smtp.setMode('permanent');
    await expect(notifier.handle({ caseId: opened.id, eventSeq: 1 })).rejects.toBeInstanceOf(UnrecoverableError);
    smtp.setMode('accept');
    const fastify = api.getHttpAdapter().getInstance();
    const supervisor = await signInOfficer(api, { roles: ['supervisor'], postCode: 'HQ-TPE' });
    const bearer = { authorization: `Bearer ${await createAccessToken(api, supervisor.authenticated)}` };
    const inject = (options: InjectOptions) => {
      const headers = (options.headers ?? {}) as Record<string, string>;
      if (options.url!.toString().startsWith('/api/')) return fastify.inject({ ...options, headers: { ...headers, ...bearer } });
      const withSession = {
        ...headers,
        cookie: supervisor.cookie,
        ...(options.method === 'POST' ? { 'x-csrf-token': supervisor.csrfToken } : {}),
      };
      return fastify.inject({ ...options, headers: withSession });
    };

    const list = await inject({ method: 'GET', url: '/api/v1/notifications/failed?limit=200' });
    expect(list.statusCode).toBe(200);
    const failed = (JSON.parse(list.body) as { items: { id: string; reference: string; recipient: string; status: string }[] }).items.find(
      (item) => item.reference === opened.reference,
    )!;
    expect(failed).toMatchObject({ status: 'failed', recipient: 'a•••@example.test' });
    expect(list.body).not.toContain(email);

    const page = await inject({ method: 'GET', url: '/officer/notifications/failed?lang=zh-Hant', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('發送失敗的通知');
    expect(page.body).toContain('name="_csrf"');
    expect(page.body).toContain(opened.reference);
    expect(page.body).toContain(`action="/officer/notifications/${failed.id}/resend"`);

    const outboxBefore = (await dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE case_id = $1`, [opened.id]))[0].n;
    const resend = await inject({ method: 'POST', url: `/officer/notifications/${failed.id}/resend`, headers: { accept: 'text/html' } });
    expect(resend.statusCode).toBe(303);
    const [job] = await dataSource.query(`SELECT job_name, payload FROM outbox WHERE case_id = $1 ORDER BY created_at DESC LIMIT 1`, [
      opened.id,
    ]);
    expect((await dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE case_id = $1`, [opened.id]))[0].n).toBe(outboxBefore + 1);
    expect(job).toEqual({ job_name: 'notify-case-event', payload: { caseId: opened.id, eventSeq: 1 } });
    const again = await inject({ method: 'POST', url: `/api/v1/notifications/${failed.id}/resend` });
    expect(again.statusCode).toBe(409);

    await notifier.handle(job.payload);
    expect(smtp.to(email)).toHaveLength(1);
    expect((await rows(opened.id))[0]).toMatchObject({ status: 'sent', attempts: 2 });
  });
});
