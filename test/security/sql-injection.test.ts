import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { CaseSpine, generateReference } from '@app/cases';
import { type DeclaredRoute, RouteInventory } from '@app/identity';
import { startTestStack, type TestStack } from '../harness/app.js';
import { Browser, fastifyOf, signInOfficer, type SignedInOfficer } from '../harness/identity.js';
import { browserInjector, submittedApplication } from '../evisa/helpers.js';
import { isPageRoute } from './support.js';
import { machineOf } from '../harness/catalogue.js';

/** Classic, blind, stacked, comment, encoding and look-alike-quote probes. */
const PROBES = [
  "' OR '1'='1",
  "' OR 1=1 --",
  "') OR ('1'='1",
  '" OR ""="',
  "'; DROP TABLE canary; --",
  '1; DROP TABLE canary',
  "1' AND pg_sleep(2) IS NULL --",
  "' UNION SELECT id::text, note FROM canary --",
  "%' OR '%'='",
  '%',
  '_',
  '\\',
  "\\'; DROP TABLE canary; --",
  '$$; DROP TABLE canary; $$',
  "admin'--",
  'ʼ OR 1=1 --', // U+02BC, a quote look-alike
  '＇ OR 1=1 --', // full-width apostrophe
  "E'\\x27 OR 1=1 --",
  '1 OR 1=1',
  '-1',
  '1e309',
  'a\u0000b',
  'TRUE',
  '(SELECT note FROM canary)',
];

/** Queue cursors (base64url JSON) that decode but carry values of the wrong type or shape. */
const CURSORS = [
  { p: 1, d: "2026-01-01'; DROP TABLE canary; --", i: '00000000-0000-4000-8000-000000000000' },
  { p: '1 OR 1=1', d: 'infinity', i: '00000000-0000-4000-8000-000000000000' },
  { p: 1.5, d: 'infinity', i: '00000000-0000-4000-8000-000000000000' },
  { p: 1e10, d: 'infinity', i: '00000000-0000-4000-8000-000000000000' },
  { p: 1, d: '1', i: '00000000-0000-4000-8000-000000000000' },
  { p: 1, d: 'infinity', i: '------------------------------------' },
  { p: 1, d: 'infinity', i: "' OR '1'='1" },
].map((cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url'));

/**
 * SQL-injection probes on every search and filter parameter: the query parameters of the JSON
 * API (from OpenAPI), the fields of every GET form and the query parameters of every link on the
 * officer pages, and the look-ups that take what a visitor types (the eVisa register, the
 * applicant's access, sign-in). Each probe gets 400 (or 404) or results no wider than a harmless value
 * that matches nothing — never a 5xx — and afterwards a canary table and every other table are there.
 */
describe('SQL injection on search and filter parameters', () => {
  let stack: TestStack;
  let app: NestFastifyApplication;
  let dataSource: DataSource;
  let officer: SignedInOfficer;
  let tablesBefore: string[];
  let casesBefore: number;

  beforeAll(async () => {
    stack = await startTestStack();
    app = stack.api;
    dataSource = app.get(DataSource);
    officer = await signInOfficer(app, { roles: ['officer', 'supervisor', 'admin'], postCode: 'HQ-TPE' });
    await submittedApplication(await browserInjector(app));
    for (const postCode of ['US-LAX', 'JP-TYO', 'PH-MNL']) {
      await dataSource.transaction((m) =>
        app
          .get(CaseSpine)
          .openCase(m, { machine: machineOf('passport'), status: 'SUBMITTED', postCode, locale: 'en', actor: { type: 'applicant' } }),
      );
    }
    await dataSource.query(`CREATE TABLE canary (id integer PRIMARY KEY, note text NOT NULL)`);
    await dataSource.query(`INSERT INTO canary VALUES (1, 'still here')`);
    tablesBefore = await tables();
    casesBefore = await cases();
  });

  afterAll(async () => {
    await stack?.close();
  });

  const tables = async () =>
    (
      (await dataSource.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)) as { tablename: string }[]
    ).map((r) => r.tablename);
  const cases = async () => Number(((await dataSource.query(`SELECT count(*) AS n FROM "case"`)) as { n: string }[])[0]!.n);

  /** Every GET route's filter parameters, found in OpenAPI, in GET forms and in links on the pages. */
  async function filterParameters(): Promise<Map<string, Set<string>>> {
    const found = new Map<string, Set<string>>();
    const add = (path: string, name: string) => found.set(path, (found.get(path) ?? new Set()).add(name));
    const openApi = (await fastifyOf(app).inject({ method: 'GET', url: '/api/docs-json' })).json() as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    for (const [path, operations] of Object.entries(openApi.paths)) {
      for (const parameter of operations.get?.parameters ?? []) if (parameter.in === 'query') add(path, parameter.name);
    }
    const routes = app
      .get(RouteInventory)
      .routes()
      .filter((route: DeclaredRoute) => route.method === 'GET' && isPageRoute(route) && !route.path.includes(':'));
    for (const route of routes) {
      const page = await fastifyOf(app).inject({ method: 'GET', url: route.path, headers: { ...officer.headers, accept: 'text/html' } });
      for (const form of page.body.matchAll(/<form[^>]*method="get"[^>]*action="([^"?]+)"[^>]*>([\s\S]*?)<\/form>/gi)) {
        for (const field of form[2]!.matchAll(/<(?:input|select|textarea)[^>]*\sname="([^"]+)"/g)) add(form[1]!, field[1]!);
      }
      for (const link of page.body.matchAll(/href="(\/[^"?]+)\?([^"]+)"/g)) {
        for (const name of new URLSearchParams(link[2]!.replace(/&amp;/g, '&')).keys()) if (name !== 'lang') add(link[1]!, name);
      }
    }
    return found;
  }

  /** How many results a response lists: a JSON list's items, or a page's table rows. */
  function resultCount(body: string, json: boolean): number {
    if (json) {
      const parsed = JSON.parse(body) as { items?: unknown[] } | unknown[];
      return Array.isArray(parsed) ? parsed.length : (parsed.items?.length ?? 0);
    }
    return (body.match(/<tbody[\s\S]*?<\/tbody>/g) ?? []).join('').match(/<tr\b/g)?.length ?? 0;
  }

  it('answers every probe on every filter parameter with 400/404 or results no wider than a value that matches nothing', async () => {
    const parameters = await filterParameters();
    expect([...(parameters.get('/api/v1/officer/queue') ?? [])]).toEqual(
      expect.arrayContaining(['service', 'status', 'post', 'after', 'limit']),
    );
    expect([...(parameters.get('/officer/audit') ?? [])]).toEqual(expect.arrayContaining(['action', 'actor', 'target', 'from', 'to']));
    expect([...(parameters.get('/officer/queue') ?? [])]).toEqual(expect.arrayContaining(['service', 'post', 'priority']));
    const wrong: string[] = [];
    let probed = 0;
    for (const [path, names] of parameters) {
      const json = path.startsWith('/api/');
      const get = (query: string) =>
        fastifyOf(app).inject({
          method: 'GET',
          url: `${path}?${query}`,
          headers: { ...officer.headers, accept: json ? 'application/json' : 'text/html' },
        });
      for (const name of names) {
        const harmless = await get(new URLSearchParams({ [name]: 'zzzz-no-such-thing' }).toString());
        const ceiling = harmless.statusCode === 200 ? resultCount(harmless.body, json) : 0;
        for (const probe of [...PROBES, ...(name === 'after' ? CURSORS : [])]) {
          probed++;
          const response = await get(new URLSearchParams({ [name]: probe }).toString());
          // 404: a parameter that names one thing (a download token) found nothing.
          if (response.statusCode === 400 || response.statusCode === 404) continue;
          if (response.statusCode !== 200) wrong.push(`${path} ${name}=${probe}: ${response.statusCode} ${response.body.slice(0, 120)}`);
          else if (resultCount(response.body, json) > ceiling)
            wrong.push(`${path} ${name}=${probe}: more results than a value matching nothing`);
        }
      }
    }
    expect(probed).toBeGreaterThan(300);
    expect(wrong).toEqual([]);
  });

  it('answers every probe on the look-ups visitors type into with a refusal or "not found", never a 5xx', async () => {
    const visitor = new Browser(app);
    await visitor.get('/verify');
    const lookups: [string, (probe: string) => Record<string, string>][] = [
      ['/api/v1/verify/evisa', (p) => ({ visaNumber: p.slice(0, 20), passportNumber: p.slice(0, 20) })],
      ['/api/v1/verify/evisa/seal', (p) => ({ seal: p })],
      ['/api/v1/verify/seal', (p) => ({ seal: p })],
      ['/api/v1/verify/authentication', (p) => ({ certificateNumber: p.slice(0, 40), issuedOn: p })],
      ['/api/v1/verify/authentication', (p) => ({ certificateNumber: p.slice(0, 40), issuedOn: '2026-11-25' })],
      ['/api/v1/evisa/applications/access', (p) => ({ reference: p, surname: p, dateOfBirth: p })],
      ['/api/v1/status', (p) => ({ reference: p, surname: p, dateOfBirth: p })],
      ['/api/v1/legalisation/requests/answer', (p) => ({ reference: p.slice(0, 20), surname: p, dateOfBirth: p, answer: p })],
      ['/api/v1/passports/applications/answer', (p) => ({ reference: p.slice(0, 20), surname: p, dateOfBirth: p, answer: p })],
      // A well-formed reference, so the surname reaches the look-up instead of the reference's check character refusing it.
      ['/api/v1/status', (p) => ({ reference: generateReference('EV'), surname: p, dateOfBirth: '1990-04-27' })],
      ['/verify/evisa', (p) => ({ visaNumber: p, passportNumber: p })],
      ['/verify/seal', (p) => ({ seal: p })],
      ['/verify/authentication', (p) => ({ certificateNumber: p, issuedOn: p })],
      ['/evisa/access', (p) => ({ reference: p, surname: p, dateOfBirth: p })],
      ['/status', (p) => ({ reference: p, surname: p, dateOfBirth: p })],
      ['/officer/sign-in', (p) => ({ username: p, password: p })],
    ];
    const wrong: string[] = [];
    let ip = 1;
    for (const [path, fields] of lookups) {
      for (const probe of PROBES) {
        const remoteAddress = `10.9.${Math.floor(ip / 250)}.${(ip++ % 250) + 1}`;
        const response = isPageRoute({ path })
          ? await fastifyOf(app).inject({
              method: 'POST',
              url: path,
              remoteAddress,
              headers: {
                accept: 'text/html',
                'content-type': 'application/x-www-form-urlencoded',
                cookie: `csrf=${visitor.cookie('csrf')}`,
              },
              payload: new URLSearchParams({ ...fields(probe), _csrf: visitor.lastCsrf! }).toString(),
            })
          : await fastifyOf(app).inject({ method: 'POST', url: path, remoteAddress, payload: fields(probe) });
        const body = response.body;
        const refused = [400, 404, 422].includes(response.statusCode);
        const notFound = response.statusCode === 200 && !/"result":"(valid|expired|revoked)"|"valid":true|This eVisa is valid/.test(body);
        if (!refused && !notFound) wrong.push(`${path} ${probe}: ${response.statusCode} ${body.slice(0, 120)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('leaves the canary, every table and every case where they were', async () => {
    expect(await dataSource.query(`SELECT id, note FROM canary`)).toEqual([{ id: 1, note: 'still here' }]);
    expect(await tables()).toEqual(tablesBefore);
    expect(await cases()).toBe(casesBefore);
  });
});
