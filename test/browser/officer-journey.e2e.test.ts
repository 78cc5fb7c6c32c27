import { addDays } from '@app/evisa';
import { totpCode } from '@app/identity';
import { eventually } from '../harness/context.js';
import { createTestOfficer, type TestOfficer } from '../harness/identity.js';
import { browserInjector, pngPage, submittedApplication, today } from '../evisa/helpers.js';
import {
  type BrowserSuite,
  JOURNEY_TIMEOUT_MS,
  downloadEvisa,
  fillForm,
  go,
  openVisitor,
  pathOf,
  type Stack,
  startBrowserSuite,
} from './harness.js';

/**
 * An officer of the Manila post in a real Chromium: signs in with a password and a TOTP code, claims
 * the next case from the review queue, asks the applicant for more information with a deadline; the
 * applicant (no JavaScript, Traditional Chinese) answers with a text and a file on their case page;
 * the officer claims the case again and approves it, and the applicant downloads the issued eVisa.
 */
describe('officer review journey in Chromium', () => {
  let suite: BrowserSuite;
  let stack: Stack;
  let officer: TestOfficer;

  beforeAll(async () => {
    suite = await startBrowserSuite();
    ({ stack } = suite);
    officer = await createTestOfficer(stack.api, { postCode: 'PH-MNL' });
  }, JOURNEY_TIMEOUT_MS);

  afterAll(async () => {
    await suite?.close();
  });

  const statusOf = async (caseId: string) =>
    ((await stack.dataSource.query(`SELECT status FROM "case" WHERE id = $1`, [caseId])) as { status: string }[])[0]!.status;

  it(
    'signs in with TOTP, requests information, gets the answer and a file, approves; the applicant downloads the eVisa',
    async () => {
      const { caseId, reference } = await submittedApplication(await browserInjector(stack.api));

      const {
        context: officerContext,
        page: desk,
        problems,
        check: checkDesk,
      } = await openVisitor(suite, { locale: 'en-GB', journey: 'officer-en', lang: 'en' });
      const {
        context: applicantContext,
        page: applicant,
        check: checkApplicant,
      } = await openVisitor(suite, { javaScriptEnabled: false, locale: 'zh-TW', journey: 'officer-applicant-nojs-zh', lang: 'zh-Hant' });
      const submitDesk = (form = 'main form[method="post"]') => go(desk, `${form} button[type="submit"]`);
      const submitApplicant = () => go(applicant, 'main form[method="post"] button[type="submit"]');
      const caseForm = 'main form[action$="/decide"]';

      // Password, then a wrong code, then the right one.
      await desk.goto(`${stack.baseUrl}/officer/sign-in`);
      await checkDesk('sign-in');
      await fillForm(desk, { username: officer.officer.username, password: officer.password });
      await submitDesk();
      expect(pathOf(desk)).toBe('/officer/sign-in/mfa');
      await checkDesk('mfa');
      const now = Date.now();
      const validCodes = [-30_000, 0, 30_000].map((shift) => totpCode(officer.totpSecret!, new Date(now + shift)));
      const wrongCode = ['000000', '111111', '222222', '333333'].find((code) => !validCodes.includes(code))!;
      await fillForm(desk, { code: wrongCode });
      await submitDesk();
      expect(pathOf(desk)).toBe('/officer/sign-in/mfa');
      expect(await desk.getAttribute('#code', 'aria-invalid')).toBe('true');
      await checkDesk('mfa-error');
      await fillForm(desk, { code: totpCode(officer.totpSecret!, new Date()) });
      await submitDesk();
      expect(pathOf(desk)).toBe('/officer');
      await checkDesk('home');

      // The queue, reached from the officer menu; claim the next case.
      await go(desk, 'header nav a[href="/officer/queue"]');
      expect(await desk.textContent('main table')).toContain(reference);
      // Status tags name the status in words; the code stays in their title.
      const queueRow = desk.locator('main table tr', { hasText: reference });
      expect([await queueRow.locator('.tag').textContent(), await queueRow.locator('.tag').getAttribute('title')]).toEqual([
        'Application received',
        'SUBMITTED',
      ]);
      await checkDesk('queue');
      await submitDesk('main form[action="/officer/queue/claim-next"]');
      expect(pathOf(desk)).toBe(`/officer/cases/${caseId}`);
      expect(await desk.textContent('main h1')).toContain(reference);
      expect([await desk.textContent('main h1 .tag'), await desk.getAttribute('main h1 .tag', 'title')]).toEqual([
        'Being reviewed',
        'IN_REVIEW',
      ]);
      await checkDesk('case-claimed');

      // Revoking is for issued eVisas only: the page, inside the officer layout, says so and leads back.
      await desk.goto(`${stack.baseUrl}/officer/evisa/${caseId}/revoke`);
      expect(pathOf(desk)).toBe(`/officer/evisa/${caseId}/revoke`);
      expect(await desk.locator('header nav a[href="/officer/queue"]').count()).toBe(1);
      expect(await desk.textContent('main .notice')).toContain('Only an issued eVisa can be revoked.');
      expect(await desk.textContent('main .notice .tag')).toBe('Being reviewed');
      await checkDesk('revoke-not-issued');
      await go(desk, `main a[href="/officer/cases/${caseId}"]`);

      // Asking without a message or a deadline is refused with the errors next to their fields.
      await fillForm(desk, { action: 'requestInfo' }, caseForm);
      await submitDesk(caseForm);
      expect(
        await desk.locator('main .error-summary a').evaluateAll((links) => links.map((a) => (a as unknown as { hash: string }).hash)),
      ).toEqual(['#text', '#deadline']);
      await checkDesk('case-request-error');
      const deadline = addDays(today(), 14);
      await fillForm(desk, { action: 'requestInfo', text: 'Please send your hotel booking.', deadline }, caseForm);
      await submitDesk(caseForm);
      expect(desk.url()).toContain('done=requestInfo');
      expect(await statusOf(caseId)).toBe('INFO_REQUESTED');
      await checkDesk('case-info-requested');

      // The applicant finds the request on their case page and answers it with a text and a file.
      await applicant.goto(`${stack.baseUrl}/evisa/access?lang=zh-Hant`);
      await checkApplicant('access');
      await fillForm(applicant, { reference, surname: 'Dela Cruz', dateOfBirth: '1990-04-27' });
      await submitApplicant();
      expect(pathOf(applicant)).toBe('/evisa/application');
      expect(await applicant.textContent('main')).toContain('Please send your hotel booking.');
      const deadlineInChinese = new Intl.DateTimeFormat('zh-TW', { dateStyle: 'long', timeZone: 'UTC' }).format(
        new Date(`${deadline}T12:00:00Z`),
      );
      expect(await applicant.textContent('main')).toContain(deadlineInChinese);
      await checkApplicant('application-request');
      await go(applicant, 'main a[href="/evisa/application/respond"]');
      await checkApplicant('respond');
      await fillForm(applicant, { text: 'My booking is attached.' });
      await applicant.setInputFiles('#files', { name: 'booking.png', mimeType: 'image/png', buffer: await pngPage() });
      await submitApplicant();
      expect(pathOf(applicant)).toBe('/evisa/application');
      expect(await statusOf(caseId)).toBe('SUBMITTED');
      await checkApplicant('application-answered');

      // Back in the queue: the case is there again; the officer claims it, sees the answer and approves.
      await go(desk, 'header nav a[href="/officer/queue"]');
      await submitDesk('main form[action="/officer/queue/claim-next"]');
      expect(pathOf(desk)).toBe(`/officer/cases/${caseId}`);
      expect(await desk.textContent('main')).toContain('My booking is attached.');
      expect(await desk.locator(`main a[href^="/officer/cases/${caseId}/files/"]`).count()).toBe(3);
      await checkDesk('case-reclaimed');

      // An internal note, in the field its label names; an empty one is refused next to that field.
      await go(desk, 'main form[action$="/notes"] button[type="submit"]');
      expect(await desk.getAttribute('main .error-summary a', 'href')).toBe(
        `#${await desk.getByLabel('Note', { exact: true }).getAttribute('id')}`,
      );
      await checkDesk('case-note-error');
      await desk.getByLabel('Note', { exact: true }).fill('Hotel booking checked.');
      await go(desk, 'main form[action$="/notes"] button[type="submit"]');
      expect(desk.url()).toContain('done=note');
      expect(await desk.textContent('main .timeline')).toContain('Hotel booking checked.');
      await fillForm(desk, { action: 'approve' }, caseForm);
      await submitDesk(caseForm);
      expect(desk.url()).toContain('done=approve');
      await checkDesk('case-approved');

      // The worker renders the eVisa; the applicant's page offers it.
      expect(
        await eventually(
          () => statusOf(caseId),
          (status) => status === 'ISSUED',
          30_000,
        ),
      ).toBe('ISSUED');
      await applicant.reload();
      await checkApplicant('application-issued');
      expect(await downloadEvisa(applicant, reference)).toMatchObject({ valid: true, surname: 'DELA CRUZ', nationality: 'PHL' });

      // The issued eVisa's revocation form, inside the officer layout (not submitted).
      await desk.goto(`${stack.baseUrl}/officer/evisa/${caseId}/revoke`);
      expect(pathOf(desk)).toBe(`/officer/evisa/${caseId}/revoke`);
      expect(await desk.locator('header nav a[href="/officer/queue"]').count()).toBe(1);
      expect(await desk.locator(`main form[action="/officer/evisa/${caseId}/revoke"] input[name="reason"]`).count()).toBeGreaterThan(0);
      await checkDesk('revoke');

      // Signing out ends the session: the queue asks for a sign-in again.
      await submitDesk('header form[action="/officer/sign-out"]');
      expect(pathOf(desk)).toBe('/officer/sign-in');
      expect(await desk.locator('header nav a[href="/officer/queue"]').count()).toBe(0);
      await checkDesk('signed-out');
      await desk.goto(`${stack.baseUrl}/officer/queue`);
      expect(pathOf(desk)).toBe('/officer/sign-in');
      expect(problems).toEqual([]);
      await officerContext.close();
      await applicantContext.close();
    },
    JOURNEY_TIMEOUT_MS,
  );
});
