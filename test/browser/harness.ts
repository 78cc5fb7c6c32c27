import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AxeResults, Result as AxeRule, RunOptions } from 'axe-core';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page, type Response } from 'playwright-core';
import type { DataSource } from 'typeorm';
import { type AppConfig, projectRoot } from '@app/platform';
import { parseMrvB } from '@app/documents';
import { totpCode } from '@app/identity';
import { createApi } from '../../apps/api/src/bootstrap.js';
import { createWorker } from '../../apps/worker/src/bootstrap.js';
import { createTestDatabase, openDataSource, testConfig } from '../harness/context.js';
import type { TestOfficer } from '../harness/identity.js';

/**
 * The Debian chromium package, never a browser Playwright downloads. Playwright's `launch` gives it a
 * fresh temporary profile (user-data-dir) and deletes it on close; the flags keep it off the network.
 */
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`The browser tests need Chromium at ${CHROMIUM}: run apt-get install chromium (.ci/run does).`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** Jest's limit for one journey or for starting the stack and the browser: generous, as the machine is shared. */
export const JOURNEY_TIMEOUT_MS = 180_000;

/**
 * A fresh browser context (its own cookies) that gives up on a missing element after 10 seconds, not 30.
 * Each of its pages intercepts file choosers from the start: Playwright only turns interception on
 * when someone listens, and a listener added just before a key press races the press, so under load
 * the chooser would open natively (invisible, headless) and `waitForEvent('filechooser')` would wait
 * in vain.
 */
export async function openContext(browser: Browser, options: BrowserContextOptions): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(10_000);
  context.on('page', (page) => page.on('filechooser', () => undefined));
  return context;
}

// ── the portal, listening on a real port ────────────────────────────────────

export interface Stack {
  baseUrl: string;
  config: AppConfig;
  api: NestFastifyApplication;
  dataSource: DataSource;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The API on a free port of 127.0.0.1 (its own database), and the worker that renders the PDFs. */
export async function startStack(): Promise<Stack> {
  const db = await createTestDatabase();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = testConfig(db.url, { PUBLIC_BASE_URL: baseUrl });
  const api = await createApi(config);
  await api.listen({ port, host: '127.0.0.1' });
  const dataSource = await openDataSource(db.url);
  let worker: INestApplicationContext;
  try {
    worker = await createWorker(config);
  } catch (error) {
    await dataSource.destroy();
    await api.close();
    await db.drop();
    throw error;
  }
  return {
    baseUrl,
    config,
    api,
    dataSource,
    close: async () => {
      await worker.close();
      await api.close();
      await dataSource.destroy();
      await db.drop();
    },
  };
}

// ── artifacts: screenshots and accessibility reports ───────────────────────

export const ARTIFACTS = path.join(projectRoot(), 'test-artifacts');

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(path.join(ARTIFACTS, 'screenshots'), { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'screenshots', `${name}.png`), fullPage: true });
}

const AXE_SOURCE = fs.readFileSync(path.join(projectRoot(), 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/** WCAG 2.0, 2.1 and 2.2 at levels A and AA. */
export const WCAG_22_AA: RunOptions = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
  resultTypes: ['violations', 'incomplete'],
};

function describeRule(rule: AxeRule): string {
  return `${rule.id} (${rule.impact}): ${rule.help} at ${rule.nodes.map((n) => n.target.join(' ')).join(', ')}`;
}

/** What every browser journey starts from: the portal on a real port, Chromium, and an axe auditor. */
export interface BrowserSuite {
  stack: Stack;
  browser: Browser;
  axe: AxeAuditor;
  /** Closes the auditor, the browser and the stack, in that order. */
  close(): Promise<void>;
}

export async function startBrowserSuite(): Promise<BrowserSuite> {
  const stack = await startStack();
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const axe = await AxeAuditor.open(browser);
    const opened = browser;
    return {
      stack,
      browser,
      axe,
      close: async () => {
        await axe.close();
        await opened.close();
        await stack.close();
      },
    };
  } catch (error) {
    await browser?.close();
    await stack.close();
    throw error;
  }
}

/**
 * Runs axe-core on the document a page shows, as it is now. The pages forbid inline scripts (CSP) and
 * some contexts run without JavaScript, so the audit loads a copy of the document, at the same URL,
 * into a page of its own (JavaScript on, CSP bypassed) and injects axe there. The copy is served from
 * memory: pages that a POST rendered or that a GET would change are never requested again.
 */
export class AxeAuditor {
  private constructor(private readonly page: Page) {}

  static async open(browser: Browser): Promise<AxeAuditor> {
    const context = await browser.newContext({ bypassCSP: true, javaScriptEnabled: true });
    return new AxeAuditor(await context.newPage());
  }

  /** Writes the results to test-artifacts/axe/<name>.json; returns the serious and critical violations. */
  async audit(source: Page, name: string): Promise<string[]> {
    const url = source.url();
    const html = await source.content();
    const sameUrl = (candidate: URL) => candidate.href === url;
    await this.page.route(sameUrl, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
    try {
      await this.page.goto(url, { waitUntil: 'load' });
    } finally {
      await this.page.unroute(sameUrl);
    }
    await this.page.addScriptTag({ content: AXE_SOURCE });
    const results = await this.page.evaluate((options) => {
      const w = globalThis as unknown as { document: unknown; axe: { run(context: unknown, options: unknown): Promise<AxeResults> } };
      return w.axe.run(w.document, options);
    }, WCAG_22_AA);
    fs.mkdirSync(path.join(ARTIFACTS, 'axe'), { recursive: true });
    fs.writeFileSync(
      path.join(ARTIFACTS, 'axe', `${name}.json`),
      JSON.stringify(
        {
          page: name,
          url: new URL(url).pathname,
          testEngine: results.testEngine,
          violations: results.violations,
          incomplete: results.incomplete,
          passes: results.passes.map((rule) => rule.id),
        },
        null,
        2,
      ),
    );
    return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map(describeRule);
  }

  async close(): Promise<void> {
    await this.page.context().close();
  }
}

export type Lang = 'en' | 'zh-Hant';

/**
 * Checkpoints for one journey: each one checks that the page is in the expected language, saves a
 * screenshot and requires no serious or critical WCAG 2.2 AA violation. Names are numbered in order;
 * the journey's artifacts of an earlier run are removed first.
 */
export function checkpoints(axe: AxeAuditor, page: Page, journey: string, defaultLang: Lang) {
  for (const dir of ['screenshots', 'axe'].map((sub) => path.join(ARTIFACTS, sub)).filter((d) => fs.existsSync(d))) {
    for (const old of fs.readdirSync(dir).filter((file) => file.startsWith(`${journey}-`))) fs.rmSync(path.join(dir, old));
  }
  let count = 0;
  return async (step: string, lang: Lang = defaultLang): Promise<void> => {
    const name = `${journey}-${String(++count).padStart(2, '0')}-${step}`;
    expect([name, await page.getAttribute('html', 'lang')]).toEqual([name, lang]);
    await screenshot(page, name);
    expect({ page: name, violations: await axe.audit(page, name) }).toEqual({ page: name, violations: [] });
  };
}

/**
 * Collects what goes wrong in a page besides the HTTP status of its documents (error pages are
 * asserted where they are expected): console errors such as Content-Security-Policy violations,
 * script errors, and stylesheets, scripts, images or fonts that fail to load.
 */
export function watchForProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('response', (response) => {
    const kind = response.request().resourceType();
    if (response.status() >= 400 && ['stylesheet', 'script', 'image', 'font'].includes(kind)) {
      problems.push(`${kind} ${new URL(response.url()).pathname}: ${response.status()}`);
    }
  });
  return problems;
}

/** One person's tab in a journey: the page, what went wrong in it, and its checkpoints. */
export interface Visitor {
  /** The visitor's own context (cookies); closing it ends the visit. */
  context: BrowserContext;
  page: Page;
  /** Console errors, script errors and failed resources so far (see watchForProblems). */
  problems: string[];
  /** A checkpoint of the journey (see checkpoints): language, screenshot, axe. */
  check: ReturnType<typeof checkpoints>;
}

/**
 * Opens a page in a fresh context (its own cookies) for one person of a journey, as `javaScriptEnabled`
 * and `locale` say, watching it for problems, with checkpoints named after `journey` in `lang`.
 */
export async function openVisitor(
  suite: Pick<BrowserSuite, 'browser' | 'axe'>,
  options: BrowserContextOptions & { journey: string; lang: Lang },
): Promise<Visitor> {
  const { journey, lang, ...contextOptions } = options;
  const context = await openContext(suite.browser, contextOptions);
  const page = await context.newPage();
  return { context, page, problems: watchForProblems(page), check: checkpoints(suite.axe, page, journey, lang) };
}

/** Whether a response is the document a page ends up showing (not a redirect on the way). */
const isFinalDocument = (page: Page) => (response: Response) =>
  response.request().isNavigationRequest() &&
  response.frame() === page.mainFrame() &&
  (response.status() < 300 || response.status() >= 400);

/**
 * Clicks what submits a form or follows a link, and waits for the document it leads to; returns that
 * document's HTTP status (after any redirect).
 */
export async function go(page: Page, selector: string): Promise<number> {
  const [response] = await Promise.all([page.waitForResponse(isFinalDocument(page)), page.waitForEvent('load'), page.click(selector)]);
  return response.status();
}

export const pathOf = (page: Page): string => new URL(page.url()).pathname;

/** Fills the page's form controls by name (radios by value, selects by option value), as a mouse user would. */
export async function fillForm(page: Page, values: Record<string, string>, form = 'main form'): Promise<void> {
  for (const [name, value] of Object.entries(values)) {
    const control = page.locator(`${form} [name="${name}"]`).first();
    const kind = await control.evaluate((el) => {
      const element = el as unknown as ProbeElement;
      return element.tagName === 'INPUT' ? (element.type ?? 'text') : element.tagName.toLowerCase();
    });
    if (kind === 'radio') await page.check(`${form} input[name="${name}"][value="${value}"]`);
    else if (kind === 'select') await control.selectOption(value);
    else await control.fill(value);
  }
}

// ── keyboard ───────────────────────────────────────────────────────────────

/** The few DOM members the in-page probes use (the project compiles without the DOM library). */
interface ProbeStyle {
  outlineStyle: string;
  outlineWidth: string;
  boxShadow: string;
  visibility: string;
}
interface ProbeElement {
  tagName: string;
  id: string;
  type?: string;
  name?: string;
  value?: string;
  checked?: boolean;
  disabled?: boolean;
  textContent: string | null;
  selectedIndex?: number;
  options?: ArrayLike<{ value: string }>;
  form?: unknown;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  getClientRects(): ArrayLike<unknown>;
  matches(selector: string): boolean;
}
interface ProbeWindow {
  document: { activeElement: ProbeElement | null; body: ProbeElement; querySelectorAll(selector: string): ArrayLike<ProbeElement> };
  getComputedStyle(element: ProbeElement): ProbeStyle;
}

export interface TabStop {
  /** tag#id[name] "text": readable in a failing assertion. */
  label: string;
  name: string;
  type: string;
  value: string;
  focusVisible: boolean;
}

/**
 * Marks every element a keyboard user should reach, in document order (one stop per radio group:
 * the checked radio, or the first), and remembers each one's unfocused box-shadow.
 */
async function expectedTabStops(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const w = globalThis as unknown as ProbeWindow;
    const label = (el: ProbeElement) =>
      `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.name ? `[${el.name}]` : ''}${
        /^(A|BUTTON)$/.test(el.tagName) ? ` "${(el.textContent ?? '').trim().replace(/\s+/g, ' ')}"` : ''
      }`;
    const candidates = Array.from(
      w.document.querySelectorAll('a[href], button, input:not([type="hidden"]), select, textarea, [tabindex]:not([tabindex="-1"])'),
    ).filter((el) => !el.disabled && el.getClientRects().length > 0 && w.getComputedStyle(el).visibility !== 'hidden');
    const radioGroups = new Map<string, ProbeElement[]>();
    for (const el of candidates) {
      if (el.type === 'radio') radioGroups.set(el.name ?? '', [...(radioGroups.get(el.name ?? '') ?? []), el]);
    }
    const stops = candidates.filter((el) => {
      if (el.type !== 'radio') return true;
      const group = radioGroups.get(el.name ?? '')!;
      return el === (group.find((r) => r.checked) ?? group[0]);
    });
    for (const el of candidates) {
      el.setAttribute('data-probe-label', label(el));
      el.setAttribute('data-probe-shadow', w.getComputedStyle(el).boxShadow);
    }
    return stops.map(label);
  });
}

async function focused(page: Page): Promise<TabStop | null> {
  return page.evaluate(() => {
    const w = globalThis as unknown as ProbeWindow;
    const el = w.document.activeElement;
    if (!el || el === w.document.body) return null;
    const style = w.getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const shadow = style.boxShadow !== 'none' && style.boxShadow !== el.getAttribute('data-probe-shadow');
    return {
      label: el.getAttribute('data-probe-label') ?? `${el.tagName.toLowerCase()}#${el.id} (not expected)`,
      name: el.name ?? '',
      type: el.type ?? el.tagName.toLowerCase(),
      value: el.value ?? '',
      focusVisible: outline || shadow,
    };
  });
}

/** Sets the focused control to `value` with the keys a keyboard user would press. */
async function typeInto(page: Page, stop: TabStop, value: string): Promise<void> {
  if (stop.type === 'radio') {
    for (let presses = 0; presses < 20; presses++) {
      const now = await focused(page);
      if (now?.value === value) {
        await page.keyboard.press('Space');
        return;
      }
      await page.keyboard.press('ArrowDown');
    }
    throw new Error(`no radio "${value}" in ${stop.label}`);
  }
  if (stop.type === 'select-one') {
    const [from, to] = await page.evaluate((wanted) => {
      const el = (globalThis as unknown as ProbeWindow).document.activeElement!;
      return [el.selectedIndex ?? 0, Array.from(el.options ?? []).findIndex((o) => o.value === wanted)];
    }, value);
    if (to < 0) throw new Error(`no option "${value}" in ${stop.label}`);
    for (let i = 0; i < Math.abs(to - from); i++) await page.keyboard.press(to > from ? 'ArrowDown' : 'ArrowUp');
    return;
  }
  if (stop.type === 'date') {
    // Chromium's date field takes the digits month, day, year (en-US layout) and moves between them by itself.
    const [year, month, day] = value.split('-');
    await page.keyboard.type(`${month}${day}${year}`);
    return;
  }
  await page.keyboard.press('ControlOrMeta+A');
  if (value === '') await page.keyboard.press('Delete');
  else await page.keyboard.type(value);
}

/**
 * Tabs through the whole page from the top, as a keyboard user does, filling each control named in
 * `values` on the way (file inputs: `files` answers the file chooser). Returns every stop, in order,
 * and the stops the page should have (every focusable element, in document order). Call it on a page
 * that has just loaded, before anything took focus.
 */
export async function tabThrough(
  page: Page,
  values: Record<string, string> = {},
  files: Record<string, { name: string; mimeType: string; buffer: Buffer }> = {},
): Promise<{ stops: TabStop[]; expected: string[] }> {
  const expected = await expectedTabStops(page);
  const stops: TabStop[] = [];
  for (let presses = 0; presses < 300; presses++) {
    await page.keyboard.press('Tab');
    const stop = await focused(page);
    if (!stop) break;
    // A date field has a second stop inside it (its calendar button): the same element twice.
    if (stops.at(-1)?.label === stop.label) continue;
    if (stops.some((s) => s.label === stop.label)) break;
    stops.push(stop);
    if (stop.type === 'file' && files[stop.name]) {
      const chooser = page.waitForEvent('filechooser', { timeout: 30_000 });
      await page.keyboard.press('Space');
      await (await chooser).setFiles(files[stop.name]!);
    } else if (stop.name in values) {
      await typeInto(page, stop, values[stop.name]!);
    }
  }
  return { stops, expected };
}

/** The values of the named form controls, as the form would send them. */
export function formValues(page: Page, names: string[]): Promise<Record<string, string>> {
  return page.evaluate((wanted) => {
    const w = globalThis as unknown as ProbeWindow;
    return Object.fromEntries(
      wanted.map((name) => {
        const controls = Array.from(w.document.querySelectorAll(`main form [name="${name}"]`));
        const control = controls.find((c) => c.type !== 'radio' || c.checked);
        return [name, control?.value ?? ''];
      }),
    );
  }, names);
}

/**
 * Tabs to the button matching `selector` and presses Enter; resolves when the next document has
 * loaded, with its HTTP status (after any redirect).
 */
export async function submitWithKeyboard(page: Page, selector = 'main form[method="post"] button[type="submit"]'): Promise<number> {
  for (let presses = 0; presses < 300; presses++) {
    await page.keyboard.press('Tab');
    const onTarget = await page.evaluate(
      (wanted) => (globalThis as unknown as ProbeWindow).document.activeElement?.matches(wanted) ?? false,
      selector,
    );
    if (onTarget) {
      const [response] = await Promise.all([
        page.waitForResponse(isFinalDocument(page)),
        page.waitForEvent('load'),
        page.keyboard.press('Enter'),
      ]);
      return response.status();
    }
  }
  throw new Error(`the keyboard never reached ${selector}`);
}

/**
 * Fills a page's form with the keyboard alone and submits it: tabs through the whole page filling
 * the named controls (see `tabThrough`), requires every focusable element to be reached in document
 * order with its focus visible, and every value to be entered; then tabs on to the submit button
 * and presses Enter. Returns the next document's HTTP status.
 */
export async function completeWithKeyboard(
  page: Page,
  values: Record<string, string>,
  files: Parameters<typeof tabThrough>[2] = {},
  submit?: string,
): Promise<number> {
  const { stops, expected } = await tabThrough(page, values, files);
  const where = pathOf(page);
  expect({ where, order: stops.map((s) => s.label) }).toEqual({ where, order: expected });
  expect({ where, focusNotVisible: stops.filter((s) => !s.focusVisible).map((s) => s.label) }).toEqual({ where, focusNotVisible: [] });
  expect(await formValues(page, Object.keys(values))).toEqual(values);
  const reachedFields = new Set(stops.map((s) => s.name));
  expect([where, [...Object.keys(values), ...Object.keys(files)].filter((f) => !reachedFields.has(f))]).toEqual([where, []]);
  return submitWithKeyboard(page, submit);
}

// ── the eVisa PDF ──────────────────────────────────────────────────────────

/** The text pdftotext finds in a PDF, line by line, trimmed. */
function pdfText(file: string): string[] {
  const result = spawnSync('pdftotext', ['-layout', file, '-']);
  if (result.status !== 0) throw new Error(`pdftotext failed (${result.status}): ${result.stderr.toString()}`);
  return result.stdout
    .toString('utf8')
    .split('\n')
    .map((line) => line.trim());
}

/**
 * Downloads the eVisa with the link on the applicant's case page, checks that it is a PDF, and returns
 * its machine-readable zone as pdftotext reads it, parsed.
 */
export async function downloadEvisa(page: Page, reference: string): Promise<ReturnType<typeof parseMrvB>> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('main a[href^="/evisa/document?t="]')]);
  expect(download.suggestedFilename()).toBe(`evisa-${reference}.pdf`);
  const file = path.join(process.env.TEST_WORK_DIR!, `browser-${reference}.pdf`);
  await download.saveAs(file);
  expect(fs.readFileSync(file).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const lines = pdfText(file);
  const line1 = lines.find((line) => /^V<TWN[A-Z<]{31}$/.test(line));
  const line2 = lines.find((line) => /^[A-Z0-9<]{36}$/.test(line) && line !== line1);
  expect({ mrzFound: Boolean(line1 && line2), lines }).toMatchObject({ mrzFound: true });
  return parseMrvB(line1!, line2!);
}

/**
 * Signs an officer in through the pages, password then TOTP, and lands on the officer home page.
 * With `audit`, the sign-in and code pages are checkpoints of the visitor's journey.
 */
export async function signInWithTotp(
  visitor: Pick<Visitor, 'page' | 'check'>,
  baseUrl: string,
  officer: TestOfficer,
  { audit = true } = {},
): Promise<void> {
  const { page, check } = visitor;
  const submit = () => go(page, 'main form[method="post"] button[type="submit"]');
  await page.goto(`${baseUrl}/officer/sign-in`);
  if (audit) await check('sign-in');
  await fillForm(page, { username: officer.officer.username, password: officer.password });
  await submit();
  expect(pathOf(page)).toBe('/officer/sign-in/mfa');
  if (audit) await check('mfa');
  await fillForm(page, { code: totpCode(officer.totpSecret!, new Date()) });
  await submit();
  expect(pathOf(page)).toBe('/officer');
}
