import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions } from 'fastify';
import type { DataSource } from 'typeorm';
import { CaseSpine } from '@app/cases';
import { Messages } from '@app/platform';
import { EscalationService, WorkspaceService } from '@app/review';
import { createWorker } from '../../apps/worker/src/bootstrap.js';
import { ManualClock } from '../harness/clock.js';
import { startTestStack, type TestStack } from '../harness/app.js';
import { eventually, testConfig } from '../harness/context.js';
import { createAccessToken, createTestOfficer, fastifyOf, signInOfficer } from '../harness/identity.js';
import { browserInjector, submittedApplication } from '../evisa/helpers.js';
import { startSmtpTestServer } from '../harness/smtp-test-server.js';
import { machineOf } from '../harness/catalogue.js';

describe('review queue over HTTP', () => {
  let stack: TestStack;
  let dataSource: DataSource;
  let app: NestFastifyApplication;
  let clock: ManualClock;

  beforeAll(async () => {
    clock = new ManualClock(new Date());
    stack = await startTestStack({ clock, ownDataSource: true });
    ({ api: app, dataSource } = stack);
  });

  afterAll(async () => {
    await stack?.close();
  });

  beforeEach(async () => {
    // Each test starts with an empty queue.
    await dataSource.query(`UPDATE "case" SET status = 'COLLECTED' WHERE service = 'passport' AND status IN ('SUBMITTED', 'IN_REVIEW')`);
  });

  const inject = (options: InjectOptions) => fastifyOf(app).inject(options);

  async function apiOfficer(postCode: string, roles: ('officer' | 'supervisor' | 'admin')[] = ['officer']) {
    const created = await createTestOfficer(app, { postCode, roles });
    const token = await createAccessToken(app, created.authenticated);
    const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
      inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
        payload: payload ? JSON.stringify(payload) : undefined,
      });
    return { officer: created.authenticated, call };
  }

  async function queuedPassportCase(postCode: string): Promise<string> {
    const opened = await dataSource.transaction((manager) =>
      app.get(CaseSpine).openCase(manager, {
        machine: machineOf('passport'),
        status: 'SUBMITTED',
        postCode,
        locale: 'en',
        actor: { type: 'applicant' },
        slaDueAt: new Date(clock.now().getTime() + 86_400_000),
      }),
    );
    return opened.id;
  }

  const snapshot = async (caseId: string) =>
    (await dataSource.query(`SELECT status, version, event_count FROM "case" WHERE id = $1`, [caseId]))[0] as {
      status: string;
      version: number;
      event_count: number;
    };

  it('a stale version gets 409 and changes nothing; the page says what changed', async () => {
    const caseId = await queuedPassportCase('US-LAX');
    const { call } = await apiOfficer('US-LAX');
    const claimed = await call('POST', '/api/v1/officer/queue/claim-next');
    expect(claimed.statusCode).toBe(200);
    const seen = JSON.parse(claimed.body).case;
    expect(seen).toMatchObject({ id: caseId, status: 'IN_REVIEW' });
    const colleague = await apiOfficer('US-LAX', ['supervisor']);
    expect((await colleague.call('POST', `/api/v1/officer/cases/${caseId}/notes`, { text: 'Passport photo looks old.' })).statusCode).toBe(
      201,
    );
    const before = await snapshot(caseId);
    const stale = await call('POST', `/api/v1/officer/cases/${caseId}/actions`, { action: 'approve', expectedVersion: seen.version });
    expect(stale.statusCode).toBe(409);
    expect(JSON.parse(stale.body).error).toMatchObject({ code: 'VERSION_CONFLICT', details: { currentVersion: before.version } });
    expect(await snapshot(caseId)).toEqual(before);

    const page = await signInOfficer(app, { postCode: 'US-LAX' });
    await dataSource.query(`UPDATE "case" SET assigned_officer_id = $2, claim_expires_at = $3 WHERE id = $1`, [
      caseId,
      page.officer.id,
      new Date(clock.now().getTime() + 600_000),
    ]);
    const stalePage = await inject({
      method: 'POST',
      url: `/officer/cases/${caseId}/decide`,
      headers: { ...page.headers, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: page.csrfToken, action: 'approve', expectedVersion: String(seen.version) }).toString(),
    });
    expect(stalePage.statusCode).toBe(409);
    expect(stalePage.body).toContain('This case changed while you were looking at it');
    expect(stalePage.body).toContain(`it is now ${before.version}`);
    expect((await snapshot(caseId)).status).toBe('IN_REVIEW');
  });

  it('after a lease expires the case can be claimed again, and the old holder’s decision gets 409', async () => {
    const caseId = await queuedPassportCase('GB-LON');
    const first = await apiOfficer('GB-LON');
    const second = await apiOfficer('GB-LON');
    const claimed = JSON.parse((await first.call('POST', '/api/v1/officer/queue/claim-next')).body).case;
    expect(claimed.id).toBe(caseId);
    expect(JSON.parse((await second.call('POST', '/api/v1/officer/queue/claim-next')).body).case).toBeNull();
    clock.minutes(16);
    const reclaimed = JSON.parse((await second.call('POST', '/api/v1/officer/queue/claim-next')).body).case;
    expect(reclaimed.id).toBe(caseId);
    const late = await first.call('POST', `/api/v1/officer/cases/${caseId}/actions`, {
      action: 'approve',
      expectedVersion: reclaimed.version,
    });
    expect(late.statusCode).toBe(409);
    expect(JSON.parse(late.body).error.code).toBe('CLAIM_NOT_HELD');
    const decided = await second.call('POST', `/api/v1/officer/cases/${caseId}/actions`, {
      action: 'approve',
      expectedVersion: reclaimed.version,
    });
    expect(decided.statusCode).toBe(200);
    expect(JSON.parse(decided.body).status).toBe('APPROVED');
    const audited = await dataSource.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'case.decided' AND target_id = $1`, [
      caseId,
    ]);
    expect(audited[0].n).toBe(1);
  });

  it('keeps officers of post A away from a case of post B (404), while HQ and supervisors reach it', async () => {
    const caseId = await queuedPassportCase('US-LAX');
    const tokyo = await apiOfficer('JP-TYO');
    const list = JSON.parse((await tokyo.call('GET', '/api/v1/officer/queue')).body);
    expect(list.items.map((c: { id: string }) => c.id)).not.toContain(caseId);
    expect(JSON.parse((await tokyo.call('POST', '/api/v1/officer/queue/claim-next')).body).case).toBeNull();
    expect((await tokyo.call('GET', `/api/v1/officer/cases/${caseId}`)).statusCode).toBe(404);
    expect(
      (await tokyo.call('POST', `/api/v1/officer/cases/${caseId}/actions`, { action: 'approve', expectedVersion: 1 })).statusCode,
    ).toBe(404);
    expect((await tokyo.call('POST', `/api/v1/officer/cases/${caseId}/notes`, { text: 'x' })).statusCode).toBe(404);

    const hq = await apiOfficer('HQ-TPE');
    expect(JSON.parse((await hq.call('GET', '/api/v1/officer/queue?post=US-LAX')).body).items.map((c: { id: string }) => c.id)).toContain(
      caseId,
    );
    expect((await hq.call('GET', `/api/v1/officer/cases/${caseId}`)).statusCode).toBe(200);
    const supervisor = await apiOfficer('JP-TYO', ['supervisor']);
    const opened = await supervisor.call('GET', `/api/v1/officer/cases/${caseId}`);
    expect(opened.statusCode).toBe(200);
    expect(JSON.parse(opened.body).case.postCode).toBe('US-LAX');
    const views = await dataSource.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'case.personal_data_viewed' AND target_id = $1`,
      [caseId],
    );
    expect(views[0].n).toBe(2);
  });

  it('lists the queue by priority then due time, with filters, counts and keyset pages', async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await queuedPassportCase('PH-MNL'));
    await dataSource.query(`UPDATE "case" SET priority = 1 WHERE id = $1`, [ids[4]]);
    await dataSource.query(`UPDATE "case" SET sla_due_at = $2 WHERE id = $1`, [ids[3], new Date(clock.now().getTime() - 60_000)]);
    const { call } = await apiOfficer('PH-MNL');
    const page1 = JSON.parse((await call('GET', '/api/v1/officer/queue?limit=2')).body);
    expect(page1.items[0].id).toBe(ids[4]);
    expect(page1.items[1].id).toBe(ids[3]);
    expect(page1.items[1].overdue).toBe(true);
    expect(page1.countsByStatus).toEqual({ SUBMITTED: 5 });
    const page2 = JSON.parse((await call('GET', `/api/v1/officer/queue?limit=2&after=${page1.nextCursor}`)).body);
    const page3 = JSON.parse((await call('GET', `/api/v1/officer/queue?limit=2&after=${page2.nextCursor}`)).body);
    expect([...page1.items, ...page2.items, ...page3.items].map((c: { id: string }) => c.id).sort()).toEqual([...ids].sort());
    expect(page3.nextCursor).toBeNull();
    expect(JSON.parse((await call('GET', '/api/v1/officer/queue?overdue=true')).body).items.map((c: { id: string }) => c.id)).toEqual([
      ids[3],
    ]);
    expect((await call('GET', '/api/v1/officer/queue?after=not-a-cursor')).statusCode).toBe(400);
    expect((await call('GET', "/api/v1/officer/queue?status=' OR 1=1 --")).statusCode).toBe(400);
  });

  it('lets a supervisor reassign a case; the officer who loses it gets an alert; both are audited', async () => {
    const caseId = await queuedPassportCase('TH-BKK');
    const holder = await apiOfficer('TH-BKK');
    const other = await createTestOfficer(app, { postCode: 'TH-BKK' });
    expect(JSON.parse((await holder.call('POST', '/api/v1/officer/queue/claim-next')).body).case.id).toBe(caseId);
    const supervisor = await apiOfficer('TH-BKK', ['supervisor']);
    const moved = await supervisor.call('POST', '/api/v1/officer/assignments', { caseIds: [caseId], officerId: other.officer.id });
    expect(moved.statusCode).toBe(200);
    expect((await snapshot(caseId)).status).toBe('IN_REVIEW');
    const alerts = JSON.parse((await holder.call('GET', '/api/v1/officer/alerts')).body);
    expect(alerts).toEqual([expect.objectContaining({ kind: 'case.reassigned', caseId })]);
    const outsider = await createTestOfficer(app, { postCode: 'VN-HAN' });
    expect(
      (await supervisor.call('POST', '/api/v1/officer/assignments', { caseIds: [caseId], officerId: outsider.officer.id })).statusCode,
    ).toBe(422);
    const audited = await dataSource.query(`SELECT action FROM audit_log WHERE target_id = $1 ORDER BY seq`, [caseId]);
    expect(audited.map((r: { action: string }) => r.action)).toContain('case.reassigned');
  });

  it('escalates each overdue case once to the post’s supervisors (alert and email), however often the job runs', async () => {
    const caseId = await queuedPassportCase('ID-JKT');
    const supervisor = await createTestOfficer(app, { postCode: 'ID-JKT', roles: ['supervisor'] });
    const hqSupervisor = await createTestOfficer(app, { postCode: 'HQ-TPE', roles: ['supervisor'] });
    await createTestOfficer(app, { postCode: 'ID-JKT', roles: ['officer'] });
    await dataSource.query(`UPDATE "case" SET sla_due_at = $2 WHERE id = $1`, [caseId, new Date(clock.now().getTime() - 1000)]);
    const smtp = await startSmtpTestServer();
    let worker: INestApplicationContext | undefined;
    try {
      worker = await createWorker(testConfig(stack.db.url, { SMTP_URL: smtp.url }), clock);
      const escalation = worker.get(EscalationService);
      // The worker's own scheduled run may get there first; however the runs interleave, the case escalates once.
      await escalation.escalateOverdue();
      expect((await escalation.escalateOverdue()).escalated).toBe(0);
      const escalations = await dataSource.query(`SELECT count(*)::int AS n FROM sla_escalation WHERE case_id = $1`, [caseId]);
      expect(escalations[0].n).toBe(1);
      const jobs = (await dataSource.query(`SELECT payload FROM outbox WHERE case_id = $1 AND job_name = 'email-sla-breach'`, [
        caseId,
      ])) as {
        payload: { caseId: string; dueAt: string };
      }[];
      expect(jobs).toHaveLength(1);
      // The worker's relay forwards the email job; its handler mails each supervisor who has an address.
      const [{ reference }] = await dataSource.query(`SELECT reference FROM "case" WHERE id = $1`, [caseId]);
      const mailed = await eventually(
        async () => smtp.messages.filter((m) => m.subject.includes(reference)),
        (messages) => messages.length >= 2,
      );
      expect(
        mailed
          .map((m) => m.to)
          .flat()
          .sort(),
      ).toEqual(['officer@example.test', 'officer@example.test']);
      expect(new Set(mailed.map((m) => m.messageId)).size).toBe(2);
    } finally {
      await worker?.close();
      await smtp.stop();
    }
    const alerts = (await dataSource.query(
      `SELECT officer_id FROM officer_alert WHERE case_id = $1 AND kind = 'sla.breached' ORDER BY officer_id`,
      [caseId],
    )) as {
      officer_id: string;
    }[];
    const alerted = alerts.map((a) => a.officer_id);
    expect(alerted).toContain(supervisor.officer.id);
    expect(alerted).toContain(hqSupervisor.officer.id);
    expect(new Set(alerted).size).toBe(alerted.length);
  });

  it('approves an eVisa through the queue: the eVisa rules assign a visa number and queue its PDF', async () => {
    const applicant = await browserInjector(app);
    const { caseId } = await submittedApplication(applicant);
    const [{ post_code: postCode }] = await dataSource.query(`SELECT post_code FROM "case" WHERE id = $1`, [caseId]);
    const { call, officer: reviewer } = await apiOfficer(postCode);
    const claimed = JSON.parse((await call('POST', '/api/v1/officer/queue/claim-next')).body).case;
    expect(claimed).toMatchObject({ id: caseId, service: 'evisa', status: 'IN_REVIEW' });
    const workspace = JSON.parse((await call('GET', `/api/v1/officer/cases/${caseId}`)).body);
    expect(workspace.actions).toEqual(['approve', 'refuse', 'requestInfo']);
    expect(workspace.details.map((d: { labelKey: string }) => d.labelKey)).toContain('evisa.field.passportNumber');
    // Answers chosen from a list come in words, in the officer's language.
    const answerOf = (details: { labelKey: string; value: string }[], field: string) => details.find((d) => d.labelKey === field)?.value;
    expect(answerOf(workspace.details, 'evisa.field.purpose')).toBe('Tourism');
    const inChinese = await app.get(WorkspaceService).open(reviewer, caseId, app.get(Messages).translator('zh-Hant'));
    expect(answerOf(inChinese.details, 'evisa.field.purpose')).toBe('觀光');
    // The submission receipt was queued to the applicant: officers see its delivery (masked), never the address itself.
    expect(Array.isArray(workspace.deliveries)).toBe(true);
    expect(JSON.stringify(workspace.deliveries)).not.toMatch(/@example\.(test|com)/);
    const approved = await call('POST', `/api/v1/officer/cases/${caseId}/actions`, {
      action: 'approve',
      expectedVersion: workspace.case.version,
    });
    expect(approved.statusCode).toBe(200);
    expect(JSON.parse(approved.body).status).toBe('APPROVED');
    const [application] = await dataSource.query(`SELECT visa_number FROM evisa_application WHERE case_id = $1`, [caseId]);
    expect(application.visa_number).toMatch(/^EV\d{7}$/);
    const [job] = await dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE case_id = $1 AND job_name = 'render-evisa'`, [
      caseId,
    ]);
    expect(job.n).toBe(1);
  });

  it('renders the queue, the workspace and the supervisor dashboard as pages in both languages', async () => {
    const caseId = await queuedPassportCase('MY-KUL');
    const officer = await signInOfficer(app, { postCode: 'MY-KUL' });
    const claim = await inject({
      method: 'POST',
      url: '/officer/queue/claim-next',
      headers: { ...officer.headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${encodeURIComponent(officer.csrfToken)}`,
    });
    expect(claim.statusCode).toBe(303);
    expect(claim.headers.location).toBe(`/officer/cases/${caseId}`);
    for (const lang of ['en', 'zh-Hant']) {
      const workspace = await inject({
        method: 'GET',
        url: `/officer/cases/${caseId}?lang=${lang}`,
        headers: { ...officer.headers, accept: 'text/html' },
      });
      expect(workspace.statusCode).toBe(200);
      expect(workspace.body).toContain(`<html lang="${lang}">`);
      expect(workspace.body).toMatch(/name="expectedVersion" value="\d+"/);
      expect(workspace.body).not.toMatch(/<script\b(?![^>]*\bsrc=)[^>]*>/i);
      // The status in the applicant's words, in the page's language; the code only as the tag's title.
      const inReviewTag = `<span class="tag" title="IN_REVIEW">${lang === 'en' ? 'Being checked' : '審核中'}</span>`;
      expect(workspace.body).toContain(inReviewTag);
      expect(workspace.body).not.toContain('>IN_REVIEW<');
      const queue = await inject({
        method: 'GET',
        url: `/officer/queue?lang=${lang}`,
        headers: { ...officer.headers, accept: 'text/html' },
      });
      expect(queue.statusCode).toBe(200);
      expect(queue.body).toContain(inReviewTag);
      expect(queue.body).not.toContain('>IN_REVIEW<');
    }
    const supervisor = await signInOfficer(app, { postCode: 'MY-KUL', roles: ['supervisor'] });
    const dashboard = await inject({ method: 'GET', url: '/officer/supervisor', headers: { ...supervisor.headers, accept: 'text/html' } });
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.body).toContain('<svg');
    expect(dashboard.body).toContain('MY-KUL');
    expect(dashboard.body).toContain('<span class="tag" title="IN_REVIEW">Being checked</span>');
  });
});
