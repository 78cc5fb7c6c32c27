import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LightMyRequestResponse } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { CaseSpine } from '@app/cases';
import { EvisaOfficerActions } from '@app/evisa';
import { startTestStack, type TestStack } from '../harness/app.js';
import {
  applicantAnswers,
  expectNoInlineScript,
  browserInjector,
  type Inject,
  matchingMrz,
  multipart,
  pngPage,
  photoWithExif,
  submittedApplication,
  td3For,
} from './helpers.js';
import { machineOf } from '../harness/catalogue.js';

function cookie(response: LightMyRequestResponse, name: string): string {
  const found = response.cookies.find((c) => c.name === name);
  if (!found) throw new Error(`no ${name} cookie`);
  return `${name}=${found.value}`;
}

const form = (values: Record<string, string>) => ({
  payload: new URLSearchParams(values).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
});

describe('eVisa pages (no JavaScript)', () => {
  let stack: TestStack;
  let app: NestFastifyApplication;
  let dataSource: DataSource;
  let inject: Inject;

  beforeAll(async () => {
    stack = await startTestStack({ ownDataSource: true });
    ({ api: app, dataSource } = stack);
    inject = await browserInjector(app);
  });

  afterAll(async () => {
    await stack?.close();
  });

  const page = (url: string, draftCookie: string, lang = 'en') =>
    inject({
      method: 'GET',
      url: `${url}${url.includes('?') ? '&' : '?'}lang=${lang}`,
      headers: { accept: 'text/html', cookie: draftCookie },
    });

  /** A multipart form posted by a browser holding `browserCookie`, as a page would send it. */
  const postMultipart = (url: string, form: ReturnType<typeof multipart>, browserCookie: string) =>
    inject({ method: 'POST', url, payload: form.payload, headers: { ...form.headers, cookie: browserCookie, accept: 'text/html' } });

  it('runs the whole journey through forms: eligibility, questions, uploads, sandbox card, confirmation', async () => {
    const answers = applicantAnswers();
    const notEligible = await inject({
      method: 'POST',
      url: '/evisa/eligibility',
      ...form({ nationality: 'XXX', purpose: 'tourism', passportType: 'ordinary', _csrf: 'x' }),
    });
    expect(notEligible.statusCode).toBe(200);
    expect(notEligible.body).toContain('You cannot apply for an eVisa');
    expect(notEligible.cookies.find((c) => c.name === 'evisa_draft')).toBeUndefined();

    const started = await inject({ method: 'POST', url: '/evisa/eligibility', ...form({ ...answers.eligibility, _csrf: 'x' }) });
    expect(started.statusCode).toBe(200);
    expect(started.body).toMatch(/\/evisa\/resume\?t=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/);
    const draft = cookie(started, 'evisa_draft');
    const setCookie = String(started.headers['set-cookie']);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).not.toMatch(/PHL|tourism/);

    // A wrong answer re-renders the page with an error summary and a field error, status 400.
    const bad = await inject({
      method: 'POST',
      url: '/evisa/questions/name',
      ...form({ surname: '陳大文', givenNames: '' }),
      headers: { ...form({}).headers, cookie: draft },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('class="error-summary"');
    expect(bad.body).toContain('<title>Error: Your name');
    expect(bad.body).toContain('href="#surname"');
    expect(bad.body).toContain('id="surname-error"');
    expect(bad.body).toContain('aria-invalid="true"');

    const steps: [string, Record<string, string>][] = [
      ['name', answers.name],
      ['personal', answers.personal],
      ['passport', answers.passport],
      ['contact', answers.contact],
      ['travel', answers.travel],
      ['stay', answers.stay],
    ];
    for (const [step, values] of steps) {
      const saved = await inject({
        method: 'POST',
        url: `/evisa/questions/${step}`,
        payload: form(values).payload,
        headers: { ...form({}).headers, cookie: draft },
      });
      expect([step, saved.statusCode]).toEqual([step, 303]);
    }
    expect(
      (
        await inject({
          method: 'POST',
          url: '/evisa/questions/stay',
          payload: form(answers.stay).payload,
          headers: { ...form({}).headers, cookie: draft },
        })
      ).headers.location,
    ).toBe('/evisa/upload/photo');

    const html = multipart([
      { name: '_csrf', value: 'x' },
      { name: 'file', filename: 'me.jpg', contentType: 'image/jpeg', data: Buffer.from('<html><body>hello</body></html>') },
    ]);
    const refused = await postMultipart('/evisa/upload/photo', html, draft);
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('The file must be a JPEG, PNG');
    const huge = multipart([
      {
        name: 'file',
        filename: 'me.jpg',
        contentType: 'image/jpeg',
        data: Buffer.concat([await photoWithExif(), Buffer.alloc(20 * 1_048_576)]),
      },
    ]);
    const tooBig = await postMultipart('/evisa/upload/photo', huge, draft);
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.body).toContain('The file must be smaller than 5 MB');
    expect(tooBig.body).toContain('class="error-summary"');

    const photo = multipart([
      { name: '_csrf', value: 'x' },
      { name: 'file', filename: 'me.jpg', contentType: 'image/jpeg', data: await photoWithExif() },
    ]);
    const uploaded = await postMultipart('/evisa/upload/photo', photo, draft);
    expect([uploaded.statusCode, uploaded.headers.location]).toEqual([303, '/evisa/upload/passport-page']);
    const scan = multipart([{ name: 'file', filename: 'page.png', contentType: 'image/png', data: await pngPage() }]);
    const scanned = await postMultipart('/evisa/upload/passport-page', scan, draft);
    expect([scanned.statusCode, scanned.headers.location]).toEqual([303, '/evisa/check-answers']);

    // An MRZ whose date of birth and sex differ from the answers: shown before payment.
    const a = applicantAnswers();
    const otherMrz = td3For({
      surname: 'DELA CRUZ',
      givenNames: 'MARIA CLARA',
      number: 'P1234567A',
      nationality: 'PHL',
      dob: '1991-04-27',
      sex: 'M',
      expiry: a.passport.passportExpiryDate,
    });
    await inject({
      method: 'POST',
      url: '/evisa/questions/mrz',
      payload: form(otherMrz).payload,
      headers: { ...form({}).headers, cookie: draft },
    });
    const check = await page('/evisa/check-answers', draft);
    expect(check.statusCode).toBe(200);
    expect(check.body).toContain('Your answers do not match your passport');
    expect(check.body.match(/class="mrz-mismatch"/g)).toHaveLength(2);
    await inject({
      method: 'POST',
      url: '/evisa/questions/mrz',
      payload: form(matchingMrz()).payload,
      headers: { ...form({}).headers, cookie: draft },
    });
    const matched = await page('/evisa/check-answers', draft, 'zh-Hant');
    expect(matched.body).toContain('您填寫的資料與護照機器判讀區相符');
    expect(matched.body).not.toContain('mrz-mismatch');

    const toPay = await inject({
      method: 'POST',
      url: '/evisa/pay',
      ...form({ _csrf: 'x' }),
      headers: { ...form({}).headers, cookie: draft },
    });
    expect(toPay.statusCode).toBe(303);
    const cardPage = String(toPay.headers.location);
    expect(cardPage).toMatch(/^\/evisa\/sandbox-pay\/sbx_[0-9a-f]{24}$/);
    const cardForm = await page(cardPage, draft);
    expect(cardForm.body).toContain('TWD 1632');
    const wrongCard = await inject({ method: 'POST', url: cardPage, ...form({ cardNumber: '1234' }) });
    expect(wrongCard.statusCode).toBe(400);
    const declined = await inject({ method: 'POST', url: cardPage, ...form({ cardNumber: '4000 0000 0000 0002' }) });
    expect(declined.statusCode).toBe(303);
    const declinedReturn = await page(String(declined.headers.location), draft);
    expect(declinedReturn.body).toContain('Your card was declined');

    const retry = await inject({
      method: 'POST',
      url: '/evisa/pay',
      ...form({ _csrf: 'x' }),
      headers: { ...form({}).headers, cookie: draft },
    });
    const secondCardPage = String(retry.headers.location);
    expect(secondCardPage).not.toBe(cardPage);
    const paid = await inject({ method: 'POST', url: secondCardPage, ...form({ cardNumber: '4242 4242 4242 4242' }) });
    const back = await page(String(paid.headers.location), draft);
    expect([back.statusCode, back.headers.location]).toEqual([303, '/evisa/confirmation']);
    const confirmation = await page('/evisa/confirmation', draft);
    expect(confirmation.statusCode).toBe(200);
    const reference = /EV-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(confirmation.body)?.[0];
    expect(reference).toBeDefined();
    const [row] = (await dataSource.query(`SELECT status FROM "case" WHERE reference = $1`, [reference])) as { status: string }[];
    expect(row?.status).toBe('SUBMITTED');
    // Returning to the card page after paying charges nothing more.
    const replay = await inject({ method: 'POST', url: secondCardPage, ...form({ cardNumber: '4242 4242 4242 4242' }) });
    expect(replay.statusCode).toBe(303);
    const [payments] = (await dataSource.query(
      `SELECT count(*) FILTER (WHERE p.status = 'succeeded')::int AS ok, count(*)::int AS n FROM evisa_payment p JOIN "case" c ON c.id = p.case_id WHERE c.reference = $1`,
      [reference],
    )) as { ok: number; n: number }[];
    expect(payments).toEqual({ ok: 1, n: 2 });
  });

  it('renders every page in English and Traditional Chinese, with no inline script or style', async () => {
    const started = await inject({ method: 'POST', url: '/evisa/eligibility', ...form(applicantAnswers().eligibility) });
    const draft = cookie(started, 'evisa_draft');
    const urls = [
      '/evisa',
      '/evisa/eligibility',
      ...['name', 'personal', 'passport', 'contact', 'travel', 'stay', 'mrz'].map((s) => `/evisa/questions/${s}`),
      '/evisa/upload/photo',
      '/evisa/upload/passport-page',
      '/evisa/check-answers',
      '/evisa/resume',
      '/evisa/delete-draft',
      '/evisa/access',
    ];
    for (const lang of ['en', 'zh-Hant']) {
      for (const url of urls) {
        const response = await page(url, draft, lang);
        expect([url, lang, response.statusCode]).toEqual([url, lang, 200]);
        expect(response.body).toContain(`<html lang="${lang}">`);
        expectNoInlineScript(response.body);
        expect(response.body).not.toMatch(/evisa\.[a-z]+\.[a-zA-Z.]+/); // no untranslated message keys
      }
    }
    const zh = await page('/evisa/questions/name', draft, 'zh-Hant');
    expect(zh.body).toContain('您的姓名');
    const noDraft = await inject({ method: 'GET', url: '/evisa/resume?lang=zh-Hant', headers: { accept: 'text/html' } });
    expect(noDraft.body).toContain('class="empty-state"');
    const badLink = await inject({ method: 'GET', url: '/evisa/resume?t=not-a-token', headers: { accept: 'text/html' } });
    expect(badLink.statusCode).toBe(404);
    expect(badLink.body).toContain('This link is not valid or has expired');
    const withoutDraft = await inject({ method: 'GET', url: '/evisa/questions/name', headers: { accept: 'text/html' } });
    expect([withoutDraft.statusCode, withoutDraft.headers.location]).toEqual([303, '/evisa/resume']);
  });

  it('resumes a draft from its signed link and deletes it on request', async () => {
    const started = await inject({ method: 'POST', url: '/evisa/eligibility', ...form(applicantAnswers().eligibility) });
    const link = /\/evisa\/resume\?t=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/.exec(started.body)![0];
    const resumed = await inject({ method: 'GET', url: link, headers: { accept: 'text/html' } });
    expect([resumed.statusCode, resumed.headers.location]).toEqual([303, '/evisa/questions/name']);
    const draft = cookie(resumed, 'evisa_draft');
    const confirmPage = await page('/evisa/delete-draft', draft);
    const version = /name="version" value="(\d+)"/.exec(confirmPage.body)![1]!;
    const deleted = await inject({
      method: 'POST',
      url: '/evisa/delete-draft',
      ...form({ version }),
      headers: { ...form({}).headers, cookie: draft },
    });
    expect(deleted.statusCode).toBe(200);
    expect(deleted.body).toContain('Your application has been deleted');
    const again = await inject({ method: 'GET', url: link, headers: { accept: 'text/html' } });
    expect(again.statusCode).toBe(404);
  });

  it('lets an applicant find their case, answer a request for information and withdraw, in both languages', async () => {
    const { caseId, reference } = await submittedApplication(inject);
    const denied = await inject({
      method: 'POST',
      url: '/evisa/access',
      ...form({ reference, surname: 'SANTOS', dateOfBirth: '1990-04-27' }),
    });
    expect([denied.statusCode, denied.statusCode === 400 ? '' : denied.body]).toEqual([400, '']);
    expect(denied.body).toContain('We could not find an application with these details');
    const granted = await inject({
      method: 'POST',
      url: '/evisa/access',
      ...form({ reference, surname: 'Dela Cruz', dateOfBirth: '1990-04-27' }),
    });
    expect([granted.statusCode, granted.headers.location]).toEqual([303, '/evisa/application']);
    const applicant = cookie(granted, 'evisa_case');
    const calm = await page('/evisa/application', applicant);
    expect(calm.body).toContain('class="empty-state"');

    const officer = {
      id: randomUUID(),
      username: 'o',
      displayName: 'O',
      roles: ['officer'] as const,
      postCode: 'PH-MNL',
      seesAllPosts: false,
    };
    const [{ version }] = (await dataSource.query(`SELECT version FROM "case" WHERE id = $1`, [caseId])) as { version: number }[];
    await dataSource.transaction(async (m) => {
      const { case: claimed } = await app.get(CaseSpine).transition(m, {
        machine: machineOf('evisa'),
        caseId,
        expectedVersion: version!,
        to: 'IN_REVIEW',
        actor: { type: 'officer', id: officer.id },
        visibility: 'internal',
        set: { assignedOfficerId: officer.id, claimExpiresAt: new Date(Date.now() + 3_600_000) },
      });
      await app
        .get(EvisaOfficerActions)
        .requestInformation(m, caseId, claimed.version, officer, 'Send your hotel booking.', new Date(Date.now() + 7 * 86_400_000));
    });
    for (const lang of ['en', 'zh-Hant']) {
      for (const url of ['/evisa/application', '/evisa/application/respond', '/evisa/application/withdraw']) {
        const response = await page(url, applicant, lang);
        expect([url, lang, response.statusCode]).toEqual([url, lang, 200]);
        if (!url.endsWith('withdraw')) expect(response.body).toContain('Send your hotel booking.');
        expectNoInlineScript(response.body);
      }
    }
    const respondPage = await page('/evisa/application/respond', applicant);
    const formVersion = /name="version" value="(\d+)"/.exec(respondPage.body)![1]!;
    const emptyAnswer = multipart([
      { name: 'version', value: formVersion },
      { name: 'text', value: '' },
    ]);
    const refused = await postMultipart('/evisa/application/respond', emptyAnswer, applicant);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('href="#text"');
    const answer = multipart([
      { name: 'version', value: formVersion },
      { name: 'text', value: 'Booking attached.' },
      { name: 'files', filename: 'booking.png', contentType: 'image/png', data: await pngPage() },
    ]);
    const answered = await postMultipart('/evisa/application/respond', answer, applicant);
    expect([answered.statusCode, answered.headers.location]).toEqual([303, '/evisa/application']);
    expect((await page('/evisa/application', applicant)).body).toContain('Submitted');

    const withdrawPage = await page('/evisa/application/withdraw', applicant, 'zh-Hant');
    const withdrawVersion = /name="version" value="(\d+)"/.exec(withdrawPage.body)![1]!;
    const withdrawn = await inject({
      method: 'POST',
      url: '/evisa/application/withdraw',
      ...form({ version: withdrawVersion }),
      headers: { ...form({}).headers, cookie: applicant },
    });
    expect(withdrawn.statusCode).toBe(200);
    expect(withdrawn.body).toContain(reference);
    const [row] = (await dataSource.query(`SELECT status FROM "case" WHERE id = $1`, [caseId])) as { status: string }[];
    expect(row?.status).toBe('WITHDRAWN');
    expect((await page('/evisa/application/withdraw', applicant)).body).toContain('can no longer be withdrawn');
  });
});
