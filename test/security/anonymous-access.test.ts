import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions } from 'fastify';
import { DataSource } from 'typeorm';
import { type DeclaredRoute, RouteInventory } from '@app/identity';
import { startTestStack, type TestStack } from '../harness/app.js';
import { Browser, fastifyOf } from '../harness/identity.js';
import { browserInjector, completeDraft } from '../evisa/helpers.js';
import { databaseFingerprint, freshAddress, isPageRoute, urlOf } from './support.js';

const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

/**
 * The authorization matrix's anonymous column over every route Nest registered (RouteInventory),
 * so a new route is covered the day it is added: every @Public() and @ApplicantRoute() route
 * answers an anonymous caller without 401/403 (its own checks may still say 400 or 404), and every
 * officer route refuses one — also when the caller holds an applicant's tokens, a made-up bearer
 * token or a forged session cookie. Bull Board, a Fastify plugin outside the inventory, too.
 */
describe('anonymous access to every route', () => {
  let stack: TestStack;
  let app: NestFastifyApplication;
  let routes: DeclaredRoute[];
  let visitor: Browser;
  let applicant: { token: string; caseId: string };

  beforeAll(async () => {
    stack = await startTestStack({ env: { BULL_BOARD_ENABLED: 'true' } });
    app = stack.api;
    routes = app.get(RouteInventory).routes();
    visitor = new Browser(app);
    await visitor.get('/evisa/eligibility');
    applicant = await completeDraft(await browserInjector(app));
  });

  afterAll(async () => {
    await stack?.close();
  });

  /** As a browser that loaded a page of the site: its CSRF cookie and token go with every write. */
  function anonymous(route: DeclaredRoute, extraHeaders: Record<string, string> = {}, extraCookies: string[] = []): InjectOptions {
    const page = isPageRoute(route);
    const cookies = [`csrf=${visitor.cookie('csrf')}`, ...extraCookies];
    const headers: Record<string, string> = {
      accept: page ? 'text/html' : 'application/json',
      cookie: cookies.join('; '),
      ...extraHeaders,
    };
    const request: InjectOptions = {
      method: route.method as 'GET',
      url: urlOf(route, () => NO_SUCH_ID),
      headers,
      remoteAddress: freshAddress(),
    };
    if (route.method !== 'GET') {
      if (page) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        request.payload = `_csrf=${encodeURIComponent(visitor.lastCsrf!)}`;
      } else {
        headers['content-type'] = 'application/json';
        headers['x-csrf-token'] = visitor.lastCsrf!;
        request.payload = '{}';
      }
    }
    return request;
  }

  // A route's own proof check may refuse what it was given (a signed link that is not valid answers
  // 401 INVALID_LINK); what must never happen is the access guard standing in the way.
  const refusedByGuard = (response: { statusCode: number; body: string }): boolean => {
    if (response.statusCode >= 500 || response.statusCode === 403) return true;
    if (response.statusCode !== 401) return false;
    // The guard answers an anonymous API call 401 UNAUTHENTICATED (and redirects pages to sign in).
    try {
      return (JSON.parse(response.body) as { error?: { code?: string } }).error?.code === 'UNAUTHENTICATED';
    } catch {
      return false;
    }
  };

  it('lets anonymous callers reach every public and applicant route (never refused by the access guard)', async () => {
    const open = routes.filter((route) => route.policy?.kind === 'public' || route.policy?.kind === 'applicant');
    expect(open.length).toBeGreaterThan(40);
    const refused: string[] = [];
    for (const route of open) {
      const response = await fastifyOf(app).inject(anonymous(route));
      if (refusedByGuard(response)) {
        refused.push(`${route.method} ${route.path}: ${response.statusCode} ${response.body.slice(0, 120)}`);
      }
    }
    expect(refused).toEqual([]);
  });

  it('refuses anonymous callers on every officer route: 401 on the API, a redirect to sign in on pages, and runs nothing', async () => {
    const officerRoutes = routes.filter((route) => route.policy?.kind === 'officer');
    expect(officerRoutes.length).toBeGreaterThan(40);
    const applicantCredentials = {
      headers: { 'x-draft-token': applicant.token, 'x-applicant-token': applicant.token },
      cookies: [`evisa_draft=${applicant.token}`, `evisa_case=${applicant.token}`],
    };
    const callers: [string, Record<string, string>, string[]][] = [
      ['nobody', {}, []],
      ["an applicant's tokens", applicantCredentials.headers, applicantCredentials.cookies],
      ['a made-up bearer token', { authorization: 'Bearer cpat_madeupmadeupmadeupmadeup' }, []],
      ['a forged session cookie', {}, [`officer_session=${'A'.repeat(43)}`]],
    ];
    const wrong: string[] = [];
    const before = await databaseFingerprint(app.get(DataSource));
    for (const route of officerRoutes) {
      for (const [who, headers, cookies] of callers) {
        const response = await fastifyOf(app).inject(anonymous(route, headers, cookies));
        const page = isPageRoute(route);
        const ok = page
          ? response.statusCode === 303 && String(response.headers.location).startsWith('/officer/sign-in')
          : response.statusCode === 401 && (JSON.parse(response.body) as { error: { code: string } }).error.code === 'UNAUTHENTICATED';
        if (!ok) wrong.push(`${route.method} ${route.path} as ${who}: ${response.statusCode} ${response.body.slice(0, 100)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(await databaseFingerprint(app.get(DataSource))).toEqual(before);
  });

  it('keeps Bull Board (outside the route inventory) from anonymous callers and applicants', async () => {
    for (const url of ['/admin/queues', '/admin/queues/api/queues']) {
      for (const cookie of ['', `evisa_case=${applicant.token}`]) {
        const asPage = await fastifyOf(app).inject({ method: 'GET', url, headers: { accept: 'text/html', cookie } });
        expect([url, asPage.statusCode, asPage.headers.location]).toEqual([url, 303, '/officer/sign-in?next=%2Fadmin%2Fqueues']);
        const asApi = await fastifyOf(app).inject({ method: 'GET', url, headers: { accept: 'application/json', cookie } });
        expect([url, asApi.statusCode]).toEqual([url, 401]);
      }
    }
  });
});
