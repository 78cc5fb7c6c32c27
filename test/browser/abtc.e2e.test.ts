import { createTestOfficer, type TestOfficer } from '../harness/identity.js';
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

/** Full members other than those the journey answers by hand; they refuse, so the card lists only the approvals. */
const OTHER_FULL_MEMBERS = ['AUS', 'BRN', 'CHL', 'CHN', 'HKG', 'IDN', 'MYS', 'MEX', 'NZL', 'PNG', 'PER', 'PHL', 'RUS', 'THA', 'VNM'];

/**
 * The APEC Business Travel Card in a real Chromium: an applicant without JavaScript, in English,
 * applies (one step wrongly first) and gets the reference; an HQ officer signs in with TOTP, claims
 * the application, approves the home check, records every economy's answer and issues the card;
 * the applicant checks the status in Traditional Chinese and sees the clearance table. Every page
 * is audited with axe (WCAG 2.2 AA).
 */
describe('ABTC journey in Chromium', () => {
  let suite: BrowserSuite;
  let stack: Stack;
  let axe: AxeAuditor;
  let officer: TestOfficer;

  beforeAll(async () => {
    suite = await startBrowserSuite();
    ({ stack, axe } = suite);
    officer = await createTestOfficer(stack.api, { postCode: 'HQ-TPE' });
  }, JOURNEY_TIMEOUT_MS);

  afterAll(async () => {
    await suite?.close();
  });

  it(
    'an applicant applies without JavaScript; an officer clears and issues the card; the applicant reads the clearances in Chinese',
    async () => {
      const {
        context: applicantContext,
        page: applicant,
        problems,
        check,
      } = await openVisitor(suite, { javaScriptEnabled: false, locale: 'en-GB', journey: 'abtc-applicant-nojs-en', lang: 'en' });
      const submit = () => go(applicant, 'main form[method="post"] button[type="submit"]');

      await applicant.goto(`${stack.baseUrl}/`);
      await check('home');
      await go(applicant, 'main a[href="/abtc"]');
      expect(await applicant.textContent('main')).toContain('TWD 5000');
      await check('start');
      await go(applicant, 'main a[href="/abtc/details"]');
      await check('details');

      // One failed step: the error summary links to the field.
      await fillForm(applicant, {
        givenNames: 'Chia-Hao',
        surname: 'Lin',
        dobDay: '2',
        dobMonth: 'June',
        dobYear: '1979',
        sex: 'M',
        email: 'chia-hao.lin@example.test',
        locale: 'en',
      });
      expect(await submit()).toBe(400);
      expect(
        await applicant.locator('main .error-summary a').evaluateAll((links) => links.map((a) => (a as unknown as { hash: string }).hash)),
      ).toEqual(['#dateOfBirth']);
      expect(await applicant.getAttribute('#dateOfBirth', 'aria-invalid')).toBe('true');
      await check('details-error');
      await fillForm(applicant, { dobMonth: '6' });
      await submit();
      expect(pathOf(applicant)).toBe('/abtc/passport');
      await check('passport');
      await fillForm(applicant, { nationality: 'TWN', passportNumber: '312345678', passportExpiry: '2034-05-31' });
      await submit();
      expect(pathOf(applicant)).toBe('/abtc/business');
      await check('business');
      await fillForm(applicant, {
        companyName: 'Formosa Semiconductor Trading Co.',
        jobTitle: 'Regional sales director',
        businessReason: 'Quarterly visits to distributors in Japan, Korea and Singapore.',
      });
      await submit();
      expect(pathOf(applicant)).toBe('/abtc/check');
      expect(await applicant.textContent('main')).toContain('312345678');
      await check('check-answers');
      await submit();
      expect(pathOf(applicant)).toBe('/abtc/confirmation');
      const reference = (await applicant.textContent('#reference'))!.trim();
      expect(reference).toMatch(/^AB-/);
      await check('confirmation');
      expect(applicant.url()).not.toMatch(/Lin|312345678/);
      expect(problems).toEqual([]);
      const [{ id: caseId }] = (await stack.dataSource.query(`SELECT id FROM "case" WHERE reference = $1`, [reference])) as {
        id: string;
      }[];

      // The officer: password, TOTP, the queue, claim, approve the home check, then pre-clearance.
      const {
        context: officerContext,
        page: desk,
        problems: deskProblems,
        check: checkDesk,
      } = await openVisitor(suite, { locale: 'en-GB', journey: 'abtc-officer-en', lang: 'en' });
      const submitDesk = (form = 'main form[method="post"]') => go(desk, `${form} button[type="submit"]`);
      await signInWithTotp({ page: desk, check: checkDesk }, stack.baseUrl, officer);
      await go(desk, 'header nav a[href="/officer/queue"]');
      expect(await desk.textContent('main table')).toContain(reference);
      await checkDesk('queue');
      await submitDesk('main form[action="/officer/queue/claim-next"]');
      expect(pathOf(desk)).toBe(`/officer/cases/${caseId}`);
      expect(await desk.textContent('main')).toContain('Formosa Semiconductor Trading Co.');
      await checkDesk('case-claimed');
      const caseForm = 'main form[action$="/decide"]';
      await fillForm(desk, { action: 'approve' }, caseForm);
      await submitDesk(caseForm);
      expect(desk.url()).toContain('done=approve');
      expect(await desk.textContent('main')).toContain('Japan: waiting for an answer');
      await checkDesk('case-approved');

      await go(desk, `main a[href="/officer/abtc/${caseId}"]`);
      expect(await desk.textContent('main .tag')).toBe('Waiting for pre-clearance');
      await checkDesk('clearances');
      const recordForm = 'main form[action$="/clearances"]';
      const record = async (economy: string, decision: 'APPROVED' | 'REFUSED', note = '') => {
        await fillForm(desk, { economy, decision, note }, recordForm);
        return submitDesk(recordForm);
      };
      // A refusal without its note: the error summary, and nothing recorded.
      expect(await record('KOR', 'REFUSED')).toBe(400);
      expect(await desk.textContent('main .error-summary')).toContain('Say why the economy refused.');
      await checkDesk('clearance-error');
      expect(await record('KOR', 'REFUSED', 'Earlier overstay on record.')).toBe(200);
      expect(desk.url()).toContain('done=recorded');
      await checkDesk('clearance-recorded');
      expect(await record('JPN', 'APPROVED')).toBe(200);
      expect(await record('SGP', 'APPROVED')).toBe(200);
      for (const economy of OTHER_FULL_MEMBERS) expect(await record(economy, 'REFUSED', 'Not pre-cleared.')).toBe(200);
      expect(await desk.locator(recordForm).count()).toBe(0);
      await checkDesk('all-answered');
      await submitDesk('main form[action$="/issue"]');
      expect(desk.url()).toContain('done=issued');
      expect(await desk.textContent('main .tag')).toBe('Card issued');
      expect(await desk.textContent('#card')).toMatch(/^Card ABTC-\d{4}-\d{6}, valid from/);
      await checkDesk('issued');
      expect(deskProblems).toEqual([]);

      // The applicant checks the status in the other language, still without JavaScript.
      const check2 = checkpoints(axe, applicant, 'abtc-status-nojs-zh', 'zh-Hant');
      await applicant.goto(`${stack.baseUrl}/status?lang=zh-Hant`);
      await check2('form');
      await fillForm(applicant, { reference, surname: 'Lin', dobDay: '02', dobMonth: '06', dobYear: '1979' });
      await submit();
      expect(pathOf(applicant)).toBe('/status');
      const main = (await applicant.textContent('main'))!;
      expect(main).toContain('各經濟體預審結果');
      expect(main).toContain('商務旅行卡已核發');
      const rows = await applicant.locator('main table tbody tr').evaluateAll((trs) =>
        trs.map((tr) =>
          Array.from((tr as unknown as { querySelectorAll(s: string): ArrayLike<{ textContent: string }> }).querySelectorAll('td'))
            .map((td) => td.textContent.trim())
            .join(' | '),
        ),
      );
      expect(rows).toEqual(
        expect.arrayContaining(['日本 | 已核准', '韓國 | 未核准', '加拿大 | 不適用（過渡會員）', '美國 | 不適用（過渡會員）']),
      );
      expect(main).not.toContain('312345678');
      expect(main).not.toContain('overstay');
      await check2('issued');
      expect(problems).toEqual([]);

      await applicantContext.close();
      await officerContext.close();
    },
    JOURNEY_TIMEOUT_MS,
  );
});
