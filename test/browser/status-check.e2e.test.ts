import type { Page } from 'playwright-core';
import { generateReference } from '@app/cases';
import { browserInjector, submittedApplication } from '../evisa/helpers.js';
import {
  type BrowserSuite,
  JOURNEY_TIMEOUT_MS,
  completeWithKeyboard,
  fillForm,
  go,
  openVisitor,
  pathOf,
  type Stack,
  startBrowserSuite,
} from './harness.js';

/** The details the status form asks for, split as its date fields are. */
const APPLICANT = { surname: 'Dela Cruz', dobDay: '27', dobMonth: '04', dobYear: '1990' };

/** The reference with its check character replaced: a typo the form must catch before any look-up. */
function withWrongCheckCharacter(reference: string): string {
  const last = reference.at(-1)!;
  return `${reference.slice(0, -1)}${last === '7' ? '8' : '7'}`;
}

/** What a sighted visitor reads in the page's main region (typed values are not part of it). */
const visibleText = (page: Page): Promise<string> => page.innerText('main');

/** Where the error summary's links lead. */
const summaryTargets = (page: Page): Promise<(string | null)[]> =>
  page
    .locator('main .error-summary a')
    .evaluateAll((links) => links.map((a) => (a as unknown as { getAttribute(name: string): string | null }).getAttribute('href')));

/**
 * A citizen checks an eVisa application's status in a real Chromium: without JavaScript in English,
 * through every refusal the form has, and with the keyboard alone in Traditional Chinese. The other
 * citizen-facing entry pages ("my cases", eVisa verification, share codes) are audited in both
 * languages. Every page is screenshotted and audited with axe.
 */
describe('status check in Chromium', () => {
  let suite: BrowserSuite;
  let stack: Stack;
  let reference: string;

  beforeAll(async () => {
    suite = await startBrowserSuite();
    ({ stack } = suite);
    ({ reference } = await submittedApplication(await browserInjector(stack.api)));
  }, JOURNEY_TIMEOUT_MS);

  afterAll(async () => {
    await suite?.close();
  });

  it(
    'works without JavaScript, in English: refusals field by field, one answer for every mismatch, then the status in plain words',
    async () => {
      const { context, page, check } = await openVisitor(suite, {
        javaScriptEnabled: false,
        locale: 'en-US',
        journey: 'status-nojs-en',
        lang: 'en',
      });
      const submit = () => go(page, 'main form[method="post"] button[type="submit"]');
      const lookUp = async (values: Record<string, string>) => {
        await page.goto(`${stack.baseUrl}/status`);
        await fillForm(page, values);
        return submit();
      };

      await page.goto(`${stack.baseUrl}/status`);
      await check('form');

      // Nothing typed: every field is named in the summary, which leads to the first one.
      expect(await submit()).toBe(400);
      expect(pathOf(page)).toBe('/status');
      expect(await summaryTargets(page)).toEqual(['#reference', '#surname', '#dateOfBirth']);
      for (const field of ['#reference', '#surname', '#dateOfBirth', '#dateOfBirth-month', '#dateOfBirth-year']) {
        expect([field, await page.getAttribute(field, 'aria-invalid')]).toEqual([field, 'true']);
      }
      expect(await page.textContent('#reference-error')).toContain('Enter your reference');
      await check('empty');

      // A typo in the reference is caught by its check character, on the reference field alone.
      expect(await lookUp({ reference: withWrongCheckCharacter(reference), ...APPLICANT })).toBe(400);
      expect(await summaryTargets(page)).toEqual(['#reference']);
      expect(await page.getAttribute('#reference', 'aria-invalid')).toBe('true');
      expect(await page.textContent('#reference-error')).toContain('Enter the reference exactly as we gave it to you');
      expect(await page.getAttribute('#surname', 'aria-invalid')).toBeNull();
      await check('reference-typo');

      // A wrong surname and a reference that exists nowhere get the very same answer.
      expect(await lookUp({ reference, ...APPLICANT, surname: 'Santos' })).toBe(404);
      const wrongSurname = await visibleText(page);
      expect(wrongSurname).toContain('We could not find a case with these details.');
      expect(wrongSurname).not.toContain(reference);
      await check('wrong-surname');
      let unknown = generateReference('EV');
      while (unknown === reference) unknown = generateReference('EV');
      expect(await lookUp({ reference: unknown, ...APPLICANT })).toBe(404);
      expect(await visibleText(page)).toBe(wrongSurname);
      await check('unknown-reference');

      // The right details: the submitted application's status, in words.
      expect(await lookUp({ reference, ...APPLICANT })).toBe(200);
      expect(pathOf(page)).toBe('/status');
      expect(await page.textContent('main h1')).toContain(reference);
      expect((await page.textContent('main .summary-list .tag'))!.trim()).toBe('Application received');
      const shown = await visibleText(page);
      expect(shown).toContain('We will start reviewing your application within 3 working days.');
      expect(shown).not.toContain('SUBMITTED');
      await check('submitted');
      await context.close();
    },
    JOURNEY_TIMEOUT_MS,
  );

  it(
    'works with the keyboard alone, switching to Traditional Chinese in the header: every field reachable by Tab, focus always visible',
    async () => {
      const { context, page, problems, check } = await openVisitor(suite, {
        locale: 'en-US',
        journey: 'status-keyboard-zh',
        lang: 'zh-Hant',
      });

      await page.goto(`${stack.baseUrl}/status`);
      await check('form-en', 'en');
      await go(page, 'header nav a[hreflang="zh-Hant"]');
      await check('form');
      expect(await completeWithKeyboard(page, { reference, ...APPLICANT })).toBe(200);
      expect(pathOf(page)).toBe('/status');
      expect(await page.textContent('main h1')).toBe(`案件 ${reference}`);
      expect((await page.textContent('main .summary-list .tag'))!.trim()).toBe('已收到申請');
      expect(await visibleText(page)).toContain('目前狀態');
      await check('submitted');
      expect(problems).toEqual([]);
      await context.close();
    },
    JOURNEY_TIMEOUT_MS,
  );

  it(
    'has "my cases", eVisa verification and share-code entry pages without serious accessibility problems, in both languages',
    async () => {
      const { context, page, problems, check } = await openVisitor(suite, {
        javaScriptEnabled: false,
        locale: 'en-US',
        journey: 'status-entry-pages',
        lang: 'en',
      });
      for (const path of ['/my-cases', '/verify', '/share']) {
        for (const lang of ['en', 'zh-Hant'] as const) {
          const response = await page.goto(`${stack.baseUrl}${path}?lang=${lang}`);
          expect([path, lang, response?.status()]).toEqual([path, lang, 200]);
          expect(await page.locator('main h1').count()).toBe(1);
          expect(await page.locator('main form[method="post"]').count()).toBeGreaterThan(0);
          await check(`${path.slice(1)}-${lang}`, lang);
        }
      }
      expect(problems).toEqual([]);
      await context.close();
    },
    JOURNEY_TIMEOUT_MS,
  );
});
