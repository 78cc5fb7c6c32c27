import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LightMyRequestResponse } from 'fastify';
import type { DataSource } from 'typeorm';
import { CaseSpine } from '@app/cases';
import { FieldCipher } from '@app/platform';
import { SubjectAccessService } from '@app/lifecycle';
import { startTestStack, type TestStack } from '../harness/app.js';
import { createAccessToken, signInOfficer, type SignedInOfficer } from '../harness/identity.js';
import { officerAt } from '../harness/officers.js';
import { openTestCase } from '../harness/spine.js';
import { browserInjector, errorOf, type Inject, injector, submittedApplication } from '../evisa/helpers.js';
import { machineOf } from '../harness/catalogue.js';

interface ExportedCase {
  reference: string;
  service: string;
  status: string;
  postCode: string;
  contact: { name: string | null; email: string | null; phone: string | null };
  answers: {
    application?: { answers: Record<string, string | null> };
    informationRequests?: unknown[];
    payments?: { amount: number; currency: string; status: string }[];
  };
  events: { seq: number; type: string; toStatus: string | null }[];
  files: { id: string; kind: string; mimeType: string; sizeBytes: number; sha256: string }[];
}

describe('subject access export', () => {
  let stack: TestStack;
  let api: NestFastifyApplication;
  let dataSource: DataSource;
  let inject: Inject;
  /** Without the anonymous visitor's CSRF cookie and header that `inject` adds, as an API client calls. */
  let call: Inject;
  let supervisor: SignedInOfficer;
  let token: string;

  beforeAll(async () => {
    stack = await startTestStack({ ownDataSource: true });
    ({ api, dataSource } = stack);
    inject = await browserInjector(api);
    call = injector(api);
    supervisor = await signInOfficer(api, { roles: ['supervisor'], postCode: 'US-LAX' });
    token = await createAccessToken(api, supervisor.authenticated);
  });

  afterAll(async () => {
    await stack?.close();
  });

  const request = (payload: Record<string, unknown>, headers: Record<string, string> = { authorization: `Bearer ${token}` }) =>
    call({ method: 'POST', url: '/api/v1/officer/subject-access-exports', headers, payload });
  const casesOf = (response: LightMyRequestResponse) => (response.json() as { cases: ExportedCase[] }).cases;

  it('gives a supervisor everything held about a person across their cases, found by reference or by email, and audits it', async () => {
    // Two eVisa applications by the same person (same email), and someone else's passport case.
    const first = await submittedApplication(inject);
    const second = await submittedApplication(inject);
    const other = await dataSource.transaction((m) =>
      api.get(CaseSpine).openCase(m, {
        machine: machineOf('passport'),
        status: 'SUBMITTED',
        postCode: 'JP-TYO',
        locale: 'zh-Hant',
        applicant: { name: 'LIN Wei', email: 'lin.wei@example.test', phone: '+81355550100' },
        actor: { type: 'applicant' },
      }),
    );

    // An officer's request for information on the passport case, as the review queue records it.
    await dataSource.transaction((m) =>
      api.get(CaseSpine).recordEvent(m, {
        caseId: other.id,
        actor: { type: 'officer', id: 'someone' },
        type: 'case.information_requested',
        visibility: 'applicant',
        payload: {
          message: api.get(FieldCipher).encrypt('Send a copy of your ID card.', `case_event.message:${other.id}`),
          deadline: '2026-12-01',
        },
      }),
    );

    const byReference = await request({ reference: first.reference.toLowerCase() });
    expect(byReference.statusCode).toBe(200);
    expect(byReference.headers['cache-control']).toBe('private, no-store');
    const body = byReference.json() as { exportId: string; searchedBy: string[]; generatedBy: { username: string } };
    expect(body.searchedBy).toEqual(['reference']);
    expect(body.generatedBy.username).toBe(supervisor.officer.username);
    const cases = casesOf(byReference);
    expect(cases.map((c) => c.reference).sort()).toEqual([first.reference, second.reference].sort());
    for (const exported of cases) {
      expect(exported).toMatchObject({
        service: 'evisa',
        status: 'SUBMITTED',
        contact: { name: 'DELA CRUZ MARIA CLARA', email: 'maria@example.test', phone: expect.stringContaining('917') as unknown },
      });
      expect(exported.answers.application?.answers).toMatchObject({
        surname: 'DELA CRUZ',
        dateOfBirth: '1990-04-27',
        passportNumber: 'P1234567A',
        stayAddress: 'Grand Hotel, 1 Zhongshan N. Rd, Taipei',
      });
      expect(exported.answers.payments).toEqual([expect.objectContaining({ status: 'succeeded' })]);
      // Only what the applicant could see of the history: the draft's internal opening is left out.
      expect(exported.events.map((e) => e.type)).toEqual(['evisa.submitted']);
      expect(exported.files.map((f) => f.kind).sort()).toEqual(['evisa-passport-page', 'evisa-photo']);
      expect(exported.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256) && f.sizeBytes > 0)).toBe(true);
    }
    expect(byReference.body).not.toContain('LIN Wei');
    expect(byReference.body).not.toMatch(/"v1\.[A-Za-z0-9_-]+\./);

    const byEmail = await request({ email: '  MARIA@example.test ' });
    expect(casesOf(byEmail).map((c) => c.reference)).toEqual(cases.map((c) => c.reference));
    const both = await request({ reference: other.reference, email: 'maria@example.test' });
    expect(
      casesOf(both)
        .map((c) => c.reference)
        .sort(),
    ).toEqual([first.reference, second.reference, other.reference].sort());
    expect(casesOf(both).find((c) => c.reference === other.reference)).toMatchObject({
      contact: { name: 'LIN Wei', email: 'lin.wei@example.test' },
      answers: {},
      events: [
        { type: 'case.opened', toStatus: 'SUBMITTED' },
        { type: 'case.information_requested', message: 'Send a copy of your ID card.', deadline: '2026-12-01' },
      ],
      files: [],
    });

    const audited = (await dataSource.query(
      `SELECT actor_type, actor_name, target_id, details FROM audit_log WHERE action = 'export.created' AND details->>'exportId' = $1 ORDER BY seq`,
      [body.exportId],
    )) as { actor_type: string; actor_name: string; target_id: string; details: Record<string, unknown> }[];
    expect(audited.map((row) => row.target_id).sort()).toEqual([first.caseId, second.caseId].sort());
    expect(audited[0]).toMatchObject({
      actor_type: 'officer',
      actor_name: supervisor.officer.username,
      details: { kind: 'subject_access', searchedBy: ['reference'], cases: 2 },
    });
    expect(JSON.stringify(audited)).not.toContain('maria');
  });

  it('answers an unknown person with no cases, an unknown reference with 404, and no question with 400; only supervisors may ask', async () => {
    const nobody = await request({ email: 'nobody@example.test' });
    expect([nobody.statusCode, casesOf(nobody)]).toEqual([200, []]);
    const [auditedNobody] = (await dataSource.query(
      `SELECT target_id, details FROM audit_log WHERE action = 'export.created' ORDER BY seq DESC LIMIT 1`,
    )) as { target_id: string | null; details: Record<string, unknown> }[];
    expect(auditedNobody).toMatchObject({ target_id: null, details: { cases: 0, searchedBy: ['email'] } });

    for (const reference of ['EV-0000-0000', 'not a reference']) {
      const unknown = await request({ reference });
      expect([unknown.statusCode, errorOf(unknown).code]).toEqual([404, 'CASE_NOT_FOUND']);
    }
    for (const payload of [{}, { reference: '  ' }, { email: 'not-an-email' }, { email: 'a@example.test', extra: 1 }]) {
      const bad = await request(payload);
      expect([bad.statusCode, errorOf(bad).code]).toEqual([400, 'VALIDATION_FAILED']);
    }

    const officer = await signInOfficer(api, { roles: ['officer'], postCode: 'US-LAX' });
    const admin = await signInOfficer(api, { roles: ['admin'], postCode: 'HQ-TPE' });
    for (const caller of [officer, admin]) {
      const refused = await request({ email: 'maria@example.test' }, { cookie: caller.cookie, 'x-csrf-token': caller.csrfToken });
      expect(refused.statusCode).toBe(403);
    }
    expect((await request({ email: 'maria@example.test' }, {})).statusCode).toBe(401);
    // With the session cookie, a write needs the CSRF token.
    const noCsrf = await request({ email: 'nobody@example.test' }, { cookie: supervisor.cookie });
    expect(noCsrf.statusCode).toBe(403);
    const withCsrf = await request({ email: 'nobody@example.test' }, { cookie: supervisor.cookie, 'x-csrf-token': supervisor.csrfToken });
    expect(withCsrf.statusCode).toBe(200);
  });

  it('searches only the cases in the officer’s post scope', async () => {
    const spine = api.get(CaseSpine);
    const atTokyo = await dataSource.transaction((m) => openTestCase(spine, m, 'passport', 'JP-TYO'));
    const atLosAngeles = await dataSource.transaction((m) => openTestCase(spine, m, 'legalisation', 'US-LAX'));
    const exports = api.get(SubjectAccessService);
    // openTestCase gives both the same applicant email.
    const scoped = await exports.export(officerAt('US-LAX', ['supervisor']), { email: 'mei@example.test' }, null);
    expect(scoped.cases.map((c) => c.reference)).toEqual([atLosAngeles.reference]);
    await expect(exports.export(officerAt('US-LAX', ['supervisor']), { reference: atTokyo.reference }, null)).rejects.toMatchObject({
      code: 'CASE_NOT_FOUND',
    });
    const everywhere = await exports.export(officerAt('HQ-TPE', ['supervisor'], true), { reference: atTokyo.reference }, null);
    expect(everywhere.cases.map((c) => c.reference).sort()).toEqual([atTokyo.reference, atLosAngeles.reference].sort());
  });
});
