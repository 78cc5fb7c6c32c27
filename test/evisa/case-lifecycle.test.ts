import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { type AppConfig, icaoCheckDigit } from '@app/platform';
import { CaseSpine } from '@app/cases';
import {
  ApplicationCipher,
  type DraftLinkMailer,
  DraftResumeLinkHandler,
  type DraftResumeMessage,
  EvisaApplicationService,
  EvisaOfficerActions,
} from '@app/evisa';
import { startTestStack, type TestStack } from '../harness/app.js';
import { completeDraft, errorOf, type Inject, injector, multipart, submittedApplication } from './helpers.js';
import { officerAt } from '../harness/officers.js';
import { machineOf } from '../harness/catalogue.js';
import { EVISA_JOBS } from '@app/evisa';

const HOUR = 3600 * 1000;

describe('eVisa after submission: information requests, withdrawal, decisions, expiry and purge', () => {
  let stack: TestStack;
  let app: NestFastifyApplication;
  let dataSource: DataSource;
  let config: AppConfig;
  let inject: Inject;
  let spine: CaseSpine;
  let actions: EvisaOfficerActions;
  let applications: EvisaApplicationService;
  const officer = officerAt('PH-MNL');

  beforeAll(async () => {
    stack = await startTestStack({ ownDataSource: true });
    ({ config, api: app, dataSource } = stack);
    inject = injector(app);
    spine = app.get(CaseSpine);
    actions = app.get(EvisaOfficerActions);
    applications = app.get(EvisaApplicationService);
  });

  afterAll(async () => {
    await stack?.close();
  });

  const status = async (caseId: string) =>
    ((await dataSource.query(`SELECT status, version FROM "case" WHERE id = $1`, [caseId])) as { status: string; version: number }[])[0]!;

  /** What the lead's "claim next" will do: SUBMITTED → IN_REVIEW, assigned to the officer with a lease. */
  async function claim(caseId: string, by = officer): Promise<number> {
    const { version } = await status(caseId);
    const { case: claimed } = await dataSource.transaction((m) =>
      spine.transition(m, {
        machine: machineOf('evisa'),
        caseId,
        expectedVersion: version,
        to: 'IN_REVIEW',
        actor: { type: 'officer', id: by.id },
        visibility: 'internal',
        set: { assignedOfficerId: by.id, claimExpiresAt: new Date(Date.now() + HOUR) },
      }),
    );
    return claimed.version;
  }

  async function access(reference: string, surname = 'dela  cruz', dateOfBirth = '1990-04-27') {
    return inject({ method: 'POST', url: '/api/v1/evisa/applications/access', payload: { reference, surname, dateOfBirth } });
  }

  it('answers a request for information with text and a file, which sends the case back to SUBMITTED', async () => {
    const { caseId, reference } = await submittedApplication(inject);
    const version = await claim(caseId);
    const deadline = new Date(Date.now() + 7 * 24 * HOUR);
    await dataSource.transaction((m) =>
      actions.requestInformation(m, caseId, version, officer, 'Please send your return ticket.', deadline),
    );
    expect((await status(caseId)).status).toBe('INFO_REQUESTED');

    const wrong = await access(reference, 'SANTOS');
    const unknown = await access('EV-0000-0000');
    expect([wrong.statusCode, unknown.statusCode]).toEqual([404, 404]);
    expect(errorOf(wrong).message).toBe(errorOf(unknown).message);

    const granted = await access(reference);
    expect(granted.statusCode).toBe(200);
    const { accessToken, application } = granted.json() as {
      accessToken: string;
      application: { status: string; version: number; informationRequest: { message: string } };
    };
    expect(application.status).toBe('INFO_REQUESTED');
    expect(application.informationRequest.message).toBe('Please send your return ticket.');
    const raw = (
      (await dataSource.query(`SELECT message FROM evisa_information_request WHERE case_id = $1`, [caseId])) as { message: string }[]
    )[0]!;
    expect(raw.message).not.toContain('return ticket');

    const empty = await inject({
      method: 'POST',
      url: '/api/v1/evisa/applications/current/information-response',
      headers: { 'x-applicant-token': accessToken },
      payload: { text: '   ', expectedVersion: application.version },
    });
    expect(empty.statusCode).toBe(400);
    expect(errorOf(empty).details?.[0]?.field).toBe('text');

    const body = multipart([
      { name: 'text', value: 'My return ticket is attached.' },
      { name: 'expectedVersion', value: String(application.version) },
      {
        name: 'files',
        filename: 'ticket.pdf',
        contentType: 'application/pdf',
        data: Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'),
      },
    ]);
    const answered = await inject({
      method: 'POST',
      url: '/api/v1/evisa/applications/current/information-response',
      headers: { ...body.headers, 'x-applicant-token': accessToken },
      payload: body.payload,
    });
    expect(answered.statusCode).toBe(200);
    expect((answered.json() as { status: string }).status).toBe('SUBMITTED');
    const request = (
      (await dataSource.query(`SELECT answered_at, answer_text, answer_file_ids FROM evisa_information_request WHERE case_id = $1`, [
        caseId,
      ])) as {
        answered_at: Date;
        answer_text: string;
        answer_file_ids: string[];
      }[]
    )[0]!;
    expect(request.answered_at).toBeInstanceOf(Date);
    expect(request.answer_text).toMatch(/^v1\./);
    expect(request.answer_file_ids).toHaveLength(1);
    const events = (await dataSource.query(`SELECT type, visibility FROM case_event WHERE case_id = $1 ORDER BY seq`, [caseId])) as {
      type: string;
      visibility: string;
    }[];
    expect(events.at(-1)).toEqual({ type: 'evisa.information_provided', visibility: 'applicant' });

    const again = await inject({
      method: 'POST',
      url: '/api/v1/evisa/applications/current/information-response',
      headers: { 'x-applicant-token': accessToken },
      payload: { text: 'Once more', expectedVersion: (await status(caseId)).version },
    });
    expect(again.statusCode).toBe(409);
  });

  it('lets the applicant withdraw before a decision, once', async () => {
    const { reference, caseId } = await submittedApplication(inject);
    const { accessToken, application } = (await access(reference)).json() as { accessToken: string; application: { version: number } };
    const stale = await inject({
      method: 'POST',
      url: '/api/v1/evisa/applications/current/withdraw',
      headers: { 'x-applicant-token': accessToken },
      payload: { expectedVersion: application.version - 1 },
    });
    expect(stale.statusCode).toBe(409);
    expect(errorOf(stale).code).toBe('VERSION_CONFLICT');
    const withdrawn = await inject({
      method: 'POST',
      url: '/api/v1/evisa/applications/current/withdraw',
      headers: { 'x-applicant-token': accessToken },
      payload: { expectedVersion: application.version },
    });
    expect(withdrawn.statusCode).toBe(200);
    expect(withdrawn.json()).toMatchObject({ status: 'WITHDRAWN', canWithdraw: false });
    expect((await status(caseId)).status).toBe('WITHDRAWN');
    const twice = await inject({
      method: 'POST',
      url: '/api/v1/evisa/applications/current/withdraw',
      headers: { 'x-applicant-token': accessToken },
      payload: { expectedVersion: (await status(caseId)).version },
    });
    expect(twice.statusCode).toBe(409);
    expect(errorOf(twice).code).toBe('INVALID_TRANSITION');
  });

  it('refuses a case whose request for information passed its deadline (injected clock)', async () => {
    const { caseId } = await submittedApplication(inject);
    const version = await claim(caseId);
    const deadline = new Date(Date.now() + 48 * HOUR);
    await dataSource.transaction((m) => actions.requestInformation(m, caseId, version, officer, 'Send a bank statement.', deadline));
    expect(await actions.expireInformationRequests(new Date(deadline.getTime() - 1000))).toBe(0);
    expect((await status(caseId)).status).toBe('INFO_REQUESTED');
    expect(await actions.expireInformationRequests(new Date(deadline.getTime() + 1000))).toBe(1);
    expect((await status(caseId)).status).toBe('REFUSED');
    const application = (
      (await dataSource.query(`SELECT decision_reason_code FROM evisa_application WHERE case_id = $1`, [caseId])) as {
        decision_reason_code: string;
      }[]
    )[0]!;
    expect(application.decision_reason_code).toBe('information_not_provided');
    const event = (
      (await dataSource.query(`SELECT actor_type, visibility, payload FROM case_event WHERE case_id = $1 AND to_status = 'REFUSED'`, [
        caseId,
      ])) as unknown[]
    )[0];
    expect(event).toEqual({ actor_type: 'system', visibility: 'applicant', payload: { reasonCode: 'information_not_provided' } });
    expect(await actions.expireInformationRequests(new Date(deadline.getTime() + 2 * HOUR))).toBe(0);
  });

  it('approves with a visa number and validity, queues the PDF, gives the document data, issues and revokes', async () => {
    const { caseId, reference } = await submittedApplication(inject);
    await expect(dataSource.transaction((m) => actions.approve(m, caseId, 1, officer))).rejects.toMatchObject({ code: 'CLAIM_REQUIRED' });
    const version = await claim(caseId);
    const other = { ...officer, id: randomUUID() };
    await expect(dataSource.transaction((m) => actions.approve(m, caseId, version, other))).rejects.toMatchObject({
      code: 'CLAIM_REQUIRED',
    });
    const elsewhere = { ...officer, postCode: 'JP-TYO' };
    await expect(dataSource.transaction((m) => actions.approve(m, caseId, version, elsewhere))).rejects.toMatchObject({
      code: 'OUT_OF_SCOPE',
    });
    await expect(dataSource.transaction((m) => actions.approve(m, caseId, version - 1, officer))).rejects.toMatchObject({
      code: 'VERSION_CONFLICT',
    });

    const approved = await dataSource.transaction((m) => actions.approve(m, caseId, version, officer));
    expect(approved.status).toBe('APPROVED');
    expect(approved.assignedOfficerId).toBeNull();
    const render = (await dataSource.query(`SELECT queue, payload FROM outbox WHERE case_id = $1 AND job_name = $2`, [
      caseId,
      EVISA_JOBS.RenderEvisa.name,
    ])) as unknown[];
    expect(render).toEqual([{ queue: 'documents', payload: { caseId } }]);

    const data = await actions.documentDataFor(caseId);
    expect(data).toMatchObject({
      reference,
      surname: 'DELA CRUZ',
      givenNames: 'MARIA CLARA',
      sex: 'F',
      dateOfBirth: '1990-04-27',
      nationality: 'PHL',
      passportNumber: 'P1234567A',
      entries: 'single',
      stayDays: 30,
      status: 'APPROVED',
    });
    expect(data.visaNumber).toMatch(/^EV\d{7}$/);
    expect(data.visaNumberCheckDigit).toBe(icaoCheckDigit(data.visaNumber));
    const from = new Date(`${data.validFrom}T00:00:00Z`);
    const until = new Date(`${data.validUntil}T00:00:00Z`);
    expect(until.getUTCMonth()).toBe((from.getUTCMonth() + 3) % 12);

    const issued = await dataSource.transaction((m) => actions.markIssued(m, caseId, approved.version));
    expect(issued.status).toBe('ISSUED');
    await expect(
      dataSource.transaction((m) => actions.revoke(m, caseId, issued.version, officer, 'not-a-reason' as never)),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    const revoked = await dataSource.transaction((m) => actions.revoke(m, caseId, issued.version, officer, 'identity_mismatch'));
    expect(revoked.status).toBe('REVOKED');

    // A second approval gets the next number: numbers are unique.
    const second = await submittedApplication(inject);
    const secondVersion = await claim(second.caseId);
    await dataSource.transaction((m) => actions.approve(m, second.caseId, secondVersion, officer));
    const secondData = await actions.documentDataFor(second.caseId);
    expect(Number(secondData.visaNumber.slice(2))).toBe(Number(data.visaNumber.slice(2)) + 1);
  });

  it('refuses with a reason code and keeps the explanation encrypted', async () => {
    const { caseId } = await submittedApplication(inject);
    const version = await claim(caseId);
    await expect(dataSource.transaction((m) => actions.refuse(m, caseId, version, officer, 'other', ''))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    const refused = await dataSource.transaction((m) =>
      actions.refuse(m, caseId, version, officer, 'purpose_not_credible', 'The stated purpose is not supported.'),
    );
    expect(refused.status).toBe('REFUSED');
    const row = (
      (await dataSource.query(`SELECT decision_reason_code, decision_text FROM evisa_application WHERE case_id = $1`, [caseId])) as {
        decision_reason_code: string;
        decision_text: string;
      }[]
    )[0]!;
    expect(row.decision_reason_code).toBe('purpose_not_credible');
    expect(row.decision_text).toMatch(/^v1\./);
  });

  it('purges drafts older than 30 days: answers, files and bytes go, no orphan is left, newer drafts stay', async () => {
    const old = await completeDraft(inject);
    const recent = await completeDraft(inject);
    const keys = (
      (await dataSource.query(`SELECT storage_key FROM file WHERE case_id = $1`, [old.caseId])) as { storage_key: string }[]
    ).map((r) => r.storage_key);
    expect(keys).toHaveLength(2);
    const blob = (key: string) => path.join(path.resolve(config.storageDir), key.slice(0, 2), key);
    expect(keys.every((key) => fs.existsSync(blob(key)))).toBe(true);
    await dataSource.query(`UPDATE "case" SET created_at = now() - interval '31 days' WHERE id = $1`, [old.caseId]);

    expect(await applications.purgeExpiredDrafts(new Date())).toBe(1);
    expect(await applications.purgeExpiredDrafts(new Date())).toBe(0);
    const count = async (sql: string, params: unknown[]) => ((await dataSource.query(sql, params)) as { n: number }[])[0]!.n;
    expect(await count(`SELECT count(*)::int AS n FROM evisa_application WHERE case_id = $1`, [old.caseId])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM file WHERE case_id = $1`, [old.caseId])).toBe(0);
    expect(keys.some((key) => fs.existsSync(blob(key)))).toBe(false);
    const caseRow = (
      (await dataSource.query(`SELECT status, applicant_name, applicant_email, applicant_phone, lookup_key FROM "case" WHERE id = $1`, [
        old.caseId,
      ])) as unknown[]
    )[0];
    expect(caseRow).toEqual({ status: 'WITHDRAWN', applicant_name: null, applicant_email: null, applicant_phone: null, lookup_key: null });
    // No file row anywhere points at a missing case or application, and every stored file has its bytes.
    expect(
      await count(
        `SELECT count(*)::int AS n FROM file f LEFT JOIN "case" c ON c.id = f.case_id WHERE f.case_id IS NOT NULL AND c.id IS NULL`,
        [],
      ),
    ).toBe(0);
    const allKeys = ((await dataSource.query(`SELECT storage_key FROM file`)) as { storage_key: string }[]).map((r) => r.storage_key);
    expect(allKeys.every((key) => fs.existsSync(blob(key)))).toBe(true);
    expect((await status(recent.caseId)).status).toBe('DRAFT');
    const gone = await inject({ method: 'GET', url: '/api/v1/evisa/draft', headers: { 'x-draft-token': old.token } });
    expect(gone.statusCode).toBe(404);
  });

  it('emails the resume link through the mail port, and skips a draft that is no longer open', async () => {
    const sent: DraftResumeMessage[] = [];
    const mailer: DraftLinkMailer = { sendResumeLink: async (message) => void sent.push(message) };
    const handler = new DraftResumeLinkHandler(dataSource, spine, app.get(ApplicationCipher), applications, mailer, config);
    const draft = await completeDraft(inject);
    expect(await handler.handle({ caseId: draft.caseId })).toEqual({ sent: true });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ caseId: draft.caseId, to: 'maria@example.test', locale: 'en' });
    const token = new URL(sent[0]!.link).searchParams.get('t')!;
    expect(applications.caseIdFromDraftToken(token)).toBe(draft.caseId);
    const events = (await dataSource.query(
      `SELECT type, visibility, payload FROM case_event WHERE case_id = $1 AND type = 'evisa.resume_link_sent'`,
      [draft.caseId],
    )) as unknown[];
    expect(events).toEqual([{ type: 'evisa.resume_link_sent', visibility: 'internal', payload: {} }]);
    const submitted = await submittedApplication(inject);
    expect(await handler.handle({ caseId: submitted.caseId })).toEqual({ sent: false });
    expect(await handler.handle({ caseId: randomUUID() })).toEqual({ sent: false });
  });
});
