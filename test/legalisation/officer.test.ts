import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DataSource } from 'typeorm';
import { ServiceCatalogue } from '@app/cases';
import { CERTIFICATE_LOOKUPS_PER_MINUTE } from '@app/legalisation';
import { startTestStack, type TestStack } from '../harness/app.js';
import { createAccessToken, createTestOfficer, signInOfficer, type SignedInOfficer } from '../harness/identity.js';
import { freshIp, type Inject, injector, submitted } from './helpers.js';

const DECIDE_DEADLINE = () => new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);

describe('document authentication on the officer side, the status page and the register', () => {
  let stack: TestStack;
  let app: NestFastifyApplication;
  let inject: Inject;
  let dataSource: DataSource;

  beforeAll(async () => {
    stack = await startTestStack();
    app = stack.api;
    inject = injector(app);
    dataSource = stack.dataSource;
  });

  afterAll(async () => {
    await stack?.close();
  });

  async function apiOfficer(postCode: string) {
    const created = await createTestOfficer(app, { postCode });
    const token = await createAccessToken(app, created.authenticated);
    return (method: 'GET' | 'POST', url: string, payload?: object) =>
      inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
  }

  const statusOf = async (caseId: string) =>
    ((await dataSource.query(`SELECT status, version FROM "case" WHERE id = $1`, [caseId])) as { status: string; version: number }[])[0]!;

  /** Submits at the post, claims it as a new officer of that post (the post's queue holds only this case) and returns both. */
  async function claimed(postCode: string, overrides: Record<string, unknown> = {}) {
    const request = await submitted(inject, postCode, overrides);
    const call = await apiOfficer(postCode);
    const claim = await call('POST', '/api/v1/officer/queue/claim-next');
    expect(claim.statusCode).toBe(200);
    expect(JSON.parse(claim.body).case.id).toBe(request.caseId);
    return { request, call, version: (await statusOf(request.caseId)).version };
  }

  let authenticated: { caseId: string; reference: string; certificateNumber: string; issuedOn: string };

  it('approval authenticates: a unique certificate number and the issue date at the post; the workspace shows the request', async () => {
    const { request, call, version } = await claimed('US-LAX');
    const workspace = JSON.parse((await call('GET', `/api/v1/officer/cases/${request.caseId}`)).body);
    const labels = workspace.details.map((d: { labelKey: string }) => d.labelKey);
    expect(labels).toEqual(
      expect.arrayContaining([
        'legalisation.field.direction',
        'legalisation.field.appointment',
        'legalisation.field.fee',
        'legalisation.officer.item',
      ]),
    );
    expect(workspace.details.find((d: { labelKey: string }) => d.labelKey === 'legalisation.field.fee').value).toBe('TWD 1400');

    const approved = await call('POST', `/api/v1/officer/cases/${request.caseId}/actions`, { action: 'approve', expectedVersion: version });
    expect(approved.statusCode).toBe(200);
    expect(JSON.parse(approved.body).status).toBe('AUTHENTICATED');
    const [row] = await dataSource.query(
      `SELECT certificate_number, authenticated_on::text AS issued_on FROM legalisation_request WHERE case_id = $1`,
      [request.caseId],
    );
    const localToday = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Los_Angeles' }).format(new Date());
    expect(row.issued_on).toBe(localToday);
    expect(row.certificate_number).toMatch(new RegExp(`^TWA-${localToday.slice(0, 4)}-\\d{6}$`));
    authenticated = {
      caseId: request.caseId,
      reference: request.reference,
      certificateNumber: row.certificate_number,
      issuedOn: row.issued_on,
    };

    const second = await claimed('US-LAX');
    await second.call('POST', `/api/v1/officer/cases/${second.request.caseId}/actions`, {
      action: 'approve',
      expectedVersion: second.version,
    });
    const [other] = await dataSource.query(`SELECT certificate_number FROM legalisation_request WHERE case_id = $1`, [
      second.request.caseId,
    ]);
    expect(other.certificate_number).not.toBe(row.certificate_number);
  });

  it('a refusal needs its reason in words, and gives its appointment place back', async () => {
    const { request, call, version } = await claimed('AU-CBR');
    const booked = async () =>
      (
        (await dataSource.query(
          `SELECT s.booked FROM appointment_slot s JOIN legalisation_request r ON r.slot_id = s.id WHERE r.case_id = $1`,
          [request.caseId],
        )) as { booked: number }[]
      )[0]!.booked;
    const bookedBefore = await booked();
    expect(bookedBefore).toBeGreaterThan(0);
    const bare = await call('POST', `/api/v1/officer/cases/${request.caseId}/actions`, {
      action: 'refuse',
      expectedVersion: version,
      reasonCode: 'documents_insufficient',
    });
    expect(bare.statusCode).toBe(400);
    expect(JSON.parse(bare.body).error.details[0].field).toBe('text');
    expect((await statusOf(request.caseId)).status).toBe('IN_REVIEW');
    const refused = await call('POST', `/api/v1/officer/cases/${request.caseId}/actions`, {
      action: 'refuse',
      expectedVersion: version,
      reasonCode: 'documents_insufficient',
      text: 'The seal on the diploma is not one we hold a specimen of.',
    });
    expect(refused.statusCode).toBe(200);
    expect((await statusOf(request.caseId)).status).toBe('REFUSED');
    expect(await booked()).toBe(bookedBefore - 1);
  });

  it('a request for information is shown on the status page and answered by the applicant: back to SUBMITTED', async () => {
    const { request, call, version } = await claimed('ID-JKT');
    const asked = await call('POST', `/api/v1/officer/cases/${request.caseId}/actions`, {
      action: 'requestInfo',
      expectedVersion: version,
      text: 'Please bring the translation of the birth certificate.',
      deadline: DECIDE_DEADLINE(),
    });
    expect(asked.statusCode).toBe(200);
    expect((await statusOf(request.caseId)).status).toBe('INFO_REQUESTED');

    const status = await inject({
      method: 'POST',
      url: '/api/v1/status',
      payload: { reference: request.reference, surname: 'Chen', dateOfBirth: '1988-03-14' },
      remoteAddress: freshIp(),
    });
    expect(status.statusCode).toBe(200);
    const sections = JSON.parse(status.body).details as { heading: string; rows: string[][] }[];
    expect(sections.map((s) => s.heading)).toEqual(['Your documents', 'Your request', 'We need more information']);
    expect(sections[2]!.rows[0]).toEqual(['Information requested', 'Please bring the translation of the birth certificate.']);

    const answer = (surname: string) =>
      inject({
        method: 'POST',
        url: '/api/v1/legalisation/requests/answer',
        payload: { reference: request.reference, surname, dateOfBirth: '1988-03-14', answer: 'I will bring the sworn translation.' },
        remoteAddress: freshIp(),
      });
    const wrong = await answer('Wang');
    expect(wrong.statusCode).toBe(404);
    expect(JSON.parse(wrong.body).error.code).toBe('INFORMATION_REQUEST_NOT_FOUND');
    expect((await statusOf(request.caseId)).status).toBe('INFO_REQUESTED');
    const right = await answer('chen');
    expect(right.statusCode).toBe(200);
    expect(JSON.parse(right.body).status).toBe('SUBMITTED');
    expect((await answer('Chen')).statusCode).toBe(404);

    const claimAgain = await call('POST', '/api/v1/officer/queue/claim-next');
    expect(JSON.parse(claimAgain.body).case.id).toBe(request.caseId);
    const workspace = JSON.parse((await call('GET', `/api/v1/officer/cases/${request.caseId}`)).body);
    expect(workspace.details).toEqual(
      expect.arrayContaining([{ labelKey: 'legalisation.officer.infoAnswer', value: 'I will bring the sworn translation.' }]),
    );
  });

  describe('after authentication', () => {
    let officer: SignedInOfficer;

    beforeAll(async () => {
      officer = await signInOfficer(app, { postCode: 'US-LAX' });
    });

    const page = (who: SignedInOfficer, caseId: string) =>
      inject({ method: 'GET', url: `/officer/legalisation/${caseId}`, headers: { ...who.headers, accept: 'text/html' } });
    const post = (who: SignedInOfficer, url: string, expectedVersion: number) =>
      inject({
        method: 'POST',
        url,
        headers: { ...who.headers, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: who.csrfToken, expectedVersion: String(expectedVersion) }).toString(),
      });

    it('pickup: ready to collect, then completed; a stale version gets 409', async () => {
      const { caseId } = authenticated;
      const shown = await page(officer, caseId);
      expect(shown.statusCode).toBe(200);
      expect(shown.body).toContain('Mark as ready to collect');
      const version = (await statusOf(caseId)).version;
      const stale = await post(officer, `/officer/legalisation/${caseId}/dispatch`, version - 1);
      expect(stale.statusCode).toBe(409);
      expect((await statusOf(caseId)).status).toBe('AUTHENTICATED');
      const early = await post(officer, `/officer/legalisation/${caseId}/complete`, version);
      expect(early.statusCode).toBe(409);
      const ready = await post(officer, `/officer/legalisation/${caseId}/dispatch`, version);
      expect(ready.statusCode).toBe(303);
      expect((await statusOf(caseId)).status).toBe('READY_FOR_PICKUP');
      const done = await post(officer, `/officer/legalisation/${caseId}/complete`, version + 1);
      expect(done.statusCode).toBe(303);
      expect((await statusOf(caseId)).status).toBe('COMPLETED');
    });

    it('mail: posted, then completed', async () => {
      const { request, call, version } = await claimed('US-LAX', { delivery: 'mail', mailingAddress: '1234 Wilshire Blvd, Los Angeles' });
      await call('POST', `/api/v1/officer/cases/${request.caseId}/actions`, { action: 'approve', expectedVersion: version });
      const current = await statusOf(request.caseId);
      expect((await page(officer, request.caseId)).body).toContain('Mark as posted');
      expect((await post(officer, `/officer/legalisation/${request.caseId}/dispatch`, current.version)).statusCode).toBe(303);
      expect((await statusOf(request.caseId)).status).toBe('MAILED');
      expect((await post(officer, `/officer/legalisation/${request.caseId}/complete`, current.version + 1)).statusCode).toBe(303);
      expect((await statusOf(request.caseId)).status).toBe('COMPLETED');
    });

    it("another post's officer gets 404; HQ sees every post", async () => {
      const { caseId } = authenticated;
      const elsewhere = await signInOfficer(app, { postCode: 'JP-TYO' });
      expect((await page(elsewhere, caseId)).statusCode).toBe(404);
      expect((await post(elsewhere, `/officer/legalisation/${caseId}/complete`, 1)).statusCode).toBe(404);
      const hq = await signInOfficer(app, { postCode: 'HQ-TPE' });
      expect((await page(hq, caseId)).statusCode).toBe(200);
    });
  });

  describe('the public register', () => {
    const lookUp = (certificateNumber: string, issuedOn: string, remoteAddress = freshIp()) =>
      inject({ method: 'POST', url: '/api/v1/verify/authentication', payload: { certificateNumber, issuedOn }, remoteAddress });

    it('finds a certificate by number and issue date; a wrong date and an unknown number get the same answer', async () => {
      const { certificateNumber, issuedOn } = authenticated;
      const found = await lookUp(certificateNumber.toLowerCase(), issuedOn);
      expect(found.statusCode).toBe(200);
      expect(JSON.parse(found.body)).toMatchObject({
        result: 'valid',
        certificate: { certificateNumber, issuedOn, postCode: 'US-LAX', documents: 3, documentTypes: ['birth_certificate', 'diploma'] },
      });
      expect(found.body).not.toContain('Chen');
      const wrongDate = await lookUp(certificateNumber, '2020-01-01');
      const unknown = await lookUp('TWA-2026-999999', issuedOn);
      expect([wrongDate.statusCode, unknown.statusCode]).toEqual([200, 200]);
      expect(JSON.parse(wrongDate.body)).toEqual({ result: 'not_found' });
      expect(wrongDate.body).toBe(unknown.body);
      const recorded = await dataSource.query(`SELECT result FROM legalisation_verification_lookup ORDER BY id DESC LIMIT 3`);
      expect(recorded.map((r: { result: string }) => r.result)).toEqual(['not_found', 'not_found', 'valid']);
      expect((await lookUp(certificateNumber, 'yesterday')).statusCode).toBe(400);
    });

    it('the page answers in both languages', async () => {
      const { certificateNumber, issuedOn } = authenticated;
      const form = await inject({ method: 'GET', url: '/verify/authentication', headers: { accept: 'text/html' } });
      expect(form.statusCode).toBe(200);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
      const cookie = form.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
      const check = (fields: Record<string, string>, lang: string) =>
        inject({
          method: 'POST',
          url: `/verify/authentication?lang=${lang}`,
          headers: { cookie, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ ...fields, _csrf: csrf }).toString(),
          remoteAddress: freshIp(),
        });
      const zh = await check({ certificateNumber, issuedOn }, 'zh-Hant');
      expect(zh.statusCode).toBe(200);
      expect(zh.body).toContain('此驗證證明已登錄');
      const empty = await check({ certificateNumber: '', issuedOn: '' }, 'en');
      expect(empty.statusCode).toBe(400);
      expect(empty.body).toContain('Enter the certificate number');
    });

    it('is rate-limited per address', async () => {
      const ip = freshIp();
      for (let i = 0; i < CERTIFICATE_LOOKUPS_PER_MINUTE; i++)
        expect((await lookUp('TWA-2026-000001', '2026-01-01', ip)).statusCode).toBe(200);
      const limited = await lookUp('TWA-2026-000001', '2026-01-01', ip);
      expect(limited.statusCode).toBe(429);
      expect((await lookUp('TWA-2026-000001', '2026-01-01')).statusCode).toBe(200);
    });
  });

  it('the status page shows the certificate once authenticated; personal data is exported and erased', async () => {
    const status = await inject({
      method: 'POST',
      url: '/api/v1/status',
      payload: { reference: authenticated.reference, surname: 'Chen', dateOfBirth: '1988-03-14' },
      remoteAddress: freshIp(),
    });
    const rows = (JSON.parse(status.body).details as { rows: string[][] }[])[1]!.rows;
    expect(rows).toEqual(expect.arrayContaining([['Certificate number', authenticated.certificateNumber]]));

    const mailed = await submitted(inject, 'US-LAX', { delivery: 'mail', mailingAddress: '1 Main St, Springfield' });
    const port = app.get(ServiceCatalogue).personalData('legalisation');
    const exported = (await port.export(dataSource.manager, mailed.caseId)) as {
      request: { mailingAddress: string; items: { description: string }[] };
    };
    expect(exported.request.mailingAddress).toBe('1 Main St, Springfield');
    expect(exported.request.items[0]!.description).toBe('Birth certificate of Mei-Ling Chen, 1988');
    await dataSource.transaction((manager) => port.erase(manager, mailed.caseId));
    const [row] = await dataSource.query(`SELECT mailing_address FROM legalisation_request WHERE case_id = $1`, [mailed.caseId]);
    expect(row.mailing_address).toBeNull();
    const items = await dataSource.query(`SELECT description FROM legalisation_item WHERE case_id = $1`, [mailed.caseId]);
    expect(items.every((i: { description: string | null }) => i.description === null)).toBe(true);
  });
});
