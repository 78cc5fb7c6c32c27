import type { Browser } from 'playwright-core';
import { eventually } from '../harness/context.js';
import { createAccessToken, createTestOfficer } from '../harness/identity.js';
import { applicantAnswers, matchingMrz, photoWithExif, pngPage } from '../evisa/helpers.js';
import {
  type AxeAuditor,
  type BrowserSuite,
  JOURNEY_TIMEOUT_MS,
  completeWithKeyboard,
  downloadEvisa,
  fillForm,
  formValues,
  go,
  openContext,
  openVisitor,
  pathOf,
  type Stack,
  startBrowserSuite,
  submitWithKeyboard,
  tabThrough,
} from './harness.js';

/**
 * The eVisa applicant's whole journey in a real Chromium: once without JavaScript (in English), once
 * with JavaScript and only the keyboard (switching to Traditional Chinese with the header switcher),
 * each from the start page to the downloaded eVisa. An officer approves through the JSON API with a
 * personal access token; the worker renders the PDF. Every page is screenshotted and audited with axe.
 */
describe('eVisa applicant journey in Chromium', () => {
  let suite: BrowserSuite;
  let stack: Stack;
  let browser: Browser;
  let axe: AxeAuditor;
  let officerToken: string;
  const answers = applicantAnswers();
  const steps = ['name', 'personal', 'passport', 'contact', 'travel', 'stay'] as const;

  beforeAll(async () => {
    suite = await startBrowserSuite();
    ({ stack, browser, axe } = suite);
    const officer = await createTestOfficer(stack.api, { postCode: 'PH-MNL' });
    officerToken = await createAccessToken(stack.api, officer.authenticated);
  }, JOURNEY_TIMEOUT_MS);

  afterAll(async () => {
    await suite?.close();
  });

  /** An officer claims the next case of the Manila post (this one) and approves it, through the JSON API. */
  async function approveThroughApi(reference: string): Promise<void> {
    const call = async (url: string, body?: object) => {
      const response = await fetch(`${stack.baseUrl}${url}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${officerToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      expect([url, response.status]).toEqual([url, 200]);
      return response.json() as Promise<Record<string, unknown>>;
    };
    const { case: claimed } = (await call('/api/v1/officer/queue/claim-next')) as {
      case: { id: string; reference: string; version: number };
    };
    expect(claimed.reference).toBe(reference);
    const decided = await call(`/api/v1/officer/cases/${claimed.id}/actions`, { action: 'approve', expectedVersion: claimed.version });
    expect(decided.status).toBe('APPROVED');
    const issued = await eventually(
      async () =>
        ((await stack.dataSource.query(`SELECT status FROM "case" WHERE id = $1`, [claimed.id])) as { status: string }[])[0]!.status,
      (status) => status === 'ISSUED',
      60_000,
    );
    expect(issued).toBe('ISSUED');
  }

  const expectApplicantMrz = (mrz: Awaited<ReturnType<typeof downloadEvisa>>) =>
    expect(mrz).toMatchObject({ valid: true, surname: 'DELA CRUZ', givenNames: 'MARIA CLARA', nationality: 'PHL', dateOfBirth: '900427' });

  it('the accessibility and keyboard checks find the problems of a page that has some', async () => {
    // A page on the portal's origin with its stylesheet, an unlabelled field, faint text and no language.
    const context = await openContext(browser, {});
    const page = await context.newPage();
    const url = `${stack.baseUrl}/axe-self-check`;
    await page.route(url, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: '<!DOCTYPE html><html><head><title>Check</title><link rel="stylesheet" href="/static/app.css"></head><body><main><h1>Check</h1><p style="color: #c8c8c8">Faint text</p><form><input id="x" name="x"></form></main></body></html>',
      }),
    );
    await page.goto(url);
    const found = (await axe.audit(page, 'axe-self-check')).map((line) => line.split(' ')[0]);
    expect(found).toEqual(expect.arrayContaining(['color-contrast', 'html-has-lang', 'label']));

    // A link that jumps the queue (positive tabindex) and a button whose focus is invisible.
    await page.route(`${url}/keyboard`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: '<!DOCTYPE html><html lang="en"><head><title>Keys</title><style>button:focus { outline: none; }</style></head><body><main><form><input id="first" name="first"><a href="#" tabindex="1">Early</a><button type="submit">Go</button></form></main></body></html>',
      }),
    );
    await page.goto(`${url}/keyboard`);
    const { stops, expected } = await tabThrough(page, { first: 'typed' });
    expect(expected).toEqual(['input#first[first]', 'a "Early"', 'button "Go"']);
    expect(stops.map((s) => [s.label, s.focusVisible])).toEqual([
      ['a "Early"', true],
      ['input#first[first]', true],
      ['button "Go"', false],
    ]);
    expect(await formValues(page, ['first'])).toEqual({ first: 'typed' });
    await context.close();
  });

  it(
    'works without JavaScript, in English: eligibility, questions, uploads, card, approval, download',
    async () => {
      const { context, page, check } = await openVisitor(suite, {
        javaScriptEnabled: false,
        locale: 'en-US',
        journey: 'applicant-nojs-en',
        lang: 'en',
      });
      const fill = (values: Record<string, string>) => fillForm(page, values);
      const submit = () => go(page, 'main form[method="post"] button[type="submit"]');

      await page.goto(`${stack.baseUrl}/evisa?lang=en`);
      await check('start');
      await go(page, 'main a[href="/evisa/eligibility"]');
      await check('eligibility');
      await fill(answers.eligibility);
      await submit();
      expect(await page.textContent('main')).toContain('EV-');
      expect(await page.getAttribute('main .notice a', 'href')).toMatch(new RegExp(`^${stack.baseUrl}/evisa/resume\\?t=`));
      await check('draft-created');
      await go(page, 'main a[href="/evisa/questions/name"]');

      // Nothing typed: the page comes back with an error summary linked to the field.
      await check('name');
      await submit();
      expect(pathOf(page)).toBe('/evisa/questions/name');
      expect(await page.getAttribute('.error-summary a', 'href')).toBe('#surname');
      expect(await page.getAttribute('#surname', 'aria-invalid')).toBe('true');
      await check('name-error');
      for (const step of steps) {
        if (step !== 'name') await check(step);
        await fill(answers[step]);
        await submit();
      }

      expect(pathOf(page)).toBe('/evisa/upload/photo');
      await check('upload-photo');
      await page.setInputFiles('#file', { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: await photoWithExif(700, 900) });
      await submit();
      expect(pathOf(page)).toBe('/evisa/upload/passport-page');
      await check('upload-passport-page');
      await page.setInputFiles('#file', { name: 'passport.png', mimeType: 'image/png', buffer: await pngPage() });
      await submit();

      expect(pathOf(page)).toBe('/evisa/check-answers');
      expect(await page.textContent('main')).toContain('DELA CRUZ');
      await check('check-answers');
      await go(page, 'main form[action="/evisa/pay"] button[type="submit"]');
      expect(pathOf(page)).toMatch(/^\/evisa\/sandbox-pay\/sbx_/);
      await check('sandbox-pay');
      await page.fill('#cardNumber', '4242 4242 4242 4242');
      await submit();
      expect(pathOf(page)).toBe('/evisa/confirmation');
      await check('confirmation');
      const reference = (await page.textContent('main .panel strong'))!.trim();
      expect(reference).toMatch(/^EV-[0-9A-Z]{4}-[0-9A-Z]{4}$/);

      await approveThroughApi(reference);

      await page.goto(`${stack.baseUrl}/evisa/access`);
      await check('access');
      await fill({ reference, surname: answers.name.surname, dateOfBirth: answers.personal.dateOfBirth });
      await submit();
      expect(pathOf(page)).toBe('/evisa/application');
      expect(await page.textContent('main')).toContain('Download your eVisa (PDF)');
      await check('application-issued');
      expectApplicantMrz(await downloadEvisa(page, reference));
      await context.close();
    },
    JOURNEY_TIMEOUT_MS,
  );

  it(
    'works with the keyboard alone, switching to Traditional Chinese in the header: every field reachable by Tab, focus always visible',
    async () => {
      const { context, page, problems, check } = await openVisitor(suite, {
        locale: 'en-US',
        journey: 'applicant-keyboard-zh',
        lang: 'zh-Hant',
      });
      const useKeyboard = (values: Record<string, string>, files: Parameters<typeof completeWithKeyboard>[2] = {}) =>
        completeWithKeyboard(page, values, files);

      await page.goto(`${stack.baseUrl}/evisa`);
      await check('start-en', 'en');
      await go(page, 'header nav a[hreflang="zh-Hant"]');
      await check('start');
      await go(page, 'main a[href="/evisa/eligibility"]');
      await check('eligibility');
      await useKeyboard(answers.eligibility);
      await check('draft-created');
      await go(page, 'main a[href="/evisa/questions/name"]');
      for (const step of steps) {
        expect(pathOf(page)).toBe(`/evisa/questions/${step}`);
        await check(step);
        await useKeyboard(answers[step]);
      }

      expect(pathOf(page)).toBe('/evisa/upload/photo');
      await check('upload-photo');
      await useKeyboard({}, { file: { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: await photoWithExif(630, 810) } });
      expect(pathOf(page)).toBe('/evisa/upload/passport-page');
      await check('upload-passport-page');
      await useKeyboard({}, { file: { name: 'passport.png', mimeType: 'image/png', buffer: await pngPage() } });

      // The optional machine-readable zone, reached from the check-answers page.
      expect(pathOf(page)).toBe('/evisa/check-answers');
      await check('check-answers-no-mrz');
      await go(page, 'main a[href="/evisa/questions/mrz"]');
      await check('mrz');
      await useKeyboard(matchingMrz());
      expect(pathOf(page)).toBe('/evisa/check-answers');
      expect(await page.textContent('main .notice')).toContain('您填寫的資料與護照機器判讀區相符');
      await check('check-answers');

      await submitWithKeyboard(page, 'main form[action="/evisa/pay"] button[type="submit"]');
      expect(pathOf(page)).toMatch(/^\/evisa\/sandbox-pay\/sbx_/);
      await check('sandbox-pay');
      await useKeyboard({ cardNumber: '4242 4242 4242 4242' });
      expect(pathOf(page)).toBe('/evisa/confirmation');
      await check('confirmation');
      const reference = (await page.textContent('main .panel strong'))!.trim();

      await approveThroughApi(reference);

      await page.goto(`${stack.baseUrl}/evisa/access`);
      await check('access');
      await useKeyboard({ reference, surname: answers.name.surname, dateOfBirth: answers.personal.dateOfBirth });
      expect(pathOf(page)).toBe('/evisa/application');
      expect(await page.textContent('main')).toContain('下載您的電子簽證（PDF）');
      await check('application-issued');
      expectApplicantMrz(await downloadEvisa(page, reference));
      expect(problems).toEqual([]);
      await context.close();
    },
    JOURNEY_TIMEOUT_MS,
  );
});
