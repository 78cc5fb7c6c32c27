import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '@app/platform';
import { StoragePort } from '@app/platform';
import { CORE_JOBS, CaseSpine, QueueName, QueueRegistry, verifyCaseChain } from '@app/cases';
import { EvisaApplicationService, EvisaOfficerActions } from '@app/evisa';
import { ANONYMISE_BATCH_SIZE, RetentionService } from '@app/lifecycle';
import { startTestStack, type WorkerStack } from '../harness/app.js';
import { eventually } from '../harness/context.js';
import { createAccessToken, createTestOfficer } from '../harness/identity.js';
import { openTestCase } from '../harness/spine.js';
import { browserInjector, type Inject, pngPage, submittedApplication } from '../evisa/helpers.js';
import { officerAt } from '../harness/officers.js';
import { machineOf } from '../harness/catalogue.js';

const HOUR = 3600 * 1000;

describe('anonymising closed cases after the retention period', () => {
  let stack: WorkerStack;
  let config: AppConfig;
  let api: NestFastifyApplication;
  let worker: INestApplicationContext;
  let dataSource: DataSource;
  let inject: Inject;
  let retention: RetentionService;
  let supervisorToken: string;
  const officer = officerAt('PH-MNL');

  beforeAll(async () => {
    stack = await startTestStack({ worker: true, ownDataSource: true });
    ({ config, api, worker, dataSource } = stack);
    inject = await browserInjector(api);
    retention = worker.get(RetentionService);
    const supervisor = await createTestOfficer(api, { roles: ['supervisor'], postCode: 'HQ-TPE' });
    supervisorToken = await createAccessToken(api, supervisor.authenticated);
  });

  afterAll(async () => {
    await stack?.close();
  });

  const one = async <T>(sql: string, params: unknown[]): Promise<T> => ((await dataSource.query(sql, params)) as T[])[0]!;
  const caseRow = (caseId: string) =>
    one<Record<string, unknown>>(
      `SELECT status, version, reference, applicant_name, applicant_email, applicant_email_index, applicant_phone, lookup_key, anonymised_at
         FROM "case" WHERE id = $1`,
      [caseId],
    );
  const count = async (sql: string, params: unknown[]) => Number((await one<{ n: string }>(sql, params)).n);
  const backdate = (caseId: string, days: number) =>
    dataSource.query(`UPDATE "case" SET updated_at = now() - make_interval(days => $2) WHERE id = $1`, [caseId, days]);
  const storedKeys = async (caseId: string) =>
    ((await dataSource.query(`SELECT storage_key FROM file WHERE case_id = $1`, [caseId])) as { storage_key: string }[]).map(
      (row) => row.storage_key,
    );
  const blobExists = (key: string) => fs.existsSync(path.join(path.resolve(config.storageDir), key.slice(0, 2), key));

  async function claim(caseId: string): Promise<number> {
    const { version } = await one<{ version: number }>(`SELECT version FROM "case" WHERE id = $1`, [caseId]);
    const { case: claimed } = await dataSource.transaction((m) =>
      api.get(CaseSpine).transition(m, {
        machine: machineOf('evisa'),
        caseId,
        expectedVersion: version,
        to: 'IN_REVIEW',
        actor: { type: 'officer', id: officer.id },
        visibility: 'internal',
        set: { assignedOfficerId: officer.id, claimExpiresAt: new Date(Date.now() + HOUR) },
      }),
    );
    return claimed.version;
  }

  /** Submitted, approved, issued by the worker (PDF, seal), then revoked: REVOKED is final. */
  async function revokedEvisa(): Promise<{ caseId: string; reference: string }> {
    const application = await submittedApplication(inject);
    const actions = api.get(EvisaOfficerActions);
    const version = await claim(application.caseId);
    await dataSource.transaction((m) => actions.approve(m, application.caseId, version, officer));
    const issued = await eventually(
      () => caseRow(application.caseId),
      (row) => row.status === 'ISSUED',
      30_000,
    );
    expect(issued.status).toBe('ISSUED');
    await dataSource.transaction((m) => actions.revoke(m, application.caseId, issued.version as number, officer, 'issued_in_error'));
    return application;
  }

  /** Submitted, asked for more information, answered with a file, then refused. */
  async function refusedAfterInformation(): Promise<{ caseId: string; reference: string }> {
    const application = await submittedApplication(inject);
    const actions = api.get(EvisaOfficerActions);
    let version = await claim(application.caseId);
    await dataSource.transaction((m) =>
      actions.requestInformation(m, application.caseId, version, officer, 'Send your hotel booking.', new Date(Date.now() + 72 * HOUR)),
    );
    ({ version } = await one<{ version: number }>(`SELECT version FROM "case" WHERE id = $1`, [application.caseId]));
    await api
      .get(EvisaApplicationService)
      .answerInformationRequest(
        application.caseId,
        version,
        { text: 'Booking attached, Maria Dela Cruz', files: [{ filename: 'booking.png', bytes: await pngPage() }] },
        'en',
      );
    version = await claim(application.caseId);
    await dataSource.transaction((m) =>
      actions.refuse(m, application.caseId, version, officer, 'purpose_not_credible', 'Booking for Maria Dela Cruz looks altered.'),
    );
    return application;
  }

  /**
   * Runs the anonymisation once the worker has nothing left to do for the cases just made: a
   * notification job holds a key-share lock on its case while it writes the notification row, and
   * the anonymisation skips a locked case (it comes back to it next run), which would make the
   * counts below depend on timing.
   */
  const runWhenSettled = async (batchSize?: number) => {
    const queues = worker.get(QueueRegistry);
    await eventually(
      async () => {
        const pending = await count(`SELECT count(*) AS n FROM outbox WHERE dispatched_at IS NULL`, []);
        const jobs = await Promise.all(
          Object.values(QueueName).map(async (name) =>
            Object.values(await queues.get(name).getJobCounts('waiting', 'active', 'prioritized')).reduce((a, b) => a + b, 0),
          ),
        );
        return pending + jobs.reduce((a, b) => a + b, 0);
      },
      (busy) => busy === 0,
      30_000,
    );
    return retention.run(batchSize);
  };

  const exportOf = (reference: string) =>
    inject({
      method: 'POST',
      url: '/api/v1/officer/subject-access-exports',
      headers: { authorization: `Bearer ${supervisorToken}` },
      payload: { reference },
    });

  it('is scheduled by the worker as an hourly job that runs once at start-up, through its one handler', async () => {
    const queue = worker.get(QueueRegistry).get(CORE_JOBS.AnonymiseClosedCases.queue);
    expect(await queue.getJobScheduler(CORE_JOBS.AnonymiseClosedCases.name)).toMatchObject({
      every: CORE_JOBS.AnonymiseClosedCases.everyMs,
    });
    // Waiting for that first run also keeps it from racing the runs the next tests make themselves.
    const completed = await eventually(
      async () => (await queue.getJobs(['completed'])).filter((job) => job.name === CORE_JOBS.AnonymiseClosedCases.name),
      (jobs) => jobs.length > 0,
      30_000,
    );
    expect(completed[0]?.returnvalue).toMatchObject({ anonymised: 0, failed: 0 });
  });

  it('clears names, numbers and uploads of cases closed for longer than the period; keeps the case, its history and the audit trail', async () => {
    const revoked = await revokedEvisa();
    const refused = await refusedAfterInformation();
    const stillOpen = await submittedApplication(inject);
    const recentlyRefused = await refusedAfterInformation();
    for (const { caseId } of [revoked, refused, stillOpen]) await backdate(caseId, config.retention.closedCaseDays + 1);
    await backdate(recentlyRefused.caseId, config.retention.closedCaseDays - 1);

    const before = {
      revokedKeys: await storedKeys(revoked.caseId),
      refusedKeys: await storedKeys(refused.caseId),
      revokedEvents: await count(`SELECT count(*) AS n FROM case_event WHERE case_id = $1`, [revoked.caseId]),
      visaNumber: (await one<{ visa_number: string }>(`SELECT visa_number FROM evisa_application WHERE case_id = $1`, [revoked.caseId]))
        .visa_number,
    };
    // Photo, passport page and the eVisa PDF; photo, passport page and the answer's attachment.
    expect([before.revokedKeys.length, before.refusedKeys.length]).toEqual([3, 3]);
    expect([...before.revokedKeys, ...before.refusedKeys].every(blobExists)).toBe(true);
    const registerBefore = await inject({
      method: 'POST',
      url: '/api/v1/verify/evisa',
      payload: { visaNumber: before.visaNumber, passportNumber: 'P1234567A' },
    });
    expect(registerBefore.json()).toMatchObject({ result: 'revoked' });

    expect(await runWhenSettled()).toMatchObject({ anonymised: 2, failed: 0 });

    for (const { caseId, reference } of [revoked, refused]) {
      const row = await caseRow(caseId);
      expect(row).toMatchObject({
        reference,
        applicant_name: null,
        applicant_email: null,
        applicant_email_index: null,
        applicant_phone: null,
        lookup_key: null,
      });
      expect(row.anonymised_at).toBeInstanceOf(Date);
      // Every column of the eVisa rows: no ciphertext (FieldCipher's "v1.<kid>.…") and no blind index left.
      const application = await one<Record<string, unknown>>(`SELECT * FROM evisa_application WHERE case_id = $1`, [caseId]);
      const leftovers = Object.entries(application).filter(([, value]) => typeof value === 'string' && /^v1\./.test(value));
      expect(leftovers).toEqual([]);
      expect(application).toMatchObject({
        passport_number_index: null,
        photo_file_id: null,
        passport_page_file_id: null,
        seal: null,
        purpose: 'tourism',
      });
      for (const request of (await dataSource.query(`SELECT * FROM evisa_information_request WHERE case_id = $1`, [caseId])) as Record<
        string,
        unknown
      >[]) {
        expect(request).toMatchObject({ message: null, answer_text: null, answer_file_ids: [] });
      }
      expect(await count(`SELECT count(*) AS n FROM file WHERE case_id = $1`, [caseId])).toBe(0);
      expect(await count(`SELECT count(*) AS n FROM generated_document WHERE case_id = $1`, [caseId])).toBe(0);
      const [last] = (await dataSource.query(
        `SELECT type, visibility, actor_type, actor_id, payload FROM case_event WHERE case_id = $1 ORDER BY seq DESC LIMIT 1`,
        [caseId],
      )) as Record<string, unknown>[];
      expect(last).toMatchObject({ type: 'case.anonymised', visibility: 'internal', actor_type: 'system', actor_id: 'retention' });
      expect(last!.payload).toMatchObject({ retentionDays: config.retention.closedCaseDays, files: 3 });
      expect((await verifyCaseChain(dataSource.manager, caseId)).ok).toBe(true);
      const audit = (await dataSource.query(
        `SELECT actor_type, actor_id, post_code, details FROM audit_log WHERE action = 'case.anonymised' AND target_id = $1`,
        [caseId],
      )) as Record<string, unknown>[];
      expect(audit).toEqual([
        { actor_type: 'system', actor_id: 'retention', post_code: 'PH-MNL', details: expect.objectContaining({ files: 3 }) as unknown },
      ]);
    }
    expect((await caseRow(revoked.caseId)).status).toBe('REVOKED');
    expect((await caseRow(refused.caseId)).status).toBe('REFUSED');
    expect(await count(`SELECT count(*) AS n FROM generated_document WHERE case_id = $1`, [revoked.caseId])).toBe(0);
    expect([...before.revokedKeys, ...before.refusedKeys].filter(blobExists)).toEqual([]);
    // The visa number stays (statistics, the event history), but it no longer leads to anybody.
    expect(
      (await one<{ visa_number: string }>(`SELECT visa_number FROM evisa_application WHERE case_id = $1`, [revoked.caseId])).visa_number,
    ).toBe(before.visaNumber);
    const registerAfter = await inject({
      method: 'POST',
      url: '/api/v1/verify/evisa',
      payload: { visaNumber: before.visaNumber, passportNumber: 'P1234567A' },
    });
    expect(registerAfter.json()).toEqual({ result: 'not_found' });
    const access = await inject({
      method: 'POST',
      url: '/api/v1/evisa/applications/access',
      payload: { reference: revoked.reference, surname: 'DELA CRUZ', dateOfBirth: '1990-04-27' },
    });
    expect(access.statusCode).toBe(404);

    // What a subject access export finds now: the case and its history, no personal data.
    const exported = await exportOf(revoked.reference);
    expect(exported.statusCode).toBe(200);
    const [document] = (exported.json() as { cases: Record<string, unknown>[] }).cases;
    expect(document).toMatchObject({
      reference: revoked.reference,
      status: 'REVOKED',
      contact: { name: null, email: null, phone: null },
      files: [],
    });
    expect(document!.anonymisedAt).toEqual(expect.any(String));
    expect(exported.body).not.toMatch(/DELA CRUZ|Dela Cruz|maria@example|P1234567A/i);
    // An officer can still open the case: its statuses and history, with empty answers.
    const workspace = await inject({
      method: 'GET',
      url: `/api/v1/officer/cases/${revoked.caseId}`,
      headers: { authorization: `Bearer ${supervisorToken}` },
    });
    expect(workspace.statusCode).toBe(200);
    expect(workspace.json()).toMatchObject({ applicant: { name: null, email: null, phone: null }, files: [] });

    // Not closed, or closed too recently: untouched.
    for (const { caseId } of [stillOpen, recentlyRefused]) {
      const row = await caseRow(caseId);
      expect([row.anonymised_at, typeof row.applicant_name, typeof row.lookup_key]).toEqual([null, 'string', 'string']);
      expect(await count(`SELECT count(*) AS n FROM file WHERE case_id = $1`, [caseId])).toBeGreaterThan(0);
    }

    // A second run changes nothing.
    const events = await count(`SELECT count(*) AS n FROM case_event WHERE case_id = $1`, [revoked.caseId]);
    expect(events).toBe(before.revokedEvents + 1);
    expect(await runWhenSettled()).toMatchObject({ anonymised: 0, failed: 0 });
    expect(await count(`SELECT count(*) AS n FROM case_event WHERE case_id = $1`, [revoked.caseId])).toBe(events);
    expect(await count(`SELECT count(*) AS n FROM audit_log WHERE action = 'case.anonymised'`, [])).toBe(2);
  });

  it('works in batches, covers services with no personal data port, and retries a case whose files could not be deleted', async () => {
    const spine = api.get(CaseSpine);
    const closed: string[] = [];
    for (let i = 0; i < 3; i++) {
      const opened = await dataSource.transaction((m) => openTestCase(spine, m, 'passport', 'US-LAX'));
      await dataSource.transaction(async (m) => {
        const { case: inReview } = await spine.transition(m, {
          machine: machineOf('passport'),
          caseId: opened.id,
          expectedVersion: opened.version,
          to: 'IN_REVIEW',
          actor: { type: 'system' },
          visibility: 'internal',
        });
        await spine.transition(m, {
          machine: machineOf('passport'),
          caseId: opened.id,
          expectedVersion: inReview.version,
          to: 'REFUSED',
          actor: { type: 'system' },
          visibility: 'applicant',
        });
      });
      await backdate(opened.id, config.retention.closedCaseDays + 10 + i);
      closed.push(opened.id);
    }

    expect(await runWhenSettled(1)).toMatchObject({ anonymised: 1, failed: 0 });
    // Oldest first.
    expect((await caseRow(closed[2]!)).anonymised_at).toBeInstanceOf(Date);
    expect((await caseRow(closed[1]!)).anonymised_at).toBeNull();

    // A storage failure rolls the case back (nothing half-anonymised) and the next run finishes it.
    const storage = worker.get(StoragePort);
    const withFile = await submittedApplication(inject);
    const version = await claim(withFile.caseId);
    await dataSource.transaction((m) =>
      api.get(EvisaOfficerActions).refuse(m, withFile.caseId, version, officer, 'purpose_not_credible', null),
    );
    await backdate(withFile.caseId, config.retention.closedCaseDays + 30);
    const deleteBytes = storage.delete.bind(storage);
    storage.delete = () => Promise.reject(new Error('disk unavailable'));
    try {
      expect(await runWhenSettled(1)).toMatchObject({ anonymised: 0, failed: 1 });
    } finally {
      storage.delete = deleteBytes;
    }
    expect((await caseRow(withFile.caseId)).anonymised_at).toBeNull();
    expect(typeof (await caseRow(withFile.caseId)).applicant_name).toBe('string');
    expect(await count(`SELECT count(*) AS n FROM file WHERE case_id = $1`, [withFile.caseId])).toBe(2);
    expect(await count(`SELECT count(*) AS n FROM case_event WHERE case_id = $1 AND type = 'case.anonymised'`, [withFile.caseId])).toBe(0);

    expect(await runWhenSettled()).toMatchObject({ anonymised: 3, failed: 0 });
    for (const caseId of [...closed, withFile.caseId]) {
      expect(await caseRow(caseId)).toMatchObject({ applicant_name: null, applicant_email: null, lookup_key: null });
    }
    expect(await count(`SELECT count(*) AS n FROM file WHERE case_id = $1`, [withFile.caseId])).toBe(0);
    expect(ANONYMISE_BATCH_SIZE).toBeGreaterThan(1);
  });
});
