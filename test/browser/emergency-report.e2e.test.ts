import { createTestOfficer, type TestOfficer } from '../harness/identity.js';
import {
  type BrowserSuite,
  JOURNEY_TIMEOUT_MS,
  fillForm,
  go,
  openVisitor,
  pathOf,
  type Stack,
  startBrowserSuite,
  signInWithTotp,
} from './harness.js';

/** What the reporter types, as the report form's fields are named. */
const REPORT = {
  category: 'arrest_or_detention',
  country: '日本',
  city: '大阪',
  description: '我的兒子昨晚在大阪被警方拘留，我們聯絡不上他。',
  personName: '王小明',
  relationship: 'family',
  familyUpdatesConsent: 'yes',
  reporterName: '王大同',
  email: 'wang@example.test',
  phone: '+886 912 345 678',
  surname: '王',
  dobDay: '12',
  dobMonth: '3',
  dobYear: '1968',
  postCode: 'JP-TYO',
};

const SHARED_UPDATE = 'We visited your son at the Osaka police station; he is well and has a lawyer.';

/**
 * An emergency report in a real Chromium: a parent reports, without JavaScript and in Traditional
 * Chinese, that their son was detained abroad (one failed submit first, with its error summary) and
 * gets the reference; a Tokyo officer signs in with TOTP, opens the case, triages it and logs an
 * update shared with the reporter; the reporter checks the status in English and reads the update.
 * Every page visited is audited with axe.
 */
describe('emergency report journey in Chromium', () => {
  let suite: BrowserSuite;
  let stack: Stack;
  let officer: TestOfficer;

  beforeAll(async () => {
    suite = await startBrowserSuite();
    ({ stack } = suite);
    officer = await createTestOfficer(stack.api, { postCode: 'JP-TYO' });
  }, JOURNEY_TIMEOUT_MS);

  afterAll(async () => {
    await suite?.close();
  });

  it(
    'reports without JavaScript in Chinese, an officer triages and shares an update, the reporter reads it in English',
    async () => {
      const {
        context: reporterContext,
        page: reporter,
        problems: reporterProblems,
        check: checkReporter,
      } = await openVisitor(suite, { javaScriptEnabled: false, locale: 'zh-TW', journey: 'emergency-reporter-nojs', lang: 'zh-Hant' });
      const submitReporter = () => go(reporter, 'main form[method="post"] button[type="submit"]');

      // The start page puts the hotline first; the report form is one page.
      await reporter.goto(`${stack.baseUrl}/emergency`);
      expect(await reporter.textContent('main .notice')).toContain('+800-0885-0885');
      await checkReporter('start');
      await go(reporter, 'main a[href="/emergency/report"]');
      expect(pathOf(reporter)).toBe('/emergency/report');
      await checkReporter('form');

      // A first submit without the description, surname or date of birth: errors summarised and next to their fields.
      const { description: _d, surname: _s, dobDay: _dd, dobMonth: _dm, dobYear: _dy, ...partial } = REPORT;
      await fillForm(reporter, partial);
      expect(await submitReporter()).toBe(400);
      const targets = await reporter
        .locator('main .error-summary a')
        .evaluateAll((links) => links.map((a) => (a as unknown as { getAttribute(name: string): string | null }).getAttribute('href')));
      expect(targets).toEqual(['#description', '#surname', '#dateOfBirth']);
      expect(await reporter.getAttribute('#surname', 'aria-invalid')).toBe('true');
      expect(await reporter.inputValue('#city')).toBe('大阪');
      await checkReporter('form-errors');

      await fillForm(reporter, {
        description: REPORT.description,
        surname: REPORT.surname,
        dobDay: REPORT.dobDay,
        dobMonth: REPORT.dobMonth,
        dobYear: REPORT.dobYear,
      });
      expect(await submitReporter()).toBe(200);
      const reference = /EM-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec((await reporter.textContent('main .panel')) ?? '')?.[0];
      expect(reference).toBeDefined();
      expect(await reporter.textContent('main')).toContain('接下來');
      await checkReporter('confirmation');
      const [opened] = (await stack.dataSource.query(`SELECT id, status, locale FROM "case" WHERE reference = $1`, [reference])) as {
        id: string;
        status: string;
        locale: string;
      }[];
      expect(opened).toMatchObject({ status: 'REPORTED', locale: 'zh-Hant' });
      const caseId = opened!.id;

      // The Tokyo officer signs in with a password and a TOTP code.
      const {
        context: officerContext,
        page: desk,
        problems: deskProblems,
        check: checkDesk,
      } = await openVisitor(suite, { locale: 'en-GB', journey: 'emergency-officer', lang: 'en' });
      const submitDesk = (form = 'main form[method="post"]') => go(desk, `${form} button[type="submit"]`);
      await signInWithTotp({ page: desk, check: checkDesk }, stack.baseUrl, officer, { audit: false });

      // The report waits in the queue; the workspace shows it and leads to the emergency page.
      await go(desk, 'header nav a[href="/officer/queue"]');
      expect(await desk.textContent('main table')).toContain(reference);
      await checkDesk('queue');
      await desk.goto(`${stack.baseUrl}/officer/cases/${caseId}`);
      expect(await desk.textContent('main')).toContain('王小明');
      await checkDesk('workspace');
      await go(desk, `main a[href="/officer/emergency/${caseId}"]`);
      expect(pathOf(desk)).toBe(`/officer/emergency/${caseId}`);
      expect(await desk.textContent('main')).toContain(REPORT.description);
      await checkDesk('emergency-case');

      // Triage as P2: the case is TRIAGED, then the officer logs a contact shared with the reporter.
      const triageForm = 'main form[action$="/triage"]';
      await fillForm(desk, { priority: '2' }, triageForm);
      await submitDesk(triageForm);
      expect(desk.url()).toContain('done=triaged');
      expect(await desk.textContent('main h1 .tag')).toBe('Being assessed');
      await checkDesk('triaged');
      const contactForm = 'main form[action$="/contacts"]';
      await fillForm(desk, { channel: 'phone', note: SHARED_UPDATE, share: 'yes' }, contactForm);
      await submitDesk(contactForm);
      expect(desk.url()).toContain('done=contact');
      expect(await desk.textContent('main table')).toContain(SHARED_UPDATE);
      await checkDesk('contact-logged');
      const [row] = (await stack.dataSource.query(`SELECT status, priority FROM "case" WHERE id = $1`, [caseId])) as {
        status: string;
        priority: number;
      }[];
      expect(row).toEqual({ status: 'TRIAGED', priority: 2 });

      // The reporter checks the status, in English this time, and reads the shared update.
      await reporter.goto(`${stack.baseUrl}/status?lang=en`);
      await checkReporter('status-check', 'en');
      await fillForm(reporter, {
        reference: reference!,
        surname: REPORT.surname,
        dobDay: REPORT.dobDay,
        dobMonth: REPORT.dobMonth,
        dobYear: REPORT.dobYear,
      });
      expect(await submitReporter()).toBe(200);
      expect(await reporter.textContent('main h1')).toContain(reference);
      const shown = await reporter.innerText('main');
      expect(shown).toContain('Updates from the consular officer');
      expect(shown).toContain(SHARED_UPDATE);
      await checkReporter('status', 'en');

      expect(reporterProblems).toEqual([]);
      expect(deskProblems).toEqual([]);
      await reporterContext.close();
      await officerContext.close();
    },
    JOURNEY_TIMEOUT_MS,
  );
});
