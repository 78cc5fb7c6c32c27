import { createTestOfficer, signInOfficer, type TestOfficer } from '../harness/identity.js';
import { photo } from '../passports/helpers.js';
import {
  type AxeAuditor,
  type BrowserSuite,
  JOURNEY_TIMEOUT_MS,
  checkpoints,
  fillForm,
  go,
  pathOf,
  type Stack,
  startBrowserSuite,
  signInWithTotp,
  openVisitor,
} from './harness.js';

/**
 * A chip passport in a real Chromium: an applicant without JavaScript, in English, renews a
 * passport (one step wrongly first), uploads a photo and gets the reference; a Los Angeles officer
 * signs in with TOTP, claims and approves it; HQ prints and dispatches it; the Los Angeles officer
 * marks it ready to collect on the fulfilment page; the applicant checks the status in Traditional
 * Chinese. Every page is audited with axe (WCAG 2.2 AA).
 */
describe('passport journey in Chromium', () => {
  let suite: BrowserSuite;
  let stack: Stack;
  let axe: AxeAuditor;
  let officer: TestOfficer;

  beforeAll(async () => {
    suite = await startBrowserSuite();
    ({ stack, axe } = suite);
    officer = await createTestOfficer(stack.api, { postCode: 'US-LAX' });
  }, JOURNEY_TIMEOUT_MS);

  afterAll(async () => {
    await suite?.close();
  });

  it(
    'an applicant applies without JavaScript; an officer approves; HQ prints and dispatches; the post makes it ready; the status shows it in Chinese',
    async () => {
      const {
        context: applicantContext,
        page: applicant,
        problems,
        check,
      } = await openVisitor(suite, { javaScriptEnabled: false, locale: 'en-GB', journey: 'passport-applicant-nojs-en', lang: 'en' });
      const submit = () => go(applicant, 'main form[method="post"] button[type="submit"]');

      await applicant.goto(`${stack.baseUrl}/`);
      await go(applicant, 'main a[href="/passport"]');
      expect(await applicant.textContent('main')).toContain('USD 45 at a post abroad');
      await check('start');
      await go(applicant, 'main a[href="/passport/kind"]');
      await check('kind');
      await fillForm(applicant, { kind: 'renewal' });
      await submit();
      expect(pathOf(applicant)).toBe('/passport/identity');
      await check('identity');

      // One failed step: the error summary links to the field.
      await fillForm(applicant, {
        surname: 'Lin',
        givenNames: 'Yu-Ting',
        sex: 'F',
        dobDay: '20',
        dobMonth: 'May',
        dobYear: '1990',
        placeOfBirth: 'Taichung',
        email: 'yu-ting.lin@example.test',
        locale: 'zh-Hant',
      });
      expect(await submit()).toBe(400);
      expect(
        await applicant.locator('main .error-summary a').evaluateAll((links) => links.map((a) => (a as unknown as { hash: string }).hash)),
      ).toEqual(['#dateOfBirth']);
      expect(await applicant.getAttribute('#dateOfBirth', 'aria-invalid')).toBe('true');
      await check('identity-error');
      await fillForm(applicant, { dobMonth: '5' });
      await submit();
      expect(pathOf(applicant)).toBe('/passport/photo');
      await check('photo');
      await applicant.setInputFiles('#photo', { name: 'me.jpg', mimeType: 'image/jpeg', buffer: await photo() });
      await submit();
      expect(pathOf(applicant)).toBe('/passport/previous');
      await check('previous');
      await fillForm(applicant, { previousPassportNumber: '312345678' });
      await submit();
      expect(pathOf(applicant)).toBe('/passport/post');
      await check('post');
      await fillForm(applicant, { postCode: 'US-LAX' });
      await submit();
      expect(pathOf(applicant)).toBe('/passport/check');
      expect(await applicant.textContent('main')).toContain('USD 45');
      await check('check-answers');
      await submit();
      expect(pathOf(applicant)).toBe('/passport/confirmation');
      const reference = (await applicant.textContent('#reference'))!.trim();
      expect(reference).toMatch(/^PP-/);
      await check('confirmation');
      expect(problems).toEqual([]);
      const [{ id: caseId }] = (await stack.dataSource.query(`SELECT id FROM "case" WHERE reference = $1`, [reference])) as {
        id: string;
      }[];

      // The officer: password, TOTP, the queue, claim, approve.
      const {
        context: officerContext,
        page: desk,
        problems: deskProblems,
        check: checkDesk,
      } = await openVisitor(suite, { locale: 'en-GB', journey: 'passport-officer-en', lang: 'en' });
      const submitDesk = (form = 'main form[method="post"]') => go(desk, `${form} button[type="submit"]`);
      await signInWithTotp({ page: desk, check: checkDesk }, stack.baseUrl, officer);
      await go(desk, 'header nav a[href="/officer/queue"]');
      expect(await desk.textContent('main table')).toContain(reference);
      await checkDesk('queue');
      await submitDesk('main form[action="/officer/queue/claim-next"]');
      expect(pathOf(desk)).toBe(`/officer/cases/${caseId}`);
      expect(await desk.textContent('main')).toContain('Lin, Yu-Ting');
      expect(await desk.locator(`main a[href="/officer/passports/${caseId}/photo"]`).count()).toBe(1);
      await checkDesk('case-claimed');
      const caseForm = 'main form[action$="/decide"]';
      await fillForm(desk, { action: 'approve' }, caseForm);
      await submitDesk(caseForm);
      expect(desk.url()).toContain('done=approve');
      await checkDesk('case-approved');

      // HQ prints and dispatches (through its pages' form posts).
      const hq = await signInOfficer(stack.api, { postCode: 'HQ-TPE' });
      const hqStep = async (step: string, fields: Record<string, string>) => {
        const [{ version }] = (await stack.dataSource.query(`SELECT version FROM "case" WHERE id = $1`, [caseId])) as { version: number }[];
        const response = await stack.api
          .getHttpAdapter()
          .getInstance()
          .inject({
            method: 'POST',
            url: `/officer/passports/${caseId}/${step}`,
            headers: { ...hq.headers, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
            payload: new URLSearchParams({ _csrf: hq.csrfToken, expectedVersion: String(version), ...fields }).toString(),
          });
        expect(response.statusCode).toBe(303);
      };
      await hqStep('print', { passportNumber: '312349999' });
      await hqStep('dispatch', { tracking: 'EMS-000111222TW' });

      // The collecting post marks it ready, in the browser.
      await desk.goto(`${stack.baseUrl}/officer/cases/${caseId}`);
      await go(desk, `main a[href="/officer/passports/${caseId}"]`);
      expect(await desk.textContent('main')).toContain('Mark as ready to collect');
      await checkDesk('fulfilment');
      await submitDesk();
      expect(await desk.textContent('main .tag')).toBe('Ready to collect');
      await checkDesk('ready-to-collect');
      expect(deskProblems).toEqual([]);

      // The applicant checks the status, in Chinese this time.
      const checkZh = checkpoints(axe, applicant, 'passport-status-zh', 'zh-Hant');
      await applicant.goto(`${stack.baseUrl}/status?lang=zh-Hant`);
      await checkZh('status-check');
      await fillForm(applicant, { reference, surname: 'Lin', dobDay: '20', dobMonth: '5', dobYear: '1990' });
      expect(await submit()).toBe(200);
      const shown = await applicant.innerText('main');
      expect(shown).toContain('您的護照申請');
      expect(shown).toContain('駐洛杉磯台北經濟文化辦事處');
      expect(shown).toContain('可領取日期');
      for (const secret of ['312349999', '312345678', 'EMS-000111222TW']) expect(shown).not.toContain(secret);
      await checkZh('status');
      expect(problems).toEqual([]);

      await applicantContext.close();
      await officerContext.close();
    },
    JOURNEY_TIMEOUT_MS,
  );
});
