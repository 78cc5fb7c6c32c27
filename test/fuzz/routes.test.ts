import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { EvisaApplicationService, STEP_NAMES, STEPS } from '@app/evisa';
import { type DeclaredRoute, RouteInventory } from '@app/identity';
import type { AppConfig } from '@app/platform';
import { startTestStack, type TestStack } from '../harness/app.js';
import { integrityProblems } from '../harness/integrity.js';
import { Browser, createTestOfficer, fastifyOf, signInOfficer, type SignedInOfficer } from '../harness/identity.js';
import { browserInjector, submittedApplication } from '../evisa/helpers.js';
import { freshAddress } from '../security/support.js';
import { HOSTILE_STRINGS, hostileString, MEGABYTE_STRING } from './hostile.js';

/** Random requests per route on top of the fixed hostile corpus; FUZZ_RUNS raises it for a longer local run. */
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS ?? 8);

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface Fixture {
  app: NestFastifyApplication;
  config: AppConfig;
  officer: SignedInOfficer;
  /** Another officer, for the officer-management routes (so the fuzzing officer never locks itself out). */
  targetOfficerId: string;
  /** A submitted eVisa case (at PH-MNL; the fuzzing officer is at HQ and sees it) and its photo. */
  caseId: string;
  fileId: string;
  reference: string;
  applicantToken: string;
  /** An open draft, for the applicant's draft routes. */
  draftToken: string;
  /** The anonymous visitor's CSRF cookie and the token that fits it. */
  csrfCookie: string;
  csrfToken: string;
  /** Every field name seen in the OpenAPI schemas, the eVisa steps and the forms of every page. */
  fieldNames: string[];
}

/**
 * Bad input, at every route: discovered with RouteInventory (so a new route is fuzzed without
 * anyone listing it), called with credentials that get past its policy, and fed random and
 * hostile JSON (also as raw text: `__proto__`, duplicate keys, deep nesting, wrong types, 1 MB
 * strings, unicode edge cases), form posts (with a valid CSRF token) and multipart bodies, with
 * hostile path parameters, query strings and headers. Invariants: never a 5xx; every JSON error
 * is the one shape; and afterwards the database is whole.
 */
describe('fuzzing every route with bad input', () => {
  let stack: TestStack;
  let fixture: Fixture;
  let routes: DeclaredRoute[];
  const failures: string[] = [];
  /** What the server logged for each unexpected error, by correlation id, to explain a 5xx. */
  const serverErrors = new Map<string, string>();
  const statuses = new Map<string, Set<number>>();

  beforeAll(async () => {
    stack = await startTestStack({
      env: { LOG_LEVEL: 'error' },
      logStream: {
        write: (line: string) => {
          const entry = JSON.parse(line) as { correlationId?: string; err?: { type?: string; message?: string; stack?: string } };
          if (entry.correlationId && entry.err) {
            serverErrors.set(
              entry.correlationId,
              `${entry.err.type}: ${entry.err.message} ${entry.err.stack?.split('\n')[1]?.trim() ?? ''}`,
            );
          }
        },
      },
    });
    const { api: app, config } = stack;
    const officer = await signInOfficer(app, { roles: ['officer', 'supervisor', 'admin'], postCode: 'HQ-TPE' });
    const target = await createTestOfficer(app, { postCode: 'US-LAX' });
    const visitor = new Browser(app);
    await visitor.get('/evisa/eligibility');
    fixture = {
      app,
      config,
      officer,
      targetOfficerId: target.officer.id,
      caseId: '',
      fileId: '',
      reference: '',
      applicantToken: '',
      draftToken: '',
      csrfCookie: visitor.cookie('csrf')!,
      csrfToken: visitor.lastCsrf!,
      fieldNames: [],
    };
    await freshApplicant(fixture);
    // Routes that end what the others work on (the draft, the application, the session) go last.
    const ending = (route: DeclaredRoute) => /withdraw|delete-draft|sign-out/.test(route.path);
    routes = app
      .get(RouteInventory)
      .routes()
      .sort((a, b) => Number(ending(a)) - Number(ending(b)));
    fixture.fieldNames = await knownFieldNames(fixture, routes);
  });

  afterAll(async () => {
    await stack?.close();
  });

  async function send(route: DeclaredRoute, request: InjectOptions): Promise<LightMyRequestResponse> {
    const response = await fastifyOf(fixture.app).inject({ remoteAddress: freshAddress(), ...request });
    const label = `${route.method} ${route.path}`;
    statuses.set(label, (statuses.get(label) ?? new Set()).add(response.statusCode));
    const problem = invariantBroken(response);
    if (problem) {
      const cause = serverErrors.get(String(response.headers['x-request-id'])) ?? response.body.slice(0, 200);
      failures.push(`${label} ${problem}: ${cause}\n  request: ${summarise(request)}`);
    }
    return response;
  }

  it('discovers the routes: public, applicant and officer ones', () => {
    const kinds = new Set(routes.map((route) => route.policy?.kind));
    expect([...kinds].sort()).toEqual(['applicant', 'officer', 'public']);
    expect(routes.length).toBeGreaterThan(90);
    expect(fixture.fieldNames).toEqual(expect.arrayContaining(['surname', 'visaNumber', 'expectedVersion', 'username', 'reference']));
  });

  it('never answers a fixed hostile corpus with a 5xx, and every JSON error has the one shape', async () => {
    for (const route of routes) {
      for (const request of hostileCorpus(fixture, route)) await send(route, request);
    }
    expect(failures.slice(0, 20)).toEqual([]);
  }, 900_000); // bounded work that a loaded machine only makes slower: the limit guards against a hang, not a slow run

  it('never answers random bad input with a 5xx, and every JSON error has the one shape', async () => {
    await freshApplicant(fixture); // the corpus ended by withdrawing the last ones
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(randomRequest(fixture, route), async (request) => {
          await send(route, request);
        }),
        { numRuns: RUNS_PER_ROUTE },
      );
    }
    expect(failures.slice(0, 20)).toEqual([]);
  }, 900_000); // bounded work that a loaded machine only makes slower: the limit guards against a hang, not a slow run

  it('leaves the database whole: no orphan rows, every case with its events and an intact chain', async () => {
    // The fuzzing reached past validation: routes answered with successes as well as refusals.
    const succeeded = [...statuses].filter(([, codes]) => [...codes].some((code) => code < 400));
    expect(succeeded.length).toBeGreaterThan(30);
    expect(await integrityProblems(fixture.app.get(DataSource), stack.config.storageDir)).toEqual([]);
  });
});

/** A submitted application (case, photo, applicant token) and an open draft for the applicant routes to work on. */
async function freshApplicant(fixture: Fixture): Promise<void> {
  const submitted = await submittedApplication(await browserInjector(fixture.app));
  const [application] = (await fixture.app
    .get(DataSource)
    .query(`SELECT photo_file_id FROM evisa_application WHERE case_id = $1`, [submitted.caseId])) as { photo_file_id: string }[];
  const draft = await fastifyOf(fixture.app).inject({
    method: 'POST',
    url: '/api/v1/evisa/drafts',
    payload: { nationality: 'PHL', purpose: 'tourism', passportType: 'ordinary' },
  });
  Object.assign(fixture, {
    caseId: submitted.caseId,
    fileId: application!.photo_file_id,
    reference: submitted.reference,
    applicantToken: fixture.app.get(EvisaApplicationService).applicantToken(submitted.caseId),
    draftToken: (draft.json() as { draftToken: string }).draftToken,
  });
}

// ── the invariants ──────────────────────────────────────────────────────────

function invariantBroken(response: LightMyRequestResponse): string | null {
  if (response.statusCode >= 500) return `answered ${response.statusCode}`;
  const type = String(response.headers['content-type'] ?? '');
  if (response.statusCode < 400 || !type.startsWith('application/json')) return null;
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    return 'sent an error that is not JSON under application/json';
  }
  const error = (body as { error?: Record<string, unknown> }).error;
  if (!error || Object.keys(body as object).length !== 1) return 'sent a JSON error without the { error } envelope';
  const keys = Object.keys(error);
  if (keys.some((key) => !['code', 'message', 'details', 'correlationId'].includes(key))) return `sent error keys ${keys.join(',')}`;
  if (typeof error.code !== 'string' || typeof error.message !== 'string' || typeof error.correlationId !== 'string') {
    return 'sent an error without code, message and correlationId';
  }
  if (error.correlationId !== response.headers['x-request-id']) return 'sent a correlationId that is not the x-request-id';
  return null;
}

function summarise(request: InjectOptions): string {
  const payload = request.payload === undefined ? '' : String(request.payload).slice(0, 200);
  const headers = Object.entries(request.headers ?? {})
    .filter(([name]) => name === 'content-type')
    .map(([name, value]) => `${name}: ${String(value)}`);
  return `${request.method} ${String(request.url).slice(0, 200)} ${headers.join(' ')} ${payload}`;
}

// ── who is asking ───────────────────────────────────────────────────────────

const isPage = (route: DeclaredRoute) => !route.path.startsWith('/api/') && !route.path.startsWith('/health') && route.path !== '/metrics';

/** Headers that get a request past the route's policy: the officer's session, or the applicant's cookies and tokens. */
function credentials(fixture: Fixture, route: DeclaredRoute, form: boolean): Record<string, string> {
  const headers: Record<string, string> = { accept: isPage(route) ? 'text/html' : 'application/json' };
  if (route.policy?.kind === 'officer') {
    // The header too for forms: multipart API calls have no form field to carry the token.
    headers.cookie = fixture.officer.cookie;
    headers['x-csrf-token'] = fixture.officer.csrfToken;
    return headers;
  }
  const cookies = [`csrf=${fixture.csrfCookie}`];
  if (route.path.startsWith('/evisa')) {
    cookies.push(`evisa_draft=${fixture.draftToken}`, `evisa_case=${fixture.applicantToken}`);
  }
  if (isPage(route)) headers.cookie = cookies.join('; ');
  else {
    headers['x-draft-token'] = fixture.draftToken;
    headers['x-applicant-token'] = fixture.applicantToken;
    headers['idempotency-key'] = `fuzz-${randomUUID()}`;
  }
  if (!form && isPage(route)) headers['x-csrf-token'] = fixture.csrfToken;
  return headers;
}

function csrfFor(fixture: Fixture, route: DeclaredRoute): string {
  return route.policy?.kind === 'officer' ? fixture.officer.csrfToken : fixture.csrfToken;
}

/** A real value for each path parameter, so that requests reach the handler and not only the router. */
function realParam(fixture: Fixture, route: DeclaredRoute, name: string): string {
  switch (name) {
    case 'id':
      return route.path.startsWith('/officer/admin/officers/') ? fixture.targetOfficerId : fixture.caseId;
    case 'fileId':
      return fixture.fileId;
    case 'step':
      return 'name';
    case 'slot':
      return 'photo';
    default:
      return randomUUID();
  }
}

function urlFor(fixture: Fixture, route: DeclaredRoute, params: Record<string, string> = {}, query = ''): string {
  const path = route.path.replace(/:([A-Za-z]+)/g, (_m, name: string) => encode(params[name] ?? realParam(fixture, route, name)));
  return query ? `${path}?${query}` : path;
}

/** Percent-encodes every byte of the string's UTF-8 (a lone surrogate becomes U+FFFD, as a browser would send it). */
function encode(value: string): string {
  return [...Buffer.from(value, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`).join('');
}

const paramNames = (route: DeclaredRoute) => [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);

// ── the fixed hostile corpus ────────────────────────────────────────────────

const QUERY_VALUES = ['a\u0000b', '\uD800', "' OR '1'='1", '%_\\', '1e309', '-1', '2026-02-30', '\u202Eevil', 'x'.repeat(1000), ''];
const DEEP_ARRAY = `${'['.repeat(5000)}${']'.repeat(5000)}`;
const DEEP_OBJECT = `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`;

function hostileCorpus(fixture: Fixture, route: DeclaredRoute): InjectOptions[] {
  const method = route.method as Method;
  const requests: InjectOptions[] = [];
  const jsonHeaders = { ...credentials(fixture, route, false), 'content-type': 'application/json' };
  const formHeaders = { ...credentials(fixture, route, true), 'content-type': 'application/x-www-form-urlencoded' };
  const fields = fixture.fieldNames;

  // Hostile path parameters, one at a time: raw (percent-encoding the router must decode), then as values.
  for (const name of paramNames(route)) {
    for (const segment of ['%C0%AF', '%FF', '..%2F..%2Fetc%2Fpasswd', '%2e%2e', '%00', '%', '..', '.']) {
      const url = urlFor(fixture, route).replace(encode(realParam(fixture, route, name)), segment);
      requests.push({ method, url, headers: credentials(fixture, route, false) });
    }
    for (const value of [
      '__proto__',
      'constructor',
      'toString',
      '../../etc/passwd',
      '%2e%2e%2f',
      "1' OR '1'='1",
      '\u0000',
      '\uD800',
      'x'.repeat(99),
      '-1',
      '00000000-0000-0000-0000-000000000000',
    ]) {
      requests.push({ method, url: urlFor(fixture, route, { [name]: value }), headers: credentials(fixture, route, false) });
    }
  }
  // Hostile query strings (on reads: the writes take their input from the body): every known field name at once, with each of the nastiest values.
  for (const value of method === 'GET' ? QUERY_VALUES : QUERY_VALUES.slice(0, 2)) {
    const query = fields.map((name) => `${encode(name)}=${encode(value)}`).join('&');
    requests.push({ method, url: urlFor(fixture, route, {}, query), headers: credentials(fixture, route, false) });
  }
  requests.push({
    method,
    url: urlFor(fixture, route, {}, 'a=1&a=2&a[b]=3&__proto__[x]=1&constructor[prototype][y]=1&limit=1e309&after=%00&post=%FF'),
    headers: credentials(fixture, route, false),
  });
  if (method === 'GET') return requests;

  const url = urlFor(fixture, route);
  const raw = (payload: string, headers: Record<string, string> = jsonHeaders) => requests.push({ method, url, headers, payload });
  // Raw JSON text that JSON.stringify can never produce.
  raw(`{"__proto__":{"isAdmin":true,"roles":["admin"]},"constructor":{"prototype":{"polluted":1}}}`);
  raw(`{"${fields[0]}":"a","${fields[0]}":{"nested":true},"expectedVersion":1,"expectedVersion":"1"}`);
  raw(DEEP_ARRAY);
  raw(DEEP_OBJECT);
  raw('{"a":');
  raw('\uFEFF{}');
  raw("{'single':'quotes'}");
  raw('"a string"');
  raw('[1,2,3]');
  raw('null');
  raw('{"n":1e309,"m":-0,"k":123456789012345678901234567890,"d":1e-400}');
  raw(JSON.stringify({ x: MEGABYTE_STRING.slice(0, 1_000_000) }));
  raw(JSON.stringify({ x: MEGABYTE_STRING })); // over the body limit
  raw('{}', { ...jsonHeaders, 'content-type': 'application/json; charset=utf-16' });
  raw('<xml/>', { ...jsonHeaders, 'content-type': 'application/xml' });
  raw('plain text', { ...jsonHeaders, 'content-type': 'text/plain' });
  raw('{"a":1}', { ...jsonHeaders, 'content-type': '' });
  // Every known field with a wrong type, then with a hostile string.
  for (const value of [[], {}, 12, true, null, ['a', 'b'], { $gt: '' }]) {
    raw(JSON.stringify(Object.fromEntries(fields.map((name) => [name, value]))));
  }
  for (const value of HOSTILE_STRINGS) raw(JSON.stringify(Object.fromEntries(fields.map((name) => [name, value]))));
  // Forms: duplicate keys (arrays), prototype keys, a megabyte value, hostile values; with a valid token.
  const csrf = `_csrf=${encode(csrfFor(fixture, route))}`;
  const form = (pairs: string) => requests.push({ method, url, headers: formHeaders, payload: `${pairs}&${csrf}` });
  form(fields.map((name) => `${encode(name)}=a&${encode(name)}=b`).join('&'));
  form('__proto__=x&constructor=y&prototype=z&__proto__[admin]=1');
  form(`${encode(fields[0]!)}=${'x'.repeat(1_000_000)}`);
  // Eight hostile values for each field (the JSON bodies above sent every value in every field).
  for (let shift = 0; shift < 8; shift++) {
    form(fields.map((name, i) => `${encode(name)}=${encode(HOSTILE_STRINGS[(i * 8 + shift) % HOSTILE_STRINGS.length]!)}`).join('&'));
  }
  // Multipart: hostile file names and bytes, too many parts, fields only.
  const multipartUrl = isPage(route) ? `${url}${url.includes('?') ? '&' : '?'}${csrf}` : url;
  for (const parts of [
    [{ name: 'file', filename: '../../etc/passwd', data: Buffer.from('<script>alert(1)</script>') }],
    [{ name: 'file', filename: 'a\u0000.jpg', data: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0]) }],
    [{ name: 'file', filename: 'x.svg', data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') }],
    Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, value: 'v' })),
    fields.slice(0, 8).map((name, i) => ({ name, value: HOSTILE_STRINGS[i % HOSTILE_STRINGS.length]! })),
  ]) {
    const body = multipartBody(parts);
    requests.push({ method, url: multipartUrl, headers: { ...credentials(fixture, route, true), ...body.headers }, payload: body.payload });
  }
  requests.push({
    method,
    url,
    headers: { ...credentials(fixture, route, true), 'content-type': 'multipart/form-data; boundary=nope' },
    payload: '--nope\r\nbroken',
  });
  return requests;
}

// ── random requests ─────────────────────────────────────────────────────────

function randomRequest(fixture: Fixture, route: DeclaredRoute): fc.Arbitrary<InjectOptions> {
  const method = route.method as Method;
  const fieldName = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...fixture.fieldNames) }, { weight: 1, arbitrary: hostileString() });
  const value: fc.Arbitrary<unknown> = fc.oneof(
    { weight: 4, arbitrary: hostileString() },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.constantFrom(0, -1, 1.5, 2 ** 53 + 1, true, null, [], {}) },
  );
  const fieldsArb = fc.dictionary(fieldName, value, { maxKeys: 8 });
  const params = fc.record(
    Object.fromEntries(paramNames(route).map((name) => [name, fc.oneof(fc.constant(realParam(fixture, route, name)), hostileString())])),
  );
  const query = fc.dictionary(fieldName, hostileString(), { maxKeys: 4 }).map((entries) => new URLSearchParams(entries).toString());
  const remoteAddress = fc.ipV4();
  const urlArb = fc.tuple(params, query).map(([p, q]) => urlFor(fixture, route, p as Record<string, string>, q));
  if (method === 'GET') {
    return fc.record({ url: urlArb, remoteAddress }).map(({ url, remoteAddress: ip }) => ({
      method,
      url,
      remoteAddress: ip,
      headers: credentials(fixture, route, false),
    }));
  }
  const body = fc.oneof(
    fieldsArb.map((fields) => ({ kind: 'json' as const, fields })),
    fieldsArb.map((fields) => ({ kind: 'form' as const, fields })),
    fieldsArb.map((fields) => ({ kind: 'multipart' as const, fields })),
    fc.jsonValue().map((anything) => ({ kind: 'any-json' as const, anything })),
  );
  const stepFields =
    route.path.endsWith(':step') && route.path.includes('evisa')
      ? fc
          .constantFrom(...STEP_NAMES)
          .chain((step) =>
            fc
              .record(Object.fromEntries(STEPS[step].map((name) => [name, value])), { requiredKeys: [] })
              .map((fields) => ({ step, fields: fields as Record<string, unknown> })),
          )
      : fc.constant(null);
  return fc.record({ url: urlArb, remoteAddress, body, stepFields }).map(({ url, remoteAddress: ip, body: chosen, stepFields: step }) => {
    let target = url;
    let fields = 'fields' in chosen ? chosen.fields : {};
    if (step) {
      target = target.replace(/\/name(\?|$)/, `/${step.step}$1`);
      fields = { ...fields, ...step.fields };
    }
    if (chosen.kind === 'json' || chosen.kind === 'any-json') {
      const payload = JSON.stringify(chosen.kind === 'json' ? fields : chosen.anything) ?? 'null';
      return {
        method,
        url: target,
        remoteAddress: ip,
        headers: { ...credentials(fixture, route, false), 'content-type': 'application/json' },
        payload,
      };
    }
    const token = csrfFor(fixture, route);
    const strings = Object.entries(fields).map(([name, v]) => [name, typeof v === 'string' ? v : (JSON.stringify(v) ?? '')] as const);
    if (chosen.kind === 'form') {
      const form = new URLSearchParams([...strings, ['_csrf', token]] as [string, string][]);
      return {
        method,
        url: target,
        remoteAddress: ip,
        headers: { ...credentials(fixture, route, true), 'content-type': 'application/x-www-form-urlencoded' },
        payload: form.toString(),
      };
    }
    const body = multipartBody([
      ...strings.map(([name, v]) => ({ name, value: v })),
      { name: 'file', filename: 'a.jpg', data: Buffer.from('x') },
    ]);
    const withToken = isPage(route) ? `${target}${target.includes('?') ? '&' : '?'}_csrf=${encode(token)}` : target;
    return {
      method,
      url: withToken,
      remoteAddress: ip,
      headers: { ...credentials(fixture, route, true), ...body.headers },
      payload: body.payload,
    };
  });
}

// ── helpers ─────────────────────────────────────────────────────────────────

function multipartBody(parts: { name: string; value?: string; filename?: string; data?: Buffer }[]): {
  payload: Buffer;
  headers: Record<string, string>;
} {
  const boundary = `----fuzz${randomUUID()}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const name = part.name.replace(/["\r\n]/g, '_');
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if (part.filename !== undefined) {
      chunks.push(
        Buffer.from(
          `Content-Disposition: form-data; name="${name}"; filename="${part.filename.replace(/["\r\n]/g, '_')}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
        ),
      );
      chunks.push(part.data ?? Buffer.alloc(0));
    } else {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${name}"\r\n\r\n${part.value ?? ''}`));
    }
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/**
 * Field names the routes know: every property in the OpenAPI schemas, every eVisa answer, and
 * every `name="…"` of the forms on every page that renders without parameters. New DTOs and
 * forms are picked up without editing this test.
 */
async function knownFieldNames(fixture: Fixture, routes: DeclaredRoute[]): Promise<string[]> {
  const names = new Set<string>(Object.values(STEPS).flat());
  const inject = (url: string, route: DeclaredRoute) =>
    fastifyOf(fixture.app).inject({ method: 'GET', url, headers: credentials(fixture, route, false) });
  const openApi = (await fastifyOf(fixture.app).inject({ method: 'GET', url: '/api/docs-json' })).json() as {
    components?: { schemas?: Record<string, { properties?: Record<string, unknown> }> };
    paths?: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
  };
  for (const schema of Object.values(openApi.components?.schemas ?? {})) Object.keys(schema.properties ?? {}).forEach((n) => names.add(n));
  for (const operations of Object.values(openApi.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      for (const parameter of operation.parameters ?? []) if (parameter.in === 'query') names.add(parameter.name);
    }
  }
  for (const route of routes.filter((r) => r.method === 'GET' && isPage(r))) {
    const page = await inject(urlFor(fixture, route), route);
    for (const match of page.body.matchAll(/\sname="([^"]+)"/g)) names.add(match[1]!);
  }
  names.delete('_csrf');
  return [...names].sort();
}
