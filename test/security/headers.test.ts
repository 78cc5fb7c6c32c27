import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LightMyRequestResponse } from 'fastify';
import { DataSource } from 'typeorm';
import { EvisaApplicationService } from '@app/evisa';
import { type DeclaredRoute, RouteInventory } from '@app/identity';
import { loadConfig } from '@app/platform';
import { createApi } from '../../apps/api/src/bootstrap.js';
import { createWorker } from '../../apps/worker/src/bootstrap.js';
import { createTestDatabase, eventually, testEnv } from '../harness/context.js';
import { createTestOfficer, fastifyOf, sessionFor } from '../harness/identity.js';
import { browserInjector, submittedApplication } from '../evisa/helpers.js';
import { approve, caseRow } from '../faults/support.js';
import { isPageRoute, urlOf } from './support.js';

interface Checked {
  label: string;
  response: LightMyRequestResponse;
}

/**
 * Security headers on every response: every GET route (from RouteInventory, as its caller would
 * call it), errors, static files and downloads (an uploaded file, the eVisa PDF). Each carries
 * `X-Content-Type-Options: nosniff` and a CSP that runs no inline script; production adds HSTS.
 * Pages themselves contain no inline script, event handler attribute or javascript: URL.
 */
describe('security headers', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const apps: Record<'development' | 'production', NestFastifyApplication> = {} as never;
  let worker: INestApplicationContext;
  let caseId: string;
  let fileId: string;
  let officerId: string;
  let applicantToken: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = testEnv(db.url);
    apps.development = await createApi(loadConfig(env));
    apps.production = await createApi(loadConfig({ ...env, NODE_ENV: 'production' }));
    for (const app of Object.values(apps)) {
      await app.init();
      await fastifyOf(app).ready();
    }
    const app = apps.development;
    ({ caseId } = await submittedApplication(await browserInjector(app)));
    const dataSource = app.get(DataSource);
    fileId = (
      (await dataSource.query(`SELECT photo_file_id FROM evisa_application WHERE case_id = $1`, [caseId])) as { photo_file_id: string }[]
    )[0]!.photo_file_id;
    worker = await createWorker(loadConfig(env));
    await approve(app, dataSource, caseId);
    await eventually(
      () => caseRow(dataSource, caseId),
      (row) => row.status === 'ISSUED',
      30_000,
    );
    officerId = (await createTestOfficer(app, { roles: ['officer', 'supervisor', 'admin'], postCode: 'HQ-TPE' })).officer.id;
    applicantToken = app.get(EvisaApplicationService).applicantToken(caseId);
  });

  afterAll(async () => {
    await worker?.close();
    for (const app of Object.values(apps)) await app?.close();
    await db.drop();
  });

  async function everyResponse(app: NestFastifyApplication): Promise<Checked[]> {
    const inject = fastifyOf(app).inject.bind(fastifyOf(app));
    const officer = await sessionFor(app, officerId);
    const applicant = { cookie: `evisa_case=${applicantToken}`, 'x-applicant-token': applicantToken };
    const param = (route: DeclaredRoute) => (name: string) =>
      name === 'id'
        ? route.path.startsWith('/officer/admin/')
          ? officerId
          : caseId
        : name === 'fileId'
          ? fileId
          : name === 'step'
            ? 'name'
            : name === 'slot'
              ? 'photo'
              : 'X';
    const checked: Checked[] = [];
    for (const route of app
      .get(RouteInventory)
      .routes()
      .filter((r) => r.method === 'GET')) {
      const headers: Record<string, string> = { accept: isPageRoute(route) ? 'text/html' : 'application/json' };
      Object.assign(headers, route.policy?.kind === 'officer' ? officer.headers : applicant);
      checked.push({ label: `GET ${route.path}`, response: await inject({ method: 'GET', url: urlOf(route, param(route)), headers }) });
    }
    const link = (await inject({ method: 'GET', url: '/api/v1/evisa/applications/current/document', headers: applicant })).json() as {
      url: string;
    };
    const page = await inject({ method: 'GET', url: '/evisa/application', headers: { accept: 'text/html', cookie: applicant.cookie } });
    const pageLink = /href="(\/evisa\/document\?t=[^"]+)"/.exec(page.body)![1]!;
    for (const [label, url, headers] of [
      ['the eVisa PDF (API link)', link.url, {}],
      ['the eVisa PDF (page link)', pageLink.replace(/&amp;/g, '&'), { accept: 'text/html' }],
      ['an uploaded photo (officer)', `/api/v1/officer/cases/${caseId}/files/${fileId}`, officer.headers],
      ['a stylesheet', '/static/app.css', {}],
      ['a JSON 404', '/api/v1/nothing-here', {}],
      ['a page 404', '/nothing-here', { accept: 'text/html' }],
      ['a path parameter too long for the router', `/officer/cases/${'a'.repeat(200)}`, { accept: 'text/html' }],
      ['a JSON validation error', '/api/v1/officer/queue?limit=zero', officer.headers],
    ] as const) {
      checked.push({ label, response: await inject({ method: 'GET', url, headers }) });
    }
    expect(checked.find((c) => c.label === 'the eVisa PDF (API link)')!.response.headers['content-type']).toBe('application/pdf');
    expect(checked.find((c) => c.label === 'the eVisa PDF (page link)')!.response.headers['content-type']).toBe('application/pdf');
    expect(checked.find((c) => c.label === 'an uploaded photo (officer)')!.response.headers['content-type']).toBe('image/jpeg');
    return checked;
  }

  /** The directives a CSP sets, by name. */
  const directives = (csp: string) =>
    new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .filter((parts) => parts[0])
        .map(([name, ...values]) => [name!, values]),
    );

  function problemsWith({ label, response }: Checked, production: boolean): string[] {
    const problems: string[] = [];
    const header = (name: string) => response.headers[name] as string | undefined;
    if (header('x-content-type-options') !== 'nosniff') problems.push(`${label}: no X-Content-Type-Options: nosniff`);
    const csp = header('content-security-policy');
    if (!csp) problems.push(`${label}: no Content-Security-Policy`);
    else {
      const policy = directives(csp);
      const scripts = policy.get('script-src') ?? policy.get('default-src');
      if (!scripts) problems.push(`${label}: the CSP does not restrict scripts`);
      else if (scripts.some((source) => ["'unsafe-inline'", "'unsafe-eval'", '*', 'data:', 'http:', 'https:'].includes(source))) {
        problems.push(`${label}: the CSP allows ${scripts.join(' ')} for scripts`);
      }
      if (!(policy.get('frame-ancestors')?.includes("'none'") || policy.has('sandbox'))) problems.push(`${label}: the page may be framed`);
    }
    const hsts = header('strict-transport-security');
    if (production) {
      const maxAge = Number(/max-age=(\d+)/.exec(hsts ?? '')?.[1] ?? 0);
      if (maxAge < 31_536_000 || !/includeSubDomains/i.test(hsts ?? '')) problems.push(`${label}: HSTS missing or short: ${hsts}`);
    } else if (hsts) problems.push(`${label}: HSTS over plain HTTP in development`);
    if (String(header('content-type')).startsWith('text/html')) {
      const body = response.body;
      if (/<script\b(?![^>]*\bsrc=)[^>]*>/i.test(body)) problems.push(`${label}: an inline <script>`);
      if (/<[^>]+\son[a-z]+\s*=/i.test(body)) problems.push(`${label}: an on* event handler attribute`);
      if (/(href|src|action)\s*=\s*["']?\s*javascript:/i.test(body)) problems.push(`${label}: a javascript: URL`);
    }
    return problems;
  }

  it.each(['development', 'production'] as const)('sets nosniff and a CSP without inline script on every response in %s', async (mode) => {
    const checked = await everyResponse(apps[mode]);
    expect(checked.length).toBeGreaterThan(50);
    expect(checked.flatMap((c) => problemsWith(c, mode === 'production'))).toEqual([]);
    // The officer's view of an upload is sandboxed on top: a polyglot could never run as a page.
    const upload = checked.find((c) => c.label === 'an uploaded photo (officer)')!.response;
    expect(upload.headers['content-security-policy']).toContain('sandbox');
    expect(checked.find((c) => c.label === 'the eVisa PDF (API link)')!.response.headers['content-disposition']).toMatch(/^attachment;/);
  });
});
