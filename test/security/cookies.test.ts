import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LightMyRequestResponse } from 'fastify';
import { loadConfig } from '@app/platform';
import { EvisaApplicationService } from '@app/evisa';
import { createApi } from '../../apps/api/src/bootstrap.js';
import { createTestDatabase, testEnv } from '../harness/context.js';
import { fastifyOf } from '../harness/identity.js';
import { applicantAnswers, browserInjector, submittedApplication } from '../evisa/helpers.js';
import { cookieAttributes, freshAddress } from './support.js';

/**
 * The cookies an applicant's browser gets — the CSRF secret, the language, the draft token and the
 * applicant token — are HttpOnly and SameSite=Lax everywhere, Secure in production (where the
 * CSRF cookie also takes the __Host- prefix), never scoped to a Domain. Every cookie set along the
 * journey is checked, not only the four named ones.
 */
describe("the applicant's cookies", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let development: NestFastifyApplication;
  let production: NestFastifyApplication;
  let submitted: { reference: string; caseId: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = testEnv(db.url);
    development = await createApi(loadConfig(env));
    production = await createApi(loadConfig({ ...env, NODE_ENV: 'production' }));
    for (const app of [development, production]) {
      await app.init();
      await fastifyOf(app).ready();
    }
    // The sandbox acquirer refuses to run in production: the application is paid and submitted in development.
    submitted = await submittedApplication(await browserInjector(development));
  });

  afterAll(async () => {
    await development.close();
    await production.close();
    await db.drop();
  });

  /** Walks the applicant's pages like a browser and returns every Set-Cookie header it received. */
  async function journey(app: NestFastifyApplication, csrfCookie: string): Promise<string[]> {
    const received: string[] = [];
    const jar = new Map<string, string>();
    const remoteAddress = freshAddress();
    const send = async (method: 'GET' | 'POST', url: string, form?: Record<string, string>): Promise<LightMyRequestResponse> => {
      const response = await fastifyOf(app).inject({
        method,
        url,
        remoteAddress,
        headers: {
          accept: 'text/html',
          cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; '),
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        payload: form ? new URLSearchParams(form).toString() : undefined,
      });
      received.push(...([] as string[]).concat(response.headers['set-cookie'] ?? []));
      for (const cookie of response.cookies) jar.set(cookie.name, cookie.value);
      return response;
    };
    const start = await send('GET', '/evisa/eligibility?lang=zh-Hant');
    const token = /name="_csrf" value="([^"]+)"/.exec(start.body)![1]!;
    expect(jar.has(csrfCookie)).toBe(true);
    expect((await send('POST', '/evisa/eligibility', { ...applicantAnswers().eligibility, _csrf: token })).statusCode).toBe(200);
    const access = await send('POST', '/evisa/access', {
      reference: submitted.reference,
      surname: 'Dela Cruz',
      dateOfBirth: '1990-04-27',
      _csrf: token,
    });
    expect(access.statusCode).toBe(303);
    // The emailed link opens the application too, and sets the same cookie.
    const link = app.get(EvisaApplicationService).applicantToken(submitted.caseId);
    expect((await send('GET', `/evisa/access?t=${link}`)).statusCode).toBe(303);
    return received;
  }

  it('sets them HttpOnly and SameSite=Lax, without Secure over plain HTTP in development', async () => {
    const cookies = cookieAttributes(await journey(development, 'csrf'));
    expect([...cookies.keys()].sort()).toEqual(['csrf', 'evisa_case', 'evisa_draft', 'lang']);
    for (const [name, attributes] of cookies) {
      expect([name, attributes.has('httponly'), attributes.has('samesite=lax'), attributes.has('secure')]).toEqual([
        name,
        true,
        true,
        false,
      ]);
      expect([name, [...attributes].some((a) => a.startsWith('domain='))]).toEqual([name, false]);
    }
    expect(cookies.get('evisa_draft')).toContain('path=/evisa');
    expect(cookies.get('evisa_case')).toContain('path=/evisa');
    expect(cookies.get('csrf')).toContain('path=/');
  });

  it('adds Secure in production, and the __Host- prefix to the CSRF cookie', async () => {
    const cookies = cookieAttributes(await journey(production, '__Host-csrf'));
    expect([...cookies.keys()].sort()).toEqual(['__Host-csrf', 'evisa_case', 'evisa_draft', 'lang']);
    for (const [name, attributes] of cookies) {
      expect([name, attributes.has('httponly'), attributes.has('samesite=lax'), attributes.has('secure')]).toEqual([
        name,
        true,
        true,
        true,
      ]);
      expect([name, [...attributes].some((a) => a.startsWith('domain='))]).toEqual([name, false]);
    }
    expect(cookies.get('__Host-csrf')).toContain('path=/');
  });
});
